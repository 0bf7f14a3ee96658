"""Run (or read from the cache) the oracle grid search of some tasks and print it: the grid is all that sets a task's epochs
and grid range (issue 22: never the range-test curves or suggestions).
  python benchmarks/grids.py --tasks unfreeze_one,continued --threads 1
"""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from quality import TASKS, Cache, HERE, _oracle

p = argparse.ArgumentParser()
p.add_argument('--tasks', required=True); p.add_argument('--seeds', default='0,1,2'); p.add_argument('--threads', type=int, default=1)
p.add_argument('--cache', default=str(HERE / 'cache' / 'quality.json'))
a = p.parse_args()
torch.set_num_threads(a.threads)
cache = Cache(a.cache)
for t in [t for t in TASKS if t.name in a.tasks.split(',')]:
    t0 = time.time()
    o, _ = _oracle(t, [int(s) for s in a.seeds.split(',')], cache, 1, 'one_cycle')
    edge = ' AT THE GRID EDGE' if o['oracle_lr'] in o['grid_range'] else ''
    print(f"{t.name} ({t.epochs} epochs): oracle {o['oracle_lr']:.2e} -> {o['oracle']:.4f}, band {o['band']:.4f}, near {o['near'][0]:.1e}..{o['near'][1]:.1e}{edge}; "
          f"{o['n_trainings']} trainings, {o['train_seconds']:.1f} s each (median), this call {time.time() - t0:.0f} s", flush=True)
    print('   ', ' '.join(f"{float(k):.0e}:{v:.3f}" for k, v in o['grid'].items()), flush=True)
