"""Builders of the unfreeze family's fresh held-out set (`--set unfreeze-fresh`): new kinds, written and committed before
any range test ran on them, to judge a new rule for the family once (the first held-out kinds have been seen).

The machinery is `unfreeze.py`'s (bodies, heads, the frozen learner, fine_tune's first stage, caches); only the data pairs
are new: bodies pretrained on other data than in any of the first twelve kinds, or another pretraining/fine-tuning pair.
Pretraining and fine-tuning data are disjoint draws (other rows, or another generator seed). Eight kinds, one or two per
family of body; four whose body transfers well and four that must adapt, first stages of 1 and 3 epochs (four each):

- cnn_bars (CNN with BatchNorm): synthetic 8x8 bars, which of four orientations -> the ten digits (rows B): transfers well;
- mlp_permuted (MLP with BatchNorm): the ten digits (rows A) -> the ten digits of rows B, pixels in a fixed random order:
  must adapt;
- conv1d_longer (1-d CNN with BatchNorm): which of eight shapes (the first kinds' four old and four new ones together),
  signals of 64 steps -> which of the four new shapes, signals of 96 steps, more noise: transfers well;
- lstm_energy (LSTM encoder): which of four channels (each scaled at random) holds the most energy -> do channels 0 and 1
  together hold more than 2 and 3 (other sequences): transfers well;
- gru_recent (GRU encoder): the same pretraining -> the sign of channel 2's sum over the last five steps: must adapt;
- tfm_order_count (transformer encoder): does token 1 come before token 2 -> more 4s than 5s (other sequences): must adapt;
- tab_shift (tabular embeddings + MLP): a function of all nine columns -> the same function on other rows whose continuous
  columns are scaled by 1.5 and moved by 0.5: transfers well;
- tab_thresholds (tabular embeddings + MLP): x0 + x1 in three bins -> (x2 > 0) + (x3 > x4), columns the pretraining
  ignored: must adapt.

"Transfers well" / "must adapt" is checked at one fixed rate chosen before it ran (no grid, no range test):
`benchmarks/unfreeze_fresh_check.py`, figures in `benchmarks/results/unfreeze_fresh_check.md`.
"""
from functools import partial

import torch
from torch import nn

from fastai.optimizer import Adam
from fastai.vision.learner import create_head

from .unfreeze import (_digits_rows, _shapes, OLD_SHAPES, NEW_SHAPES, _seqs, _tokens, _table, _table_target, _cnn_body, _mlp_body,
                       _conv1d_body, RNNBody, TfmBody, TabBody, _bn_head)


def _bars(n, seed, noise=0.3):
    "Synthetic images (n, 1, 8, 8): a bar of 5 pixels in one of four orientations (the class) at a random place, in uniform noise"
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 1, 8, 8, generator=g) * noise, torch.randint(0, 4, (n,), generator=g)
    r, c = torch.randint(0, 4, (n,), generator=g), torch.randint(0, 4, (n,), generator=g)
    for i in range(n):
        for k in range(5):
            dr, dc = ((0, k), (k, 0), (k, k), (k, 4 - k))[int(y[i])]
            x[i, 0, r[i] + dr, c[i] + dc] = 1.0
    return x, y


def _energy_seqs(n, seed, T=20):
    "Gaussian sequences (n, T, 4), each channel scaled by its own factor in [0.6, 1.4]"
    x = _seqs(n, seed, T)
    return x * (0.6 + 0.8 * torch.rand(n, 1, 4, generator=torch.Generator().manual_seed(seed + 1000)))


def _energy(x): return (x ** 2).sum(1)


def _data(name):
    "As `unfreeze._data`: (pretraining X, y), (fine-tuning X, y), body, body width, head, opt_func, pretraining epochs and lr, batch size"
    adamw = partial(Adam, wd=0.01, decouple_wd=True)
    if name == 'cnn_bars':  # bars, which of four orientations -> the ten digits (rows B): transfers well
        x, y, a, b = _digits_rows()
        return _bars(2000, 312), (x[b], y[b]), _cnn_body, 64, lambda n: create_head(64, n), Adam, 5, 1e-2, 64
    if name == 'mlp_permuted':  # the ten digits (rows A) -> the ten digits, pixels in a fixed random order (rows B): must adapt
        x, y, a, b = _digits_rows()
        x, perm = x.view(len(x), -1), torch.randperm(64, generator=torch.Generator().manual_seed(321))
        return (x[a], y[a]), (x[b][:, perm], y[b]), _mlp_body, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name == 'conv1d_longer':  # eight shapes, 64 steps -> the four new shapes, 96 steps, more noise: transfers well
        pre = _shapes(2000, torch.cat([OLD_SHAPES, NEW_SHAPES]), 0.8, 411)
        tgt = _shapes(1200, NEW_SHAPES, 0.9, 412, T=96)
        return pre, tgt, _conv1d_body, 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('lstm_energy', 'gru_recent'):
        xp, xt = _energy_seqs(2000, 521), _energy_seqs(1200, 522)
        pre, e = (xp, _energy(xp).argmax(1)), _energy(xt)  # which channel holds the most energy
        if name == 'lstm_energy': tgt = (xt, (e[:, :2].sum(1) > e[:, 2:].sum(1)).long())  # channels 0 and 1 together more than 2 and 3: transfers well
        else: tgt = (xt, (xt[:, -5:, 2].sum(1) > 0).long())  # the sign of channel 2's sum over the last five steps: must adapt
        cell = nn.LSTM if name == 'lstm_energy' else nn.GRU
        return pre, tgt, partial(RNNBody, cell), 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name == 'tfm_order_count':  # token 1 before token 2 -> more 4s than 5s (other sequences): must adapt
        (xp, pp), (xt, _) = _tokens(2000, 611), _tokens(1200, 612)
        pre, tgt = (xp, (pp[:, 0] < pp[:, 1]).long()), (xt, ((xt == 4).sum(1) > (xt == 5).sum(1)).long())
        return pre, tgt, TfmBody, 32, lambda n: nn.Linear(32, n), adamw, 5, 3e-3, 64
    if name == 'tab_shift':  # a function of all nine columns -> the same function, continuous columns scaled and moved: transfers well
        uses = ('c0', 'c1', 'c2', 'x0', 'x1', 'x2', 'x3', 'x4', 'x5')
        xp, xt = _table(2000, 721), _table(1200, 723)
        xt[:, 3:] = xt[:, 3:] * 1.5 + 0.5
        return (xp, _table_target(xp, uses, 722)), (xt, _table_target(xt, uses, 722)), TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name == 'tab_thresholds':  # x0 + x1 in three bins -> (x2 > 0) + (x3 > x4), three classes: must adapt
        xp, xt = _table(2000, 731), _table(1200, 733)
        s = xp[:, 3] + xp[:, 4]
        pre, tgt = (xp, (s > -0.8).long() + (s > 0.8).long()), (xt, (xt[:, 5] > 0).long() + (xt[:, 6] > xt[:, 7]).long())
        return pre, tgt, TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    raise ValueError(name)


KINDS = ('cnn_bars', 'mlp_permuted', 'conv1d_longer', 'lstm_energy', 'gru_recent', 'tfm_order_count', 'tab_shift', 'tab_thresholds')
