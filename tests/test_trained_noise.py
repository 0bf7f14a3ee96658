"""A trained learner, before and after `unfreeze`: no sweep the library starts stops on the noise of a near-zero loss, so the
range test gives a rate wherever its first sweep does (the README's recipe on a breast-cancer MLP with a body/head split)."""
import warnings

import pytest
from torch import nn

from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.torch_core import params, set_seed
from fastai_lrrange.core import NOISE_SDS
from fastai_lrrange.examples import tensor_dls
from fastai_lrrange.suggest import SUGGESTIONS


def cancer_mlp(seed):
    "The breast-cancer MLP of the README's recipe: a body and a head, two parameter groups"
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    set_seed(seed)
    dls = tensor_dls(X, y, bs=32, standardize=True, seed=seed, split_seed=seed)
    model = nn.Sequential(nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU()), nn.Linear(32, 2))
    return Learner(dls, model, loss_func=CrossEntropyLossFlat(), splitter=lambda m: [params(m[0]), params(m[1])])


def _range_test(learn):
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return learn.lr_range_test(show_plot=False, suggest_funcs=('valley', 'recommended'))


@pytest.mark.parametrize('seed', [0, 1])  # seed 0: the README recipe's second sweep stopped after 2 steps before
@pytest.mark.parametrize('state', ['frozen', 'unfrozen'])
def test_a_trained_learner_gets_a_rate_wherever_the_first_sweep_gives_one(seed, state):
    learn = cancer_mlp(seed)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(5, 1e-2); learn.freeze(); learn.fit_one_cycle(3, 1e-2)
    if state == 'unfrozen': learn.unfreeze()
    res = _range_test(learn)
    assert res.suggestions['valley'] is not None
    assert res.suggestions['recommended'] is not None, res.diagnostics
    for sw in res.sweeps:  # each sweep ran past its suggestion window's first points: none stopped on a noisy batch at once
        assert not sw.window.diverged_early and len(sw.losses) > sw.num_it // 2, (len(sw.losses), sw.num_it, sw.stop_reason)
    r, guess = res.suggestions['recommended'], 'recommended' in res.guesses  # a fallback's guess is passed on as read
    t = SUGGESTIONS['recommended'].transfer
    if state == 'frozen':  # what the README's recipe passes to fine_tune: the reading times its multiple, or, on a flat first sweep, a share of where it ends
        first = res.first_sweep
        flat = first.descent.share < t.flat_below
        want = first.last_group_lrs[first.window.stop - 1] * t.flat_fine_tune if flat else (1 if guess else t.fine_tune) * r
        assert res.fine_tune_kwargs('recommended')['base_lr'] == float(want)
    else:  # and the top of the slice after unfreeze(): the reading moved toward slide's, times its multiple (a guess: as read)
        own, other = res.readings.get('recommended', (r, r))
        top = own if guess else t.slice_top * own ** (1 - t.toward_weight) * other ** t.toward_weight
        assert res.as_slice('recommended').stop == pytest.approx(top, rel=1e-12)


def test_the_second_sweep_carries_the_noise_the_first_measured():
    learn = cancer_mlp(0)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(5, 1e-2); learn.freeze(); learn.fit_one_cycle(3, 1e-2); learn.unfreeze()
    res = _range_test(learn)
    first, second = res.sweeps
    assert first.spec.noise == 0 and second.spec.noise == first.descent.noise > 0
    assert NOISE_SDS * second.spec.noise > 3 * second.losses.min()  # the near-zero loss: 4x its best lies within its noise
