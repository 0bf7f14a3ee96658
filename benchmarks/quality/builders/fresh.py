"""Builders of the fresh held-out set, three kinds per group, written before any range test ran on them:

- small: fastai's ResBlock CNN on digits; a plain MLP on wine (no normalization, Adam); a 1-d CNN on noisy signals.
- late descent: a transformer from scratch sorting tokens; a deep tanh MLP on concentric rings; a GRU comparing two
  marked values 40 steps apart.
- after training: `fine_tune`'s first stage on the frozen-body digits MLP, then `unfreeze()` and a `slice`; the BatchNorm
  digits CNN under-trained, then trained further; fastai's tabular regression trained to a plateau, then more.
"""
import torch
from torch import nn
from fastai.torch_core import set_seed

from .common import tensor_dls, _learner, _digits_helpers, _mlp, GRUClassifier, SeqTagger, _fine_tune_first_stage, one_cycle, unfreeze, trained
from .small import transfer_digits_mlp, digits_bn_cnn, tabular_regression


def digits_resblock(seed):
    "fastai's ResBlock (BatchNorm, ReLU) CNN on the 8x8 digits, Adam"
    from fastai.layers import ConvLayer, ResBlock, Flatten
    x, y = _digits_helpers()[0]()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    body = [ConvLayer(1, 16), ResBlock(1, 16, 32, stride=2), ResBlock(1, 32, 64, stride=2)]
    return _learner(dls, nn.Sequential(*body, nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(64, 10)), seed)


def wine_mlp(seed):
    "A plain two-layer MLP (no normalization) on scikit-learn's wine, batches of 16, Adam"
    from sklearn.datasets import load_wine
    X, y = load_wine(return_X_y=True)
    dls = tensor_dls(X, y, 16, seed)
    set_seed(seed)
    return _learner(dls, _mlp(13, 3, hidden=32), seed)


def _signals(n=2400, T=64):
    "Noisy 1-d signals; the class is which of three shapes (a bump, a step, a short oscillation) is hidden at a random place"
    g = torch.Generator().manual_seed(29)
    x, y = torch.randn(n, 1, T, generator=g) * 0.8, torch.randint(0, 3, (n,), generator=g)
    t = torch.arange(12, dtype=torch.float32)
    shapes = torch.stack([torch.exp(-(t - 5.5) ** 2 / 8), (t >= 6).float() * 2 - 1, torch.sin(t * 1.6)])
    at = torch.randint(0, T - 12, (n,), generator=g)
    for i in range(n): x[i, 0, at[i]:at[i] + 12] += 1.5 * shapes[y[i]]
    return x, y


def conv1d_signals(seed):
    "A 1-d CNN (fastai ConvLayers with BatchNorm, ndim=1) on noisy signals, Adam"
    from fastai.layers import ConvLayer, Flatten
    x, y = _signals()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    body = [ConvLayer(i, o, ks=5, stride=2, ndim=1) for i, o in ((1, 16), (16, 32), (32, 32))]
    return _learner(dls, nn.Sequential(*body, nn.AdaptiveAvgPool1d(1), Flatten(), nn.Linear(32, 3)), seed)


def _sort_tokens(n=3000, T=8, vocab=10):
    "Random token sequences; the target at each position is the token at that position of the sorted sequence"
    g = torch.Generator().manual_seed(31)
    x = torch.randint(0, vocab, (n, T), generator=g)
    return x, x.sort(1).values


def tfm_sort(seed):
    "Sort a token sequence, a prediction per position; transformer encoder from scratch, fastai's Adam with decoupled weight decay (AdamW)"
    from functools import partial
    from fastai.optimizer import Adam
    x, y = _sort_tokens()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, SeqTagger(None, 10, 8, vocab=10), seed, opt_func=partial(Adam, wd=0.01, decouple_wd=True))


def _rings(n=3000, d=8):
    "Two concentric rings in the first two features (radius 1 or 2, with noise), the other features noise; the class is the ring"
    g = torch.Generator().manual_seed(37)
    y = torch.randint(0, 2, (n,), generator=g)
    a, r = torch.rand(n, generator=g) * 6.2832, 1.0 + y.float() + 0.25 * torch.randn(n, generator=g)
    x = torch.randn(n, d, generator=g)
    x[:, 0], x[:, 1] = r * torch.cos(a), r * torch.sin(a)
    return x, y


def rings_deep_tanh(seed, depth=8, width=32):
    "A deep tanh MLP (8 hidden layers of 32, no normalization, PyTorch's default init) on two concentric rings, Adam"
    x, y = _rings()
    dls = tensor_dls(x, y, 64, seed)
    set_seed(seed)
    layers, n = [], x.shape[1]
    for _ in range(depth): layers += [nn.Linear(n, width), nn.Tanh()]; n = width
    return _learner(dls, nn.Sequential(*layers, nn.Linear(width, 2)), seed)


def _marked_pairs(n=2400, T=40):
    "(value, marker) sequences with one marker in the first 5 steps and one in the last 5; the class is whether the first marked value is the larger"
    g = torch.Generator().manual_seed(41)
    v = torch.rand(n, T, generator=g)
    i, j = torch.randint(0, 5, (n,), generator=g), torch.randint(T - 5, T, (n,), generator=g)
    m = torch.zeros(n, T); m[torch.arange(n), i] = 1; m[torch.arange(n), j] = 1
    return torch.stack([v, m], -1), (v[torch.arange(n), i] > v[torch.arange(n), j]).long()


def compare_gru(seed):
    "A GRU (32 units) comparing two marked values about 35 steps apart: the loss sits at log(2) until it carries the first one, Adam"
    x, y = _marked_pairs()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, GRUClassifier(2, 32, 2), seed)


unfreeze_mlp = trained('unfreeze_mlp', transfer_digits_mlp, _fine_tune_first_stage, then=unfreeze, doc=(
    "fine_tune's first stage on transfer_digits_mlp (frozen body, one epoch at 2e-3), then `unfreeze()`; Adam state kept"))
continued_bn_cnn = trained('continued_bn_cnn', digits_bn_cnn, one_cycle(1, 3e-4), doc=(
    "digits_bn_cnn (fastai ConvLayers with BatchNorm) under-trained (one epoch of fit_one_cycle at 3e-4), then trained further; Adam state kept"))
converged_regression = trained('converged_regression', tabular_regression, one_cycle(12, 1e-2), doc=(
    "tabular_regression's tabular_learner trained to a plateau (fit_one_cycle(12, 1e-2)), then more epochs; Adam state kept"))
