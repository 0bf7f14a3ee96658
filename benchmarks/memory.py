"""Peak memory of `lr_find` over the same number of plain `fit` steps: the snapshot should cost about one
copy of model, optimizer state and the tensors callbacks keep, no more.

Scenarios: `adam` (fastai Adam), `ranger_ema` (ranger: RAdam state plus Lookahead's slow weights, and a callback
keeping an exponential moving average of the weights, which the snapshot must also copy).

Each measurement runs in a fresh process (peak RSS only grows), interleaved fit / lr_find, repeated.
Usage: python benchmarks/memory.py [--width 2048] [--depth 4] [--num-it 30] [--reps 3] [--scenarios adam ranger_ema]
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
    from fastai.callback.core import Callback
    from fastai.optimizer import Adam, ranger
    from fastai.torch_core import set_seed
    import fastai_lrrange.all
    kind, width, depth, num_it, device, scenario = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
    class EMA(Callback):
        "Exponential moving average of the weights, updated in place after every step"
        def __init__(self): self.ema = None
        def before_fit(self):
            if self.ema is None: self.ema = [p.detach().clone() for p in self.learn.model.parameters()]
        @torch.no_grad()
        def after_step(self):
            for e,p in zip(self.ema, self.learn.model.parameters()): e.mul_(0.99).add_(p.detach(), alpha=0.01)
    set_seed(0)
    x = torch.randn(64*8, width); y = x[:, :1].clone()
    ds = list(zip(x, y))
    dls = DataLoaders.from_dsets(ds, ds[:64], bs=64, device=device)
    layers = [m for _ in range(depth) for m in (nn.Linear(width, width), nn.ReLU())] + [nn.Linear(width, 1)]
    ema = scenario == 'ranger_ema'
    learn = Learner(dls, nn.Sequential(*layers), loss_func=nn.MSELoss(), opt_func=ranger if ema else Adam, cbs=[EMA()] if ema else [])
    ema_cb = learn.cbs.filter(lambda c: isinstance(c, EMA))
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-5)   # optimizer state exists, as after real training
    nb = lambda ts: sum(t.numel()*t.element_size() for t in ts if torch.is_tensor(t))
    n_model = nb(learn.model.parameters()) + nb(learn.model.buffers())
    n_opt = nb(v for s in learn.opt.state.values() for v in s.values()) + nb(w for pg in (getattr(learn.opt, 'slow_weights', None) or []) for w in pg)
    n_cb = nb(ema_cb[0].ema) if ema else 0
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
    print(json.dumps(dict(peak_kb=rss1, start_kb=rss0, n_model=n_model, n_opt=n_opt, n_cb=n_cb, cuda_peak=cuda_peak, snap_bytes=snap_bytes)))
''')


def run(kind, a, device, scenario):
    # a fixed mmap threshold makes glibc return freed tensors to the system at once, so peak RSS tracks live memory
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    out = subprocess.run([sys.executable, '-c', CHILD, kind, str(a.width), str(a.depth), str(a.num_it), device, scenario],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--width', type=int, default=2048)
    p.add_argument('--depth', type=int, default=4)
    p.add_argument('--num-it', type=int, default=30)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--scenarios', nargs='+', default=['adam', 'ranger_ema'], choices=['adam', 'ranger_ema'])
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'memory.md'))
    a = p.parse_args()
    import torch
    devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
    rows = []
    for device, scenario in [(d, s) for d in devices for s in a.scenarios]:
        fit, lrf = [], []
        for _ in range(a.reps):  # interleaved
            fit.append(run('fit', a, device, scenario)); lrf.append(run('lr_find', a, device, scenario))
        n_model, n_opt, n_cb = lrf[0]['n_model'], lrf[0]['n_opt'], lrf[0]['n_cb']
        extra = [(l['peak_kb'] - f['peak_kb'])*1024 for f, l in zip(fit, lrf)]
        med = statistics.median(extra)
        row = dict(device=device, scenario=scenario, model_mb=n_model/2**20, opt_mb=n_opt/2**20, cb_mb=n_cb/2**20, extra_mb=med/2**20,
                   snap_mb=lrf[0]['snap_bytes']/2**20,
                   extra_min=min(extra)/2**20, extra_max=max(extra)/2**20, ratio=med/(n_model+n_opt+n_cb),
                   fit_peak_mb=statistics.median(f['peak_kb'] for f in fit)/1024, lrf_peak_mb=statistics.median(l['peak_kb'] for l in lrf)/1024)
        if device == 'cuda':
            row['cuda_extra_mb'] = statistics.median(l['cuda_peak'] - f['cuda_peak'] for f, l in zip(fit, lrf))/2**20
        rows.append(row)
        print(row)
    cmd = 'python benchmarks/memory.py ' + ' '.join(sys.argv[1:])
    lines = ['# Memory: peak of `lr_find` over plain `fit` on the same steps', '',
             f'- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, python {platform.python_version()}',
             f'- command: `{cmd.strip()}`',
             f'- model: MLP, {a.depth} hidden layers of {a.width}, {a.num_it} steps; each run in a fresh process, fit and lr_find interleaved, {a.reps} repetitions, medians',
             '- scenarios: `adam` = fastai Adam; `ranger_ema` = ranger (RAdam state + Lookahead slow weights) and a callback keeping an EMA of the weights (updated in place)',
             '- "extra" = peak RSS of the lr_find process minus peak RSS of the fit process; "ratio" = extra / (model + optimizer state + callback tensors). Target: ratio <= 1.10', '',
             '- "snapshot MB" = bytes held by the in-memory copy (`LearnerSnapshot.nbytes`)',
             '- children run with MALLOC_MMAP_THRESHOLD_=65536 so that freed tensors leave the RSS at once (otherwise glibc keeps them and peak RSS varies by hundreds of MB from run to run)', '',
             '| device | scenario | model MB | optimizer state MB | callback tensors MB | snapshot MB | fit peak RSS MB | lr_find peak RSS MB | extra MB (min-max) | ratio |', '|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['device']} | {r['scenario']} | {r['model_mb']:.1f} | {r['opt_mb']:.1f} | {r['cb_mb']:.1f} | {r['snap_mb']:.1f} | {r['fit_peak_mb']:.0f} | {r['lrf_peak_mb']:.0f} | "
                     f"{r['extra_mb']:.1f} ({r['extra_min']:.1f}-{r['extra_max']:.1f}) | {r['ratio']:.2f} |")
    for r in rows:
        if 'cuda_extra_mb' in r: lines.append(f"\nCUDA `max_memory_allocated` extra ({r['scenario']}, snapshot on the CPU): {r['cuda_extra_mb']:.1f} MB")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__': main()
