"""Every task of the benchmark, declared as data: a builder (`builders/`), epochs, the oracle grid, the metric, how it
trains downstream (`slice_ratio`, `fit_kw`), its group and family. The split into tuning and held-out is in `split.py`.

Epochs and grids were set from the oracle grid alone (the best rate inside the grid, a training of a few seconds), never
from range-test curves or suggestions.

- FIRST_SET: the tasks split by the recorded coin flips (`split.PAIRS`); the first held-out set has since been read, so
  all of them count as tuning now (`--set tuning`); `--set first-split` gives them with the coins' split.
- ADDED_TUNING: three after-training tasks added as tuning tasks after the first held-out verdict.
- FRESH: the fresh held-out set (`--set heldout`), nine kinds, three per group, all held out, written and committed
  before any range test ran on them.
- UNFREEZE: the unfreeze family (issue 30, `--set unfreeze-tuning` / `unfreeze-heldout`): twelve kinds of pretrained body,
  three rows each (one rate, slice, fine_tune), split by coins (`split.UNFREEZE_PAIRS`).
- UNFREEZE_FRESH: the unfreeze family's fresh held-out set (`--set unfreeze-fresh`): eight new kinds, three rows each, all
  held out, written and committed before any grid or range test ran on them.
- UNFREEZE_FRESH2: the unfreeze family's second fresh held-out set (`--set unfreeze-fresh2`): eight more new kinds, five
  rows each (the three ways, and the slice and fine_tune ways at ratio 10), all held out, written and committed before
  any grid or range test ran on them.
- UNFREEZE_FRESH4: the unfreeze family's fourth fresh held-out set (`--set unfreeze-fresh4`): eight more new kinds, five
  rows each, to judge the advice after `unfreeze()` as a whole.
- UNFREEZE_FRESH3: the unfreeze family's third fresh held-out set (`--set unfreeze-fresh3`): eight more new kinds, five
  rows each as UNFREEZE_FRESH2's, all held out, written and committed before any grid or range test ran on them.
"""
from dataclasses import replace
from functools import partial

from .task import Task
from .builders.small import (digits_cnn, cancer_mlp, wine_bn, seq_gru, digits_sgd, cancer_bn_sgd, friedman_regression, tabular_synth,
                             tabular_regression, digits_bn_cnn, transfer_digits_mlp, transfer_digits_cnn, noisy_linear_tabular,
                             diabetes_tabular, collab_synth)
from .builders.late import (tfm_digits, tfm_order, tfm_tokens, xor_deep_tanh, memory_gru, tfm_reverse, deep_tanh_digits, adding_lstm)
from .builders.after import (unfreeze_cnn, continued, gru_continued, converged, converged_digits, converged_cancer, gru_trained)
from .builders.fresh import (digits_resblock, wine_mlp, conv1d_signals, tfm_sort, rings_deep_tanh, compare_gru, unfreeze_mlp,
                             continued_bn_cnn, converged_regression)


FIRST_SET = [  # held_out comes from the coin flips (split.py), not from these lines; in this order
    Task('digits_cnn', digits_cnn, 3, kind='images, small CNN, Adam'),
    Task('cancer_mlp', cancer_mlp, 5, kind='tabular MLP, Adam'),
    Task('wine_bn', wine_bn, 8, kind='tabular MLP with BatchNorm, Adam'),
    Task('seq_gru', seq_gru, 4, kind='synthetic sequences, GRU, Adam'),
    Task('digits_sgd', digits_sgd, 3, grid=(2 ** -12, 8.0), kind='digits MLP, SGD with momentum'),
    Task('cancer_bn_sgd', cancer_bn_sgd, 5, grid=(2 ** -12, 8.0), kind='tabular MLP with BatchNorm, SGD'),
    Task('friedman_regression', friedman_regression, 6, metric='mse', direction='min', kind='regression MLP, Adam'),
    # added after the first held-out verdict on loss_drop, before any of their results were seen: fastai's own models
    Task('tabular_synth', tabular_synth, 4, kind="fastai tabular_learner (embeddings, BatchNorm), 3 classes, Adam"),
    Task('tabular_regression', tabular_regression, 4, metric='mse', direction='min', kind='fastai tabular_learner, regression, Adam'),
    Task('digits_bn_cnn', digits_bn_cnn, 3, kind="CNN of fastai ConvLayers (BatchNorm) on digits, Adam"),
    # the kinds where range tests are known to mislead, two tasks each (first split by a coin of their own, random.Random(14))
    Task('tfm_digits', tfm_digits, 4, grid=(2 ** -14, 0.5), family='transformer', group='late_descent',
         kind='transformer encoder from scratch on digit rows, AdamW'),
    # added after the first results of the tuning tasks (tfm_digits's curves all showed a descent), as a tuning task: a transformer
    # whose loss sits at log(2) until it learns the order, with a cliff just above the best lr
    Task('tfm_order', tfm_order, 6, grid=(2 ** -14, 0.5), family='transformer', group='late_descent',
         kind='transformer encoder from scratch, which marker token comes first, AdamW'),
    Task('tfm_tokens', tfm_tokens, 2, grid=(2 ** -14, 0.5), family='transformer', group='late_descent',
         kind='transformer encoder from scratch on token sequences, torch AdamW'),
    Task('transfer_digits_mlp', transfer_digits_mlp, 4, grid=(2 ** -14, 4.0), family='transfer',
         kind='MLP body pretrained on digits 5-9, frozen, new head for 0-4, Adam'),
    Task('transfer_digits_cnn', transfer_digits_cnn, 3, grid=(2 ** -14, 4.0), family='transfer',
         kind='ConvLayer body pretrained on digits 0-4, frozen, create_head for 5-9, Adam'),
    Task('noisy_linear_tabular', noisy_linear_tabular, 4, metric='r2', grid=(2 ** -14, 4.0), floor=-1.0, family='flat_regression',
         kind='tabular_learner, noisy mostly-linear regression, raw target, R²'),
    Task('diabetes_tabular', diabetes_tabular, 8, metric='r2', grid=(2 ** -12, 4.0), floor=-1.0, family='flat_regression',
         kind='tabular_learner on sklearn diabetes, raw target (25-346), R²'),
    Task('xor_deep_tanh', xor_deep_tanh, 6, grid=(2 ** -14, 1.0), family='plateau', group='late_descent',
         kind='6-layer tanh MLP on an XOR of two features, Adam'),
    Task('memory_gru', memory_gru, 8, grid=(2 ** -12, 8.0), family='plateau', group='late_descent',
         kind='GRU carrying the first token over 30 steps, Adam'),
]


FIRST_SET += [  # added to the first set before its coins were drawn (epochs and grids from the oracle grid only)
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



ADDED_TUNING = [  # tuning by decision, not by a coin: built after the first held-out verdict, to choose what to do when two sweeps show no descent
    Task('converged_digits', converged_digits, 2, grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='digits CNN trained to a plateau, then more epochs, Adam state kept (added after v1, tuning)'),
    Task('converged_cancer', converged_cancer, 2, grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='breast-cancer MLP trained long, then more epochs, Adam state kept (added after v1, tuning)'),
    Task('gru_trained', gru_trained, 2, grid=(2 ** -16, 1.0), group='after_training', family='continued',
         kind="seq_gru's GRU trained four epochs, then more, Adam state kept (added after v1, tuning)"),
]


def _fresh(*args, **kw):
    "A held-out `Task` of the fresh set (its kind says so)"
    return Task(*args, held_out=True, **{**kw, 'kind': kw['kind'] + ' (fresh held-out)'})


FRESH = [  # all held out by decision, committed before any range test ran on them
    _fresh('digits_resblock', digits_resblock, 3, grid=(2 ** -16, 1.0), group='small', family='small',
         kind="fastai ResBlock CNN on digits, Adam"),
    _fresh('wine_mlp', wine_mlp, 8, grid=(2 ** -16, 1.0), group='small', family='small',
         kind='plain MLP on wine, Adam'),
    _fresh('conv1d_signals', conv1d_signals, 4, grid=(2 ** -16, 1.0), group='small', family='small',
         kind='1-d CNN (ConvLayer, BatchNorm) on noisy signals, Adam'),
    _fresh('tfm_sort', tfm_sort, 6, grid=(2 ** -14, 0.5), group='late_descent', family='transformer',
         kind='transformer encoder from scratch sorting a token sequence (a prediction per position), AdamW'),
    _fresh('rings_deep_tanh', rings_deep_tanh, 6, grid=(2 ** -14, 1.0), group='late_descent', family='plateau',
         kind='8-layer tanh MLP without normalization on concentric rings, Adam'),
    _fresh('compare_gru', compare_gru, 8, grid=(2 ** -14, 4.0), group='late_descent', family='plateau',
         kind='GRU comparing two marked values ~35 steps apart, Adam'),
    _fresh('unfreeze_mlp', unfreeze_mlp, 3, grid=(2 ** -16, 1.0), slice_ratio=100, group='after_training', family='unfreeze',
         kind="fine_tune's first stage on transfer_digits_mlp, then unfreeze(); downstream fit_one_cycle(epochs, lr_max=slice(lr/100, lr))"),
    _fresh('continued_bn_cnn', continued_bn_cnn, 3, grid=(2 ** -16, 1.0), group='after_training', family='continued',
         kind='BatchNorm digits CNN under-trained (one epoch at 3e-4), trained further, Adam state kept'),
    _fresh('converged_regression', converged_regression, 2, metric='mse', direction='min', grid=(2 ** -16, 1.0), group='after_training', family='converged',
         kind='fastai tabular_learner regression trained to a plateau, then two more epochs, Adam state kept'),
]


# ------------------------------------------------------------------ the unfreeze family (issue 30)
# Twelve kinds: (body, pretraining data, fine-tuning data, first-stage epochs), six families of body, one kind whose body
# transfers well and one whose body must adapt in each (builders/unfreeze.py says which data); within a family the two kinds
# have first stages of 1 and of 3 epochs (which one gets 1 alternates by family). Each kind is three rows, one per way of
# training downstream (the same pretrained body, the same head; `n` epochs each):
#   _one:   the learner after fine_tune's first stage (e epochs, slice(2e-3)), unfrozen; fit_one_cycle(n, lr)
#   _slice: the same learner; fit_one_cycle(n, slice(lr/100, lr))
#   _ft:    the frozen learner (pretrained body, new head, no first stage); fine_tune(n, base_lr=lr, freeze_epochs=e)
# Tuning or held-out: one coin per family (split.UNFREEZE_PAIRS), drawn before any range test ran on any of them.
BODY = {  # the unfreeze family's bodies (builders/unfreeze.py), as every set's kinds describe them
    'cnn': 'CNN with BatchNorm (3 fastai ConvLayers), create_head',
    'mlp': 'MLP with BatchNorm (2x64), BatchNorm-Dropout-Linear head',
    'lstm': 'LSTM encoder (32), linear head',
    'gru': 'GRU encoder (32), linear head',
    'tfm': 'transformer encoder (2 layers, width 32, mean-pooled), linear head, AdamW',
    'tab': 'tabular: embeddings (3 categorical columns) and an MLP with BatchNorm, BatchNorm-Dropout-Linear head',
    'conv1d': '1-d CNN with BatchNorm (3 ConvLayers, pooled), linear head',
}
UNFREEZE_KINDS = [  # kind, family of body, transfers well (True) or must adapt, first-stage epochs, what it is
    ('cnn_classes', BODY['cnn'], True, 1, 'digits 5-9 -> digits 0-4'),
    ('cnn_flipped', BODY['cnn'], False, 3,
     'upright digits, below 5 or not (rows A) -> the ten digits transposed and inverted (rows B)'),
    ('mlp_coarse', BODY['mlp'], True, 3, 'the ten digits (rows A) -> five pairs of digits (rows B)'),
    ('mlp_parity', BODY['mlp'], False, 1, 'odd or even (rows A) -> the ten digits (rows B)'),
    ('conv1d_noisier', BODY['conv1d'], True, 1, 'four shapes in noise 0.8 -> the same shapes in noise 1.1'),
    ('conv1d_shapes', BODY['conv1d'], False, 3, 'four shapes -> four other shapes'),
    ('gru_sum', BODY['gru'], True, 3, "sign of channel 0's sum -> channel 0's sum in three bins (other sequences)"),
    ('lstm_other', BODY['lstm'], False, 1, "sign of channel 0's sum -> sign of channel 1's sum minus channel 2's"),
    ('tfm_count', BODY['tfm'], True, 1,
     'which of tokens 1, 2, 3 is most frequent -> more 1s than 3s (other sequences)'),
    ('tfm_others', BODY['tfm'], False, 3,
     'which of tokens 1, 2, 3 is most frequent -> more 5s and 6s than 7s and 8s'),
    ('tab_related', BODY['tab'], True, 3,
     'a function of 2 categorical and 3 continuous columns -> another function of the same columns (other rows)'),
    ('tab_other', BODY['tab'], False, 1,
     'a function of 2 categorical and 3 continuous columns -> a function of the other columns'),
]
UNFREEZE_EPOCHS = 3  # n, downstream, every way
# The grids, from the oracle grids alone: on (2^-14, 2^-1) the slice and fine_tune rows of the tuning kinds had their best rate at
# the grid's top (0.5) on four of six kinds, the one-rate rows inside it (up to 0.125); so the slice and fine_tune rows' grids
# go to 2^4, the one-rate rows' to 2^1; on (2^-12, 2^4) one fine_tune row (tab_related's) still had its best rate at the top
# (16), so the slice and fine_tune rows' grids go to 2^6.
UNFREEZE_GRID = (2 ** -14, 2 ** 1)         # one rate
UNFREEZE_GRID_TOP = (2 ** -12, 2 ** 6)     # the top of a slice, fine_tune's base_lr


def kind_name(kind, first): return f'uf_{kind}_e{first}'


def _unfreeze_rows(kinds=UNFREEZE_KINDS, builders='unfreeze', note=''):
    "Three rows per kind (one rate, slice, fine_tune); `builders`: the module of `builders/` that builds the kinds' learners"
    import importlib
    from .builders.unfreeze import frozen as frozen_of, unfrozen as unfrozen_of
    data = importlib.import_module(f'.builders.{builders}', __package__)._data  # the machinery is unfreeze.py's; a set's module gives its data
    frozen, unfrozen = partial(frozen_of, data=data), partial(unfrozen_of, data=data)
    rows = []
    for kind, body, well, e, what in kinds:
        k, how = kind_name(kind, e), f"{body}; {what}; {'transfers well' if well else 'must adapt'}; first stage {e} epoch{'s' * (e > 1)}{note}"
        rows += [Task(f'{k}_one', unfrozen(kind, e), UNFREEZE_EPOCHS, family='uf_one', kind=f'{how}; unfreeze(), fit_one_cycle(n, lr)',
                      grid=UNFREEZE_GRID, group='unfreeze'),
                 Task(f'{k}_slice', unfrozen(kind, e), UNFREEZE_EPOCHS, slice_ratio=100, family='uf_slice',
                      kind=f'{how}; unfreeze(), fit_one_cycle(n, slice(lr/100, lr))', grid=UNFREEZE_GRID_TOP, group='unfreeze'),
                 Task(f'{k}_ft', frozen(kind), UNFREEZE_EPOCHS, protocol='fine_tune_n', fit_kw=dict(freeze_epochs=e), family='uf_ft',
                      kind=f'{how}; the frozen learner, fine_tune(n, base_lr=lr, freeze_epochs={e})', grid=UNFREEZE_GRID_TOP, group='unfreeze')]
    return rows


UNFREEZE = _unfreeze_rows()  # 36 rows, in the order of UNFREEZE_KINDS; held_out is set by the coins (split.py)


# ------------------------------------------------------------------ the unfreeze family's fresh held-out set
# The first twelve kinds' held-out half has been seen (the judgement of Transfer(slice_top=32, fine_tune=2)), so a new rule
# for the family is judged on new kinds: eight (builders/unfreeze_fresh.py), all held out (`--set unfreeze-fresh`), written
# and committed before any grid or range test ran on them. New data pairs (no body is pretrained on the data of a first
# kind's, or the pair is another); one or two per family of body, four that transfer well and four that must adapt (the
# check at one fixed rate: benchmarks/unfreeze_fresh_check.py, head alone against unfrozen, fit_one_cycle(5, 3e-3), the
# gap in accuracy given here), first stages of 1 and 3 epochs (four each). Rows, epochs, grids and protocols as UNFREEZE's
# (the grids were set from the first tuning rows alone; nothing here was tuned on these kinds).
UNFREEZE_FRESH_KINDS = [  # kind, family of body, transfers well (True) or must adapt, first-stage epochs, what it is
    ('cnn_bars', BODY['cnn'], True, 1,
     'synthetic 8x8 bars, which of four orientations -> the ten digits (rows B) (check: head alone 0.93 of unfrozen 0.97)'),
    ('mlp_permuted', BODY['mlp'], False, 3,
     'the ten digits (rows A) -> the ten digits of rows B, pixels in a fixed random order (check: 0.71 of 0.92)'),
    ('conv1d_longer', BODY['conv1d'], True, 1,
     'which of eight shapes, 64 steps -> which of the four new shapes, 96 steps, more noise (check: 0.69 of 0.75)'),
    ('lstm_energy', BODY['lstm'], True, 3,
     'which of four scaled channels holds the most energy -> channels 0 and 1 together more than 2 and 3 (check: 0.80 of 0.86)'),
    ('gru_recent', BODY['gru'], False, 1,
     "which of four scaled channels holds the most energy -> the sign of channel 2's sum over the last five steps (check: 0.72 of 0.84)"),
    ('tfm_order_count', BODY['tfm'], False, 3,
     'token 1 before token 2 -> more 4s than 5s (other sequences) (check: 0.77 of 1.00)'),
    ('tab_shift', BODY['tab'], True, 3,
     'a function of all nine columns -> the same function, continuous columns scaled by 1.5 and moved by 0.5 (other rows) (check: 0.85 of 0.87)'),
    ('tab_thresholds', BODY['tab'], False, 1,
     'x0 + x1 in three bins -> (x2 > 0) + (x3 > x4) (check: 0.51 of 0.72)'),
]
UNFREEZE_FRESH = [replace(t, held_out=True) for t in _unfreeze_rows(UNFREEZE_FRESH_KINDS, 'unfreeze_fresh', ' (fresh held-out)')]  # 24 rows


# ------------------------------------------------------------------ the unfreeze family's second fresh held-out set
# The fresh set has been seen too (the judgement of Transfer(slice_top=8, lr_mult=10, fine_tune=2)), so the next rule for
# the family is judged on eight more new kinds (builders/unfreeze_fresh2.py), all held out (`--set unfreeze-fresh2`),
# written and committed before any grid or range test ran on them. New data pairs (none is a pair of the first twenty
# kinds'); one to three per family of body, among them two CNNs with BatchNorm that must adapt (the fresh set had none);
# four that transfer well and four that must adapt (the fresh set's check at one fixed rate, `--kinds fresh2`, the gap in
# accuracy given here), first stages of 1 and 3 epochs (four each). Each kind's three rows as UNFREEZE's, and its slice and
# fine_tune rows again at ratio 10 (`<row>r10`: slice(lr/10, lr); `<row>m10`: fine_tune(..., lr_mult=10)), built as
# rules/unfreeze_ratio10_fresh_tasks.py builds the fresh set's, each with its own grid search.
UNFREEZE_FRESH2_KINDS = [  # kind, family of body, transfers well (True) or must adapt, first-stage epochs, what it is
    ('cnn_digits_noisy', BODY['cnn'], True, 1,
     'the ten digits (rows A) -> the ten digits of rows B in Gaussian noise (check: head alone 0.94 of unfrozen 0.96)'),
    ('cnn_levels_mirror', BODY['cnn'], False, 3,
     'which of four brightness levels (in noise) -> is a random image mirror-symmetric left to right (check: 0.69 of 0.88)'),
    ('cnn_levels_stripes', BODY['cnn'], False, 1,
     'which of four brightness levels (another draw) -> faint stripes, checkerboard or none, the same mean brightness (check: 0.32 of 0.66)'),
    ('mlp_contrast', BODY['mlp'], True, 3,
     'the ten digits (rows A) -> the ten digits of rows B at half the contrast (check: 0.95 of 0.97)'),
    ('lstm_sums', BODY['lstm'], True, 3,
     "which of four channels has the largest sum -> channel 1's sum above channel 2's (other sequences) (check: 0.84 of 0.90)"),
    ('gru_last_step', BODY['gru'], False, 1,
     'which of four channels has the largest sum -> channel 0 above channel 1 at the last step (check: 0.64 of 0.85)'),
    ('tfm_place_count', BODY['tfm'], False, 3,
     'token 1 in the first half of the sequence -> more 6s than 9s (other sequences) (check: 0.67 of 1.00)'),
    ('tab_coarse', BODY['tab'], True, 1,
     'a function of all nine columns, four classes -> the same function, classes 0-1 against 2-3 (other rows) (check: 0.85 of 0.86)'),
]


def _ratio10(rows):
    "Each `_slice` row at ratio 10 (`<row>r10`) and each `_ft` row with lr_mult=10 (`<row>m10`): the fresh sets' rows at ratio 10"
    return ([replace(t, name=f'{t.name}r10', slice_ratio=10) for t in rows if t.name.endswith('_slice')]
            + [replace(t, name=f'{t.name}m10', fit_kw={**t.fit_kw, 'lr_mult': 10}) for t in rows if t.name.endswith('_ft')])


_FRESH2 = [replace(t, held_out=True) for t in _unfreeze_rows(UNFREEZE_FRESH2_KINDS, 'unfreeze_fresh2', ' (second fresh held-out)')]
UNFREEZE_FRESH2 = _FRESH2 + _ratio10(_FRESH2)  # 40 rows: 24 in the order of the kinds, then 8 r10 and 8 m10


# ------------------------------------------------------------------ the unfreeze family's third fresh held-out set
# The second fresh set has been seen too (the judgement of the slice top read off the curve's fall share), so the next rule
# for the family is judged on eight more new kinds (builders/unfreeze_fresh3.py), all held out (`--set unfreeze-fresh3`),
# written and committed before any grid or range test ran on them. New data pairs (none is a pair of the first twenty-eight
# kinds'); one or two per family of body, among them two CNNs with BatchNorm (one transfers well, one must adapt) and a 1-d
# CNN; four that transfer well and four that must adapt (the fresh set's check at one fixed rate, `--kinds fresh3`, the gap
# in accuracy given here), first stages of 1 and 3 epochs (four each). Each kind's five rows as UNFREEZE_FRESH2's: the three
# ways, and the slice and fine_tune rows again at ratio 10 (`_ratio10`), each with its own grid search.
UNFREEZE_FRESH3_KINDS = [  # kind, family of body, transfers well (True) or must adapt, first-stage epochs, what it is
    ('cnn_digits_shifted', BODY['cnn'], True, 1,
     'the ten digits (rows A) -> the ten digits of rows B moved one pixel right and down (check: head alone 0.94 of unfrozen 0.97)'),
    ('cnn_bars_updown', BODY['cnn'], False, 3,
     'bars, which of four orientations (another draw) -> is a random image mirror-symmetric top to bottom (check: 0.76 of 0.93)'),
    ('mlp_upside_down', BODY['mlp'], False, 1,
     'the ten digits (rows A) -> the ten digits of rows B upside down (check: 0.77 of 0.94)'),
    ('conv1d_pairs', BODY['conv1d'], True, 3,
     'which of the four old shapes -> which pair of them (0-1 or 2-3), 80 steps, more noise (other draws) (check: 0.79 of 0.82)'),
    ('gru_pair_above', BODY['gru'], True, 1,
     'the sum of channels 0 and 1 in three bins -> that sum above 1.5 (other sequences) (check: 0.95 of 0.95)'),
    ('lstm_last_gap', BODY['lstm'], False, 3,
     'the sign of the sum of channels 0 and 1 -> channel 2 above channel 3 at the last step (other sequences) (check: 0.56 of 0.81)'),
    ('tfm_majority_share', BODY['tfm'], True, 3,
     'which of tokens 4, 5, 6 is most frequent -> more 5s and 6s together than twice the 4s (other sequences) (check: 0.98 of 1.00)'),
    ('tab_cats_conts', BODY['tab'], False, 1,
     'a function of the three categorical columns -> a function of x0, x1, x2 (other rows) (check: 0.48 of 0.82)'),
]
_FRESH3 = [replace(t, held_out=True) for t in _unfreeze_rows(UNFREEZE_FRESH3_KINDS, 'unfreeze_fresh3', ' (third fresh held-out)')]
UNFREEZE_FRESH3 = _FRESH3 + _ratio10(_FRESH3)  # 40 rows: 24 in the order of the kinds, then 8 r10 and 8 m10


# ------------------------------------------------------------------ the unfreeze family's fourth fresh held-out set
# The third fresh set has been seen too (the judgement of the unfrozen advice for one rate and the slice), so the advice the
# library gives after `unfreeze()`, as a whole (one rate, `as_slice`, `fine_tune_kwargs`), is judged once more on eight new
# kinds (builders/unfreeze_fresh4.py), all held out (`--set unfreeze-fresh4`), written and committed before any grid or range
# test ran on them. New data pairs (none is a pair of the first thirty-six kinds'); one or two per family of body, two CNNs
# with BatchNorm among those that transfer well; four that transfer well and four that must adapt (the fresh set's check at
# one fixed rate, `--kinds fresh4`, the gap in accuracy given here), first stages of 1 and 3 epochs (four each). Each kind's
# five rows as UNFREEZE_FRESH3's.
UNFREEZE_FRESH4_KINDS = [  # kind, family of body, transfers well (True) or must adapt, first-stage epochs, what it is
    ('cnn_digits_parity', BODY['cnn'], True, 1,
     'the ten digits (rows A) -> odd or even (rows B) (check: head alone 0.99 of unfrozen 0.99)'),
    ('cnn_bars_digits', BODY['cnn'], True, 3,
     'bars, which of four orientations (another draw) -> the ten digits (check: 0.93 of 0.97)'),
    ('mlp_digits_left', BODY['mlp'], False, 3,
     'the ten digits (rows A) -> the ten digits of rows B moved two pixels left (check: 0.63 of 0.93)'),
    ('conv1d_negated', BODY['conv1d'], False, 1,
     'which of the four old shapes -> which of them upside down (other draws) (check: 0.63 of 0.80)'),
    ('gru_energy_pair', BODY['gru'], True, 3,
     "the channel of most energy -> channel 0's energy above channel 1's (other sequences) (check: 0.72 of 0.71)"),
    ('lstm_last_three', BODY['lstm'], False, 3,
     "the sign of channel 3's sum -> the sign of channel 0 over the last three steps (other sequences) (check: 0.57 of 0.76)"),
    ('tfm_twos_threes', BODY['tfm'], True, 1,
     'which of tokens 1, 2, 3 is most frequent -> more 2s than 3s (other sequences) (check: 0.96 of 1.00)'),
    ('tab_subset', BODY['tab'], False, 1,
     'a function of c1, c2, x3, x4, x5 -> another function of c1, x3, x4 (other rows) (check: 0.57 of 0.81)'),
]
_FRESH4 = [replace(t, held_out=True) for t in _unfreeze_rows(UNFREEZE_FRESH4_KINDS, 'unfreeze_fresh4', ' (fourth fresh held-out)')]
UNFREEZE_FRESH4 = _FRESH4 + _ratio10(_FRESH4)  # 40 rows: 24 in the order of the kinds, then 8 r10 and 8 m10
