"""A rules file: the `fine_tune` candidate chosen on the 22 seen kinds (`benchmarks/transfer_rules.py --row _ftm10 --policy 2`,
`results/transfer_rules_ft_tuning.md`), as a method the benchmark can score on kinds no rule has seen.

On the frozen learner's first sweep: when its suggestion window loses less than 10% of its loss (the window's fall over its
first smoothed loss; a curve that stays flat until it blows up, whose reading is noise), `base_lr` is half the rate where the
window ends, just before the loss blows up; elsewhere it is twice `recommended`'s reading, the policy in force
(`Transfer.fine_tune=2`). Trained with `fine_tune(n, base_lr, lr_mult=10)` (the `_ftm10` rows). The method reads the first
sweep only (no second sweep): where the window loses 10% or more it shows a descent, and `recommended` reads that sweep as
`drop_or_minimum` does. Written and committed before any grid or range test ran on the third fresh set; judged there once:

  python -m benchmarks.quality --set unfreeze-fresh3 --tasks <its _ft and _ftm10 rows> --cache benchmarks/cache/quality_unfreeze_fresh3.json \\
      --rules-file benchmarks/rules/fine_tune_flat.py --methods valley,slide,minimum,steep,recommended,rec_x2,ft_flat --threads 1 \\
      --out benchmarks/results/quality_unfreeze_fresh3_ft.md
"""
import importlib.util
from pathlib import Path

from fastai_lrrange.diagnostics import descent
from fastai_lrrange.suggest import drop_or_minimum

_spec = importlib.util.spec_from_file_location('unfreeze_scale', Path(__file__).with_name('unfreeze_scale.py'))
_scale = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_scale)

FLAT_BELOW, AT_END, TIMES = 0.10, 0.5, 2.0  # the candidate's parameters (flat family: s0 = 0.10, c = 0.3 decades)


def ft_flat(lrs, losses, num_it=None):
    "Half the rate where the window ends on a window that loses under 10% of its loss; else twice drop_or_minimum's reading"
    if len(lrs) and descent(losses, losses).share < FLAT_BELOW: return float(lrs[-1]) * AT_END, None  # the share the library reads (Descent.share)
    lr, pt = drop_or_minimum(lrs, losses, num_it)
    return (None, pt) if lr is None else (lr * TIMES, pt)


RULES = {'rec_x2': _scale.RULES['rec_x2'], 'ft_flat': dict(func=ft_flat)}
