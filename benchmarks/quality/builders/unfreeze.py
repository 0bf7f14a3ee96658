"""Builders of the unfreeze family (issue 30): bodies pretrained here on other data than they are fine-tuned on.

A kind is (body, pretraining data, fine-tuning data, first-stage epochs). Six families of body, two kinds each: one whose
body transfers well (a new head on the frozen body nearly solves the new task) and one whose body must adapt (the task
needs what the pretraining did not keep: new inputs, new shapes, order, other columns). Pretraining and fine-tuning data
are disjoint draws (other rows, other classes, or another generator seed). Every kind gives two builders:

- `frozen(seed)`: the pretrained body (cached, `common._pretrained`), a new head, frozen (`learn.freeze()`), the body and
  the head as two parameter groups: what a user has before `fine_tune` (the fine_tune way starts here);
- `unfrozen(seed)`: the same learner after `fine_tune`'s first stage (frozen, `fit_one_cycle(e, slice(2e-3), pct_start=0.99)`,
  e = 1 or 3; trained once, seed 0, cached, `common.trained`), then `unfreeze()` (the one-rate and slice ways start here).

Every training here is small (a few thousand samples at most, one core, well under two seconds).
"""
from functools import partial

import torch
from torch import nn
from fastai.layers import ConvLayer, Flatten
from fastai.optimizer import Adam
from fastai.vision.learner import create_head

from .common import tensor_dls, _digits_helpers, _pretrained, _body_head_learner, _fine_tune_first_stage, unfreeze, trained


# ------------------------------------------------------------------ data (fixed generators: the same for every seed)
def _digits_rows():
    "Digits (n, 1, 8, 8) in [0, 1], labels, and a fixed half split of the rows (pretraining rows A, fine-tuning rows B)"
    x, y = _digits_helpers()[0]()
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(301))
    return x, y, idx[:len(x) // 2], idx[len(x) // 2:]


def _shapes(n, shapes, noise, seed, T=64):
    "Noisy 1-d signals (n, 1, T) each holding one of `shapes` (rows of length 12) at a random place; the class is which"
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randn(n, 1, T, generator=g) * noise, torch.randint(0, len(shapes), (n,), generator=g)
    at = torch.randint(0, T - 12, (n,), generator=g)
    for i in range(n): x[i, 0, at[i]:at[i] + 12] += 1.5 * shapes[y[i]]
    return x, y


_t = torch.arange(12, dtype=torch.float32)
OLD_SHAPES = torch.stack([torch.exp(-(_t - 5.5) ** 2 / 8), (_t >= 6).float() * 2 - 1, torch.sin(_t * 1.6), 1 - (_t - 5.5).abs() / 3])
NEW_SHAPES = torch.stack([torch.sin(_t * 0.55), -torch.exp(-(_t - 3) ** 2 / 3) + torch.exp(-(_t - 8) ** 2 / 3), (_t % 4 < 2).float() * 2 - 1,
                          (_t / 5.5 - 1) ** 3])


def _seqs(n, seed, T=20):
    "Gaussian sequences (n, T, 4)"
    return torch.randn(n, T, 4, generator=torch.Generator().manual_seed(seed))


def _tokens(n, seed, T=12, vocab=10):
    "Random token sequences from tokens 3.. with tokens 1 and 2 placed once each, and a few extra 1s, 2s and 3s"
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(3, vocab, (n, T), generator=g)
    extra = torch.randint(1, 4, (n, T), generator=g)
    x = torch.where(torch.rand(n, T, generator=g) < 0.3, extra, x)
    pos = torch.stack([torch.randperm(T, generator=g)[:2] for _ in range(n)])
    x[torch.arange(n), pos[:, 0]], x[torch.arange(n), pos[:, 1]] = 1, 2
    return x, pos


def _majority(x): return torch.stack([(x == k).sum(1) for k in (1, 2, 3)], 1).argmax(1)


N_CATS = (6, 8, 5)


def _table(n, seed):
    "A synthetic table: three categorical columns (codes, as floats) then six Gaussian columns"
    g = torch.Generator().manual_seed(seed)
    cats = torch.stack([torch.randint(0, k, (n,), generator=g) for k in N_CATS], 1).float()
    return torch.cat([cats, torch.randn(n, 6, generator=g)], 1)


def _table_target(x, uses, seed, n_out=3):
    "A fixed random nonlinear function of the columns `uses` ('c0'.., 'x0'..), as `n_out` classes"
    g = torch.Generator().manual_seed(seed)
    score = torch.zeros(len(x), n_out)
    for u in uses:
        if u[0] == 'c':
            j = int(u[1:]); score += torch.randn(N_CATS[j], n_out, generator=g)[x[:, j].long()]
        else:
            j = 3 + int(u[1:]); score += torch.tanh(1.5 * x[:, j:j + 1]) * torch.randn(1, n_out, generator=g) * 1.5
    return score.argmax(1)


# ------------------------------------------------------------------ bodies (each ends in a flat feature vector)
def _cnn_body(): return nn.Sequential(*[ConvLayer(i, o, stride=s) for i, o, s in ((1, 16, 1), (16, 32, 2), (32, 64, 2))])
def _mlp_body(): return nn.Sequential(nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU())
def _conv1d_body(): return nn.Sequential(*[ConvLayer(i, o, ks=5, stride=2, ndim=1) for i, o in ((1, 16), (16, 32), (32, 32))],
                                         nn.AdaptiveAvgPool1d(1), Flatten())


class RNNBody(nn.Module):
    "A GRU or LSTM encoder: the last hidden state"
    def __init__(self, cell=nn.GRU, n_in=4, hidden=32):
        super().__init__(); self.rnn = cell(n_in, hidden, batch_first=True)
    def forward(self, x): return self.rnn(x)[0][:, -1]


class TfmBody(nn.Module):
    "A small post-LN transformer encoder over tokens (embedding, learned positions, 2 layers of width 32), mean-pooled"
    def __init__(self, vocab=10, T=12, d=32):
        super().__init__()
        self.emb, self.pos = nn.Embedding(vocab, d), nn.Parameter(torch.randn(1, T, d) * 0.02)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, 2, 64, dropout=0.1, batch_first=True), 2, enable_nested_tensor=False)
    def forward(self, x): return self.enc(self.emb(x.long()) + self.pos).mean(1)


class TabBody(nn.Module):
    "Tabular: an embedding per categorical column (codes in the first columns), concatenated with the continuous ones, an MLP with BatchNorm"
    def __init__(self, n_cats=N_CATS, n_cont=6, h=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(k, 4) for k in n_cats)
        self.mlp = nn.Sequential(nn.Linear(4 * len(n_cats) + n_cont, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, h), nn.BatchNorm1d(h), nn.ReLU())
    def forward(self, x):
        k = len(self.embs)
        return self.mlp(torch.cat([e(x[:, i].long()) for i, e in enumerate(self.embs)] + [x[:, k:]], 1))


def _bn_head(n_in, n_out): return nn.Sequential(nn.BatchNorm1d(n_in), nn.Dropout(0.25), nn.Linear(n_in, n_out))


# ------------------------------------------------------------------ the kinds: name -> how to build the frozen learner
def _data(name):
    "(pretraining X, y), (fine-tuning X, y), body, body width, head (pretraining has one of its own), opt_func, pretraining epochs and lr, fine-tuning batch size"
    adamw = partial(Adam, wd=0.01, decouple_wd=True)
    if name in ('cnn_classes', 'cnn_flipped'):
        x, y, a, b = _digits_rows()
        if name == 'cnn_classes':  # digits 5-9 -> digits 0-4 (the same strokes, other classes): transfers well
            pre, tgt = (x[y >= 5], y[y >= 5] - 5), (x[y < 5], y[y < 5])
        else:  # upright digits (rows A), below 5 or not -> the ten digits transposed and inverted (rows B): must adapt
            pre, tgt = (x[a], (y[a] >= 5).long()), (1 - x[b].transpose(2, 3), y[b])
        return pre, tgt, _cnn_body, 64, lambda n: create_head(64, n), Adam, 5, 1e-2, 64
    if name in ('mlp_coarse', 'mlp_parity'):
        x, y, a, b = _digits_rows()
        x = x.view(len(x), -1)
        if name == 'mlp_coarse': pre, tgt = (x[a], y[a]), (x[b], y[b] // 2)  # ten digits -> five pairs of digits: transfers well
        else: pre, tgt = (x[a], y[a] % 2), (x[b], y[b])  # odd or even -> the ten digits: must adapt
        return pre, tgt, _mlp_body, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name in ('conv1d_noisier', 'conv1d_shapes'):
        pre = _shapes(2000, OLD_SHAPES, 0.8, 401)
        if name == 'conv1d_noisier': tgt = _shapes(1200, OLD_SHAPES, 1.1, 402)  # the same shapes, more noise: transfers well
        else: tgt = _shapes(1200, NEW_SHAPES, 0.8, 403)  # four new shapes: must adapt
        return pre, tgt, _conv1d_body, 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('gru_sum', 'lstm_other'):
        xp, xt = _seqs(2000, 501), _seqs(1200, 502)
        pre = (xp, (xp[:, :, 0].sum(1) > 0).long())  # the sign of channel 0's sum
        if name == 'gru_sum':  # channel 0's sum in three bins: transfers well
            s = xt[:, :, 0].sum(1); tgt = (xt, (s > -1.5).long() + (s > 1.5).long())
        else: tgt = (xt, (xt[:, :, 1].sum(1) - xt[:, :, 2].sum(1) > 0).long())  # channels 1 and 2: must adapt
        cell = nn.GRU if name == 'gru_sum' else nn.LSTM
        return pre, tgt, partial(RNNBody, cell), 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('tfm_count', 'tfm_others'):
        (xp, _), (xt, pos) = _tokens(2000, 601), _tokens(1200, 602)
        pre = (xp, _majority(xp))  # which of tokens 1, 2, 3 is most frequent
        if name == 'tfm_count': tgt = (xt, ((xt == 1).sum(1) > (xt == 3).sum(1)).long())  # more 1s than 3s: transfers well
        else: tgt = (xt, ((xt == 5).sum(1) + (xt == 6).sum(1) > (xt == 7).sum(1) + (xt == 8).sum(1)).long())  # tokens the pretraining ignored: must adapt
        return pre, tgt, TfmBody, 32, lambda n: nn.Linear(32, n), adamw, 5, 3e-3, 64
    if name in ('tab_related', 'tab_other'):
        xp, xt = _table(2000, 701), _table(1200, 702)
        pre = (xp, _table_target(xp, ('c0', 'c1', 'x0', 'x1', 'x2'), 711))
        if name == 'tab_related': tgt = (xt, _table_target(xt, ('c0', 'c1', 'x0', 'x1', 'x2'), 712))  # other weights, the same columns
        else: tgt = (xt, _table_target(xt, ('c2', 'x3', 'x4', 'x5'), 713))  # the columns the pretraining ignored: must adapt
        return pre, tgt, TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    raise ValueError(name)


def frozen_learner(name, seed, data=None):
    "Kind `name`'s body pretrained on its pretraining data (cached), a new head for its fine-tuning data, frozen; `data`: the kinds' `_data` (default this module's)"
    (xp, yp), (xt, yt), body_fn, width, head_fn, opt, ep, lr, bs = (data or _data)(name)
    n_pre, n_out = int(yp.max()) + 1, int(yt.max()) + 1
    sd = _pretrained(f'uf_{name}', lambda: nn.Sequential(body_fn(), head_fn(n_pre)), xp, yp, ep, lr)
    dls = tensor_dls(xt, yt, bs, seed, standardize=False)
    body = body_fn(); body.load_state_dict(sd)
    return _body_head_learner(dls, body, head_fn(n_out), seed, opt_func=opt)


KINDS = ('cnn_classes', 'cnn_flipped', 'mlp_coarse', 'mlp_parity', 'conv1d_noisier', 'conv1d_shapes', 'gru_sum', 'lstm_other',
         'tfm_count', 'tfm_others', 'tab_related', 'tab_other')


def frozen(name, data=None):
    "Builder of kind `name`'s frozen learner (the fine_tune way starts here); `data`: the kinds' `_data` (default this module's)"
    f = partial(frozen_learner, name, data=data); f.__doc__ = f"{name}: pretrained body, new head, frozen"
    return f


def unfrozen(name, first_epochs, data=None):
    "Builder of kind `name`'s learner after fine_tune's first stage of `first_epochs` epochs (cached), then unfreeze()"
    return trained(f'uf_{name}_e{first_epochs}', frozen(name, data), partial(_fine_tune_first_stage, freeze_epochs=first_epochs), then=unfreeze,
                   doc=f"{name}: fine_tune's first stage ({first_epochs} epochs, slice(2e-3), pct_start=0.99), then unfreeze()")
