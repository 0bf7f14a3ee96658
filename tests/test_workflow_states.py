"""The states real workflows leave: lr_find then fit is bitwise fit alone, and lr_find leaves every optimizer state entry as it was.

Axes: states (fresh, after fit_one_cycle, frozen after the first phase of fine_tune, unfrozen after fine_tune,
`freeze()` on an existing optimizer) x models (MLP, CNN with BatchNorm, LSTM, GRU, AWD_LSTM classifier, tabular)
x optimizers (fastai SGD with momentum, Adam, RAdam, QHAdam, Lamb, Larc, ranger; OptimWrapper over torch AdamW and
torch SGD with nesterov) x callbacks that keep state (MixedPrecision bf16 on CPU, GradientAccumulation, a user's
EMA of the weights). Every value of every axis is covered, and every optimizer after training.
"""
from functools import partial

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from fastai.callback.core import Callback
from fastai.callback.fp16 import MixedPrecision
from fastai.callback.training import GradientAccumulation
from fastai.data.core import DataLoaders
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.optimizer import SGD, Adam, RAdam, QHAdam, Lamb, Larc, ranger, OptimWrapper
from fastai.torch_core import set_seed, params

from conftest import capture, assert_same_state

N_IT = 12  # range-test steps: enough to move every state, few enough for the whole matrix to run in a few minutes


# ------------------------------------------------------------------ data and models (tiny, two parameter groups each)
def _xy(kind, seed):
    g = torch.Generator().manual_seed(seed)
    if kind in ('lstm', 'gru'):
        x = torch.randint(2, 30, (96, 10), generator=g)
        return x, ((x < 12).sum(1) > 3).long()
    if kind == 'cnn_bn':
        x = torch.randn(96, 1, 8, 8, generator=g)
        return x, (x[:, 0, :4].mean((1, 2)) > 0).long()
    x = torch.randn(96, 6, generator=g)
    return x, (x[:, 0] + x[:, 1] * x[:, 2] > 0).long()


def _dls(kind, seed):
    x, y = _xy(kind, seed)
    return DataLoaders.from_dsets(TensorDataset(x[:64], y[:64]), TensorDataset(x[64:], y[64:]), bs=16, device='cpu')


class RNNClassifier(nn.Module):
    "Embedding, an LSTM or a GRU (body), and a linear head"
    def __init__(self, cell):
        super().__init__()
        self.body = nn.ModuleDict({'emb': nn.Embedding(30, 8), 'rnn': cell(8, 12, batch_first=True)})
        self.head = nn.Linear(12, 2)
    def forward(self, x):
        out, _ = self.body['rnn'](self.body['emb'](x))
        return self.head(out[:, -1])


def _body_head_split(m): return [params(m.body), params(m.head)]


def _model(kind):
    if kind == 'mlp': return nn.ModuleDict({'body': nn.Sequential(nn.Linear(6, 16), nn.ReLU()), 'head': nn.Linear(16, 2)})
    if kind == 'cnn_bn':
        return nn.ModuleDict({'body': nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                                    nn.AdaptiveAvgPool2d(1), nn.Flatten()),
                              'head': nn.Linear(8, 2)})
    return RNNClassifier(nn.LSTM if kind == 'lstm' else nn.GRU)


class _Seq(nn.Module):
    "body then head, from a ModuleDict"
    def __init__(self, d): super().__init__(); self.body, self.head = d['body'], d['head']
    def forward(self, x): return self.head(self.body(x))


def make_learner(kind, opt='adam', cbs=(), seed=0):
    "A tiny Learner of `kind` with optimizer `opt` and callbacks `cbs` (built fresh), seeded"
    set_seed(seed)
    opt_func = OPTIMIZERS[opt]
    cbs = [c() for c in cbs]
    if kind == 'tabular': return _tabular(opt_func, cbs, seed)
    if kind == 'awd_lstm': return _awd_lstm(opt_func, cbs, seed)
    dls = _dls(kind, seed)
    m = _model(kind)
    model = m if isinstance(m, RNNClassifier) else _Seq(m)
    return Learner(dls, model, loss_func=CrossEntropyLossFlat(), opt_func=opt_func, splitter=_body_head_split, cbs=cbs)


def _awd_lstm(opt_func, cbs, seed):
    from learners import tiny_text_classifier
    return tiny_text_classifier(seed, opt_func=opt_func, cbs=cbs)  # AWD_LSTM classifier, pretrained=False: built from scratch


def _tabular(opt_func, cbs, seed):
    from learners import tiny_tabular_learner
    return tiny_tabular_learner(seed=seed, n=160, opt_func=opt_func, cbs=cbs,
                                splitter=lambda m: [params(m.embeds) + params(m.bn_cont), params(m.layers)])


OPTIMIZERS = {
    'sgd_mom': partial(SGD, mom=0.9),
    'adam': Adam,
    'radam': RAdam,
    'qhadam': QHAdam,
    'lamb': Lamb,
    'larc': Larc,
    'ranger': ranger,
    'torch_adamw': partial(OptimWrapper, opt=torch.optim.AdamW),
    'torch_sgd_nesterov': partial(OptimWrapper, opt=partial(torch.optim.SGD, momentum=0.9, nesterov=True)),
}


# ------------------------------------------------------------------ callbacks that keep state across fits
class EMAWeights(Callback):
    "A user's exponential moving average of the weights, kept across fits and updated in place (as a list and as a module)"
    order = 65
    def __init__(self, decay=0.8): self.decay, self.ema, self.shadow, self.n = decay, None, None, 0
    def before_fit(self):
        if self.ema is None:
            import copy
            self.ema = [p.detach().clone() for p in self.learn.model.parameters()]
            self.shadow = copy.deepcopy(self.learn.model)
    @torch.no_grad()
    def after_step(self):
        self.n += 1
        for e, s, p in zip(self.ema, self.shadow.parameters(), self.learn.model.parameters()):
            e.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)
            s.copy_(e)


CALLBACKS = {
    'none': (),
    'bf16': (partial(MixedPrecision, amp_mode='bf16'),),
    'grad_acc': (partial(GradientAccumulation, n_acc=32),),
    'ema': (EMAWeights,),
}


# ------------------------------------------------------------------ workflow states
def _fresh(learn): pass
def _one_cycle(learn): learn.fit_one_cycle(1, 3e-3)
def _fine_tune_frozen(learn): learn.freeze(); learn.fit_one_cycle(1, 3e-3)  # the first phase of fine_tune: still frozen
def _fine_tune_unfrozen(learn): learn.fine_tune(1, 3e-3, freeze_epochs=1)  # ends unfrozen, as before `lr_find` in the fastbook
def _freeze_existing_opt(learn): learn.fit(1, 3e-3); learn.freeze()  # freeze() on an optimizer that exists: state cleared, groups frozen

STATES = {'fresh': _fresh, 'one_cycle': _one_cycle, 'fine_tune_frozen': _fine_tune_frozen,
          'fine_tune_unfrozen': _fine_tune_unfrozen, 'freeze_existing_opt': _freeze_existing_opt}

MODELS = ['mlp', 'cnn_bn', 'lstm', 'gru', 'awd_lstm', 'tabular']

CELLS = (
    # every model in the states a user brings, with fastai's default optimizer
    [(m, s, 'adam', 'none') for m in MODELS for s in ('fresh', 'one_cycle', 'fine_tune_unfrozen')]
    # every optimizer after training
    + [('mlp', 'one_cycle', o, 'none') for o in OPTIMIZERS if o != 'adam']
    # RNNs (fastai keeps a `True` key in opt.state for them) with the stateful optimizers, after fine_tune
    + [(m, 'fine_tune_unfrozen', o, 'none') for m in ('lstm', 'gru', 'awd_lstm')
       for o in ('ranger', 'sgd_mom', 'torch_sgd_nesterov', 'lamb')]
    # frozen states
    + [(m, 'fine_tune_frozen', o, 'none') for m, o in (('mlp', 'radam'), ('cnn_bn', 'qhadam'), ('gru', 'larc'), ('tabular', 'adam'))]
    + [(m, 'freeze_existing_opt', o, 'none') for m, o in (('mlp', 'sgd_mom'), ('cnn_bn', 'ranger'), ('lstm', 'torch_adamw'), ('awd_lstm', 'adam'))]
    # callbacks that keep state
    + [('cnn_bn', 'one_cycle', 'adam', 'bf16'), ('tabular', 'one_cycle', 'ranger', 'bf16'),
       ('mlp', 'one_cycle', 'sgd_mom', 'grad_acc'), ('gru', 'fine_tune_unfrozen', 'ranger', 'grad_acc'),
       ('mlp', 'one_cycle', 'adam', 'ema'), ('gru', 'fine_tune_unfrozen', 'ranger', 'ema'), ('cnn_bn', 'fresh', 'torch_adamw', 'ema')]
)


def _prepare(model, state, opt, cb):
    learn = make_learner(model, opt, CALLBACKS[cb])
    with learn.no_bar(): STATES[state](learn)
    return learn


@pytest.mark.parametrize('model,state,opt,cb', CELLS, ids=['-'.join(c) for c in CELLS])
def test_lr_find_then_fit_is_fit_alone(model, state, opt, cb):
    # with lr_find: the same setup, the range test, then one more epoch
    learn = _prepare(model, state, opt, cb)
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(num_it=N_IT, show_plot=False)
    assert len(learn.lr_find_result.losses) > 0
    after = capture(learn)
    if before['opt'] is not None:  # every opt.state entry, whatever its key, with the same values
        assert list(after['opt']['state']) == list(before['opt']['state'])
    assert_same_state(before, after)
    with learn.no_bar(): learn.fit(1, 1e-3)
    with_lr_find = capture(learn)
    # without: the same setup (same seeds, so the same global RNG state after it), then the same epoch
    alone = _prepare(model, state, opt, cb)
    with alone.no_bar(): alone.fit(1, 1e-3)
    assert_same_state(capture(alone), with_lr_find)


def test_matrix_covers_every_value_of_every_axis():
    models, states, opts, cbs = (set(c[i] for c in CELLS) for i in range(4))
    assert models == set(MODELS) and states == set(STATES) and opts == set(OPTIMIZERS) and cbs == set(CALLBACKS)
    assert {c[2] for c in CELLS if c[1] != 'fresh'} == set(OPTIMIZERS)  # every optimizer after training
