"""Candidate sweeps for the unfreeze family (issue 30): the range test run at the slice's training ratio.

The current policy (`Transfer(slice_top=32, fine_tune=2)` on `recommended`'s entry, `rules/unfreeze_scale.py`) reads a
sweep that gives every parameter group one rate; after `unfreeze()` a body that must adapt needs the slice's top/100, and
the best slice tops (2 to 32 times `recommended`'s reading on those kinds) lie far above where that sweep's curve turns.
Here the sweep runs the groups at the ratio the slice way trains them at (`fit_one_cycle(n, slice(top/100, top))`):

  start_lr=slice(1e-9, 1e-7), end_lr=slice(e/100, e), num_it=100

(two groups, body and head: the body's rate is the head's / 100 at every step; the suggestions read the head's, the last
group's), with e = 10 (`r10_*`: the head from 1e-7 to 10, as the default sweep) and e = 100 (`r100_*`: to 100, for the
kinds whose best tops reach 8). Read by:

- `recommended` (its policy: no reading without a descent; a second sweep of 300 steps when the first shows none, ratio
  kept, read at 0.35; `valley` as the fallback) times k, k = 0.5, 1, 2, 4, 8: `r10_rec_xK`, `r100_rec_xK`;
- fastai's `minimum` and `valley` as they are (no second sweep): `r10_minimum`, `r10_valley`, `r100_minimum`, `r100_valley`.

Cost in optimizer steps: 100 for the first sweep; the `recommended` readings add 300 where the first sweep shows no
descent (at most 400 in all); `minimum` and `valley`, 100.

Every candidate is scored on all 18 tuning rows (the sweep's arguments do not depend on the way), so each way gets
figures: on the one-rate rows the ratio sweep does not match the training (one rate for all groups: the default sweep
already runs at that ratio, 1), so a one-rate candidate from here is not expected, and none is added for that way; on the
fine_tune rows the range test runs on the frozen learner, where the ratio gives the body's BatchNorm layers (trainable under
fastai's `freeze()`) a hundredth of the head's rate, nearly "the head alone".

Scored on the unfreeze family's tuning rows only, grids and the other rules' figures reused from the earlier run:

  python -m benchmarks.quality --set unfreeze-tuning --rules-file benchmarks/rules/unfreeze_sweeps.py \\
      --oracle-from benchmarks/results/quality_unfreeze_tuning.json --methods <the candidates> --threads 1 \\
      --out benchmarks/results/quality_unfreeze_sweeps_tuning.md   (now in results/history/)

How a candidate is chosen, written before the first run (commit of this file): per way (one rate, slice, fine_tune),
among this file's candidates and the current policy for that way (one rate: `recommended`; slice: `rec_x32`; fine_tune:
`rec_x2`; their figures from the same rows, grids and range-test seeds 0, 1, 2 in quality_unfreeze_tuning.json), the one
with the most range tests in band, then the lower mean regret, then the fewer optimizer steps; a candidate counts only if
its mean regret is at most that of the best of fastai's four rules (valley, slide, minimum, steep on the default sweep)
used the same way, and its range test takes at most 400 optimizer steps. A new sweep is proposed for a way only if this
rule picks it over the current policy; otherwise the current policy stands for that way. The held-out kinds of the family
have been seen: a choice made here is judged on the fresh set someone else is writing, never on `unfreeze-heldout`.
"""
from functools import partial

from fastai_lrrange.suggest import SweepAgain, recommended, valley, minimum

SWEEPS = {f'r{e}': dict(start_lr=slice(1e-9, 1e-7), end_lr=slice(e / 100, e), num_it=100) for e in (10, 100)}
POLICY = SweepAgain(fallback=valley, scale=0.35)  # recommended's


def times(lrs, losses, num_it=None, k=1.0):
    "recommended's reading times k"
    lr, pt = recommended(lrs, losses, num_it)
    return (None, pt) if lr is None else (lr * k, pt)


SCALES = {'x05': 0.5, 'x1': 1.0, 'x2': 2.0, 'x4': 4.0, 'x8': 8.0}
RULES = {}
for sw, kw in SWEEPS.items():
    for tag, k in SCALES.items():
        RULES[f'{sw}_rec_{tag}'] = dict(func=partial(times, k=k), needs_descent=True, sweep_again=POLICY, sweep=kw)
    RULES[f'{sw}_minimum'] = dict(func=minimum, sweep=kw)
    RULES[f'{sw}_valley'] = dict(func=valley, sweep=kw)
