"""A tasks file (`--tasks-file`): the unfreeze family's fresh held-out set (`--set unfreeze-fresh`) trained at ratio 10.

The policy chosen on the tuning rows (`rules/unfreeze_slice_ratio_tasks.py`, `results/transfer_ratio_tuning.md`) trains
the two transfer ways at a ratio of 10 between the head's rate and the body's: `fit_one_cycle(n, slice(top/10, top))`
and `fine_tune(n, base_lr, lr_mult=10)`. To judge it on the fresh kinds, each of their `_slice` and `_ft` rows is here
as it is (same learner, range tests, epochs and grid) trained at ratio 10, named `<row>r10` and `<row>m10` as the tuning
variants are, with its own grid search. Written and committed before any grid or range test ran on these rows:

  python -m benchmarks.quality --warm --set unfreeze-fresh --tasks-file benchmarks/rules/unfreeze_ratio10_fresh_tasks.py --only-file \\
      --cache benchmarks/cache/quality_unfreeze_fresh.json --threads 1          # the grids, blind
"""
from benchmarks.quality.split import task_set
from benchmarks.quality.tasks import _ratio10

TASKS = _ratio10(task_set('unfreeze-fresh'))  # the same rows as when they were judged (tasks._ratio10 builds the second fresh set's too)
