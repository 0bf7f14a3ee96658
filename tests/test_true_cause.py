"""A non-finite loss names its true cause (issue 23): non-finite inputs or targets (the data), a non-finite model output on finite
inputs (the model), a non-finite loss on finite outputs (the loss function): never 'lower start_lr' there. A real blow-up at once
(start_lr=10) still advises lowering start_lr."""
import warnings

import numpy as np
import pytest
import torch
from torch import nn
from fastai.learner import Learner
from fastai.optimizer import SGD

from fastai_lrrange.diagnostics import FindingKind
from fastai_lrrange.examples import tensor_dls


def _learner(x_bad=None, y_bad=None, model=None, loss_func=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(640, 4, generator=g)
    y = (x @ torch.tensor([1., -2., 0.5, 3.]) + 0.1 * torch.randn(640, generator=g)).unsqueeze(1)
    if x_bad is not None: x[::10, 1] = x_bad  # every 10th row: every batch of 64 holds some
    if y_bad is not None: y[::10] = y_bad
    dls = tensor_dls(x, y, bs=64, seed=seed)
    return Learner(dls, model or nn.Linear(4, 1), loss_func=loss_func or nn.MSELoss(), opt_func=SGD)


def _findings(learn, **kw):
    with learn.no_bar(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn.lr_find(show_plot=False, **kw)
    res = learn.lr_find_result
    return res, [str(d) for d in res.diagnostics]


def _assert_not_the_lr(res, found):
    assert res.stop_reason == 'non_finite' and len(res.losses) == 1  # stops at once
    assert not any('start_lr' in f or 'end_lr' in f for f in found), found  # no advice that sends the user the wrong way
    assert all(v is None for v in res.suggestions.values())
    assert FindingKind.DIVERGED_AT_ONCE not in [d.kind for d in res.diagnostics]


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_inputs_are_named(bad):
    res, found = _findings(_learner(x_bad=bad))
    _assert_not_the_lr(res, found)
    assert "non-finite loss at step 1 (lr 1.0e-07): the batch's inputs are not finite (xb[0]: " in found[0]
    assert 'the data is the cause, not the learning rate' in found[0]


def test_infinite_targets_are_named():
    res, found = _findings(_learner(y_bad=float('inf')))
    _assert_not_the_lr(res, found)
    assert "the batch's targets are not finite (yb[0]: " in found[0] and 'drop or fill those rows' in found[0]


def test_a_model_that_outputs_nan_is_named():
    model = nn.Linear(4, 1)
    with torch.no_grad(): model.bias.fill_(float('nan'))
    res, found = _findings(_learner(model=model))
    _assert_not_the_lr(res, found)
    assert "the model's output is not finite on finite inputs, before any update" in found[0] and 'the model is the cause' in found[0]


def test_a_loss_that_is_not_finite_on_finite_outputs_is_named():
    res, found = _findings(_learner(loss_func=lambda p, y: torch.log(p - 1e6).mean()))  # log of a negative number
    _assert_not_the_lr(res, found)
    assert 'the loss is not finite on finite outputs and targets, before any update' in found[0] and 'the loss function is the cause' in found[0]


def test_a_real_blow_up_at_once_still_advises_lowering_start_lr():
    res, found = _findings(_learner(), start_lr=10, end_lr=1e4)
    assert res.stop_reason in ('diverged', 'non_finite') and len(res.losses) < 20
    assert any(d.advice == 'lower start_lr' for d in res.diagnostics), found
    assert not any('the data is the cause' in f or 'the model is the cause' in f for f in found)


class Fitted(nn.Module):
    "A model already at its optimum: its output is the target's mean, whatever the rate; what is left is each batch's own noise"
    def __init__(self): super().__init__(); self.lin = nn.Linear(4, 1)
    def forward(self, x): return self.lin(x) * 0 + 1.0


def test_a_trained_model_near_zero_loss_does_not_diverge_at_once():
    "A near-zero, heavy-tailed batch loss (a trained model): early noise makes the smoothed loss 4 times its best within a few steps, at 1e-7"
    g = torch.Generator().manual_seed(2)  # seeds 2, 3 and 4 of 0-5 stopped at once (after 2 to 4 steps) under fastai's rule
    x = torch.randn(640, 4, generator=g)
    y = 1 + 1e-3 * torch.randn(640, 1, generator=g)
    y[torch.randperm(640, generator=g)[:24]] += 0.05  # a few hard rows: a batch holding one has a loss hundreds of times the others'
    learn = Learner(tensor_dls(x, y, bs=16, seed=2), Fitted(), loss_func=nn.MSELoss(), opt_func=SGD)
    res, found = _findings(learn, stop_div=True)
    raw = np.asarray(res.raw_losses)
    assert raw[:10].max() > 100 * raw[:10].min()  # the noise that stopped it at once under fastai's rule (4 times an early best)
    assert len(res.losses) == 100 and res.stop_reason == 'num_it', found  # the loss never rises: no divergence
    assert FindingKind.DIVERGED_AT_ONCE not in [d.kind for d in res.diagnostics]
