"""The learners of the benchmark's tasks, each a function `make_learner(seed) -> Learner`, by group.

common: data helpers, models and trained-state caches they share; small, late, after: the builders of the tuning kinds
and of the first coin split; fresh: the builders of the fresh held-out set. The task rows that use them are in
`..tasks`. Pretrained bodies and trained states are cached in benchmarks/cache/.
"""
