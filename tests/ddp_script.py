"""Run under `torchrun --nproc_per_node 2` (CPU, gloo, Accelerate with cpu=True) by tests/test_distributed.py.

Each rank writes OUT/rank{r}.json with what it saw. `python ddp_script.py OUT fastai` runs fastai's own
lr_find instead (the reference failure, for the docs; not run in CI).
"""
import json, os, sys, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import matplotlib
matplotlib.use('Agg')
import torch
import torch.distributed as dist
from fastai.callback.core import Callback
from fastai.distributed import DistributedDL
from fastai.test_utils import synth_learner
from fastai.torch_core import set_seed


def _cpu_broadcast(self, t, rank):
    "Test harness only: fastai's DistributedDL._broadcast moves its index tensor to CUDA"
    t = torch.LongTensor(t)
    dist.broadcast(t, rank)
    return t.tolist()
DistributedDL._broadcast = _cpu_broadcast

import fastai_lrrange.all  # noqa: E402,F401
from fastai_lrrange.learner import fastai_lr_find  # noqa: E402

out, which = Path(sys.argv[1]), (sys.argv[2] if len(sys.argv) > 2 else 'ours')
rank = int(os.environ['RANK'])


def make_learner():
    set_seed(0)  # same initial weights on every rank
    learn = synth_learner(n_trn=20)
    learn.path = out
    return learn


def local_losses():
    "A callback keeping this rank's own (not reduced) training losses, outside the callback's state"
    seen = []
    class LocalLoss(Callback):
        order = 99
        def after_loss(self):
            if self.training: seen.append(self.loss.item())
    return LocalLoss(), seen


def params(learn): return [p.detach().clone() for p in learn.model.parameters()]
def same(a, b): return all(torch.equal(x, y) for x, y in zip(a, b))


report = {'rank': rank}
learn = make_learner()
if which == 'fastai':
    w0 = params(learn)
    try:
        with learn.distrib_ctx(cpu=True), learn.no_bar(): fastai_lr_find(learn, show_plot=False)
        report['error'] = None
    except Exception as e: report['error'] = f'{type(e).__name__}: {e}'
    report['restored'] = same(w0, params(learn))
    (out / f'fastai_rank{rank}.json').write_text(json.dumps(report))
    if dist.is_initialized(): dist.destroy_process_group()
    sys.exit(0)

# 1. a plain run that diverges: same curve, same stop, same suggestions on every rank
spy, seen = local_losses()
learn.add_cb(spy)
w0 = params(learn)
with learn.distrib_ctx(cpu=True), learn.no_bar():
    sug = learn.lr_find(show_plot=True)
res = learn.lr_find_result
report['diverge'] = dict(losses=res.losses.tolist(), lrs=res.lrs.tolist(), stop=res.stop_reason, sugg=list(sug),
                         local=seen[:len(res.losses)], restored=same(w0, params(learn)),
                         params=[p.tolist() for p in params(learn)], model_type=type(learn.model).__name__,
                         figures=len(matplotlib.pyplot.get_fignums()))
learn.remove_cb(spy)

# 2. one rank's local loss spikes alone over the threshold (6 > 4 x 1); the mean does not (3.5 < 4): nobody stops
calls = {'n': 0}
mse = learn.loss_func
def spiky(pred, y):
    calls['n'] += 1
    flat = mse(pred, y) * 0 + 1.0
    return flat * 6.0 if (rank == 1 and calls['n'] == 12) else flat
learn.loss_func = spiky
spy, seen = local_losses()
learn.add_cb(spy)
with learn.distrib_ctx(cpu=True), learn.no_bar():
    learn.lr_find(show_plot=False, num_it=30, end_lr=1e-3, beta=0)
res = learn.lr_find_result
report['spike'] = dict(losses=res.losses.tolist(), stop=res.stop_reason, local=seen[:len(res.losses)])
learn.remove_cb(spy)
learn.loss_func = mse

# 3. a following fit under distrib_ctx runs on both ranks
with learn.distrib_ctx(cpu=True), learn.no_bar():
    learn.fit(1, 1e-2)
report['fit_ok'] = True

# 4. a learner already prepared by to_distributed (no context manager)
learn = make_learner()
w0 = params(learn)
learn.to_distributed(cpu=True)
with learn.no_bar(): learn.lr_find(show_plot=False, num_it=40)
res = learn.lr_find_result
report['to_distributed'] = dict(losses=res.losses.tolist(), sugg=list(res.suggestions.values()), restored=same(w0, params(learn)))
learn.detach_distributed()
(out / f'rank{rank}.json').write_text(json.dumps(report))

# Tear the process group down while the interpreter is fully alive. Accelerate created it and fastai's distrib_ctx
# only destroys groups it created itself; left to interpreter finalization, gloo's worker threads may still hold
# tensors of the last collectives, and freeing them then needs the GIL of a dying interpreter: std::terminate
# ("terminate called without an active exception", SIGABRT) on rank 0, now and then. Every DDP script should end so.
dist.barrier()
dist.destroy_process_group()
