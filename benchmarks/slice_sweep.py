"""Issue 22, discriminative rates: sweep an unfrozen Learner at its training ratio instead of one rate for every group?

On the tasks trained downstream with `fit_one_cycle(epochs, lr_max=slice(lr/100, lr))` (`unfreeze_slice`, tuning; and
`unfreeze_mlp`, a fresh held-out kind already read, so tuning evidence now), `recommended` from a range test whose groups
keep that ratio (`start_lr=slice(1e-9, 1e-7)`, `end_lr=slice(0.1, 10)`: the body at a hundredth of the head), trained as
quality.py trains it (cached trainings, three seeds), against the grids and the same-rate sweep of the stored results.

Usage: python benchmarks/slice_sweep.py --threads 1   # writes benchmarks/results/issue22_slice_sweep.md
"""
import argparse, json, platform, sys, warnings
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from quality import HERE, TASKS, Cache, train_score, seed_mean
import kinds_fresh

RUNS = (('unfreeze_slice', 'issue22_v2_tuning.json', 'quality.json'), ('unfreeze_mlp', 'issue22_fresh.json', 'quality_fresh.json'))
WHAT = ("On the tasks trained downstream with `fit_one_cycle(epochs, lr_max=slice(lr/100, lr))`, `recommended` from a sweep whose "
        "groups keep that ratio (`start_lr=slice(1e-9, 1e-7)`, `end_lr=slice(0.1, 10)`), trained as quality.py trains it (three seeds), "
        "against the grids and the one-rate sweep of the stored results")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); p.add_argument('--threads', type=int, default=1)
    a = p.parse_args(); torch.set_num_threads(a.threads); warnings.simplefilter('ignore')
    tasks = {t.name: t for t in TASKS + kinds_fresh.TASKS}
    rows = []
    for name, results, cache in RUNS:
        t, r = tasks[name], next(x for x in json.loads((HERE / 'results' / results).read_text()) if x['task'] == name)
        c, picks = Cache(HERE / 'cache' / cache), []
        for rs in (0, 1, 2):
            learn = t.make_learner(1000 + rs)
            with learn.no_bar():
                lr = learn.lr_find(start_lr=slice(1e-9, 1e-7), end_lr=slice(0.1, 10), show_plot=False, suggest_funcs=['recommended']).recommended
            picks.append((lr, r['oracle'] - seed_mean([train_score(t, lr, s, c) for s in (0, 1, 2)], r['worst'])))
        same = r['methods']['recommended']
        inb = lambda regs: sum(g <= r['band'] + 1e-12 for g in regs)
        rows.append(f"| {name} | {r['near'][0]:.2g}-{r['near'][1]:.2g} | {r['band']:.4f} | {', '.join(f'{l:.2g}' for l in same['lrs'])} | "
                    f"{sum(same['regrets'])/3:.4f} / {inb(same['regrets'])} of 3 | {', '.join(f'{l:.2g}' for l,_ in picks)} | "
                    f"{sum(g for _,g in picks)/3:.4f} / {inb([g for _,g in picks])} of 3 |")
    text = '\n'.join(['# Discriminative rates: a sweep at the training ratio (issue 22)', '',
        f"- machine: {platform.machine()}, torch {torch.__version__}, python {platform.python_version()}",
        f"- command: `python {' '.join(sys.argv)}`", f'- {WHAT}', '',
        '| task | near-optimal (top of the slice) | band | one-rate sweep: picks | regret / in band | sweep at the ratio: picks | regret / in band |',
        '|---|---|---|---|---|---|---|', *rows])
    print(text); (HERE / 'results' / 'issue22_slice_sweep.md').write_text(text + '\n')
