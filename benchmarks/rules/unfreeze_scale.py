"""Candidate policies for the unfreeze family (issue 30): `recommended`'s reading times k, as the rate of each way.

- one rate (`fit_one_cycle(n, lr)` after unfreeze): lr = k x recommended's reading on the unfrozen learner;
- slice (`fit_one_cycle(n, slice(top/100, top))`): top = k x recommended's reading on the unfrozen learner;
- fine_tune (`fine_tune(n, base_lr=...)`): base_lr = k x recommended's reading on the frozen learner (the range test run
  where users run it, before `fine_tune`).

k = 1 is `recommended` itself; each variant keeps its policy (no reading without a descent; a second sweep when the first
shows none, read at 0.35 as `recommended` reads it, then times k; the fallback on `valley`, where a second sweep shows no
descent either, is not scaled). Scored on the unfreeze family's tuning rows only:

  python -m benchmarks.quality --set unfreeze-tuning --rules-file benchmarks/rules/unfreeze_scale.py \
      --methods valley,slide,minimum,steep,recommended,rec_x05,rec_x2,rec_x4,rec_x8 --threads 1 --out benchmarks/results/quality_unfreeze_tuning.md

How a candidate is chosen, written before the run: per way, the k with the most range tests in band, then the lower mean
regret; it counts as a policy for that way only if its mean regret is at most that of the best of fastai's four rules used
the same way. The choice is then judged once on `--set unfreeze-heldout` (not run yet).
"""
from functools import partial

from fastai_lrrange.suggest import SweepAgain, recommended, valley


def times(lrs, losses, num_it=None, k=1.0):
    "recommended's reading times k"
    lr, pt = recommended(lrs, losses, num_it)
    return (None, pt) if lr is None else (lr * k, pt)


SCALES = {'rec_x05': 0.5, 'rec_x2': 2.0, 'rec_x4': 4.0, 'rec_x8': 8.0,
          # added after the first run (results/quality_unfreeze_tuning.md's first commit, 49fcc2e), where the slice way's best k
          # was the largest tried (8): scored with --oracle-from that run, tuning rows only
          'rec_x16': 16.0, 'rec_x32': 32.0,
          # added after the second, where the slice way's best k was again the largest tried (32); 100 gives the body the reading
          'rec_x64': 64.0, 'rec_x100': 100.0}
RULES = {name: dict(func=partial(times, k=k), needs_descent=True, sweep_again=SweepAgain(fallback=valley, scale=0.35)) for name, k in SCALES.items()}
