"""Issue 22, phase A: new kinds for the quality benchmark (benchmarks/quality.py), and the coin flips that split every task,
old and new, into tuning and held-out.

Groups (issue 22, item 3): 'small' (small models from scratch, frozen-body transfer, flat regressions), 'late_descent'
(the loss sits on a plateau before it falls: transformers from scratch, deep tanh nets, RNNs on long-memory tasks),
'after_training' (learners that were trained before `lr_find`: `fine_tune`'s first stage then `unfreeze`, continued and
nearly converged training).

Nothing is downloaded: scikit-learn's bundled data, synthetic data, and bodies pretrained here (cached in benchmarks/cache/).
The learners of the after_training kinds are trained once (seed 0) and their model and optimizer state cached, so that
`make_learner(seed)` is cheap: every seed starts from the same trained state (the user's one model); the seeds differ in the
order of the batches and in dropout downstream.

Epochs and grids were set from the oracle grid only (the best lr inside the grid, a training of a few seconds), never from
range-test curves or suggestions.
"""
import random
from functools import partial

import torch
from torch import nn
from fastai.losses import MSELossFlat
from fastai.metrics import accuracy, mse
from fastai.optimizer import Adam
from fastai.torch_core import set_seed

from quality import (HERE, Task, tensor_dls, _learner, _digits_helpers, transfer_digits_cnn, digits_cnn, seq_gru, cancer_mlp,
                     _split, _synthetic_frame, SeqTransformer)


# ------------------------------------------------------------------ after training: the trained state, cached
def _after(name, build, first, seed, then=None):
    """`build(seed)` (a fresh Learner) carrying the model and optimizer state of `build(0)` after `first(learn)` (trained once,
    seed 0, cached in benchmarks/cache/after_{name}.pt); then `then(learn)` (e.g. `learn.unfreeze()`)"""
    f = HERE / 'cache' / f'after_{name}.pt'
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


_transfer_cnn_learner = transfer_digits_cnn  # the frozen-body learner of quality.py, with its cached pretrained body


def _fine_tune_first_stage(learn, freeze_epochs=1, base_lr=2e-3):
    "What `learn.fine_tune` does before it unfreezes (fastai 2.8: its defaults)"
    learn.freeze()
    learn.fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99)


def unfreeze_cnn(seed):
    """fastbook's second lr_find: fine_tune's first stage (frozen body, one epoch at 2e-3, pct_start 0.99) on the
    transfer_digits_cnn learner, then `unfreeze()`; Adam state of the first stage kept"""
    return _after('unfreeze_cnn', _transfer_cnn_learner, _fine_tune_first_stage, seed, then=lambda l: l.unfreeze())


_digits_cnn_learner = digits_cnn  # quality.py's digits CNN learner, trained before lr_find below


def continued(seed):
    "An under-trained digits CNN (the library's, no BatchNorm): one epoch of fit_one_cycle at 1e-3, then trained further; Adam state kept"
    return _after('continued', _digits_cnn_learner, lambda l: l.fit_one_cycle(1, 1e-3), seed)


def _tabular_learner(seed):
    from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, Normalize, CategoryBlock
    df = _synthetic_frame(False)
    valid = _split(df, None, seed)[1].tolist()
    set_seed(seed)
    dls = TabularDataLoaders.from_df(df, procs=[Categorify, Normalize], cat_names=['c0', 'c1'], cont_names=[f'x{i}' for i in range(2, 12)],
                                     y_names='y', y_block=CategoryBlock(), valid_idx=valid, bs=64, device='cpu', num_workers=0)
    set_seed(seed)
    return tabular_learner(dls, n_out=3, metrics=accuracy)


def converged(seed):
    """tabular_synth's learner (fastai tabular_learner) trained to a plateau (fit_one_cycle(12, 1e-2): over its last four
    epochs the validation accuracy stays at 0.91-0.92 and the validation loss no longer falls), then more epochs; Adam state kept"""
    return _after('converged', _tabular_learner, lambda l: l.fit_one_cycle(12, 1e-2), seed)


_seq_gru_learner = seq_gru  # quality.py's GRU learner, trained before lr_find below


def gru_continued(seed):
    "Issue 22's case: seq_gru's GRU trained two epochs (fit_one_cycle(2, 1e-2)), then the rate for three more; Adam state kept"
    return _after('gru_continued', _seq_gru_learner, lambda l: l.fit_one_cycle(2, 1e-2), seed)


# ------------------------------------------------------------------ late descent
class SeqTagger(SeqTransformer):
    "SeqTransformer with a prediction per position (no pooling): (batch, T, n_out)"
    def forward(self, x): return self.head(self.enc(self.emb(x.long() if self.tokens else x) + self.pos))


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


class RNNRegressor(nn.Module):
    def __init__(self, n_in=2, hidden=32, n_out=1, cell=nn.LSTM):
        super().__init__(); self.rnn, self.head = cell(n_in, hidden, batch_first=True), nn.Linear(hidden, n_out)
    def forward(self, x): return self.head(self.rnn(x)[0][:, -1])


def adding_lstm(seed):
    "LSTM (32 units, batches of 32) on the adding problem with T=50: the MSE sits near 1/6 (predicting the mean) until it finds the two markers"
    x, y = _adding_problem()
    dls = tensor_dls(x, y, 32, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, RNNRegressor(), seed, loss_func=MSELossFlat(), metrics=mse)


# ------------------------------------------------------------------ one more kind users bring
def _ratings(n_users=400, n_items=250, per_user=40, k=4):
    "MovieLens-like ratings: 3.5 + user bias + item bias + a k-factor dot product + noise, rounded and clipped to 1-5 stars"
    import pandas as pd
    g = torch.Generator().manual_seed(23)
    u, v = torch.randn(n_users, k, generator=g) * 0.5, torch.randn(n_items, k, generator=g) * 0.5
    bu, bi = torch.randn(n_users, generator=g) * 0.4, torch.randn(n_items, generator=g) * 0.6
    users = torch.arange(n_users).repeat_interleave(per_user)
    items = torch.stack([torch.randperm(n_items, generator=g)[:per_user] for _ in range(n_users)]).view(-1)
    r = 3.5 + bu[users] + bi[items] + (u[users] * v[items]).sum(1) + 0.5 * torch.randn(len(users), generator=g)
    return pd.DataFrame({'user': users.numpy(), 'item': items.numpy(), 'rating': r.round().clamp(1, 5).numpy().astype('float32')})


def collab_synth(seed):
    """fastai's collab_learner (EmbeddingDotBias, 50 factors, y_range (0, 5.5)) on synthetic MovieLens-like ratings, trained
    as fastbook chapter 8 trains it (fit_one_cycle with wd=0.1). Why this kind: recommendation is one of fastai's four
    applications, and it is unlike every other task here: the parameters are embeddings (sparse gradients per batch, most rows
    untouched by a step), the model is shallow, and the output goes through a sigmoid range, so the loss landscape and the
    range test's curve differ from those of the dense networks."""
    from fastai.collab import CollabDataLoaders, collab_learner
    set_seed(seed)  # the split is the same for every seed (RandomSplitter's own seed); the batch order follows `seed`
    dls = CollabDataLoaders.from_df(_ratings(), valid_pct=0.25, seed=1234, bs=64, device='cpu', num_workers=0)
    set_seed(seed)
    return collab_learner(dls, n_factors=50, y_range=(0, 5.5), metrics=mse)


# ------------------------------------------------------------------ added after the held-out verdict of the first procedure (v1)
# v1's held-out run showed trained models whose two sweeps both show no descent (recommended gave None); tuning had no such curve,
# so these three tuning tasks were built to choose what to do then (SweepAgain.fallback). Designed before any curve of them was seen;
# epochs and grids from their oracle grids only. They are tuning tasks by decision, not by a coin.
_cancer_mlp_learner = cancer_mlp  # quality.py's breast-cancer MLP learner, trained before lr_find below


def converged_digits(seed):
    "The library's digits CNN trained to a plateau (fit_one_cycle(8, 1e-2)), then more epochs; Adam state kept"
    return _after('converged_digits', _digits_cnn_learner, lambda l: l.fit_one_cycle(8, 1e-2), seed)


def converged_cancer(seed):
    "cancer_mlp's MLP trained long (fit_one_cycle(20, 3e-3)), then more epochs; Adam state kept"
    return _after('converged_cancer', _cancer_mlp_learner, lambda l: l.fit_one_cycle(20, 3e-3), seed)


def gru_trained(seed):
    "seq_gru's GRU trained four epochs (fit_one_cycle(4, 1e-2)), then more; Adam state kept"
    return _after('gru_trained', _seq_gru_learner, lambda l: l.fit_one_cycle(4, 1e-2), seed)


ADDED_TUNING = [
    Task('converged_digits', converged_digits, 2, grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='digits CNN trained to a plateau, then more epochs, Adam state kept (added after v1, tuning)'),
    Task('converged_cancer', converged_cancer, 2, grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='breast-cancer MLP trained long, then more epochs, Adam state kept (added after v1, tuning)'),
    Task('gru_trained', gru_trained, 2, grid=(2 ** -16, 1.0), group='after_training', family='continued',
         kind="seq_gru's GRU trained four epochs, then more, Adam state kept (added after v1, tuning)"),
]


# ------------------------------------------------------------------ the new tasks (epochs and grids from the oracle grid only)
NEW_TASKS = [
    # after training
    Task('unfreeze_one', unfreeze_cnn, 3, grid=(2 ** -16, 1.0), group='after_training', family='unfreeze',
         kind="fine_tune's first stage on transfer_digits_cnn, then unfreeze(); downstream fit_one_cycle(epochs, lr_max=lr), one rate for both parameter groups"),
    Task('unfreeze_slice', unfreeze_cnn, 3, grid=(2 ** -16, 1.0), slice_ratio=100, group='after_training', family='unfreeze',
         kind="fine_tune's first stage on transfer_digits_cnn, then unfreeze(); downstream fit_one_cycle(epochs, lr_max=slice(lr/100, lr))"),
    Task('continued', continued, 3, grid=(2 ** -16, 1.0), group='after_training', family='continued',
         kind='digits CNN under-trained (one epoch at 1e-3), trained further, Adam state kept'),
    Task('gru_continued', gru_continued, 3, grid=(2 ** -16, 1.0), group='after_training', family='continued',
         kind="seq_gru's GRU trained two epochs (1e-2), then three more, Adam state kept"),
    Task('converged', converged, 2, grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='fastai tabular_learner (tabular_synth) trained to a plateau, then two more epochs, Adam state kept'),
    # late descent
    Task('tfm_reverse', tfm_reverse, 6, grid=(2 ** -14, 0.5), group='late_descent', family='transformer',
         kind='transformer encoder from scratch reversing a token sequence (a prediction per position), AdamW'),
    Task('deep_tanh_digits', deep_tanh_digits, 16, grid=(2 ** -16, 0.5), group='late_descent', family='plateau',
         kind='10-layer tanh MLP without normalization on flattened digits, Adam'),
    Task('adding_lstm', adding_lstm, 12, metric='mse', direction='min', grid=(2 ** -14, 8.0), group='late_descent', family='plateau',
         kind='LSTM on the adding problem, T=50, MSE, Adam'),
    # one more kind users bring
    Task('collab_synth', collab_synth, 5, metric='mse', direction='min', grid=(2 ** -14, 1.0), fit_kw=dict(wd=0.1), group='small',
         family='collab', kind="fastai collab_learner (EmbeddingDotBias, y_range) on synthetic ratings, fit_one_cycle(epochs, lr, wd=0.1)"),
]


# ------------------------------------------------------------------ issue 22, item 2: tuning or held-out, by a recorded coin flip
COIN_SEED = 22
# Within each group, similar tasks in pairs; one coin per pair decides which of the two is held out (0: the first, 1: the
# second); a task without a pair gets its own coin (0: held out, 1: tuning). Drawn in this written order, groups then pairs.
PAIRS = {
    'small': [('digits_cnn', 'digits_bn_cnn'),                 # CNNs on digits
              ('cancer_mlp', 'wine_bn'),                       # small tabular MLPs, Adam
              ('digits_sgd', 'cancer_bn_sgd'),                 # MLPs with SGD
              ('friedman_regression', 'tabular_regression'),   # MSE regressions
              ('tabular_synth', 'collab_synth'),               # fastai application learners with embeddings
              ('transfer_digits_mlp', 'transfer_digits_cnn'),  # frozen pretrained body, new head
              ('noisy_linear_tabular', 'diabetes_tabular'),    # flat regressions (R²)
              ('seq_gru',)],
    'late_descent': [('tfm_digits', 'tfm_order'),              # transformers from scratch
                     ('tfm_tokens', 'tfm_reverse'),            # transformers from scratch on tokens
                     ('xor_deep_tanh', 'deep_tanh_digits'),    # deep tanh MLPs
                     ('memory_gru', 'adding_lstm')],           # RNNs on long-memory tasks
    'after_training': [('unfreeze_one', 'unfreeze_slice'),     # fine_tune's first stage, then unfreeze
                       ('continued', 'gru_continued'),         # under-trained models trained further
                       ('converged',)],
}


def coin_flips(seed=COIN_SEED, pairs=PAIRS):
    "The draws of `random.Random(seed)` in the written order: a list of {group, pair, coin, held_out}, one per pair"
    rng, out = random.Random(seed), []
    for group, ps in pairs.items():
        for p in ps:
            coin = rng.randrange(2)
            held = ([p[0]] if coin == 0 else []) if len(p) == 1 else [p[coin]]
            out.append(dict(group=group, pair=list(p), coin=coin, held_out=held))
    return out


def held_out_names(flips=None):
    return {n for f in (flips or coin_flips()) for n in f['held_out']}
