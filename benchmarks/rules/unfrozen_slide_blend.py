"""A rules file: the reading on an unfrozen learner moved toward fastai's `slide`, chosen on the seen kinds' one-rate and
slice rows (`benchmarks/transfer_rules.py --row _one --policy 1 --also unfreeze_mlp,unfreeze_one` and `--row _slicer10 --policy 8`, family `slide`;
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
Amended before any range test ran on the third fresh set, when the after-training group's unfreeze rows were added to the
one-rate estimate (`unfreeze_mlp`, held out in the first fresh set, and `unfreeze_one`: 132 range tests of 30 kinds): on
`unfreeze_mlp`, whose curve loses 58% of its loss, `slide` reads two decades low, and the blend would lose an estimated 0.066
where the reading loses 0.011 (seed band 0.004), so as `recommended`'s one-rate value it would make an earlier held-out table
worse. The family gated on the window's fall share keeps that row: `one_gate` blends only where the window loses under 20%
of its loss (a curve without a clear descent; elsewhere the reading as it is): estimated 0.023, 64% in band on the 132,
against 0.018, 67% ungated and 0.037, 58% for the reading (`results/transfer_rules_one_tuning.md`, the 132; the `gate`
family's own best there, (-0.3, 0.3, 0.6), keeps no lead over `times` when each kind is left out, so the candidate keeps the
`slide` family's parameters and takes the gate at 0.2, set by hand to keep `unfreeze_mlp`). `one_gate` is the one-rate candidate; `one_blend` and
`slice_gate` (the slice's top gated the same way: 0.024, 50% against 0.023, 58% ungated) are scored beside for the record and
are not candidates.
Where `slide` gives nothing, the reading alone (times 4 for the slice), as the family was scored; where the reading is None, None.

Each reads the `LRFindResult` of `recommended`'s own range test (`read`, see `quality/rules.py`), so it adds no optimizer
step. Written and committed, with the rule that takes it (`benchmarks/results/history/unfreeze_family_study.md`), before any range test ran on the third
fresh set's one-rate and slice rows; judged there once:

  python -m benchmarks.quality --set unfreeze-fresh3 --tasks <its _one, _slice and _slicer10 rows> \\
      --cache benchmarks/cache/quality_unfreeze_fresh3.json --rules-file benchmarks/rules/unfrozen_slide_blend.py \\
      --methods valley,slide,minimum,steep,recommended,rec_x8,one_gate,slice_blend,one_blend,slice_gate --threads 1 --out benchmarks/results/quality_unfreeze_fresh3_one_slice.md
"""
import importlib.util
from pathlib import Path

from fastai_lrrange.suggest import SUGGESTIONS, SweepAgain, recommended, run_suggestion, valley

_spec = importlib.util.spec_from_file_location('unfreeze_scale', Path(__file__).with_name('unfreeze_scale.py'))
_scale = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_scale)

WEIGHT, SLICE_TOP, GATE = 0.4, 10 ** 0.6, 0.2  # the candidates' parameters (slide family: w = 0.4; offsets 0 and 0.6 decades; the gate's share)


def slide_on_first_sweep(res):
    "fastai's `slide` read on the first sweep's window (last group's rates), or None"
    sw = res.first_sweep
    if sw.window.stop - sw.window.start < 2: return None
    return run_suggestion('slide', SUGGESTIONS['slide'].func, *sw.window_curve, sw.num_it)[0]


def blend(res, name, times=1., below=None):
    """The reading of `name` moved toward `slide`'s, reading**(1-w) x slide**w (the reading alone where slide gives none, or,
    with `below`, where the first sweep's window loses `below` or more of its loss), times `times`"""
    lr = res.suggestions[name]
    if lr is None: return None
    sl = None if below is not None and res.first_sweep.descent.share >= below else slide_on_first_sweep(res)
    return times * (lr if sl is None else lr ** (1 - WEIGHT) * sl ** WEIGHT)


_policy = dict(func=recommended, needs_descent=True, sweep_again=SweepAgain(fallback=valley, scale=0.35))  # recommended's sweeps
RULES = {'rec_x8': _scale.RULES['rec_x8'],
         'one_blend': dict(_policy, read=lambda res: blend(res, 'one_blend')),
         'slice_blend': dict(_policy, read=lambda res: blend(res, 'slice_blend', SLICE_TOP)),
         'one_gate': dict(_policy, read=lambda res: blend(res, 'one_gate', below=GATE)),
         'slice_gate': dict(_policy, read=lambda res: blend(res, 'slice_gate', SLICE_TOP, below=GATE))}
