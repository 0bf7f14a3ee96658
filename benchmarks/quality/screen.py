"""Screening curve rules on the first-sweep curves a results .json stored, with nothing trained (`--screen X.json`).

Each rule reads every stored curve of the chosen set (tuning or held-out) whose suggestion window shows a descent
(`diagnostics.descent`: a second sweep is not stored, so curves without a descent are left out). The rate it picks is
scored by interpolating the task's oracle grid (seed-mean scores at factor-2 rates) on log(lr). That approximates the
benchmark's measure, which trains at the exact rate with three seeds; use it to screen ideas on tuning curves, then
measure the survivors with a run (a rules file). Never on held-out curves before the one look."""
import json, math, platform, sys, warnings
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

MEASURED = '`recommended` as the benchmark measured it (trained at the exact rate, mean of 3 seeds): the calibration row'

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
            r = t['methods']['recommended']['regrets'][i] # what the benchmark measured by training, for calibration
            out[MEASURED].append((t['task'], r <= t['band'] + 1e-12, r))
            for k,f in RULES.items():
                r = t['oracle'] - grid_score(t, f(lrs, losses, c['num_it']))
                out[k].append((t['task'], r <= t['band'] + 1e-12, r))
    return out


def screen_report(results, which='tuning'):
    "The screening of the `which` tasks (tuning or held_out) of the results .json `results`, as Markdown"
    warnings.simplefilter('ignore')
    tasks = [t for t in json.loads(Path(results).read_text()) if t['held_out'] == (which == 'held_out')]
    rows = [f"| {k} | {len(v)} | {np.mean([b for _,b,_ in v]):.0%} | {np.mean([r for _,_,r in v]):.4f} | "
            f"{', '.join(sorted({n for n,b,_ in v if not b}))} |" for k,v in screen(tasks).items()]
    return '\n'.join([f"# Curve rules screened on stored curves ({which} tasks of `{results}`)", '',
        f"- machine: {platform.machine()}, torch {torch.__version__}, python {platform.python_version()}; nothing trained, exact counts",
        f"- command: `python -m benchmarks.quality {' '.join(sys.argv[1:])}`", f"- tasks: {', '.join(t['task'] for t in tasks)}",
        '- scored by interpolating the oracle grid (an approximation of the benchmark, which trains at the exact rate)', '',
        '| rule | curves | in band (approx.) | mean regret (approx.) | tasks with a miss |', '|---|---|---|---|---|', *rows]) + '\n'
