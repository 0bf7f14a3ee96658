"Works wherever fastai trains: gradient accumulation, skipped (mixed-precision) steps, parameter groups, other callbacks."
import numpy as np
import pytest
import torch
from torch import nn

from fastai.callback.core import Callback, CancelStepException
from fastai.callback.training import GradientAccumulation
from fastai.torch_core import set_seed

from conftest import make_synth, make_vision, capture, assert_same_state, files_under


def _run(learn, **kw):
    kw.setdefault('show_plot', False)
    with learn.no_bar(): return learn.lr_find(**kw)


def StepCounter():
    "A callback counting optimizer steps that really happen, and the lr each used (kept outside the callback, which lr_find restores)"
    lrs, cancelled = [], [False]
    class _StepCounter(Callback):
        order = 99
        def before_fit(self): lrs.clear()
        def after_cancel_step(self): cancelled[0] = True
        def after_step(self):
            if not cancelled[0]: lrs.append(self.opt.hypers[-1]['lr'])
            cancelled[0] = False
    return _StepCounter(), lrs


def test_gradient_accumulation_one_point_per_optimizer_step(tmp_path):
    learn = make_synth(tmp_path, n_trn=10)  # batches of 16
    counter, seen_lrs = StepCounter()
    learn.add_cbs([GradientAccumulation(n_acc=64), counter])  # 4 batches a step
    _run(learn, num_it=30, stop_div=False)
    res = learn.lr_find_result
    assert len(res.losses) == len(seen_lrs) == 30 and res.stop_reason == 'num_it'
    assert res.last_group_lrs.tolist() == seen_lrs  # lrs change only at steps: each step used its own scheduled lr
    assert np.allclose(seen_lrs, [1e-7 * (10 / 1e-7) ** (i / 30) for i in range(30)])


def test_accumulated_point_is_the_mean_of_its_micro_batches(tmp_path):
    learn = make_synth(tmp_path, n_trn=10)
    seen = []
    class LossSpy(Callback):
        order = 99
        def after_loss(self):
            if self.training: seen.append(self.loss.item())
    learn.add_cbs([GradientAccumulation(n_acc=32), LossSpy()])  # 2 batches a step
    _run(learn, num_it=10, stop_div=False, beta=0)
    res = learn.lr_find_result
    expected = [np.float32(np.float32(a) + np.float32(b)) / np.float32(2) for a, b in zip(seen[0::2], seen[1::2])]
    assert np.allclose(res.raw_losses, expected[:10], rtol=1e-6)


class FakeScaler(Callback):
    "Acts as fastai's MixedPrecision does on overflow: scales the loss gradient, unscales, skips chosen steps"
    order = 10
    def __init__(self, skip=(3, 4, 9), scale=1024.): self.skip, self.scale = set(skip), scale
    def before_fit(self): self.n = 0
    def before_backward(self): self.learn.loss_grad = self.loss_grad * self.scale
    def before_step(self):
        self.n += 1
        for p in self.model.parameters():
            if p.grad is not None: p.grad.div_(self.scale)
        if self.n in self.skip: raise CancelStepException()


def test_skipped_steps_neither_advance_nor_record(tmp_path):
    learn = make_synth(tmp_path, n_trn=10)
    counter, seen_lrs = StepCounter()
    batch_losses = []
    class LossSpy(Callback):
        order = 99
        def after_loss(self): batch_losses.append(self.loss.item())
    learn.add_cbs([FakeScaler(skip=(3, 4, 9)), counter, LossSpy()])
    before = capture(learn)
    _run(learn, num_it=20, stop_div=False, beta=0)
    res = learn.lr_find_result
    assert len(res.losses) == 20 and len(seen_lrs) == 20  # 23 batches, 3 skipped, 20 points: the run still ends
    assert np.allclose(res.last_group_lrs, [1e-7 * (10 / 1e-7) ** (i / 20) for i in range(20)])  # no gap in the sweep
    taken = [l for i, l in enumerate(batch_losses, 1) if i not in (3, 4, 9)]
    assert np.allclose(res.raw_losses, taken, rtol=1e-6)  # the unscaled loss of each step taken, none of the skipped ones
    assert_same_state(before, capture(learn))


def test_skipped_nan_steps_still_end_the_run(tmp_path):
    "A loss that turns NaN while a GradScaler skips every step must not run on to the end of the data"
    learn = make_synth(tmp_path, n_trn=10)
    mse = learn.loss_func
    calls = {'n': 0}
    def nan_later(p, y):
        calls['n'] += 1
        return mse(p, y) * (float('nan') if calls['n'] > 6 else 1.)
    learn.loss_func = nan_later
    learn.add_cb(FakeScaler(skip=range(7, 1000)))
    _run(learn, num_it=50, stop_div=False)
    res = learn.lr_find_result
    assert res.stop_reason == 'non_finite' and len(res.losses) == 7 and np.isnan(res.raw_losses[-1])


def test_bf16_autocast_on_cpu(tmp_path):
    "fastai's bf16 MixedPrecision (autocast 'cuda' is off on a CPU-only machine, so this checks the plumbing)"
    from fastai.callback.fp16 import MixedPrecision
    learn = make_synth(tmp_path)
    learn.add_cb(MixedPrecision(amp_mode='bf16'))
    before = capture(learn)
    with pytest.warns(UserWarning) if not torch.cuda.is_available() else _nullcontext():
        _run(learn, num_it=20)
    res = learn.lr_find_result
    assert len(res.losses) >= 10 and np.isfinite(res.raw_losses).all()
    assert_same_state(before, capture(learn))


class _nullcontext:
    def __enter__(self): return self
    def __exit__(self, *a): return False


def test_data_exhausted_is_reported(tmp_path):
    "If the data runs out before num_it steps (more skipped steps than the epoch margin), the reason says so"
    learn = make_synth(tmp_path, n_trn=4)
    learn.add_cb(FakeScaler(skip=range(1, 1000, 2)))  # every other step skipped
    with pytest.warns(UserWarning, match='fewer steps'):
        _run(learn, num_it=20, stop_div=False)
    res = learn.lr_find_result
    assert res.stop_reason == 'data_exhausted' and len(res.losses) < 20


def test_vision_param_groups_frozen_and_unfrozen(tmp_path):
    learn = make_vision(tmp_path)
    n = len(learn.splitter(learn.model))
    for unfreeze in (False, True):
        if unfreeze: learn.unfreeze()
        _run(learn, num_it=8, stop_div=False, start_lr=slice(1e-7, 1e-5), end_lr=slice(1e-3, 1e-1))
        res = learn.lr_find_result
        assert res.lrs.shape == (8, n)
        ratios = res.lrs[:, -1] / res.lrs[:, 0]
        assert np.allclose(ratios, 100)  # kept through the sweep
        _run(learn, num_it=8, stop_div=False, start_lr=np.array([1e-7, 1e-6, 1e-5]), end_lr=1.0)
        res = learn.lr_find_result
        assert np.allclose(res.lrs[-1], np.array([1e-7, 1e-6, 1e-5]) * (1.0 / 1e-5) ** (7 / 8))
        s = res.as_slice('valley')
        assert np.isclose(s.stop / s.start, 100)


def test_scalar_lr_applies_to_every_group_like_fastai(tmp_path):
    learn = make_synth(tmp_path, splitter=lambda m: [[m.a], [m.b]])
    _run(learn, num_it=10, stop_div=False, start_lr=1e-5, end_lr=1e-1)
    lrs = learn.lr_find_result.lrs
    assert (lrs[:, 0] == lrs[:, 1]).all()
