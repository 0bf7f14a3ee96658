"""How often does the plain range test show no descent (issue 14, the "no evidence" rule), and what would a good fallback be?

Reads quality.py's json results (they keep each range-test curve) and prints a markdown table per task: for each
range-test seed, whether the window's minimum is its first point, and the fall from the window's start to its minimum
against the raw loss's step-to-step noise (robust sigma); then, over the runs with no evidence, the regret of each
registered rule and each range-test procedure on those same runs.

  python benchmarks/evidence.py benchmarks/results/issue14_one_cycle.json [more.json ...] > benchmarks/results/evidence.md
"""
import json, math, statistics, sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
sys.path.insert(0, str(Path(__file__).parent))
import range_ideas as ri

KS = (1.0, 2.0)  # "within the noise": fall <= k x the raw loss's step-to-step sigma


def as_result(c):
    return SimpleNamespace(lrs=np.asarray(c['lrs'])[:, None], losses=np.asarray(c['losses']), raw_losses=np.asarray(c['raw']),
                           window=tuple(c['window']), stop_reason=c['stop'], num_it=c['num_it'])


def flags(c):
    r = as_result(c); e = ri.evidence(r)
    out = {'argmin0': e['argmin'] == 0}
    for k in KS: out[f'fall<={k:g}sd'] = e['argmin'] == 0 or not (e['fall'] > k * e['noise'])
    out['fall/sd'] = e['fall'] / e['noise'] if e['noise'] > 0 else float('inf')
    return out


def main(paths):
    results = [r for p in paths for r in json.loads(Path(p).read_text())]
    print('| task | kind | held out | runs | min at window start | fall <= 1 sd | fall <= 2 sd | fall / sd per run |')
    print('|---|---|---|---|---|---|---|---|')
    ne_runs = []
    for r in results:
        fl = [flags(c) for c in r.get('curves', [])]
        if not fl: continue
        n = len(fl)
        ratios = ' '.join(f"{f['fall/sd']:.1f}" for f in fl)
        print(f"| {r['task']} | {r.get('family', 'small')} | {'yes' if r['held_out'] else 'no'} | {n} | {sum(f['argmin0'] for f in fl)} | "
              f"{sum(f['fall<=1sd'] for f in fl)} | {sum(f['fall<=2sd'] for f in fl)} | {ratios} |")
        for i, f in enumerate(fl):
            if f['fall<=1sd']: ne_runs.append((r, i))
    print()
    total = sum(len(r.get('curves', [])) for r in results)
    print(f'{len(ne_runs)} of {total} range tests show no evidence (fall <= 1 sd or minimum at the window start).')
    if not ne_runs: return
    print()
    print('Regret on the runs without evidence (each run: the seed-mean regret of training at that run\'s lr):')
    print()
    names = sorted({nm for r, _ in ne_runs for key in ('methods', 'ideas') for nm in (r.get(key) or {})})
    rows = []
    for nm in names:
        regs, ins = [], []
        for r, i in ne_runs:
            rec = (r.get('methods') or {}).get(nm) or (r.get('ideas') or {}).get(nm)
            if rec is None: break
            regs.append(rec['regrets'][i]); ins.append(rec['regrets'][i] <= r['band'] + 1e-12)
        else: rows.append((statistics.mean(regs), nm, statistics.mean(ins)))
    print('| method | mean regret | inside band |'); print('|---|---|---|')
    for reg, nm, ins in sorted(rows): print(f'| {nm} | {reg:.4f} | {ins:.0%} |')


if __name__ == '__main__': main(sys.argv[1:])
