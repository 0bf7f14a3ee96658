"""Peak memory of `lr_find` over the same number of plain `fit` steps: the snapshot should cost about one
copy of model plus optimizer state, no more.

Each measurement runs in a fresh process (peak RSS only grows), interleaved fit / lr_find, repeated.
Usage: python benchmarks/memory.py [--width 2048] [--depth 4] [--num-it 30] [--reps 3]
Writes benchmarks/results/memory.md.
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, textwrap
from pathlib import Path

CHILD = textwrap.dedent('''
    import json, resource, sys, warnings
    warnings.filterwarnings('ignore')
    import torch
    from torch import nn
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.torch_core import set_seed
    import fastai_lrrange.all
    kind, width, depth, num_it, device = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    set_seed(0)
    x = torch.randn(64*8, width); y = x[:, :1].clone()
    ds = list(zip(x, y))
    dls = DataLoaders.from_dsets(ds, ds[:64], bs=64, device=device)
    layers = [m for _ in range(depth) for m in (nn.Linear(width, width), nn.ReLU())] + [nn.Linear(width, 1)]
    learn = Learner(dls, nn.Sequential(*layers), loss_func=nn.MSELoss())
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-5)   # optimizer state exists, as after real training
    n_model = sum(p.numel()*p.element_size() for p in learn.model.parameters()) + sum(b.numel()*b.element_size() for b in learn.model.buffers())
    n_opt = sum(v.numel()*v.element_size() for s in learn.opt.state.values() for v in s.values() if torch.is_tensor(v))
    if device == 'cuda': torch.cuda.reset_peak_memory_stats()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with learn.no_bar(), learn.no_logging():
        if kind == 'fit':
            from fastai.callback.core import Callback, CancelFitException
            class Stop(Callback):
                def before_fit(self): self.n = 0
                def after_batch(self):
                    self.n += 1
                    if self.n >= num_it: raise CancelFitException()
            learn.fit(num_it//len(learn.dls.train)+1, 1e-5, cbs=Stop())
        else:
            learn.lr_find(num_it=num_it, stop_div=False, show_plot=False, end_lr=1e-3)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cuda_peak = torch.cuda.max_memory_allocated() if device == 'cuda' else None
    from fastai_lrrange.state import LearnerSnapshot
    snap_bytes = LearnerSnapshot(learn).nbytes
    print(json.dumps(dict(peak_kb=rss1, start_kb=rss0, n_model=n_model, n_opt=n_opt, cuda_peak=cuda_peak, snap_bytes=snap_bytes)))
''')


def run(kind, a, device):
    # a fixed mmap threshold makes glibc return freed tensors to the system at once, so peak RSS tracks live memory
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    out = subprocess.run([sys.executable, '-c', CHILD, kind, str(a.width), str(a.depth), str(a.num_it), device],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--width', type=int, default=2048)
    p.add_argument('--depth', type=int, default=4)
    p.add_argument('--num-it', type=int, default=30)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'memory.md'))
    a = p.parse_args()
    import torch
    devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
    rows = []
    for device in devices:
        fit, lrf = [], []
        for _ in range(a.reps):  # interleaved
            fit.append(run('fit', a, device)); lrf.append(run('lr_find', a, device))
        n_model, n_opt = lrf[0]['n_model'], lrf[0]['n_opt']
        extra = [(l['peak_kb'] - f['peak_kb'])*1024 for f, l in zip(fit, lrf)]
        med = statistics.median(extra)
        row = dict(device=device, model_mb=n_model/2**20, opt_mb=n_opt/2**20, extra_mb=med/2**20, snap_mb=lrf[0]['snap_bytes']/2**20,
                   extra_min=min(extra)/2**20, extra_max=max(extra)/2**20, ratio=med/(n_model+n_opt),
                   fit_peak_mb=statistics.median(f['peak_kb'] for f in fit)/1024, lrf_peak_mb=statistics.median(l['peak_kb'] for l in lrf)/1024)
        if device == 'cuda':
            row['cuda_extra_mb'] = statistics.median(l['cuda_peak'] - f['cuda_peak'] for f, l in zip(fit, lrf))/2**20
        rows.append(row)
        print(row)
    cmd = 'python benchmarks/memory.py ' + ' '.join(sys.argv[1:])
    lines = ['# Memory: peak of `lr_find` over plain `fit` on the same steps', '',
             f'- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, python {platform.python_version()}',
             f'- command: `{cmd.strip()}`',
             f'- model: MLP, {a.depth} hidden layers of {a.width}, Adam (fastai), {a.num_it} steps; each run in a fresh process, fit and lr_find interleaved, {a.reps} repetitions, medians',
             '- "extra" = peak RSS of the lr_find process minus peak RSS of the fit process; "ratio" = extra / (model + optimizer state bytes). Target: ratio <= 1.10', '',
             '- "snapshot MB" = bytes held by the in-memory copy (`LearnerSnapshot.nbytes`)',
             '- children run with MALLOC_MMAP_THRESHOLD_=65536 so that freed tensors leave the RSS at once (otherwise glibc keeps them and peak RSS varies by hundreds of MB from run to run)', '',
             '| device | model MB | optimizer state MB | snapshot MB | fit peak RSS MB | lr_find peak RSS MB | extra MB (min-max) | ratio |', '|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['device']} | {r['model_mb']:.1f} | {r['opt_mb']:.1f} | {r['snap_mb']:.1f} | {r['fit_peak_mb']:.0f} | {r['lrf_peak_mb']:.0f} | "
                     f"{r['extra_mb']:.1f} ({r['extra_min']:.1f}-{r['extra_max']:.1f}) | {r['ratio']:.2f} |")
        if 'cuda_extra_mb' in r: lines.append(f"\nCUDA `max_memory_allocated` extra: {r['cuda_extra_mb']:.1f} MB")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__': main()
