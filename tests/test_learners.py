"Real learners, used as in fastbook: lr_find -> fine_tune -> unfreeze -> lr_find -> fit_one_cycle(slice); and lr_find changes no later training."
import numpy as np
import pytest
import torch

from fastai.torch_core import set_seed

from conftest import make_synth, make_tabular, make_vision, capture, assert_same_state, opt_state, _same


def _weights(learn): return [p.detach().clone() for p in learn.model.parameters()] + [b.clone() for b in learn.model.buffers()]


def _fit_one_cycle_record(make, path, with_lr_find, seed=0):
    "Weights, optimizer state and recorded losses of fit_one_cycle(2), with or without an lr_find before it"
    learn = make(path)
    set_seed(seed)
    with learn.no_bar():
        if with_lr_find: learn.lr_find(show_plot=False, num_it=30)
        learn.fit_one_cycle(2, 1e-2)
    return _weights(learn), opt_state(learn.opt), [float(l) for l in learn.recorder.losses], learn.recorder.values


@pytest.mark.parametrize('make', [make_synth, make_tabular, make_vision], ids=['synth', 'tabular', 'vision'])
def test_lr_find_then_fit_is_bitwise_fit_alone(tmp_path, make):
    alone = _fit_one_cycle_record(make, tmp_path / 'a', with_lr_find=False)
    after = _fit_one_cycle_record(make, tmp_path / 'b', with_lr_find=True)
    _same(alone[0], after[0], 'weights')
    _same(alone[1], after[1], 'optimizer')
    assert alone[2] == after[2] and alone[3] == after[3]


def test_two_lr_finds_in_a_row_give_the_same_curve(tmp_path):
    learn = make_tabular(tmp_path)
    with learn.no_bar():
        learn.lr_find(show_plot=False); a = learn.lr_find_result
        learn.lr_find(show_plot=False); b = learn.lr_find_result
    assert np.array_equal(a.losses, b.losses) and np.array_equal(a.lrs, b.lrs) and a.suggestions == b.suggestions


def test_vision_seed_workflow(tmp_path):
    "The fastbook workflow on resnet18 (pretrained=False) with augmentation; each lr_find restores the learner bitwise"
    learn = make_vision(tmp_path)
    n_groups = len(learn.splitter(learn.model))  # fastai's resnet split: two body groups (frozen) and the head
    assert n_groups == 3
    before = capture(learn)
    with learn.no_bar(): lr_min, lr_steep = learn.lr_find(num_it=20)
    assert_same_state(before, capture(learn))
    res = learn.lr_find_result
    assert res.lrs.shape[1] == n_groups and 1e-7 <= lr_min <= 10 and 1e-7 <= lr_steep <= 10
    with learn.no_bar(): learn.fine_tune(1, base_lr=lr_min)
    losses_ft = list(learn.recorder.losses)
    learn.unfreeze()
    before = capture(learn)
    with learn.no_bar(): lr_min, lr_steep = learn.lr_find(num_it=20)
    assert_same_state(before, capture(learn))
    assert list(learn.recorder.losses) == losses_ft  # plot_loss still shows fine_tune's history
    with learn.no_bar(): learn.fit_one_cycle(1, lr_max=slice(1e-6, lr_min))
    assert np.isfinite(learn.recorder.values[-1]).all()
    import matplotlib.pyplot as plt
    plt.close('all')


def test_tabular_seed_workflow(tmp_path):
    learn = make_tabular(tmp_path)
    before = capture(learn)
    with learn.no_bar(): lr_min, lr_steep = learn.lr_find()
    assert_same_state(before, capture(learn))
    with learn.no_bar(): learn.fit_one_cycle(2, lr_max=lr_min)
    with learn.no_bar(): sug = learn.lr_find(show_plot=False)
    assert all(v is not None for v in sug)
    import matplotlib.pyplot as plt
    plt.close('all')
