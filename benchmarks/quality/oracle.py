"""The oracle: training at a rate, as the task says (cached), and the factor-2 grid search with its noise band.

Regret is measured against it: the grid's best seed-mean score minus the seed-mean score at a suggestion (higher scores
are better; `min` metrics are negated)."""
import json, math, statistics, time
from pathlib import Path

from fastai.torch_core import set_seed


class Cache:
    def __init__(self, path):
        self.path = Path(path); self.path.parent.mkdir(parents=True, exist_ok=True)
        self.d = json.loads(self.path.read_text()) if self.path.exists() else {}
    def get(self, k): return self.d.get(k)
    def put(self, k, v): self.d[k] = v; self.path.write_text(json.dumps(self.d))


PROTOCOLS = {  # how the suggestion is used downstream
    'one_cycle': 'fit_one_cycle(epochs, lr_max=lr)',
    'fit': 'fit(epochs, lr) (constant rate)',
    'fine_tune': 'fine_tune(epochs-1, base_lr=lr, freeze_epochs=1) (transfer learning for the transfer tasks; for models from scratch, the schedule only)',
    'fine_tune_n': "fine_tune(epochs, base_lr=lr, **fit_kw) (the unfreeze family's third way, a row's own protocol; fit_kw gives freeze_epochs)",
}


def protocol_of(task, protocol):
    "The protocol `task` is trained with: its own (`Task.protocol`, e.g. the unfreeze family's fine_tune rows), else the run's"
    return task.protocol or protocol


def _train(learn, task, lr, protocol):
    "Train `learn` downstream at suggestion `lr` (the top of the slice for tasks with a `slice_ratio`), as the task says"
    lr_max = slice(lr / task.slice_ratio, lr) if task.slice_ratio else lr
    if protocol == 'one_cycle': learn.fit_one_cycle(task.epochs, lr_max=lr_max, **task.fit_kw)
    elif protocol == 'fit': learn.fit(task.epochs, lr_max, **task.fit_kw)
    elif protocol == 'fine_tune': learn.fine_tune(max(task.epochs - 1, 1), base_lr=lr, freeze_epochs=1, **task.fit_kw)
    elif protocol == 'fine_tune_n': learn.fine_tune(task.epochs, base_lr=lr, **task.fit_kw)
    else: raise ValueError(f"protocol ({protocol!r}) must be one of {', '.join(PROTOCOLS)}")


def _train_key(task, lr, seed, protocol):
    protocol = protocol_of(task, protocol)
    key = f'{task.name}|{lr:.6e}|{seed}|{task.epochs}' + ('' if protocol == 'one_cycle' else f'|{protocol}')
    return key + (f'|slice{task.slice_ratio:g}' if task.slice_ratio else '') + (f'|{sorted(task.fit_kw.items())}' if task.fit_kw else '')


def train_score(task, lr, seed, cache, protocol='one_cycle'):
    "Score (higher is better) of training with `protocol` at `lr` from `seed` (fit_one_cycle(task.epochs, lr_max=lr) by default)"
    key = _train_key(task, lr, seed, protocol)
    hit = cache.get(key)
    if hit is not None: return hit
    protocol, t0 = protocol_of(task, protocol), time.time()
    learn = task.make_learner(seed)
    set_seed(seed)
    with learn.no_bar(), learn.no_logging():
        try:
            _train(learn, task, lr, protocol)
            m = float(learn.validate()[1])
        except Exception: m = float('nan')
    score = m if task.direction == 'max' else -m
    if not math.isfinite(score): score = None
    elif task.floor is not None: score = max(score, task.floor)
    cache.d[f'sec|{key}'] = time.time() - t0  # what the training took (learner, fit, validation), kept with the score
    cache.put(key, score)
    return score


def train_seconds(task, lr, seed, cache, protocol='one_cycle'):
    "Seconds that training took when its score was computed (None if it was never timed)"
    return cache.get(f'sec|{_train_key(task, lr, seed, protocol)}')


def grid_points(lo, hi):
    k0, k1 = math.floor(math.log2(lo) + 1e-9), math.ceil(math.log2(hi) - 1e-9)
    return [2.0 ** k for k in range(k0, k1 + 1)]


def seed_mean(scores, worst):
    vals = [worst if s is None else s for s in scores]
    return statistics.mean(vals)


def grid_search(task, seeds, cache, grid_step, protocol):
    "The grid search: its best lr and score, the noise band, the near-optimal range, and the worst single score (stands in for a failed training)"
    grid = grid_points(*task.grid)[::grid_step]
    table = {lr: [train_score(task, lr, s, cache, protocol) for s in seeds] for lr in grid}
    finite = [v for vs in table.values() for v in vs if v is not None]
    worst = min(finite) if finite else 0.0
    means = {lr: seed_mean(v, worst) for lr, v in table.items()}
    lr_star = max(means, key=means.get)
    best = means[lr_star]
    best_scores = [worst if v is None else v for v in table[lr_star]]
    band = (max(best_scores) - min(best_scores)) if len(best_scores) > 1 else 0.0
    near = [lr for lr in grid if best - means[lr] <= band + 1e-12]  # grid lrs whose seed mean is within the noise band of the best
    secs = [train_seconds(task, lr, s, cache, protocol) for lr in grid for s in seeds]
    secs = [v for v in secs if v is not None]
    return {'oracle_lr': lr_star, 'oracle': best, 'band': band, 'worst': min(means.values()), 'near': [min(near), max(near)],
            'grid': {f'{lr:.6e}': m for lr, m in means.items()}, 'grid_range': [grid[0], grid[-1]], 'n_trainings': len(grid) * len(seeds),
            'grid_seconds': sum(secs) if secs else None, 'train_seconds': statistics.median(secs) if secs else None}, worst
