"Algorithmic guards (counts, not times): host-device synchronisations per step."
import sys

import torch

from conftest import make_synth


class DeviceSim(torch.Tensor):
    "A tensor that counts the host transfers fastai_lrrange makes from it, as if it lived on a GPU"
    syncs = 0
    @staticmethod
    def _count():
        if sys._getframe(2).f_globals.get('__name__', '').startswith('fastai_lrrange'): DeviceSim.syncs += 1
    def item(self): DeviceSim._count(); return super().item()
    def tolist(self): DeviceSim._count(); return super().tolist()
    def numpy(self, *a, **k): DeviceSim._count(); return super().numpy(*a, **k)
    def __bool__(self): DeviceSim._count(); return super().__bool__()
    def __float__(self): DeviceSim._count(); return super().__float__()
    def cpu(self, *a, **k):
        DeviceSim._count()
        return super().cpu(*a, **k).as_subclass(torch.Tensor)  # on the host now: later reads are free


def _on_device_loss(learn):
    lf = learn.loss_func
    learn.loss_func = lambda p, y: lf(p, y).as_subclass(DeviceSim)


def test_one_host_transfer_per_step(tmp_path):
    learn = make_synth(tmp_path)
    _on_device_loss(learn)
    DeviceSim.syncs = 0
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=40)
    n = len(learn.lr_find_result.losses)
    assert n > 10 and DeviceSim.syncs == n, f'{DeviceSim.syncs} host transfers for {n} steps'


def test_one_host_transfer_per_step_under_accumulation(tmp_path):
    from fastai.callback.training import GradientAccumulation
    learn = make_synth(tmp_path)
    learn.add_cb(GradientAccumulation(n_acc=48))  # 3 micro-batches a step
    _on_device_loss(learn)
    DeviceSim.syncs = 0
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=20, stop_div=False)
    n = len(learn.lr_find_result.losses)
    assert n == 20 and DeviceSim.syncs == n  # micro-batches that do not end a step cost no transfer
