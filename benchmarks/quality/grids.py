"""Grid-only steps: the oracle grid search of some tasks, without any range test.

- `print_grids`: run (or read from the cache) the grid search and print it: all that sets a task's epochs and grid range
  (never the range-test curves or suggestions);
- `warm`: fill the cache with the grid search, printing no score (held-out tasks, while rules are designed on tuning ones);
- `check_grids`: do the grid searches stored in a results .json reproduce here (from the cache)?
"""
import json, statistics, time
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
