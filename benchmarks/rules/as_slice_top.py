"""A rules file: the slice top the library's `as_slice('recommended')` gave while it was judged (library c582d27), as a method.

The candidate, chosen on the tuning rows by `benchmarks/slice_top_rules.py` (now `transfer_rules.py`) (`results/history/slice_top_rules_tuning.md`):
the top of `slice(top/10, top)` is `recommended`'s reading times 50 x 10**(-3.5 x share), share = how much of its loss the
curve's window loses (the window's fall over its first smoothed loss, as `diagnostics.descent` reads the window; shares
past 0.5 counted as 0.5). It was committed in the library (c582d27) before its judgement on the second fresh set, where it
lost to the policy in force (`results/quality_unfreeze_fresh2.md`, `transfer_ratio_fresh2.md`: mean regret 0.068 against
8 x the reading's 0.054), and was taken out again; the formula is kept here so that the judgement can be rerun. `rec_x*`
(the policy in force and its neighbours) come from `rules/unfreeze_scale.py`. The judgement:

  python -m benchmarks.quality --set unfreeze-fresh2 --cache benchmarks/cache/quality_unfreeze_fresh2.json \\
      --rules-file benchmarks/rules/as_slice_top.py --methods valley,slide,minimum,steep,recommended,rec_x2,rec_x8,rec_x32,as_slice_top \\
      --threads 1 --out benchmarks/results/quality_unfreeze_fresh2.md
"""
import importlib.util
from pathlib import Path

from fastai_lrrange.diagnostics import descent
from fastai_lrrange.suggest import SUGGESTIONS, recommended

_spec = importlib.util.spec_from_file_location('unfreeze_scale', Path(__file__).with_name('unfreeze_scale.py'))
_scale = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_scale)


def as_slice_top(lrs, losses, num_it=None):
    "recommended's reading times 50 x 10**(-3.5 x the window's fall share, at most 0.5): the candidate slice top"
    lr, pt = recommended(lrs, losses, num_it)
    return (None, pt) if lr is None else (lr * 50 * 10 ** (-3.5 * min(descent(losses, losses).share, 0.5)), pt)


RULES = {**_scale.RULES, 'as_slice_top': dict(func=as_slice_top, needs_descent=True, sweep_again=SUGGESTIONS['recommended'].sweep_again)}
