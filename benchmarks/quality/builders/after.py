"""Builders of the after-training group: learners trained before the range test (`fine_tune`'s first stage then
`unfreeze()`, under-trained models trained further, models trained to a plateau). Each is trained once (seed 0) and its model
and optimizer state cached (`common._after`), so that every seed starts from the same trained state (the user's one model);
the seeds differ in the order of the batches and in dropout downstream."""
from fastai.metrics import accuracy
from fastai.torch_core import set_seed

from .common import _split, _after, _fine_tune_first_stage
from .small import transfer_digits_cnn, digits_cnn, seq_gru, cancer_mlp, _synthetic_frame


def unfreeze_cnn(seed):
    """fastbook's second lr_find: fine_tune's first stage (frozen body, one epoch at 2e-3, pct_start 0.99) on the
    transfer_digits_cnn learner, then `unfreeze()`; Adam state of the first stage kept"""
    return _after('unfreeze_cnn', transfer_digits_cnn, _fine_tune_first_stage, seed, then=lambda l: l.unfreeze())


def continued(seed):
    "An under-trained digits CNN (the library's, no BatchNorm): one epoch of fit_one_cycle at 1e-3, then trained further; Adam state kept"
    return _after('continued', digits_cnn, lambda l: l.fit_one_cycle(1, 1e-3), seed)


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


def gru_continued(seed):
    "seq_gru's GRU trained two epochs (fit_one_cycle(2, 1e-2)), then the rate for three more; Adam state kept"
    return _after('gru_continued', seq_gru, lambda l: l.fit_one_cycle(2, 1e-2), seed)


def converged_digits(seed):
    "The library's digits CNN trained to a plateau (fit_one_cycle(8, 1e-2)), then more epochs; Adam state kept"
    return _after('converged_digits', digits_cnn, lambda l: l.fit_one_cycle(8, 1e-2), seed)


def converged_cancer(seed):
    "cancer_mlp's MLP trained long (fit_one_cycle(20, 3e-3)), then more epochs; Adam state kept"
    return _after('converged_cancer', cancer_mlp, lambda l: l.fit_one_cycle(20, 3e-3), seed)


def gru_trained(seed):
    "seq_gru's GRU trained four epochs (fit_one_cycle(4, 1e-2)), then more; Adam state kept"
    return _after('gru_trained', seq_gru, lambda l: l.fit_one_cycle(4, 1e-2), seed)
