"""Builders of the unfreeze family's third fresh held-out set (`--set unfreeze-fresh3`): new kinds, written and committed
before any grid or range test ran on them, to judge the next rule for the family once (the first twelve kinds, the fresh
set's eight and the second fresh set's eight have all been seen).

The machinery is `unfreeze.py`'s (bodies, heads, the frozen learner, fine_tune's first stage, caches); only the data pairs
are new: no pair of pretraining and fine-tuning data is one of the first twenty-eight kinds'. Pretraining and fine-tuning
data are disjoint draws (other rows, or another generator seed; seeds no earlier kind uses). Eight kinds, one or two per
family of body; four whose body transfers well and four that must adapt, first stages of 1 and 3 epochs (four each):

- cnn_digits_shifted (CNN with BatchNorm): the ten digits (rows A) -> the ten digits of rows B moved one pixel right and
  one down: transfers well;
- cnn_bars_updown (CNN with BatchNorm): bars, which of four orientations (another draw) -> is a random 8x8 image
  mirror-symmetric top to bottom: must adapt;
- mlp_upside_down (MLP with BatchNorm): the ten digits (rows A) -> the ten digits of rows B upside down: must adapt;
- conv1d_pairs (1-d CNN with BatchNorm): which of the four old shapes -> which pair of them (0-1 or 2-3), signals of 80
  steps (other draws): transfers well;
- gru_pair_above (GRU encoder): the sum of channels 0 and 1 in three bins -> is that sum above 1.5 (other sequences):
  transfers well;
- lstm_last_gap (LSTM encoder): the sign of the sum of channels 0 and 1 -> is channel 2 above channel 3 at the last step
  (other sequences): must adapt;
- tfm_majority_share (transformer encoder): which of tokens 4, 5, 6 is most frequent -> are there more 5s and 6s together
  than twice the 4s (other sequences): transfers well;
- tab_cats_conts (tabular embeddings + MLP): a function of the three categorical columns -> a function of three continuous
  columns (x0, x1, x2; other rows): must adapt.

"Transfers well" / "must adapt" is checked at the fixed rate of the fresh set's check (no grid, no range test):
`benchmarks/unfreeze_fresh_check.py --kinds fresh3`, figures and the candidates dropped in
`benchmarks/results/unfreeze_fresh3_check.md`.
"""
from functools import partial

import torch
from torch import nn

from fastai.optimizer import Adam
from fastai.vision.learner import create_head

from .unfreeze import (_digits_rows, _shapes, OLD_SHAPES, _seqs, _tokens, _table, _table_target, _cnn_body, _mlp_body, _conv1d_body,
                       RNNBody, TfmBody, TabBody, _bn_head)
from .unfreeze_fresh import _bars


def _updown(n, seed):
    "Uniform random images (n, 1, 8, 8); in half of them (class 1) the bottom half is the top half mirrored"
    g = torch.Generator().manual_seed(seed)
    y, x = torch.randint(0, 2, (n,), generator=g), torch.rand(n, 1, 8, 8, generator=g)
    return torch.where(y.view(n, 1, 1, 1).bool(), torch.cat([x[..., :4, :], x[..., :4, :].flip(-2)], -2), x), y


def _data(name):
    "As `unfreeze._data`: (pretraining X, y), (fine-tuning X, y), body, body width, head, opt_func, pretraining epochs and lr, batch size"
    adamw = partial(Adam, wd=0.01, decouple_wd=True)
    cnn = (_cnn_body, 64, lambda n: create_head(64, n), Adam, 5, 1e-2, 64)
    if name == 'cnn_digits_shifted':  # the ten digits (rows A) -> the ten digits of rows B moved one pixel: transfers well
        x, y, a, b = _digits_rows()
        moved = torch.zeros_like(x[b]); moved[..., 1:, 1:] = x[b][..., :-1, :-1]
        return (x[a], y[a]), (moved, y[b]), *cnn
    if name == 'cnn_bars_updown':  # bars, which of four orientations -> mirror-symmetric top to bottom or not: must adapt
        return _bars(2000, 351), _updown(1200, 352), *cnn
    if name == 'mlp_upside_down':  # the ten digits (rows A) -> the ten digits of rows B upside down: must adapt
        x, y, a, b = _digits_rows()
        return (x[a].flatten(1), y[a]), (x[b].flip(-2).flatten(1), y[b]), _mlp_body, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name == 'conv1d_pairs':  # which of the four old shapes -> which pair of them, 80 steps (other draws): transfers well
        (xt, yt) = _shapes(1200, OLD_SHAPES, 0.9, 422, T=80)
        return _shapes(2000, OLD_SHAPES, 0.8, 421), (xt, yt // 2), _conv1d_body, 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('gru_pair_above', 'lstm_last_gap'):
        xp, xt = _seqs(2000, 541), _seqs(1200, 542)
        s = xp[:, :, :2].sum((1, 2))  # channels 0 and 1 summed
        if name == 'gru_pair_above':  # that sum in three bins -> that sum above 1.5: transfers well
            pre, tgt = (xp, (s > -2.5).long() + (s > 2.5).long()), (xt, (xt[:, :, :2].sum((1, 2)) > 1.5).long())
        else:  # the sign of that sum -> channel 2 above channel 3 at the last step: must adapt
            pre, tgt = (xp, (s > 0).long()), (xt, (xt[:, -1, 2] > xt[:, -1, 3]).long())
        cell = nn.GRU if name == 'gru_pair_above' else nn.LSTM
        return pre, tgt, partial(RNNBody, cell), 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name == 'tfm_majority_share':  # which of tokens 4, 5, 6 is most frequent -> 5s and 6s more than twice the 4s: transfers well
        (xp, _), (xt, _) = _tokens(2000, 641), _tokens(1200, 642)
        pre = (xp, torch.stack([(xp == k).sum(1) for k in (4, 5, 6)], 1).argmax(1))
        tgt = (xt, ((xt == 5).sum(1) + (xt == 6).sum(1) > 2 * (xt == 4).sum(1)).long())
        return pre, tgt, TfmBody, 32, lambda n: nn.Linear(32, n), adamw, 5, 3e-3, 64
    if name == 'tab_cats_conts':  # a function of the categorical columns -> a function of x0, x1, x2 (other rows): must adapt
        xp, xt = _table(2000, 751), _table(1200, 753)
        pre, tgt = (xp, _table_target(xp, ('c0', 'c1', 'c2'), 752)), (xt, _table_target(xt, ('x0', 'x1', 'x2'), 754))
        return pre, tgt, TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    raise ValueError(name)


KINDS = ('cnn_digits_shifted', 'cnn_bars_updown', 'mlp_upside_down', 'conv1d_pairs', 'gru_pair_above', 'lstm_last_gap', 'tfm_majority_share',
         'tab_cats_conts')
