"""Builders of the unfreeze family's fourth fresh held-out set (`--set unfreeze-fresh4`): new kinds, written and committed
before any grid or range test ran on them, to judge the advice the library gives after `unfreeze()` once more, as a whole
(the first twelve kinds and the three fresh sets' twenty-four have all been seen).

The machinery is `unfreeze.py`'s (bodies, heads, the frozen learner, fine_tune's first stage, caches); only the data pairs
are new: no pair of pretraining and fine-tuning data is one of the first thirty-six kinds'. Pretraining and fine-tuning
data are disjoint draws (other rows, or another generator seed; seeds no earlier kind uses). Eight kinds, one or two per
family of body; four whose body transfers well and four that must adapt, first stages of 1 and 3 epochs (four each):

- cnn_digits_parity (CNN with BatchNorm): the ten digits (rows A) -> odd or even, rows B: transfers well;
- cnn_bars_digits (CNN with BatchNorm): bars, which of four orientations (another draw) -> the ten digits: must adapt;
- mlp_digits_blurred (MLP with BatchNorm): the ten digits (rows A) -> the ten digits of rows B blurred (3x3 mean): transfers well;
- conv1d_negated (1-d CNN with BatchNorm): which of the four old shapes -> which of them, upside down (other draws): must adapt;
- gru_least_energy (GRU encoder): the channel of most energy -> the channel of least energy (other sequences): transfers well;
- lstm_last_three (LSTM encoder): the sign of channel 3's sum -> the sign of channel 0 over the last three steps (other
  sequences): must adapt;
- tfm_first_last (transformer encoder): which of tokens 1, 2, 3 is most frequent -> is the first token above the last
  (other sequences): must adapt;
- tab_subset (tabular embeddings + MLP): a function of c1, c2, x3, x4, x5 -> another function of c1, x3, x4 (other rows):
  transfers well.

"Transfers well" / "must adapt" is checked at the fixed rate of the fresh set's check (no grid, no range test):
`benchmarks/unfreeze_fresh_check.py --kinds fresh4`, figures and the candidates dropped in
`benchmarks/results/unfreeze_fresh4_check.md`.
"""
import torch
from torch import nn
import torch.nn.functional as F

from fastai.optimizer import Adam
from fastai.vision.learner import create_head

from .unfreeze import (_digits_rows, _shapes, OLD_SHAPES, _seqs, _tokens, _majority, _table, _table_target, _cnn_body, _mlp_body,
                       _conv1d_body, RNNBody, TfmBody, TabBody, _bn_head)
from .unfreeze_fresh import _bars
from functools import partial


def _data(name):
    "As `unfreeze._data`: (pretraining X, y), (fine-tuning X, y), body, body width, head, opt_func, pretraining epochs and lr, batch size"
    adamw = partial(Adam, wd=0.01, decouple_wd=True)
    cnn = (_cnn_body, 64, lambda n: create_head(64, n), Adam, 5, 1e-2, 64)
    if name == 'cnn_digits_parity':  # the ten digits (rows A) -> odd or even (rows B): transfers well
        x, y, a, b = _digits_rows()
        return (x[a], y[a]), (x[b], y[b] % 2), *cnn
    if name == 'cnn_bars_digits':  # bars, which of four orientations -> the ten digits: must adapt
        x, y, _, b = _digits_rows()
        return _bars(2000, 361), (x[b], y[b]), *cnn
    if name in ('mlp_digits_blurred', 'mlp_digits_left'):
        x, y, a, b = _digits_rows()
        if name == 'mlp_digits_blurred':  # the ten digits (rows A) -> the ten digits of rows B blurred (dropped: between)
            tgt = F.avg_pool2d(x[b], 3, stride=1, padding=1, count_include_pad=False)
        else:  # the ten digits (rows A) -> the ten digits of rows B moved two pixels left: must adapt
            tgt = torch.zeros_like(x[b]); tgt[..., :-2] = x[b][..., 2:]
        return (x[a].flatten(1), y[a]), (tgt.flatten(1), y[b]), _mlp_body, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    if name == 'conv1d_negated':  # which of the four old shapes -> which of them upside down: must adapt
        return _shapes(2000, OLD_SHAPES, 0.8, 431), _shapes(1200, -OLD_SHAPES, 0.8, 432), _conv1d_body, 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('gru_least_energy', 'gru_energy_pair', 'lstm_last_three'):
        xp, xt = _seqs(2000, 551), _seqs(1200, 552)
        if name == 'gru_least_energy':  # the channel of most energy -> the channel of least (dropped: neither learns it)
            pre, tgt = (xp, (xp ** 2).sum(1).argmax(1)), (xt, (xt ** 2).sum(1).argmin(1))
        elif name == 'gru_energy_pair':  # the channel of most energy -> channel 0's energy above channel 1's: transfers well
            e = (xt ** 2).sum(1); pre, tgt = (xp, (xp ** 2).sum(1).argmax(1)), (xt, (e[:, 0] > e[:, 1]).long())
        else:  # the sign of channel 3's sum -> the sign of channel 0 over the last three steps: must adapt
            pre, tgt = (xp, (xp[:, :, 3].sum(1) > 0).long()), (xt, (xt[:, -3:, 0].sum(1) > 0).long())
        cell = nn.LSTM if name == 'lstm_last_three' else nn.GRU
        return pre, tgt, partial(RNNBody, cell), 32, lambda n: nn.Linear(32, n), Adam, 4, 1e-2, 64
    if name in ('tfm_first_last', 'tfm_twos_threes'):
        (xp, _), (xt, _) = _tokens(2000, 651), _tokens(1200, 652)
        if name == 'tfm_first_last': tgt = (xt[:, 0] > xt[:, -1]).long()  # the first token above the last (dropped: neither learns it)
        else: tgt = ((xt == 2).sum(1) > (xt == 3).sum(1)).long()  # more 2s than 3s: transfers well
        return (xp, _majority(xp)), (xt, tgt), TfmBody, 32, lambda n: nn.Linear(32, n), adamw, 5, 3e-3, 64
    if name == 'tab_subset':  # a function of c1, c2, x3, x4, x5 -> another function of c1, x3, x4 (other rows): transfers well
        xp, xt = _table(2000, 761), _table(1200, 763)
        pre, tgt = (xp, _table_target(xp, ('c1', 'c2', 'x3', 'x4', 'x5'), 762)), (xt, _table_target(xt, ('c1', 'x3', 'x4'), 764))
        return pre, tgt, TabBody, 64, lambda n: _bn_head(64, n), Adam, 5, 1e-2, 64
    raise ValueError(name)


KINDS = ('cnn_digits_parity', 'cnn_bars_digits', 'mlp_digits_left', 'conv1d_negated', 'gru_energy_pair', 'lstm_last_three', 'tfm_twos_threes',
         'tab_subset')
DROPPED = ('mlp_digits_blurred', 'gru_least_energy', 'tfm_first_last')  # candidates the check turned down (results/unfreeze_fresh4_check.md)
