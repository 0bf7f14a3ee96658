"""Do the grid searches stored in an earlier run's results reproduce here? Compares each stored grid point (seed mean) with the
same trainings in the cache (run them first: benchmarks/grids.py), and prints the points that differ.
  python benchmarks/grid_check.py benchmarks/results/issue14_one_cycle.json
"""
import json, sys, statistics
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from quality import TASKS, Cache, HERE, _train_key

cache = Cache(HERE / 'cache' / 'quality.json')
tasks = {t.name: t for t in TASKS}
for r in json.loads(Path(sys.argv[1]).read_text()):
    t = tasks[r['task']]
    diff, missing = [], 0
    for k, v in r['grid'].items():
        sc = [cache.get(_train_key(t, float(k), s, 'one_cycle')) for s in (0, 1, 2)]
        if any(x is None for x in sc):
            if (f"{_train_key(t, float(k), 0, 'one_cycle')}" not in cache.d): missing += 1; continue
            sc = [r['worst'] if x is None else x for x in sc]  # a failed training: not comparable exactly
        m = statistics.mean(sc)
        if abs(m - v) > 5e-5: diff.append(f'{float(k):.1e}: {v:.4f} -> {m:.4f}')
    print(f"{r['task']}: {len(r['grid']) - missing - len(diff)}/{len(r['grid'])} grid points equal (to 5e-5)" + (f", {missing} not run here" if missing else '')
          + (f"; differ: {', '.join(diff)}" if diff else ''))
