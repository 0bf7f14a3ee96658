"""Builders of the unfreeze family's second fresh held-out set (`--set unfreeze-fresh2`): new kinds, written and committed
before any grid or range test ran on them, to judge the next rule for the family once (the first twelve kinds and the
fresh set's eight have both been seen).

The machinery is `unfreeze.py`'s (bodies, heads, the frozen learner, fine_tune's first stage, caches); only the data pairs
are new: no pair of pretraining and fine-tuning data is one of the first twenty kinds'. Pretraining and fine-tuning data
are disjoint draws (other rows, or another generator seed; seeds no earlier kind uses). Eight kinds, one to three per
family of body; four whose body transfers well and four that must adapt, first stages of 1 and 3 epochs (four each):

- cnn_digits_noisy (CNN with BatchNorm): the ten digits (rows A) -> the ten digits of rows B in Gaussian noise (std 0.2,
  clipped to [0, 1]): transfers well;
- cnn_levels_mirror (CNN with BatchNorm): which of four brightness levels (pixels: the level plus uniform noise, the
  layout carries nothing) -> is a random 8x8 image mirror-symmetric left to right: must adapt;
- cnn_levels_stripes (CNN with BatchNorm): the same kind of pretraining (another draw, less noise) -> horizontal stripes,
  vertical stripes, a checkerboard or none, at low contrast in noise, every class of the same mean brightness: must adapt;
- mlp_contrast (MLP with BatchNorm): the ten digits (rows A) -> the ten digits of rows B at half the contrast
  (x / 2 + 1/4): transfers well;
- lstm_sums (LSTM encoder): which of four channels has the largest sum -> is channel 1's sum above channel 2's (other
  sequences): transfers well;
- gru_last_step (GRU encoder): the same pretraining -> is channel 0 above channel 1 at the last step: must adapt;
- tfm_place_count (transformer encoder): is token 1 in the first half of the sequence -> more 6s than 9s (other
  sequences): must adapt;
- tab_coarse (tabular embeddings + MLP): a function of all nine columns as four classes -> the same function on other
  rows, classes 0-1 against 2-3: transfers well.

"Transfers well" / "must adapt" is checked at the fixed rate of the fresh set's check (no grid, no range test):
`benchmarks/unfreeze_fresh_check.py --kinds fresh2`, figures and the candidates dropped in
`benchmarks/results/unfreeze_fresh2_check.md`.
"""
from functools import partial

import torch
from torch import nn

from fastai.optimizer import Adam
from fastai.vision.learner import create_head

from .unfreeze import (_digits_rows, _seqs, _tokens, _table, _table_target, _cnn_body, _mlp_body, RNNBody, TfmBody, TabBody, _bn_head)


def _levels(n, seed, noise):
    "Images (n, 1, 8, 8) whose pixels are one of four brightness levels (0.2, 0.4, 0.6, 0.8: the class) plus uniform noise of width `noise`"
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    return (0.2 + 0.2 * y.float()).view(n, 1, 1, 1) + (torch.rand(n, 1, 8, 8, generator=g) - 0.5) * noise, y


def _mirror(n, seed):
    "Uniform random images (n, 1, 8, 8); in half of them (class 1) the right half is the left half mirrored"
    g = torch.Generator().manual_seed(seed)
    y, x = torch.randint(0, 2, (n,), generator=g), torch.rand(n, 1, 8, 8, generator=g)
    return torch.where(y.view(n, 1, 1, 1).bool(), torch.cat([x[..., :4], x[..., :4].flip(-1)], -1), x), y


def _stripes(n, seed, amp=0.15, noise=0.5):
    "Images (n, 1, 8, 8): horizontal stripes, vertical stripes, a checkerboard (period 2, random phase) or a flat 0.5 (the class), times `amp`, on a random background in uniform noise"
    g = torch.Generator().manual_seed(seed)
    y, ph = torch.randint(0, 4, (n,), generator=g), torch.randint(0, 2, (n,), generator=g)
    bg = 0.2 + 0.4 * torch.rand(n, generator=g)
    x = torch.rand(n, 1, 8, 8, generator=g) * noise + bg.view(n, 1, 1, 1)
    r, c = torch.arange(8).view(8, 1).expand(8, 8), torch.arange(8).view(1, 8).expand(8, 8)
    pats = torch.stack([torch.stack([(r + p) % 2, (c + p) % 2, (r + c + p) % 2]).float() for p in (0, 1)], 1)  # (3, 2, 8, 8)
    pats = torch.cat([pats, torch.full((1, 2, 8, 8), 0.5)])
    return x + amp * pats[y, ph].unsqueeze(1), y


def _data(name):
    "As `unfreeze._data`: (pretraining X, y), (fine-tuning X, y), body, body width, head, opt_func, pretraining epochs and lr, batch size"
    adamw = partial(Adam, wd=0.01, decouple_wd=True)
    cnn = (_cnn_body, 64, lambda n: create_head(64, n), Adam, 5, 1e-2, 64)
    if name == 'cnn_digits_noisy':  # the ten digits (rows A) -> the ten digits of rows B in noise: transfers well
        x, y, a, b = _digits_rows()
        noisy = (x[b] + 0.2 * torch.randn(x[b].shape, generator=torch.Generator().manual_seed(346))).clamp(0, 1)
        return (x[a], y[a]), (noisy, y[b]), *cnn
    if name == 'cnn_levels_mirror':  # which of four brightness levels -> mirror-symmetric or not: must adapt
        return _levels(2000, 347, 0.8), _mirror(1200, 344), *cnn
    if name == 'cnn_levels_stripes':  # which of four brightness levels -> stripes, checkerboard or none, the same mean: must adapt
        return _levels(2000, 341, 0.5), _stripes(1200, 342), *cnn
    if name == 'mlp_contrast':  # the ten digits (rows A) -> the ten digits of rows B at half the contrast: transfers well
        x, y, a, b = _digits_rows()
        x = x.view(len(x), -1)
        return (x[a], y[a]), (x[b] * 0.5 + 0.25, y[b]), _mlp_body, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name in ('lstm_sums', 'gru_last_step'):
        xp, xt = _seqs(2000, 531), _seqs(1200, 532)
        pre = (xp, xp.sum(1).argmax(1))  # which channel has the largest sum
        if name == 'lstm_sums': tgt = (xt, (xt[:, :, 1].sum(1) > xt[:, :, 2].sum(1)).long())  # channel 1's sum above channel 2's: transfers well
        else: tgt = (xt, (xt[:, -1, 0] > xt[:, -1, 1]).long())  # channel 0 above channel 1 at the last step: must adapt
        cell = nn.LSTM if name == 'lstm_sums' else nn.GRU
        return pre, tgt, partial(RNNBody, cell), 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name == 'tfm_place_count':  # token 1 in the first half -> more 6s than 9s (other sequences): must adapt
        (xp, pp), (xt, _) = _tokens(2000, 631), _tokens(1200, 632)
        pre, tgt = (xp, (pp[:, 0] < 6).long()), (xt, ((xt == 6).sum(1) > (xt == 9).sum(1)).long())
        return pre, tgt, TfmBody, 32, lambda n: nn.Linear(32, n), adamw, 5, 3e-3, 64
    if name == 'tab_coarse':  # a function of all nine columns, four classes -> the same function, classes 0-1 against 2-3: transfers well
        uses = ('c0', 'c1', 'c2', 'x0', 'x1', 'x2', 'x3', 'x4', 'x5')
        xp, xt = _table(2000, 741), _table(1200, 743)
        pre, tgt = (xp, _table_target(xp, uses, 742, 4)), (xt, (_table_target(xt, uses, 742, 4) >= 2).long())
        return pre, tgt, TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    raise ValueError(name)


KINDS = ('cnn_digits_noisy', 'cnn_levels_mirror', 'cnn_levels_stripes', 'mlp_contrast', 'lstm_sums', 'gru_last_step', 'tfm_place_count',
         'tab_coarse')
