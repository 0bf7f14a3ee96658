"""Time every registered suggestion function on curves of 100 to 100,000 points, against fastai's own.

Usage: python benchmarks/suggest_speed.py [--sizes 100,1000,10000,100000] [--reps 5] [--fastai-budget 60]
Writes benchmarks/results/suggest_speed.md. Target: each of ours under 50 ms at 100,000 points.
fastai's functions are timed only at sizes where a single call is expected to finish within --fastai-budget
seconds (its `valley` is quadratic: the time at 1,000 points, scaled by n^2, predicts the next size).
"""
import argparse, os, platform, statistics, time, warnings
from pathlib import Path

import numpy as np
import torch

from fastai.callback import schedule as fs
from fastai_lrrange.suggest import SUGGESTIONS


def curve(n, seed=0):
    "A realistic range-test curve: plateau, descent, valley, divergence, with noise"
    rng = np.random.default_rng(seed)
    lrs = torch.logspace(-7, 1, n)
    x = torch.log10(lrs)
    losses = 2 - 1.5 * torch.sigmoid(2 * (x + 4)) + torch.exp(1.2 * (x + 1)) + torch.tensor(rng.normal(0, 0.02, n), dtype=torch.float32)
    return lrs.float(), losses.float()


def best_of(f, lrs, losses, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter(); f(lrs, losses, len(lrs)); times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--sizes', default='100,1000,10000,100000')
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--fastai-budget', type=float, default=60.)
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'suggest_speed.md'))
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(',')]
    warnings.simplefilter('ignore')
    fastai_fns = {n: getattr(fs, n) for n in ('valley', 'slide', 'minimum', 'steep')}
    rows, last_fastai = [], {}
    for name, f in SUGGESTIONS.items():
        row = {'name': name}
        for n in sizes:
            lrs, losses = curve(n)
            row[n] = best_of(f, lrs, losses, a.reps)
            ff = fastai_fns.get(name)
            if ff is not None:
                prev = last_fastai.get(name)
                predicted = None if prev is None else prev[1] * (n / prev[0]) ** 2
                if predicted is None or predicted < a.fastai_budget:
                    t = best_of(ff, lrs, losses, 1 if (predicted or 0) > 1 else a.reps)
                    row[f'fastai_{n}'] = t
                    last_fastai[name] = (n, t)
                else: row[f'fastai_{n}'] = None
        rows.append(row)
        print(row)
    cmd = 'python benchmarks/suggest_speed.py ' + ' '.join(f'--{k.replace("_", "-")} {v}' for k, v in vars(a).items() if k != 'out')
    lines = ['# Suggestion speed', '',
             f'- machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, python {platform.python_version()}',
             f'- command: `{cmd}`',
             f'- median of {a.reps} calls on a realistic noisy curve; fastai\'s own in brackets where a call fits the budget ("-": skipped, predicted over {a.fastai_budget:.0f} s)',
             '- target: each of ours under 50 ms at 100,000 points', '',
             '| function | ' + ' | '.join(f'{n:,} points' for n in sizes) + ' |', '|---|' + '---|' * len(sizes)]
    def fmt(t): return '-' if t is None else (f'{t*1e3:.2f} ms' if t < 1 else f'{t:.1f} s')
    for r in rows:
        cells = []
        for n in sizes:
            c = fmt(r[n])
            if f'fastai_{n}' in r: c += f' ({fmt(r[f"fastai_{n}"])})'
            cells.append(c)
        lines.append(f"| {r['name']} | " + ' | '.join(cells) + ' |')
    worst = max(r[sizes[-1]] for r in rows)
    lines += ['', f'Slowest of ours at {sizes[-1]:,} points: {worst*1e3:.1f} ms ({"meets" if worst < 0.05 else "MISSES"} the 50 ms target).']
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__': main()
