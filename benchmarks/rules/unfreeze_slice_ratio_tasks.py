"""A tasks file (`--tasks-file`, rows, not rules): the unfreeze family's six tuning slice rows trained with a slice ratio of 10.

`fit_one_cycle(n, slice(top/100, top))` gives the body a hundredth of the head's rate; bodies that must adapt then want a
top of 2 to 32, far above where any range test's curve turns (`results/quality_unfreeze_tuning.md`). With `fine_tune`,
`lr_mult=10` brought every tuning row's best `base_lr` down to 0.03..4 and `rec_x2`'s picks within 0.72 decades of the
near-optimal ranges (`rules/unfreeze_ft_lr_mult_tasks.py`, `results/quality_unfreeze_ft_lr_mult10_tuning.md`, chosen after
looking). Here the same question for the slice way: each row is a tuning `_slice` row as it is (same learner after the
first stage and `unfreeze()`, same range tests, epochs and grid) trained with `fit_one_cycle(n, slice(top/10, top))`, named
`<row>r10`, with its own grid search. Tuning kinds only:

  python -m benchmarks.quality --set unfreeze-tuning --tasks-file benchmarks/rules/unfreeze_slice_ratio_tasks.py \\
      --tasks <the rows> --rules-file benchmarks/rules/unfreeze_scale.py \\
      --methods valley,slide,minimum,steep,recommended,rec_x05,rec_x2,rec_x4,rec_x8 --threads 1 \\
      --out benchmarks/results/quality_unfreeze_slice_ratio10_tuning.md

How the policy for the two transfer ways is chosen, written before this run: a way's candidates are (ratio, k) pairs, the
ratio 100 (fastai's `lr_mult`) or 10, k the multiple of `recommended`'s reading (slice: the top; fine_tune: `base_lr`).
Each is scored against the better of the two grids' best scores for that row (the ratio a user trains with is part of
the advice, so the reference is the best either ratio reaches): regret = that best minus the seed-mean score at the pick,
in band when the regret is within that grid's seed spread. Per way, the pair with the most range tests in band, then the
lower mean regret, is chosen; it counts only if its mean regret is at most that of the best of fastai's four rules at
either ratio, scored the same way. `benchmarks/transfer_ratio.py` computes these tables from the result files. The choice
is then judged once on the fresh held-out set (`--set unfreeze-fresh`).
"""
from dataclasses import replace

from benchmarks.quality.split import task_set

TASKS = [replace(t, name=f'{t.name}r10', slice_ratio=10) for t in task_set('unfreeze-tuning') if t.name.endswith('_slice')]
