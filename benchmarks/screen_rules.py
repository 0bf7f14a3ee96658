"""Screen curve rules on the first-sweep curves a `quality.py` run stored, with nothing trained.

Each rule reads every stored curve of the chosen set (tuning or held-out) whose suggestion window shows a descent
(`diagnostics.descent`: a second sweep is not stored, so curves without a descent are left out). The rate it picks is
scored by interpolating the task's oracle grid (seed-mean scores at factor-2 rates) on log(lr). That approximates
`quality.py`'s measure, which trains at the exact rate with three seeds; use it to screen ideas, then measure the
survivors with `quality.py`.

Usage: python benchmarks/screen_rules.py benchmarks/results/issue22_final.json [--set tuning|held_out] [--out F.md]"""
import argparse, json, math, platform, sys, warnings
from pathlib import Path
import numpy as np, torch
from fastai_lrrange.suggest import loss_drop, minimum, drop_or_minimum
from fastai_lrrange.diagnostics import descent

def _lr(f): return lambda l,s,n: f(l, s, n)[0]

RULES = { # name -> f(lrs, losses, num_it) -> lr, read on the suggestion window
    'drop_or_minimum (recommended on a first sweep with a descent)': _lr(drop_or_minimum),
    'loss_drop': _lr(loss_drop), 'minimum': _lr(minimum),
    'geometric mean of loss_drop and minimum': lambda l,s,n: math.sqrt(loss_drop(l, s, n)[0]*minimum(l, s, n)[0]),
    **{f'loss_drop frac={f}': (lambda f: lambda l,s,n: loss_drop(l, s, n, frac=f)[0])(f) for f in (0.3, 0.6, 0.75)},
    **{f'max(loss_drop frac={f}, minimum)': (lambda f: lambda l,s,n: max(loss_drop(l, s, n, frac=f)[0], minimum(l, s, n)[0]))(f)
       for f in (0.3, 0.6, 0.75)},
    **{f'max(loss_drop, minimum/{k})': (lambda k: lambda l,s,n: max(loss_drop(l, s, n)[0], minimum(l, s, n)[0]/k))(k) for k in (2, 3)},
}

MEASURED = '`recommended` as `quality.py` measured it (trained at the exact rate, mean of 3 seeds): the calibration row'

def grid_score(task, lr):
    "The task's seed-mean oracle score at `lr`, interpolated on log(lr) between grid points"
    g = sorted((float(k), v) for k,v in task['grid'].items())
    return float(np.interp(math.log10(lr), np.log10([a for a,_ in g]), [b for _,b in g]))

def screen(tasks):
    "Rule name -> [(task, in band, regret)] over every stored first-sweep curve that shows a descent"
    out = {k: [] for k in RULES} | {MEASURED: []}
    for t in tasks:
        for i,c in enumerate(t['curves']):
            a,b = c['window']
            lrs,losses = torch.tensor(c['lrs'])[a:b],torch.tensor(c['losses'])[a:b]
            if not descent(losses.numpy(), np.asarray(c['raw'])[a:b]).found: continue
            r = t['methods']['recommended']['regrets'][i] # what quality.py measured by training, for calibration
            out[MEASURED].append((t['task'], r <= t['band'] + 1e-12, r))
            for k,f in RULES.items():
                r = t['oracle'] - grid_score(t, f(lrs, losses, c['num_it']))
                out[k].append((t['task'], r <= t['band'] + 1e-12, r))
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('results'); p.add_argument('--set', default='tuning', choices=('tuning', 'held_out')); p.add_argument('--out')
    a = p.parse_args()
    warnings.simplefilter('ignore')
    tasks = [t for t in json.load(open(a.results)) if t['held_out'] == (a.set == 'held_out')]
    rows = [f"| {k} | {len(v)} | {np.mean([b for _,b,_ in v]):.0%} | {np.mean([r for _,_,r in v]):.4f} | "
            f"{', '.join(sorted({n for n,b,_ in v if not b}))} |" for k,v in screen(tasks).items()]
    text = '\n'.join([f"# Curve rules screened on stored curves ({a.set} tasks of `{a.results}`)", '',
        f"- machine: {platform.machine()}, torch {torch.__version__}, python {platform.python_version()}; nothing trained, exact counts",
        f"- command: `python {' '.join(sys.argv)}`", f"- tasks: {', '.join(t['task'] for t in tasks)}",
        '- scored by interpolating the oracle grid (an approximation of `quality.py`, which trains at the exact rate)', '',
        '| rule | curves | in band (approx.) | mean regret (approx.) | tasks with a miss |', '|---|---|---|---|---|', *rows])
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')
