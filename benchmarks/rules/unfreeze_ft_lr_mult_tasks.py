"""A tasks file (`--tasks-file`, rows, not rules): the unfreeze family's six tuning fine_tune rows with another `lr_mult` (issue 30).

`fine_tune(n, base_lr, lr_mult=100)` gives the body base_lr/200 after unfreezing (fastai halves base_lr there); bodies that
must adapt then want a base_lr above 1. Each row here is a tuning `_ft` row as it is (same learner, range test, epochs,
grid, freeze_epochs) but trained with `fine_tune(n, base_lr=lr, freeze_epochs=e, lr_mult=L)`; named `<row>m<L>`. Its own
grid search gives its oracle; the range tests on the frozen learner are those of the `_ft` row (same builder, same seeds),
so a rule's reading is the same and only the training differs. Tuning kinds only (the held-out kinds are never built here):

  python -m benchmarks.quality --set unfreeze-tuning --tasks-file benchmarks/rules/unfreeze_ft_lr_mult_tasks.py \\
      --tasks <the rows' names> --rules-file benchmarks/rules/unfreeze_scale.py --methods valley,slide,minimum,steep,recommended,rec_x2,rec_x4 \\
      --threads 1 --out benchmarks/results/quality_unfreeze_ft_lr_mult10_tuning.md

(then the rows of lr_mult 3 and 30, `--methods valley,slide,minimum,steep,recommended,rec_x05,rec_x2,rec_x4`, into
quality_unfreeze_ft_lr_mult_3_30_tuning.md, now in results/history/).
"""
from dataclasses import replace

from benchmarks.quality.split import task_set

LR_MULTS = (10, 3, 30)  # 3 and 30 added after the lr_mult=10 run's figures were seen (quality_unfreeze_ft_lr_mult10_tuning.md)
TASKS = [replace(t, name=f'{t.name}m{L}', fit_kw={**t.fit_kw, 'lr_mult': L})
         for L in LR_MULTS for t in task_set('unfreeze-tuning') if t.name.endswith('_ft')]
