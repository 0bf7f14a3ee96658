"""Every task of the benchmark, declared as data: a builder (`builders/`), epochs, the oracle grid, the metric, how it
trains downstream (`slice_ratio`, `fit_kw`), its group and family. The split into tuning and held-out is in `split.py`.

Epochs and grids were set from the oracle grid alone (the best rate inside the grid, a training of a few seconds), never
from range-test curves or suggestions.

- FIRST_SET: the tasks split by the recorded coin flips (`split.PAIRS`); the first held-out set has since been read, so
  all of them count as tuning now (`--set tuning`); `--set first-split` gives them with the coins' split.
- ADDED_TUNING: three after-training tasks added as tuning tasks after the first held-out verdict.
- FRESH: the fresh held-out set (`--set heldout`), nine kinds, three per group, all held out, written and committed
  before any range test ran on them.
"""
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
