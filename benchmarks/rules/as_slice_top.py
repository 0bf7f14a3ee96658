"""A rules file: the slice top `as_slice('recommended')` gives after `unfreeze()`, as a method the benchmark can score.

The library's policy (`Transfer(slice_top=50, slice_fall=-3.5, lr_mult=10)` on `recommended`'s entry, chosen on the
tuning rows by `benchmarks/slice_top_rules.py`, `results/slice_top_rules_tuning.md`): the top of `slice(top/10, top)` is
the reading times 50 x 10**(-3.5 x share), share = how much of its loss the curve's window loses (`Descent.share`). The
method `as_slice_top` reads the same window with the same entry's policy (a second sweep when the first shows no descent,
read at 0.35, the fallback on `valley`), so on a slice row it is what `as_slice('recommended').stop` gives
(`tests/test_benchmarks.py` checks they agree). `rec_x*` (the first policy and its neighbours) come from
`rules/unfreeze_scale.py`. Judged once on the second fresh set, trained at ratio 10:

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
    "recommended's reading times its `Transfer.top_times` of the window's fall share: the top `as_slice('recommended')` gives"
    lr, pt = recommended(lrs, losses, num_it)
    share = descent(losses, losses).share  # the share reads the smoothed window only (the raw losses give the noise, unused here)
    return (None, pt) if lr is None else (lr * SUGGESTIONS['recommended'].transfer.top_times(share), pt)


_entry = SUGGESTIONS['recommended']
RULES = {**_scale.RULES, 'as_slice_top': dict(func=as_slice_top, needs_descent=True, sweep_again=_entry.sweep_again)}
