"""Screen curve rules without training: range-test curves of several sweeps are stored, each rule's lr is scored on the
cached oracle grid (seed-mean score interpolated on log2 lr), as in the first design round (suggestion_design.md, section 1).

  python benchmarks/screen_curves.py --tasks tfm_digits,xor_deep_tanh --rt-seeds 0,1,2,3,4,5 --threads 1

Curves go to benchmarks/cache/curves.json (key task|sweep|seed); the oracle grid must be in benchmarks/cache/quality.json
(run quality.py or warm_oracle.py first). Prints, per kind and rule, the proxy figures. Only for tuning tasks while designing.
"""
import argparse, json, math, statistics, sys, warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
sys.path.insert(0, str(Path(__file__).parent))
from quality import TASKS, Cache, HERE, grid_points, seed_mean, train_score
import range_ideas as ri

warnings.filterwarnings('ignore')

SWEEPS = {  # name -> lr_find arguments
    'std': {},
    'long12': dict(start_lr=1e-7, end_lr=1e4, num_it=138),
    'long25': dict(start_lr=1e-7, end_lr=1e4, num_it=275),
    'long50': dict(start_lr=1e-7, end_lr=1e4, num_it=550),
    'std300': dict(num_it=300),
    'valid4': dict(valid_batches=4),
    'long25v4': dict(start_lr=1e-7, end_lr=1e4, num_it=275, valid_batches=4),
}


def get_curve(task, sweep, rs, store):
    key = f'{task.name}|{sweep}|{rs}'
    if key not in store.d:
        learn = task.make_learner(1000 + rs)
        kw = dict(SWEEPS[sweep])
        if kw.get('valid_batches'): kw['valid_batches'] = min(kw['valid_batches'], len(learn.dls.valid))
        res = ri.sweep(learn, ri.Cost(), **kw)
        lrs = np.asarray(res.lrs, dtype=float)
        store.put(key, dict(lrs=[float(v) for v in lrs[:, -1]], losses=[float(v) for v in res.losses], raw=[float(v) for v in res.raw_losses],
                            window=list(res.window), stop=res.stop_reason, num_it=res.num_it))
    c = store.d[key]
    return SimpleNamespace(lrs=np.asarray(c['lrs'])[:, None], losses=np.asarray(c['losses']), raw_losses=np.asarray(c['raw']),
                           window=tuple(c['window']), stop_reason=c['stop'], num_it=c['num_it'])


def oracle(task, cache, seeds=(0, 1, 2), protocol='one_cycle'):
    grid = grid_points(*task.grid)
    table = {lr: [train_score(task, lr, s, cache, protocol) for s in seeds] for lr in grid}
    finite = [v for vs in table.values() for v in vs if v is not None]
    worst = min(finite)
    means = {lr: seed_mean(v, worst) for lr, v in table.items()}
    lr_star = max(means, key=means.get); best = means[lr_star]
    sc = [worst if v is None else v for v in table[lr_star]]
    band = max(sc) - min(sc)
    near = [lr for lr in grid if best - means[lr] <= band + 1e-12]
    return dict(grid=np.log2(grid), means=np.array([means[lr] for lr in grid]), best=best, band=band, lr_star=lr_star, near=(min(near), max(near)), worst=worst)


def proxy_score(o, lr):
    if lr is None or not (lr > 0): return o['worst']
    return float(np.interp(math.log2(lr), o['grid'], o['means']))


def figures(o_by_task, lrs_by_task):
    regs, ins, dists, spreads, belows, fails = [], [], [], [], [], 0
    for t, lrs in lrs_by_task.items():
        o = o_by_task[t]
        for lr in lrs:
            r = o['best'] - proxy_score(o, lr); regs.append(r); ins.append(r <= o['band'] + 1e-12)
            if lr is None: fails += 1; continue
            dists.append(abs(math.log10(lr / o['lr_star']))); belows.append(max(0.0, math.log10(o['near'][0] / lr)))
        ok = [l for l in lrs if l]
        spreads.append(math.log10(max(ok) / min(ok)) if len(ok) > 1 else 0.0)
    return dict(regret=statistics.mean(regs), inside=statistics.mean(ins), dist=statistics.median(dists) if dists else float('nan'),
                spread=max(spreads), below=max(belows, default=0.0), fails=fails)


def main(rules, argv=None):
    p = argparse.ArgumentParser()
    p.add_argument('--tasks', required=True); p.add_argument('--rt-seeds', default='0,1,2,3,4,5'); p.add_argument('--threads', type=int, default=1)
    p.add_argument('--protocol', default='one_cycle'); p.add_argument('--by-task', action='store_true')
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    cache, store = Cache(HERE / 'cache' / 'quality.json'), Cache(HERE / 'cache' / 'curves.json')
    tasks = [t for t in TASKS if t.name in a.tasks.split(',')]
    rss = [int(s) for s in a.rt_seeds.split(',')]
    O = {t.name: oracle(t, cache, protocol=a.protocol) for t in tasks}
    groups = {}
    for t in tasks: groups.setdefault(t.family, []).append(t)
    out = {}
    for name, (sw, rule) in rules.items():
        lrs = {t.name: [] for t in tasks}
        for t in tasks:
            for rs in rss:
                c = get_curve(t, sw, rs, store) if isinstance(sw, str) else {s: get_curve(t, s, rs, store) for s in sw}
                try: lr = rule(c)
                except Exception: lr = None
                lrs[t.name].append(lr)
        out[name] = lrs
        cells = []
        for fam, ts in groups.items():
            f = figures({t.name: O[t.name] for t in ts}, {t.name: lrs[t.name] for t in ts})
            cells.append(f"{fam[:11]:>11} {f['regret']:.3f} {f['inside']:4.0%} d{f['dist']:.2f} s{f['spread']:.2f} b{f['below']:.2f}" + (f" F{f['fails']}" if f['fails'] else ''))
        print(f'{name[:34]:34}', ' | '.join(cells), flush=True)
        if a.by_task:
            for t in tasks: print('   ', t.name, ' '.join('None' if l is None else f'{l:.1e}' for l in lrs[t.name]), f"near {O[t.name]['near'][0]:.1e}-{O[t.name]['near'][1]:.1e}")
    return O, out


def default_rules():
    from fastai_lrrange.suggest import drop_or_minimum, minimum, valley, loss_drop, steep, slide
    W, rules = ri.window_rule, {}
    for sw in SWEEPS:
        for f in (valley, slide, minimum, steep, loss_drop, drop_or_minimum):
            rules[f'{sw}: {f.__name__}'] = (sw, (lambda f: lambda c: W(f, c))(f))
        for k in (3, 10, 30, 100):
            rules[f'{sw}: divergence/{k}'] = (sw, (lambda k: lambda c: ri.divergence_lr(c) / k)(k))
    for alt in ('std300', 'long25', 'long50'):
        rules[f'std, {alt} if no evidence: drop_or_minimum'] = (('std', alt), (lambda alt: lambda c: W(drop_or_minimum, c[alt] if ri.no_evidence(c['std']) else c['std']))(alt))
    return rules


if __name__ == '__main__':
    main(default_rules())
