"""The suggestion-quality benchmark: regret of every registered suggestion against a grid-search oracle.

One job a module (imports go down this list, never up):

- task: what a task is (`Task`: a builder, epochs, grid, how it trains downstream), its groups and families, task files
- builders/: the learners of the tasks (`make_learner(seed) -> Learner`), by group
- tasks: every task, declared as data (the first coin-split set, the tuning tasks added later, the fresh held-out set)
- split: tuning or held-out: the coin flips and their record, and the named task sets (`--set`)
- rules: rule files, variants of registered suggestions to score beside them (`--rules-file`)
- oracle: training at a rate (cached), the factor-2 grid search and its noise band
- runs: range tests on a task and every suggestion trained at
- report: the Markdown report (per task, per group, per kind, targets)
- grids: grid-only steps (print grid searches, warm the cache blind, check stored grids reproduce)
- screen: screening curve rules on stored first-sweep curves, nothing trained
- cli: `python -m benchmarks.quality` (run from the repository root)

Trainings, pretrained bodies and trained states are cached in benchmarks/cache/ (delete it to start over).
"""
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent  # benchmarks/
CACHE = BENCH / 'cache'
RESULTS = BENCH / 'results'
