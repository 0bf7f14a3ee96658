"""Rules for the transfer ways' rates (the slice's top after `unfreeze()`, `fine_tune`'s `base_lr`), compared on stored range
tests: nothing is trained, it reads result files. `--row _slicer10` (the default) scores the slice rows at ratio 10 against
the policy's 8 x the reading; `--row _ftm10 --policy 2` the `fine_tune` rows at `lr_mult=10` against 2 x the reading.

The slice way trains `fit_one_cycle(n, slice(top/10, top))`. The first policy took top = 8 x `recommended`'s reading, one
multiple for every curve; on the kinds seen so far the multiple that trains best runs from about 1 to about 30, and a
single one cannot be in band on most of them. This script asks which fact of the curve, read once, tells them apart. For
every `*_slicer10` row of the given result files and every range test, it takes the reading and the curve the benchmark
stored (`curves`: lrs, smoothed losses, the suggestion window) and scores a candidate top by the row's grid: the seed-mean
score at the top, interpolated on log(lr) between the factor-2 grid's rates (`--check` compares that estimate with the
trained scores of the multiples the benchmark did train: `rec_x2`, `rec_x8`, ...). Regret is against the row's own best.

Families of rules (each a top, in decades over the reading; parameters on a fixed grid):
- `times`: a constant multiple k (the first policy: k = 8);
- `fall`: k x 10**(b x share), share = the window's fall (smoothed loss at its first point minus its lowest, as
  `diagnostics.descent` computes it) over its first loss: how much of the loss the sweep takes away;
- `slide`, `valley`, `minimum`: k x reading**(1-w) x other**w, a blend with one of fastai's rules;
- `gate`: the `slide` blend only where the window loses under a share s0 of its loss, elsewhere the reading (times the same k);
- `flat`: on a curve whose window loses less than a share s0 of its loss (a curve that stays flat until it blows up, whose
  reading is noise), the rate where the window ends (just before the loss blows up) over 10**c; elsewhere the policy.

The choice: per family, the parameters with the most range tests in band, then the lower mean regret (estimated);
between families, the same, provided the family's leave-one-kind-out figures (parameters chosen without the kind they are
scored on) keep its lead over `times`. The families and this rule were written after a first look at these same rows (all
of them tuning rows now: every kind here has been seen), so the figures here choose and do not judge. The choice is judged
once on kinds no rule has seen (`--set unfreeze-fresh2`), trained at the chosen top. It was (`fall`, parameters 1.7 and
-3.5), and there it lost to the policy in force, 8 x the reading (`results/quality_unfreeze_fresh2.md`): not adopted.

  python benchmarks/transfer_rules.py benchmarks/results/quality_unfreeze_slice_ratio10_tuning.json \\
      benchmarks/results/quality_unfreeze_fresh.json benchmarks/results/quality_unfreeze_fresh_rt345.json \\
      --out benchmarks/results/history/slice_top_rules_tuning.md      # (without the `flat` family then)
  python benchmarks/transfer_rules.py benchmarks/results/quality_unfreeze_ft_lr_mult10_tuning.json \\
      benchmarks/results/quality_unfreeze_fresh.json benchmarks/results/quality_unfreeze_fresh_rt345.json \\
      benchmarks/results/quality_unfreeze_fresh2.json --row _ftm10 --policy 2 --out benchmarks/results/transfer_rules_ft_tuning.md
"""
import argparse, json, math, platform, sys
from collections import defaultdict
from pathlib import Path

import numpy as np

L = math.log10


def fall_share(losses, window):
    "The window's fall over its first smoothed loss (0 when it does not fall), as `diagnostics.descent` reads the window"
    w = np.asarray(losses, dtype=float)[window[0]:window[1]]
    w = w[np.isfinite(w)]
    return 0. if len(w) < 3 or w[0] == 0 else float(max(w[0] - w.min(), 0.) / abs(w[0]))


def grid_of(row):
    "A result row's grid as scores read it: log10 rates (gx) and seed-mean scores (gy), the best score, its noise band, the near-optimal range (log10)"
    g = sorted((float(k), v) for k, v in row['grid'].items())
    return dict(gx=np.array([L(a) for a, _ in g]), gy=np.array([b for _, b in g]), oracle=row['oracle'], band=row['band'],
                lo=L(row['near'][0]), hi=L(row['near'][1]))


def point(t, x):
    "The top `x` (log10 lr) on `t`'s grid: estimated regret (the grid interpolated on log lr), in band or not, decades outside the near-optimal range"
    g = t['oracle'] - float(np.interp(x, t['gx'], t['gy']))
    return g, g <= t['band'] + 1e-9, max(t['lo'] - x, x - t['hi'], 0.)


def summary(points):
    "Of `point`s: mean regret, how many in band, how many beyond half a decade outside, the farthest outside (decades), how many"
    return (float(np.mean([g for g, _, _ in points])), sum(i for _, i, _ in points), sum(o > 0.5 for _, _, o in points),
            max(o for _, _, o in points), len(points))


def range_tests(files, suffix='_slicer10', policy=8., also=()):
    """One dict per range test of every row named `*<suffix>` (or named in `also`): kind, grid (`grid_of`), the readings, the policy's
    top, every method's pick (`picks`, log10) and where the window's smoothed loss is lowest (`minr`, log10)"""
    out = []
    for f in files:
        for r in json.loads(Path(f).read_text()):
            if r['task'] in also: r = dict(r, task=r['task'] + suffix)
            if not r['task'].endswith(suffix): continue
            grid, m = grid_of(r), r['methods']
            for i, c in enumerate(r['curves']):
                rec = m['recommended']['lrs'][i]
                if rec is None: continue
                rd = {k: L(m[k]['lrs'][i]) for k in ('slide', 'valley', 'minimum') if m.get(k) and m[k]['lrs'][i]}
                trained = {k: v['regrets'][i] for k, v in m.items() if k.startswith('rec_x') and v['lrs'][i] is not None}
                a, b = c['window'][0], c['window'][1] or len(c['lrs'])
                w = np.asarray(c['losses'][a:b], dtype=float)
                minr = L(c['lrs'][a + int(np.argmin(np.where(np.isfinite(w), w, np.inf)))]) if len(w) else None
                out.append(dict(kind=r['task'][:-len(suffix)], **grid, rec=L(rec), policy=L(rec * policy), share=fall_share(c['losses'], c['window']),
                                end=L(c['lrs'][b - 1]), minr=minr, trained=trained, picks={k: L(v['lrs'][i]) for k, v in m.items() if v['lrs'][i]},
                                trained_lrs={k: L(v['lrs'][i]) for k, v in m.items() if k.startswith('rec_x') and v['lrs'][i]}, **rd))
    return out


def judge(tests, top):
    "Mean estimated regret, share in band, max decades outside the near-optimal range, of the tops `top(t)` (log10 lr)"
    pts = [point(t, top(t)) for t in tests]
    return float(np.mean([g for g, _, _ in pts])), sum(i for _, i, _ in pts) / len(tests), max(o for _, _, o in pts)


def _blend(other):
    return (lambda p, t: (1 - p[1]) * t['rec'] + p[1] * t.get(other, t['rec']) + p[0],
            [(a, w) for a in np.arange(-1, 2.01, 0.1) for w in np.arange(0, 1.01, 0.1)])


FAMILIES = {  # name -> (top in log10 from parameters p and a range test t, the parameter grid)
    'times': (lambda p, t: t['rec'] + p[0], [(a,) for a in np.arange(-1, 2.01, 0.05)]),
    'fall': (lambda p, t: t['rec'] + p[0] + p[1] * t['share'], [(a, b) for a in np.arange(-0.5, 2.01, 0.1) for b in np.arange(-5, 1.01, 0.25)]),
    'slide': _blend('slide'), 'valley': _blend('valley'), 'minimum': _blend('minimum'),
    'gate': (lambda p, t: (1 - p[2]) * t['rec'] + p[2] * t.get('slide', t['rec']) + p[0] if t['share'] < p[1] else t['rec'] + p[0],
             [(a, s0, w) for a in np.arange(-0.3, 1.21, 0.1) for s0 in (0.1, 0.15, 0.2, 0.25, 0.3) for w in np.arange(0.2, 0.81, 0.1)]),
    'flat': (lambda p, t: t['end'] - p[1] if t['share'] < p[0] else t['policy'],
             [(s0, c) for s0 in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3) for c in np.arange(0, 2.01, 0.1)]),
}


def _key(r): return (-r[1], r[0])  # most in band, then lower regret


def fit(tests, family):
    "The parameters of `family` with the most range tests in band, then the lower mean regret; (params, figures)"
    f, grid = FAMILIES[family]
    return min(((p, judge(tests, lambda t: f(p, t))) for p in grid), key=lambda x: _key(x[1]))


def leave_one_kind_out(tests, family):
    "Figures of `family` when each kind is scored with the parameters chosen on the other kinds"
    f, picks = FAMILIES[family][0], []
    for kind in sorted({t['kind'] for t in tests}):
        p, _ = fit([t for t in tests if t['kind'] != kind], family)
        picks += [(t, f(p, t)) for t in tests if t['kind'] == kind]
    return judge([t for t, _ in picks], lambda t, d={id(t): x for t, x in picks}: d[id(t)])


def _fmt(p): return ', '.join(f'{v:.2f}' for v in p)


def report(files, suffix='_slicer10', policy=8., check=True, also=()):
    tests = range_tests(files, suffix, policy, also)
    kinds = sorted({t['kind'] for t in tests})
    lines = [f'# Rates for the `{suffix}` rows: rules compared on stored range tests', '',
             f'- machine: {platform.machine()}, python {platform.python_version()}; nothing trained: read from the result files',
             f"- command: `python {' '.join(sys.argv)}`",
             f'- {len(tests)} range tests on {len(kinds)} kinds (`*{suffix}` rows): {", ".join(kinds)}',
             '- figures: mean regret (estimated: the grid\'s seed-mean score interpolated on log lr at the top) | share of range tests in the '
             'noise band | max decades outside the near-optimal range; top in decades over `recommended`\'s reading', '']
    if check:
        est, got, same = [], [], 0
        for t in tests:
            for k, g in t['trained'].items():
                e = point(t, t['trained_lrs'][k])[0]
                est.append(e); got.append(g); same += (e <= t['band'] + 1e-9) == (g <= t['band'] + 1e-9)
        lines += [f'The estimate against trained scores ({len(got)} tops the benchmark trained: `rec_x*`): mean regret {np.mean(est):.4f} '
                  f'estimated, {np.mean(got):.4f} trained; mean absolute difference {np.mean(np.abs(np.subtract(est, got))):.4f}; '
                  f'the same verdict (in band or not) on {same / len(got):.0%}.', '']
    lines += ['| family | parameters (all kinds) | regret | in band | outside | leave one kind out: regret | in band | outside |',
              '|---|---|---|---|---|---|---|---|']
    best = {}
    for fam in FAMILIES:
        p, r = fit(tests, fam)
        lo = leave_one_kind_out(tests, fam)
        best[fam] = (p, r, lo)
        lines.append(f'| {fam} | {_fmt(p)} | {r[0]:.4f} | {r[1]:.0%} | {r[2]:.2f} | {lo[0]:.4f} | {lo[1]:.0%} | {lo[2]:.2f} |')
    base = best['times']
    ok = [f for f in FAMILIES if f == 'times' or _key(best[f][2]) < _key(base[2])]
    pick = min(ok, key=lambda f: _key(best[f][1]))
    p = best[pick][0]
    pol = judge(tests, lambda t: t['policy'])
    lines += ['', f'The policy in force (`times`, k = {policy:g}): regret {pol[0]:.4f}, in band {pol[1]:.0%}, outside {pol[2]:.2f}.', '',
              f'By the rule: `{pick}` with parameters ({_fmt(p)})'
              + (f': top = reading x {10 ** p[0]:.3g} x 10**({p[1]:.2f} x share).' if pick == 'fall' else '.'), '']
    by_kind = defaultdict(list)
    f = FAMILIES[pick][0]
    for t in tests:
        x = f(p, t); _, inside, _ = point(t, x)
        by_kind[t['kind']].append(('in' if inside else 'high' if x > t['hi'] else 'low' if x < t['lo'] else 'out')
                                  + f" x{10 ** (x - t['rec']):.1f} (share {t['share']:.2f})")
    lines += ['Per kind, the chosen rule on each range test (in band or not, the multiple of the reading, the fall share):', '']
    lines += [f'- {k}: ' + '; '.join(v) for k, v in sorted(by_kind.items())]
    return '\n'.join(lines)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('files', nargs='+')
    p.add_argument('--row', default='_slicer10', help="the rows scored, by the end of their name: _slicer10, _ftm10, _one")
    p.add_argument('--policy', type=float, default=8., help='the multiple of the reading in force for those rows (slice: 8, fine_tune: 2, one rate: 1)')
    p.add_argument('--also', default='', help="rows scored as well, by their full name (the after-training group's unfreeze_mlp, unfreeze_one)")
    p.add_argument('--out', default=None)
    a = p.parse_args()
    text = report(a.files, a.row, a.policy, also=tuple(n for n in a.also.split(',') if n))
    if a.out: Path(a.out).write_text(text + '\n')
    print(text)
