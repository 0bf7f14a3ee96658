"""Builders of the after-training group: learners trained before the range test (`fine_tune`'s first stage then
`unfreeze()`, under-trained models trained further, models trained to a plateau). Each is trained once (seed 0) and its model
and optimizer state cached (`common._after`), so that every seed starts from the same trained state (the user's one model);
the seeds differ in the order of the batches and in dropout downstream."""
from fastai.metrics import accuracy
from fastai.torch_core import set_seed

from .common import _split, _fine_tune_first_stage, one_cycle, unfreeze, trained
from .small import transfer_digits_cnn, digits_cnn, seq_gru, cancer_mlp, _synthetic_frame


def _tabular_learner(seed):
    from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, Normalize, CategoryBlock
    df = _synthetic_frame(False)
    valid = _split(df, None, seed)[1].tolist()
    set_seed(seed)
    dls = TabularDataLoaders.from_df(df, procs=[Categorify, Normalize], cat_names=['c0', 'c1'], cont_names=[f'x{i}' for i in range(2, 12)],
                                     y_names='y', y_block=CategoryBlock(), valid_idx=valid, bs=64, device='cpu', num_workers=0)
    set_seed(seed)
    return tabular_learner(dls, n_out=3, metrics=accuracy)


# name, the learner, what it was trained with first (once, seed 0, cached), then (after the cached state is loaded)
unfreeze_cnn = trained('unfreeze_cnn', transfer_digits_cnn, _fine_tune_first_stage, then=unfreeze, doc=(
    "fastbook's second lr_find: fine_tune's first stage (frozen body, one epoch at 2e-3, pct_start 0.99) on the "
    "transfer_digits_cnn learner, then `unfreeze()`; Adam state of the first stage kept"))
continued = trained('continued', digits_cnn, one_cycle(1, 1e-3), doc=(
    "An under-trained digits CNN (the library's, no BatchNorm): one epoch of fit_one_cycle at 1e-3, then trained further; Adam state kept"))
converged = trained('converged', _tabular_learner, one_cycle(12, 1e-2), doc=(
    "tabular_synth's learner (fastai tabular_learner) trained to a plateau (fit_one_cycle(12, 1e-2): over its last four epochs the "
    "validation accuracy stays at 0.91-0.92 and the validation loss no longer falls), then more epochs; Adam state kept"))
gru_continued = trained('gru_continued', seq_gru, one_cycle(2, 1e-2), doc=(
    "seq_gru's GRU trained two epochs (fit_one_cycle(2, 1e-2)), then the rate for three more; Adam state kept"))
converged_digits = trained('converged_digits', digits_cnn, one_cycle(8, 1e-2), doc=(
    "The library's digits CNN trained to a plateau (fit_one_cycle(8, 1e-2)), then more epochs; Adam state kept"))
converged_cancer = trained('converged_cancer', cancer_mlp, one_cycle(20, 3e-3), doc=(
    "cancer_mlp's MLP trained long (fit_one_cycle(20, 3e-3)), then more epochs; Adam state kept"))
gru_trained = trained('gru_trained', seq_gru, one_cycle(4, 1e-2), doc=(
    "seq_gru's GRU trained four epochs (fit_one_cycle(4, 1e-2)), then more; Adam state kept"))
