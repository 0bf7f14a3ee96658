"""A rules file: the reading on an unfrozen learner moved toward fastai's `slide`, chosen on the seen kinds' one-rate and
slice rows (`benchmarks/transfer_rules.py --row _one --policy 1` and `--row _slicer10 --policy 8`, family `slide`;
`results/transfer_rules_one_tuning.md`, `results/transfer_rules_slice_tuning.md`), as methods the benchmark can score on kinds no rule has seen.

After `unfreeze()` a curve's reading (`recommended`'s, second sweep included) sits at or below the best one-rate rate on
kinds that learn slowly, and fastai's `slide`, read on the same first sweep, sits higher there; their geometric blend
reading**0.6 x slide**0.4 (both in log lr, `slide` read on the first sweep, which costs no step) was the best family on both
ways, leave one kind out included:
- `one_blend`, one rate (`fit_one_cycle(n, lr)`, the `_one` rows): lr = reading**0.6 x slide**0.4 (estimated on 126 range
  tests of 28 kinds: 0.017 mean regret, 68% in band; leave one kind out 0.020, 60%; the policy, the reading: 0.038, 58%);
- `slice_blend`, slice (`fit_one_cycle(n, slice(top/10, top))`, the `_slicer10` rows): top = 4 x reading**0.6 x slide**0.4
  (10**0.6; on 81 range tests of 19 kinds: 0.023, 58%; leave one kind out 0.025, 46%; the policy, 8 x the reading: 0.027, 47%).
For the slice the script's rule names `fall` first (most in band), the family judged on the second fresh set and not taken
there; of the others `slide` has the most in band, leave one kind out, and its lead over `times` (46% against 42%).
Where `slide` gives nothing, the reading alone (times 4 for the slice), as the family was scored; where the reading is None, None.

Each reads the `LRFindResult` of `recommended`'s own range test (`read`, see `quality/rules.py`), so it adds no optimizer
step. Written and committed, with the rule that takes it (`benchmarks/README.md`), before any range test ran on the third
fresh set's one-rate and slice rows; judged there once:

  python -m benchmarks.quality --set unfreeze-fresh3 --tasks <its _one, _slice and _slicer10 rows> \\
      --cache benchmarks/cache/quality_unfreeze_fresh3.json --rules-file benchmarks/rules/unfrozen_slide_blend.py \\
      --methods valley,slide,minimum,steep,recommended,rec_x8,one_blend,slice_blend --threads 1 --out benchmarks/results/quality_unfreeze_fresh3_one_slice.md
"""
import importlib.util
from pathlib import Path

import torch

from fastai_lrrange.suggest import SUGGESTIONS, SweepAgain, recommended, run_suggestion, valley

_spec = importlib.util.spec_from_file_location('unfreeze_scale', Path(__file__).with_name('unfreeze_scale.py'))
_scale = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_scale)

WEIGHT, SLICE_TOP = 0.4, 10 ** 0.6  # the candidate's parameters (slide family: w = 0.4; offsets 0 and 0.6 decades)


def slide_on_first_sweep(res):
    "fastai's `slide` read on the first sweep's window (last group's rates), or None"
    sw = res.first_sweep
    s, e = sw.window.start, sw.window.stop
    if e - s < 2: return None
    lrs, losses = (torch.tensor(a[s:e], dtype=torch.float32) for a in (sw.last_group_lrs, sw.losses))
    return run_suggestion('slide', SUGGESTIONS['slide'].func, lrs, losses, sw.num_it)[0]


def blend(res, name, times=1.):
    "The reading of `name` moved toward `slide`'s, reading**(1-w) x slide**w (the reading alone where slide gives none), times `times`"
    lr = res.suggestions[name]
    if lr is None: return None
    sl = slide_on_first_sweep(res)
    return times * (lr if sl is None else lr ** (1 - WEIGHT) * sl ** WEIGHT)


_policy = dict(func=recommended, needs_descent=True, sweep_again=SweepAgain(fallback=valley, scale=0.35))  # recommended's sweeps
RULES = {'rec_x8': _scale.RULES['rec_x8'],
         'one_blend': dict(_policy, read=lambda res: blend(res, 'one_blend')),
         'slice_blend': dict(_policy, read=lambda res: blend(res, 'slice_blend', SLICE_TOP))}
