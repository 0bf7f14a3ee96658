"""Overhead of the range test against its own training steps, in one process, interleaved.

  (a) floor: a plain PyTorch loop of num_it forward/backward/optimizer steps over the same DataLoader batches
  (b) fastai's stock lr_find (show_plot=False, stop_div=False)
  (c) this project's lr_find (same arguments)
  (d) a fastai fit over the same num_it batches, without validation (the fastai loop's own cost)

Usage: python benchmarks/overhead.py [--models mlp,cnn,resnet] [--num-it 100] [--reps 5] [--profile]
Writes benchmarks/results/overhead.md (use --out to write elsewhere).
"""
import argparse, copy, os, platform, statistics, sys, tempfile, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import numpy as np
import torch
from torch import nn
from fastai.callback.core import Callback, CancelFitException, CancelValidException
from fastai.data.core import DataLoaders
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.torch_core import set_seed

import fastai_lrrange.all  # noqa: F401
from fastai_lrrange.learner import fastai_lr_find
from fastai_lrrange.state import LearnerSnapshot


def _dls(x, y, bs):
    from torch.utils.data import TensorDataset
    n = len(x) * 4 // 5
    return DataLoaders.from_dsets(TensorDataset(x[:n], y[:n]), TensorDataset(x[n:], y[n:]), bs=bs, device='cpu', num_workers=0)


def make(model_name, path):
    set_seed(0)
    if model_name == 'mlp':
        x = torch.randn(64 * 25, 64); y = (x[:, :10].argmax(1))
        model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        dls = _dls(x, y, 64)
    elif model_name == 'cnn':
        from fastai_lrrange.examples import digits_tensors, digits_cnn
        x, y = digits_tensors(); model, dls = digits_cnn(), _dls(x, y, 64)
    elif model_name == 'resnet':
        from torchvision.models import resnet18
        x = torch.rand(16 * 30, 3, 32, 32); y = torch.randint(0, 10, (len(x),))
        model, dls = resnet18(num_classes=10), _dls(x, y, 16)
    else: raise ValueError(f'model ({model_name!r}) must be mlp, cnn or resnet')
    return Learner(dls, model, loss_func=CrossEntropyLossFlat(), path=path)


class StopAt(Callback):
    "Stop a fit after `n` training batches and skip validation"
    order = 70
    def __init__(self, n): self.n = n
    def before_fit(self): self.i = 0
    def before_validate(self): raise CancelValidException()
    def after_batch(self):
        self.i += 1
        if self.i >= self.n: raise CancelFitException()


def floor(learn, num_it):
    "A plain PyTorch loop over the same batches"
    model, lf = learn.model, learn.loss_func
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    model.train()
    i = 0
    while i < num_it:
        for xb, yb in learn.dls.train:
            opt.zero_grad()
            loss = lf(model(xb), yb)
            loss.backward()
            opt.step()
            i += 1
            if i >= num_it: break


def variants(learn, num_it):
    n_epoch = num_it // len(learn.dls.train) + 1
    return {
        'a': lambda: floor(learn, num_it),
        'b': lambda: fastai_lr_find(learn, num_it=num_it, stop_div=False, show_plot=False),
        'c': lambda: learn.lr_find(num_it=num_it, stop_div=False, show_plot=False),
        'd': lambda: learn.fit(n_epoch, 1e-4, cbs=StopAt(num_it)),
    }


def bench(model_name, num_it, reps, path):
    learn = make(model_name, path)
    state = copy.deepcopy(learn.model.state_dict())
    vs = variants(learn, num_it)
    times = {k: [] for k in vs}
    with learn.no_bar(), learn.no_logging():
        for rep in range(reps + 1):  # the first round is the warm-up
            for k, f in vs.items():
                learn.model.load_state_dict(state); learn.opt = None
                t = time.perf_counter(); f(); dt = time.perf_counter() - t
                if rep: times[k].append(dt)
        learn.model.load_state_dict(state); learn.opt = None
        learn.lr_find(num_it=1, show_plot=False)  # creates no optimizer; measure what the snapshot holds after a fit
        learn.fit(1, 1e-4, cbs=StopAt(2))
        snap = LearnerSnapshot(learn)
        n_model = sum(p.numel() * p.element_size() for p in learn.model.parameters()) + sum(b.numel() * b.element_size() for b in learn.model.buffers())
        n_opt = sum(v.numel() * v.element_size() for s in learn.opt.state.values() for v in s.values() if torch.is_tensor(v))
    return times, snap.nbytes / (n_model + n_opt), n_model + n_opt


def ratio_stats(times, x, y):
    r = [a / b for a, b in zip(times[x], times[y])]
    return statistics.median(r), min(r), max(r)


def profile(model_name, num_it, path):
    import cProfile, pstats, io
    learn = make(model_name, path)
    with learn.no_bar(), learn.no_logging():
        learn.lr_find(num_it=num_it, stop_div=False, show_plot=False)
        pr = cProfile.Profile(); pr.enable()
        learn.lr_find(num_it=num_it, stop_div=False, show_plot=False)
        pr.disable()
    s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats('tottime').print_stats(25)
    print(s.getvalue())


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--models', default='mlp,cnn,resnet')
    p.add_argument('--num-it', type=int, default=100)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--profile', action='store_true', help='cProfile one run of (c) on the first model instead')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'overhead.md'))
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    path = Path(tempfile.mkdtemp())
    if a.profile: return profile(a.models.split(',')[0], a.num_it, path)
    rows = []
    for m in a.models.split(','):
        times, snap_ratio, nbytes = bench(m, a.num_it, a.reps, path)
        row = dict(model=m, med={k: statistics.median(v) for k, v in times.items()},
                   ratios={f'{x}/{y}': ratio_stats(times, x, y) for x, y in (('c', 'a'), ('c', 'b'), ('c', 'd'), ('b', 'a'))},
                   snap_ratio=snap_ratio, nbytes=nbytes)
        rows.append(row)
        print(m, {k: f'{v*1e3:.0f} ms' for k, v in row['med'].items()}, {k: f'{v[0]:.3f}' for k, v in row['ratios'].items()})
    cmd = 'python benchmarks/overhead.py ' + ' '.join(sys.argv[1:])
    lines = ['# Overhead of the range test', '',
             f'- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, python {platform.python_version()}, CPU',
             f'- command: `{cmd.strip()}`',
             f'- {a.num_it} steps each; (a) plain PyTorch loop, (b) fastai `lr_find`, (c) this `lr_find`, (d) fastai `fit` over the same batches without validation; '
             f'run interleaved a b c d, {a.reps} repetitions after a warm-up round; progress bar and logging off for all',
             '- ratios are medians of per-repetition ratios, with [min, max]; targets: c/d <= 1.05, c/b <= 1.00', '',
             '| model | (a) floor | (b) fastai lr_find | (c) ours | (d) fastai fit | c/a | c/b | c/d | b/a | snapshot / (model + opt state) |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        med, rt = r['med'], r['ratios']
        cell = lambda k: f'{rt[k][0]:.3f} [{rt[k][1]:.2f}, {rt[k][2]:.2f}]'
        lines.append(f"| {r['model']} | {med['a']*1e3:.0f} ms | {med['b']*1e3:.0f} ms | {med['c']*1e3:.0f} ms | {med['d']*1e3:.0f} ms | "
                     f"{cell('c/a')} | {cell('c/b')} | {cell('c/d')} | {cell('b/a')} | {r['snap_ratio']:.2f} ({r['nbytes']/2**20:.1f} MB) |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__': main()
