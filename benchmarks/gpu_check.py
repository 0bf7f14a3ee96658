"""The range test on a CUDA GPU, for real: mixed precision (to_fp16, to_bf16), the snapshot on the GPU, cost.

1. exactness: a CNN (no pooling, so every op has a deterministic CUDA kernel) with `to_fp16`, trained with
   fit_one_cycle; then lr_find must leave every tensor, the optimizer state and the CUDA RNG bit for bit as they
   were, and lr_find + fit must give exactly the weights of fit alone (torch deterministic algorithms on);
2. resnet18 (pretrained=False) with `to_fp16` and `to_bf16`: the test runs, steps skipped by the GradScaler record
   no point, the Learner comes back bit for bit;
3. cost, medians of interleaved repetitions: ours against fastai's lr_find and against the same number of plain
   fastai training steps; peak GPU memory of ours with the snapshot on the CPU (default) and on the GPU.

Usage: python benchmarks/gpu_check.py [--out DIR] [--reps 3]   (writes gpu.md and gpu.json in DIR, default
benchmarks/results). Needs a CUDA device; prints and exits 0 without one.
"""
import argparse, json, os, platform, statistics, sys, time, warnings
os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')  # deterministic cuBLAS, set before CUDA starts
from pathlib import Path

warnings.filterwarnings('ignore')
import torch
from torch import nn
from torch.utils.data import TensorDataset

HERE = Path(__file__).parent
DEVICE = os.environ.get('GPU_CHECK_DEVICE', 'cuda')  # 'cpu' only to try the script's own logic on a machine without a GPU
CUDA = DEVICE == 'cuda'
def sync():
    if CUDA: torch.cuda.synchronize()
sys.path.insert(0, str(HERE.parent / 'tests'))


def dls_on(device, n=1024, size=32, bs=64, seed=0):
    "Random images with a learnable colour cue, on `device`"
    from fastai.data.core import DataLoaders
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n,), generator=g)
    x = torch.rand(n, 3, size, size, generator=g)
    x[:, y % 3] += (y[:, None, None].float() / 10)  # the class moves one channel's mean
    k = n * 4 // 5
    return DataLoaders.from_dsets(TensorDataset(x[:k], y[:k]), TensorDataset(x[k:], y[k:]), bs=bs, device=device, num_workers=0)


def plain_cnn():
    "Strided convolutions and BatchNorm, no pooling: every CUDA kernel here has a deterministic implementation"
    def block(i, o): return [nn.Conv2d(i, o, 3, stride=2, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 64), nn.Flatten(), nn.Linear(64 * 4 * 4, 10))


def learner(model_fn, precision, seed=0, size=32, bs=64):
    from fastai.learner import Learner
    from fastai.losses import CrossEntropyLossFlat
    from fastai.torch_core import set_seed
    set_seed(seed)
    learn = Learner(dls_on(DEVICE, size=size, bs=bs, seed=seed), model_fn(), loss_func=CrossEntropyLossFlat())
    learn.model.to(DEVICE)
    if not CUDA: return learn
    return {'fp16': learn.to_fp16, 'bf16': learn.to_bf16, 'fp32': lambda: learn}[precision]()


def exactness(report):
    "lr_find restores bit for bit on CUDA under to_fp16; lr_find + fit is fit alone"
    from conftest import capture, assert_same_state
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    torch.use_deterministic_algorithms(True)
    def setup():
        learn = learner(plain_cnn, 'fp16')
        with learn.no_bar(): learn.fit_one_cycle(1, 3e-3)
        return learn
    learn = setup()
    cuda_rng = torch.cuda.get_rng_state_all() if CUDA else []
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    res = learn.lr_find_result
    assert_same_state(before, capture(learn))
    assert all(torch.equal(a, b) for a, b in zip(cuda_rng, torch.cuda.get_rng_state_all() if CUDA else []))
    with learn.no_bar(): learn.fit(1, 1e-3)
    after = capture(learn)
    alone = setup()
    with alone.no_bar(): alone.fit(1, 1e-3)
    assert_same_state(capture(alone), after)
    torch.use_deterministic_algorithms(False)
    report['exactness'] = dict(model='plain CNN, to_fp16, after fit_one_cycle', steps=len(res.losses), stop=str(res.stop_reason),
                               restored_bitwise=True, cuda_rng_restored=True, lr_find_then_fit_equals_fit_alone=True,
                               suggestions=res.suggestions)


def mixed_precision(report):
    "resnet18 under to_fp16 and to_bf16: runs, records one point per step really taken, restores bit for bit"
    from conftest import capture, assert_same_state
    from torchvision.models import resnet18
    out = {}
    for precision in ('fp16', 'bf16'):
        learn = learner(lambda: resnet18(num_classes=10), precision, size=64)
        with learn.no_bar(): learn.fit(1, 1e-3)
        before = capture(learn)
        seen = []
        from fastai.callback.core import Callback
        class Count(Callback):
            order = 99
            def after_batch(self): seen.append(1)
        learn.add_cb(Count())
        with learn.no_bar(): learn.lr_find(show_plot=False)
        learn.remove_cbs(learn.cbs.filter(lambda c: isinstance(c, Count)))
        assert_same_state(before, capture(learn))
        res = learn.lr_find_result
        out[precision] = dict(steps=len(res.losses), batches=len(seen), stop=str(res.stop_reason), suggestions=res.suggestions,
                              restored_bitwise=True)
    report['mixed_precision'] = out


def cost(report, reps):
    "Median wall time of ours, fastai's lr_find and the same plain fit steps (interleaved), and peak GPU memory"
    from fastai_lrrange.learner import fastai_lr_find
    from torchvision.models import resnet18
    import tempfile
    sys.path.insert(0, str(HERE))
    from overhead import StopAt  # a fit stopped after n training batches, without validation
    learn = learner(lambda: resnet18(num_classes=10), 'fp16', size=64)
    learn.path = Path(tempfile.mkdtemp())
    with learn.no_bar(): learn.fit(1, 1e-3)
    kw = dict(num_it=100, stop_div=False, show_plot=False, end_lr=1e-2)
    runs = {
        'fit (100 steps)': lambda: learn.fit(100 // len(learn.dls.train) + 1, 1e-4, cbs=StopAt(100)),
        "fastai's lr_find": lambda: fastai_lr_find(learn, **kw),
        'ours': lambda: learn.lr_find(**kw),
        'ours, snapshot on the GPU': lambda: learn.lr_find(snapshot_device=None, **kw),
    }
    times, mem = {k: [] for k in runs}, {}
    with learn.no_bar(), learn.no_logging():
        for f in runs.values(): f()  # warm-up
        for _ in range(reps):
            for k, f in runs.items():
                sync()
                if CUDA: torch.cuda.reset_peak_memory_stats()
                base = torch.cuda.memory_allocated() if CUDA else 0
                t = time.perf_counter(); f(); sync()
                times[k].append(time.perf_counter() - t)
                mem[k] = (torch.cuda.max_memory_allocated() - base) / 2**20 if CUDA else float('nan')
    med = {k: statistics.median(v) for k, v in times.items()}
    n_state = sum(p.numel() * p.element_size() for p in learn.model.parameters()) / 2**20
    n_opt = sum(v.numel() * v.element_size() for s in learn.opt.state.values() for v in s.values() if torch.is_tensor(v)) / 2**20
    report['cost'] = dict(model='resnet18, to_fp16, 64x64 images, bs 64, Adam', reps=reps, median_s=med,
                          ratio_ours_to_fit=med['ours'] / med['fit (100 steps)'], ratio_ours_to_fastai=med['ours'] / med["fastai's lr_find"],
                          peak_extra_MB=mem, model_MB=n_state, opt_state_MB=n_opt)


def write(report, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / 'gpu.json').write_text(json.dumps(report, indent=1, default=str))
    if report.get('errors'): print('ERRORS:', report['errors'])
    if not all(k in report for k in ('cost', 'exactness', 'mixed_precision')): return
    c, e, m = report['cost'], report['exactness'], report['mixed_precision']
    lines = ['# The range test on a CUDA GPU', '',
             f"- machine: {report['gpu']}, torch {report['torch']}, fastai {report['fastai']}, python {platform.python_version()}",
             f"- command: `python benchmarks/gpu_check.py --reps {c['reps']}`", '',
             '## Exactness (deterministic algorithms on)', '',
             f"- {e['model']}: lr_find ran {e['steps']} steps (stopped: {e['stop']}); every tensor, the optimizer state and the CUDA RNG "
             f"came back bit for bit: {e['restored_bitwise'] and e['cuda_rng_restored']}; lr_find then fit gave exactly the weights, "
             f"optimizer state and Recorder of fit alone: {e['lr_find_then_fit_equals_fit_alone']}", '',
             '## Mixed precision, resnet18 (pretrained=False), 64x64 images', '',
             '| precision | batches | points (steps taken) | stopped | restored bit for bit |', '|---|---|---|---|---|']
    lines += [f"| {k} | {v['batches']} | {v['steps']} | {v['stop']} | {v['restored_bitwise']} |" for k, v in m.items()]
    lines += ['', f"## Cost: {c['model']}, 100 steps, median of {c['reps']} interleaved repetitions", '',
              '| run | median s | peak GPU memory above the start, MB |', '|---|---|---|']
    lines += [f"| {k} | {v:.3f} | {c['peak_extra_MB'][k]:.1f} |" for k, v in c['median_s'].items()]
    lines += ['', f"- ours / plain fit of the same steps: {c['ratio_ours_to_fit']:.3f}; ours / fastai's lr_find: {c['ratio_ours_to_fastai']:.3f}",
              f"- model {c['model_MB']:.1f} MB, optimizer state {c['opt_state_MB']:.1f} MB: with the snapshot on the GPU (`snapshot_device=None`) "
              "the peak grows by about that much; on the CPU (the default) it does not"]
    (out / 'gpu.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', default=str(HERE / 'results'))
    p.add_argument('--reps', type=int, default=3)
    a = p.parse_args()
    if CUDA and not torch.cuda.is_available(): print('no CUDA device: nothing to check'); return
    import fastai, fastai_lrrange.all  # noqa: F401
    report = dict(gpu=torch.cuda.get_device_name(0) if CUDA else 'cpu (a dry run of the script)', torch=torch.__version__, fastai=fastai.__version__)
    for step in (exactness, mixed_precision, lambda r: cost(r, a.reps)):
        t = time.time()
        try: step(report); print(f'{getattr(step, "__name__", "cost")}: ok in {time.time() - t:.0f} s', flush=True)
        except Exception as e:  # one failing part still leaves the others' figures
            import traceback; traceback.print_exc()
            report.setdefault('errors', []).append(f'{type(e).__name__}: {e}')
    write(report, Path(a.out))


if __name__ == '__main__': main()
