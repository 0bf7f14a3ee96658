"""Fill the oracle grid of some tasks in the cache (quality.py's train_score), printing nothing about the scores.

Used to train the grids of held-out tasks while suggestions are designed on the tuning tasks, without seeing them.
  python benchmarks/warm_oracle.py --tasks a,b --protocol one_cycle --threads 1
"""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from quality import TASKS, Cache, HERE, PROTOCOLS, grid_points, train_score

p = argparse.ArgumentParser()
p.add_argument('--tasks', required=True); p.add_argument('--seeds', default='0,1,2')
p.add_argument('--protocol', default='one_cycle', choices=list(PROTOCOLS)); p.add_argument('--threads', type=int, default=1)
p.add_argument('--cache', default=str(HERE / 'cache' / 'quality.json'))
a = p.parse_args()
torch.set_num_threads(a.threads)
cache = Cache(a.cache)
for t in [t for t in TASKS if t.name in a.tasks.split(',')]:
    t0 = time.time()
    for lr in grid_points(*t.grid):
        for s in a.seeds.split(','): train_score(t, lr, int(s), cache, a.protocol)
    print(t.name, a.protocol, f'{time.time() - t0:.0f}s', flush=True)
