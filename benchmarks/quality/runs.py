"""Range tests on a task: every registered suggestion (or those asked for) from several range-test seeds, each trained at
with the same training seeds as the oracle (paired)."""
import statistics, time, warnings

import numpy as np

import fastai_lrrange.all  # noqa: F401  (Learner.lr_find is this project's)
from fastai_lrrange.suggest import SUGGESTIONS

from .rules import SWEEPS, READS
from .oracle import train_score, train_seconds, seed_mean, grid_search


def _score_lr(rec, lr, task, seeds, cache, best, worst_mean, worst, protocol='one_cycle'):
    if lr is None:
        rec['failures'] += 1; rec['lrs'].append(None); rec['regrets'].append(best - worst_mean); return
    score = seed_mean([train_score(task, lr, s, cache, protocol) for s in seeds], worst)
    rec['lrs'].append(lr); rec['regrets'].append(best - score)


def _curve_record(res):
    lrs = np.asarray(res.lrs, dtype=float)
    return dict(lrs=[float(v) for v in (lrs[:, -1] if lrs.ndim == 2 else lrs)], losses=[float(v) for v in res.losses],
                raw=[float(v) for v in res.raw_losses], window=list(res.window), stop=res.stop_reason, num_it=res.num_it)


def run_task(task, seeds, rt_seeds, cache, grid_step=1, protocol='one_cycle', stored=None, methods=None, grid_only=False):
    """Score every registered suggestion (or those in `methods`) on `task`; with `stored` (this task's result from an earlier run),
    its oracle and (unless `grid_only`) the methods not measured here are reused"""
    t0 = time.time()
    if stored is None: oracle, worst = grid_search(task, seeds, cache, grid_step, protocol)
    else:  # the earlier run's grid search; its worst seed mean stands in for the worst single score
        oracle, worst = {k: stored[k] for k in ('oracle_lr', 'oracle', 'band', 'worst', 'near', 'grid')}, stored['worst']
        # the oracle lr trained again here: does the stored grid hold on this machine and library version?
        oracle['oracle_check'] = seed_mean([train_score(task, oracle['oracle_lr'], s, cache, protocol) for s in seeds], worst)
    best = oracle['oracle']
    out = {'task': task.name, **oracle, 'methods': {}, 'family': task.family, 'group': task.group, 'grid_reused': stored is not None}
    if stored is not None:
        measured = list(methods or SUGGESTIONS)
        if not grid_only: out['methods'] = {k: v for k, v in stored['methods'].items() if k not in measured}
        out['measured'] = measured
    # entries that sweep again when the curve shows no descent (`recommended`) get a range test of their own: in one call with the
    # others, their second sweep would become everyone's curve; so do a rules file's entries with a `sweep` (lr_find's arguments,
    # rules.SWEEPS) or a `read` (rules.READS: their rate read off the whole result). Entries with the same `sweep` and
    # `sweep_again` share theirs (the same sweeps, each its own reading)
    wanted = [n for n in SUGGESTIONS if methods is None or n in methods]
    names = [n for n in wanted if SUGGESTIONS[n].sweep_again is None and n not in SWEEPS and n not in READS]
    own = {}
    for n in wanted:
        if n in names: continue
        key = (repr(sorted(SWEEPS.get(n, {}).items())), SUGGESTIONS[n].sweep_again)
        own.setdefault(key, []).append(n)
    out['curves'], out['rt_cost'] = [], []
    for rs in rt_seeds:
        learn = task.make_learner(1000 + rs)
        t1 = time.time()
        with learn.no_bar(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            sug = learn.lr_find(show_plot=False, suggest_funcs=names)
            res = learn.lr_find_result
        out['rt_cost'].append(dict(steps=len(res.losses), seconds=time.time() - t1))
        out['curves'].append(_curve_record(res))
        for nm, lr in zip(names, sug):
            rec = out['methods'].setdefault(nm, {'lrs': [], 'regrets': [], 'failures': 0})
            _score_lr(rec, lr, task, seeds, cache, best, out['worst'], worst, protocol)
        for group in own.values():
            learn, t1 = task.make_learner(1000 + rs), time.time()
            with learn.no_bar(), warnings.catch_warnings():
                warnings.simplefilter('ignore')
                sug = learn.lr_find(show_plot=False, suggest_funcs=group, **SWEEPS.get(group[0], {}))
            res = learn.lr_find_result
            sug = [READS[nm](res) if nm in READS else lr for nm, lr in zip(group, sug)]  # an entry's `read`: its rate from the whole result
            sweeps = res.sweeps  # every sweep's steps count
            cost = dict(steps=sum(len(s.losses) for s in sweeps), fwd=0, seconds=time.time() - t1, swept_again=len(sweeps) > 1)
            for nm, lr in zip(group, sug):
                rec = out['methods'].setdefault(nm, {'lrs': [], 'regrets': [], 'failures': 0, 'cost': []})
                rec['cost'].append(dict(cost))
                _score_lr(rec, lr, task, seeds, cache, best, out['worst'], worst, protocol)
    out['seconds'] = time.time() - t0
    lrs = {l for rec in out['methods'].values() for l in rec['lrs'] if l is not None} | {out['oracle_lr']}
    secs = [v for v in (train_seconds(task, l, s, cache, protocol) for l in lrs for s in seeds) if v is not None]
    if out.get('train_seconds') is None and secs: out['train_seconds'] = statistics.median(secs)  # reused grids: the trainings of this run
    return out
