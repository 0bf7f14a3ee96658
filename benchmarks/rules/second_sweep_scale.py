"""Variants of `recommended` that differ only in `SweepAgain.scale`, the factor applied to a rate read on its second sweep.

`recommended` ships with 0.35 (its figures: results/quality_tuning.md and quality_heldout.md); `second_x1` reads the
second sweep as it is. Score them beside it with the CLI (`--rules-file benchmarks/rules/second_sweep_scale.py --methods
recommended,second_x1,...`); the study that chose 0.35 is results/history/issue22_scale.md.
"""
from fastai_lrrange.suggest import SweepAgain, recommended, valley

SCALES = {'second_x1': 1.0, 'second_x05': 0.5, 'second_x035': 0.35, 'second_x025': 0.25}
RULES = {name: dict(func=recommended, needs_descent=True, sweep_again=SweepAgain(fallback=valley, scale=k)) for name, k in SCALES.items()}
