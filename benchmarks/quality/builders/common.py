"""What the builders share: the train/valid split, DataLoaders over tensors, a Learner, models (MLP, GRU, transformer
encoder, RNN regressor), bodies pretrained here and learners trained before the range test, both cached in benchmarks/cache/."""
from functools import partial

import torch
from torch import nn
from fastai.data.core import DataLoaders
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.metrics import accuracy
from fastai.optimizer import Adam
from fastai.torch_core import set_seed

from .. import CACHE


def _split(X, y, seed, valid_pct=0.25):
    g = torch.Generator().manual_seed(1234)  # the split is the same for every seed
    idx = torch.randperm(len(X), generator=g)
    n = int(len(X) * valid_pct)
    return idx[n:], idx[:n]


def tensor_dls(X, y, bs, seed, standardize=True):
    from torch.utils.data import TensorDataset
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y)
    trn, val = _split(X, y, seed)
    if standardize and X.dim() == 2:
        mu, sd = X[trn].mean(0), X[trn].std(0) + 1e-6
        X = (X - mu) / sd
    set_seed(seed)
    return DataLoaders.from_dsets(TensorDataset(X[trn], y[trn]), TensorDataset(X[val], y[val]), bs=bs, device='cpu', num_workers=0)


def _learner(dls, model, seed, opt_func=Adam, loss_func=None, metrics=accuracy):
    set_seed(seed)
    return Learner(dls, model, loss_func=loss_func or CrossEntropyLossFlat(), opt_func=opt_func, metrics=metrics)


def _mlp(n_in, n_out, hidden=64, bn=False):
    layers = []
    for h in (hidden, hidden):
        layers += [nn.Linear(n_in, h)] + ([nn.BatchNorm1d(h)] if bn else []) + [nn.ReLU()]
        n_in = h
    return nn.Sequential(*layers, nn.Linear(n_in, n_out))


def _digits_helpers():
    "The library's digits data and CNN (in fastai_lrrange.examples; fastai_lrrange.cli before it moved)"
    try: from fastai_lrrange.examples import digits_tensors, digits_cnn
    except ImportError: from fastai_lrrange.cli import digits_tensors, digits_cnn
    return digits_tensors, digits_cnn


class GRUClassifier(nn.Module):
    def __init__(self, n_in=4, hidden=32, n_out=2):
        super().__init__(); self.rnn, self.head = nn.GRU(n_in, hidden, batch_first=True), nn.Linear(hidden, n_out)
    def forward(self, x): return self.head(self.rnn(x)[0][:, -1])


class SeqTransformer(nn.Module):
    "A small post-LN transformer encoder (PyTorch's defaults), learned positions, mean-pooled, linear head"
    def __init__(self, n_in, n_out, T, d=32, heads=2, layers=2, ff=64, vocab=None, dropout=0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab, d) if vocab else nn.Linear(n_in, d)
        self.pos = nn.Parameter(torch.randn(1, T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=dropout, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head, self.tokens = nn.Linear(d, n_out), bool(vocab)
    def forward(self, x): return self.head(self.enc(self.emb(x.long() if self.tokens else x) + self.pos).mean(1))


class SeqTagger(SeqTransformer):
    "SeqTransformer with a prediction per position (no pooling): (batch, T, n_out)"
    def forward(self, x): return self.head(self.enc(self.emb(x.long() if self.tokens else x) + self.pos))


class RNNRegressor(nn.Module):
    def __init__(self, n_in=2, hidden=32, n_out=1, cell=nn.LSTM):
        super().__init__(); self.rnn, self.head = cell(n_in, hidden, batch_first=True), nn.Linear(hidden, n_out)
    def forward(self, x): return self.head(self.rnn(x)[0][:, -1])


def _pretrained(name, make_model, X, y, epochs, lr, bs=64):
    "State dict of `make_model()` trained (seed 0) on (X, y): computed once, cached in benchmarks/cache/"
    f = CACHE / f'pretrained_{name}.pt'
    if f.exists(): return torch.load(f)
    f.parent.mkdir(parents=True, exist_ok=True)
    from torch.utils.data import TensorDataset
    set_seed(0)
    dls = DataLoaders.from_dsets(TensorDataset(X, y), TensorDataset(X[:bs], y[:bs]), bs=bs, device='cpu', num_workers=0)
    model = make_model()
    learn = Learner(dls, model, loss_func=CrossEntropyLossFlat(), opt_func=Adam)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr)
    sd = {k: v.detach().clone() for k, v in model[0].state_dict().items()}
    torch.save(sd, f)
    return sd


def _body_head_learner(dls, body, head, seed, **kw):
    "A Learner over Sequential(body, head), split into (body, head) parameter groups and frozen (`learn.freeze()`)"
    from fastai.torch_core import params
    set_seed(seed)
    learn = Learner(dls, nn.Sequential(body, head), loss_func=CrossEntropyLossFlat(), metrics=accuracy,
                    splitter=lambda m: [params(m[0]), params(m[1])], **kw)
    learn.freeze()
    return learn


# ------------------------------------------------------------------ after training: the trained state, cached
def _after(name, build, first, seed, then=None):
    """`build(seed)` (a fresh Learner) carrying the model and optimizer state of `build(0)` after `first(learn)` (trained once,
    seed 0, cached in benchmarks/cache/after_{name}.pt); then `then(learn)` (e.g. `learn.unfreeze()`)"""
    f = CACHE / f'after_{name}.pt'
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        learn = build(0)
        set_seed(0)
        with learn.no_bar(), learn.no_logging(): first(learn)
        torch.save({'model': {k: v.detach().clone() for k, v in learn.model.state_dict().items()}, 'opt': learn.opt.state_dict()}, f)
    sd = torch.load(f, weights_only=False)
    learn = build(seed)
    learn.model.load_state_dict(sd['model'])
    if learn.opt is None: learn.create_opt()  # fastai keeps the optimizer between fits: `fit` creates one only when there is none
    learn.opt.load_state_dict(sd['opt'])
    if then is not None: then(learn)
    return learn


def _fine_tune_first_stage(learn, freeze_epochs=1, base_lr=2e-3):
    "What `learn.fine_tune` does before it unfreezes (fastai 2.8: its defaults)"
    learn.freeze()
    learn.fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99)


def one_cycle(epochs, lr):
    "What a learner is trained with before the range test: `fit_one_cycle(epochs, lr)`"
    return lambda learn: learn.fit_one_cycle(epochs, lr)


def unfreeze(learn): learn.unfreeze()


def trained(name, build, first, then=None, doc=''):
    "A builder `make_learner(seed)` of a learner trained before the range test: `_after(name, build, first, seed, then=then)`"
    f = partial(_after, name, build, first, then=then)
    f.__doc__ = doc
    return f
