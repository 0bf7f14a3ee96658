"""Builders of the late-descent group: the loss sits on a plateau before it falls (transformer encoders from scratch,
deep tanh MLPs, RNNs on long-memory tasks)."""
from functools import partial

import torch
from torch import nn
from fastai.losses import MSELossFlat
from fastai.metrics import mse
from fastai.optimizer import Adam
from fastai.torch_core import set_seed

from .common import tensor_dls, _learner, _digits_helpers, GRUClassifier, SeqTransformer, SeqTagger, RNNRegressor


def tfm_digits(seed):
    "Digits as a sequence of 8 rows of 8 pixels; transformer from scratch, fastai's Adam with decoupled weight decay (AdamW)"
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    dls = tensor_dls(x.view(len(x), 8, 8), y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, SeqTransformer(8, 10, 8), seed, opt_func=partial(Adam, wd=0.01, decouple_wd=True))


def _majority_tokens(n=2000, T=24, vocab=12):
    "Random token sequences; the class is which of tokens 1, 2, 3 occurs most often (ties to the lowest)"
    g = torch.Generator().manual_seed(11)
    x = torch.randint(0, vocab, (n, T), generator=g)
    counts = torch.stack([(x == k).sum(1) for k in (1, 2, 3)], 1)
    return x, counts.argmax(1)


def tfm_tokens(seed):
    "Token sequences, embedding + transformer from scratch, torch.optim.AdamW (betas 0.9, 0.98) through OptimWrapper"
    from fastai.optimizer import OptimWrapper
    x, y = _majority_tokens()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    opt = partial(OptimWrapper, opt=partial(torch.optim.AdamW, betas=(0.9, 0.98), weight_decay=0.01))
    return _learner(dls, SeqTransformer(None, 3, 24, vocab=12), seed, opt_func=opt)


def _order_tokens(n=2000, T=10, vocab=8):
    "Random token sequences holding tokens 1 and 2 once each; the class is whether 1 comes before 2 (order: needs positions and attention)"
    g = torch.Generator().manual_seed(13)
    x = torch.randint(3, vocab, (n, T), generator=g)
    pos = torch.stack([torch.randperm(T, generator=g)[:2] for _ in range(n)])
    x[torch.arange(n), pos[:, 0]], x[torch.arange(n), pos[:, 1]] = 1, 2
    return x, (pos[:, 0] < pos[:, 1]).long()


def tfm_order(seed):
    "Which of two marker tokens comes first; transformer from scratch, fastai's Adam with decoupled weight decay (AdamW)"
    x, y = _order_tokens()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, SeqTransformer(None, 2, 10, vocab=8), seed, opt_func=partial(Adam, wd=0.01, decouple_wd=True))


def _memory_sequences(n=2000, T=30, k=8):
    "One-hot token sequences; the class is whether the FIRST token is in the lower half of the vocabulary (a 30-step memory)"
    g = torch.Generator().manual_seed(5)
    tok = torch.randint(0, k, (n, T), generator=g)
    return nn.functional.one_hot(tok, k).float(), (tok[:, 0] < k // 2).long()


def memory_gru(seed):
    "GRU that must carry the first token over 30 steps: the loss sits at log(2) until it finds the dependency"
    x, y = _memory_sequences()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, GRUClassifier(8, 32, 2), seed)


def _xor_table(n=3000, d=10):
    "Gaussian features; the class is the XOR of the signs of the first two (the others are noise)"
    g = torch.Generator().manual_seed(9)
    x = torch.randn(n, d, generator=g)
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()


def xor_deep_tanh(seed):
    "A deep, narrow tanh MLP (6 layers) on an XOR of two features: a saddle at log(2) before the loss falls"
    x, y = _xor_table()
    dls = tensor_dls(x, y, 64, seed)
    set_seed(seed)
    layers, n = [], 10
    for _ in range(6): layers += [nn.Linear(n, 32), nn.Tanh()]; n = 32
    return _learner(dls, nn.Sequential(*layers, nn.Linear(32, 2)), seed)


def _reverse_tokens(n=3000, T=10, vocab=10):
    "Random token sequences; the target at each position is the token at the mirrored position (the sequence reversed)"
    g = torch.Generator().manual_seed(17)
    x = torch.randint(0, vocab, (n, T), generator=g)
    return x, x.flip(1)


def tfm_reverse(seed):
    "Reverse a token sequence, a prediction per position; transformer encoder from scratch, fastai's Adam with decoupled weight decay (AdamW)"
    x, y = _reverse_tokens()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, SeqTagger(None, 10, 10, vocab=10), seed, opt_func=partial(Adam, wd=0.01, decouple_wd=True))


def deep_tanh_digits(seed, depth=10, width=64):
    "A deep tanh MLP without normalization (10 hidden layers of 64, PyTorch's default init) on flattened digits, Adam"
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    dls = tensor_dls(x.view(len(x), -1), y, 64, seed)
    set_seed(seed)
    layers, n = [], 64
    for _ in range(depth): layers += [nn.Linear(n, width), nn.Tanh()]; n = width
    return _learner(dls, nn.Sequential(*layers, nn.Linear(width, 10)), seed)


def _adding_problem(n=3000, T=50):
    "Hochreiter's adding problem: (value, marker) pairs, one marker in each half; the target is the sum of the two marked values"
    g = torch.Generator().manual_seed(19)
    v = torch.rand(n, T, generator=g)
    i = torch.randint(0, T // 2, (n,), generator=g); j = torch.randint(T // 2, T, (n,), generator=g)
    m = torch.zeros(n, T); m[torch.arange(n), i] = 1; m[torch.arange(n), j] = 1
    return torch.stack([v, m], -1), (v * m).sum(1, keepdim=True)


def adding_lstm(seed):
    "LSTM (32 units, batches of 32) on the adding problem with T=50: the MSE sits near 1/6 (predicting the mean) until it finds the two markers"
    x, y = _adding_problem()
    dls = tensor_dls(x, y, 32, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, RNNRegressor(), seed, loss_func=MSELossFlat(), metrics=mse)
