"""Steps without a scored run: the oracle grid search of some tasks without any range test, and stored picks checked.

- `print_grids`: run (or read from the cache) the grid search and print it: all that sets a task's epochs and grid range
  (never the range-test curves or suggestions);
- `warm`: fill the cache with the grid search, printing no score (held-out tasks, while rules are designed on tuning ones);
- `check_grids`: do the grid searches stored in a results .json reproduce here (from the cache)?
- `check_picks`: do a results .json's suggestions reproduce with this library (range tests only, nothing trained)? Where every
  pick is equal, every figure trained at it is too: the cheap, exact rerun of an earlier table after the library changed.
"""
import json, math, statistics, time, warnings
from pathlib import Path

from .oracle import grid_search, grid_points, train_score, _train_key, protocol_of


def print_grids(tasks, seeds, cache, protocol='one_cycle'):
    "Each task's grid search (run, or read from the cache): best rate and score, noise band, near-optimal range, every point"
    for t in tasks:
        t0 = time.time()
        o, _ = grid_search(t, seeds, cache, 1, protocol)
        edge = ' AT THE GRID EDGE' if o['oracle_lr'] in o['grid_range'] else ''
        print(f"{t.name} ({t.epochs} epochs): oracle {o['oracle_lr']:.2e} -> {o['oracle']:.4f}, band {o['band']:.4f}, near {o['near'][0]:.1e}..{o['near'][1]:.1e}{edge}; "
              f"{o['n_trainings']} trainings, {o['train_seconds']:.1f} s each (median), this call {time.time() - t0:.0f} s", flush=True)
        print('   ', ' '.join(f"{float(k):.0e}:{v:.3f}" for k, v in o['grid'].items()), flush=True)


def warm(tasks, seeds, cache, protocol='one_cycle'):
    "Train every grid point of `tasks` into the cache; print only the time each task took"
    for t in tasks:
        t0 = time.time()
        for lr in grid_points(*t.grid):
            for s in seeds: train_score(t, lr, s, cache, protocol)
        print(t.name, protocol_of(t, protocol), f'{time.time() - t0:.0f}s', flush=True)


def check_grids(results, tasks, cache, seeds=(0, 1, 2)):
    "Compare each grid point (seed mean) stored in the results .json `results` with the same trainings in the cache; print the differences"
    tasks = {t.name: t for t in tasks}
    for r in json.loads(Path(results).read_text()):
        t = tasks[r['task']]
        diff, missing = [], 0
        for k, v in r['grid'].items():
            sc = [cache.get(_train_key(t, float(k), s, 'one_cycle')) for s in seeds]
            if any(x is None for x in sc):
                if _train_key(t, float(k), seeds[0], 'one_cycle') not in cache.d: missing += 1; continue
                sc = [r['worst'] if x is None else x for x in sc]  # a failed training: not comparable exactly
            m = statistics.mean(sc)
            if abs(m - v) > 5e-5: diff.append(f'{float(k):.1e}: {v:.4f} -> {m:.4f}')
        print(f"{r['task']}: {len(r['grid']) - missing - len(diff)}/{len(r['grid'])} grid points equal (to 5e-5)" + (f", {missing} not run here" if missing else '')
              + (f"; differ: {', '.join(diff)}" if diff else ''))


def check_picks(results, tasks, methods, rt_seeds=(0, 1, 2)):
    "Run the range tests of `results`' rows again (seeds 1000 + rt) and compare each method's pick with the stored one (to 1e-5); print per row, return (equal, all)"
    import fastai_lrrange.all  # noqa: F401  (Learner.lr_find is this project's)
    tasks, same, n = {t.name: t for t in tasks}, 0, 0
    for r in json.loads(Path(results).read_text()):
        if r['task'] not in tasks: continue
        diff = []
        for nm in methods:
            for i, rs in enumerate(rt_seeds):
                learn = tasks[r['task']].make_learner(1000 + rs)
                with learn.no_bar(), warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    new = learn.lr_find(show_plot=False, suggest_funcs=[nm])[0]  # each method alone: its own sweeps, as runs.py gives it
                old = r['methods'][nm]['lrs'][i]
                n += 1
                if (old is None and new is None) or (old is not None and new is not None and math.isclose(old, new, rel_tol=1e-5)): same += 1
                else: diff.append(f'{nm} seed {rs}: {old} -> {new}')
        print(f"{r['task']}: " + ('every pick equal' if not diff else 'differ: ' + '; '.join(diff)), flush=True)
    print(f'{same} of {n} picks equal (to 1 part in 100,000: the float32 reading)')
    return same, n
