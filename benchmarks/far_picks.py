"""How many picks land more than half a decade outside the grid's near-optimal range, on the stored range tests of the seen
unfreeze kinds (nothing trained): the advice in force, fastai's four rules, and the advice with a floor a few tenths of a
decade below where the window's smoothed loss is lowest (`minr`). Issue 30 asks for no pick beyond half a decade; this
says how far every rule is from it, and whether a floor at the curve's minimum brings the far picks in.

The advice in force per row: the stored pick of the library's own method where the run scored it (`as_slice_top`,
`fine_tune_base`, or the third set's `slice_blend`, `ft_flat`, `one_gate`), else what it gives computed from the stored
readings (the slice: 10**0.6 x reading**0.6 x slide**0.4; one rate: that blend without the multiple where the window loses
under 20% of its loss; `fine_tune`: twice the reading, or half where the window ends under a 10% fall).

  python benchmarks/far_picks.py benchmarks/results/quality_unfreeze_slice_ratio10_tuning.json benchmarks/results/quality_unfreeze_fresh.json \\
      benchmarks/results/quality_unfreeze_fresh_rt345.json benchmarks/results/quality_unfreeze_fresh2.json \\
      benchmarks/results/quality_unfreeze_fresh3_one_slice.json benchmarks/results/quality_unfreeze_fresh4_one_slice.json --row _slicer10 \\
      --out benchmarks/results/far_picks_slice.md
"""
import argparse, math, platform, sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from transfer_rules import range_tests, point, summary  # noqa: E402

L = math.log10
FASTAI = ('valley', 'slide', 'minimum', 'steep')
STORED = {'_slicer10': ('as_slice_top', 'slice_blend'), '_ftm10': ('fine_tune_base', 'ft_flat'), '_one': ('one_gate',)}  # the library's pick, where scored


def advice(t, row):
    "The advice in force (log10): its stored pick where the run scored it, else computed from the stored readings as the library does"
    stored = next((t['picks'][k] for k in STORED[row] if k in t['picks']), None)
    if stored is not None: return stored
    blend = 0.6 * t['rec'] + 0.4 * t.get('slide', t['rec'])
    if row == '_slicer10': return blend + 0.6
    if row == '_ftm10': return t['end'] + L(0.5) if t['share'] < 0.1 else t['rec'] + L(2)
    return blend if t['share'] < 0.2 else t['rec']


def figures(tests, top):
    "`summary` of the picks `top` gives (log10; None: no pick) over `tests`"
    return summary([point(t, x) for t in tests for x in [top(t)] if x is not None])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('files', nargs='+')
    p.add_argument('--row', default='_slicer10', choices=list(STORED))
    p.add_argument('--out', default=None)
    a = p.parse_args()
    tests = range_tests(a.files, a.row)
    lines = [f'# Picks beyond half a decade: the `{a.row}` rows of the seen unfreeze kinds', '',
             f'- machine: {platform.machine()}, python {platform.python_version()}; nothing trained: read from the result files',
             f"- command: `python {' '.join(sys.argv)}`",
             f"- {len(tests)} range tests on {len({t['kind'] for t in tests})} kinds; figures estimated from each row's grid (interpolated on log lr)", '',
             '| pick | mean regret | in band | beyond half a decade | farthest (decades) |', '|---|---|---|---|---|']
    rows = [('the advice in force', lambda t: advice(t, a.row))] + [(f'`{k}`', lambda t, k=k: t['picks'].get(k)) for k in FASTAI]
    rows += [(f'the advice, floored at {c:.1f} decades below the loss minimum', lambda t, c=c: max(advice(t, a.row), t['minr'] - c))
             for c in (0.0, 0.3, 0.6, 1.0)]
    for name, top in rows:
        g, inb, far, farthest, n = figures(tests, top)
        lines.append(f'| {name} | {g:.4f} | {inb}/{n} | {far}/{n} | {farthest:.2f} |')
    text = '\n'.join(lines) + '\n'
    if a.out: Path(a.out).write_text(text)
    print(text)


if __name__ == '__main__':
    main()
