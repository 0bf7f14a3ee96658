"Diagnostics with a verdict (each provoked by a real range test) and repeated runs with a band."
import warnings

import numpy as np
import pytest
import torch

from fastai_lrrange.diagnostics import LRFindWarning
from fastai_lrrange.suggest import SuggestionWarning

from conftest import make_synth, capture, assert_same_state


def _diagnostics(learn, **kw):
    kw.setdefault('show_plot', False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        with learn.no_bar(): learn.lr_find(**kw)
    found = [str(x.message) for x in w if issubclass(x.category, LRFindWarning)]
    res = learn.lr_find_result
    assert len(found) == (1 if res.diagnostics else 0)  # warns once, with every finding
    return res.diagnostics


def test_never_diverged(tmp_path):
    from fastai_lrrange.examples import digits_learner
    d = _diagnostics(digits_learner(), end_lr=1e-2)  # still descending when the sweep ends
    assert any(x.startswith('never diverged') and 'raise end_lr' in x for x in d)


def test_diverged_at_once(synth):
    d = _diagnostics(synth, start_lr=1e3, end_lr=1e6)
    assert any(x.startswith('diverged at once') and 'lower start_lr' in x for x in d)


def test_flat_curve(tmp_path):
    from fastai_lrrange.examples import digits_learner
    d = _diagnostics(digits_learner(), start_lr=1e-7, end_lr=1e-5, num_it=60)  # below the rates where it learns
    assert any(x.startswith('flat curve') for x in d)


def test_non_finite_loss_at_step(tmp_path):
    learn = make_synth(tmp_path)
    mse, calls = learn.loss_func, {'n': 0}
    def nan_at_30(p, y):
        calls['n'] += 1
        return mse(p, y) * (float('nan') if calls['n'] >= 30 else 1.)
    learn.loss_func = nan_at_30
    d = _diagnostics(learn, stop_div=False)
    assert any(x.startswith('non-finite loss at step 30') for x in d)


def test_too_few_points(synth):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SuggestionWarning)
        d = _diagnostics(synth, num_it=8, stop_div=False, suggest_funcs=('valley', 'slide'))
    assert any(x.startswith('too few points for slide') for x in d)


def test_suggestions_far_apart(synth):
    lo = lambda lrs, losses, n: (float(lrs[0]), None)
    hi = lambda lrs, losses, n: (float(lrs[-1]), None)
    d = _diagnostics(synth, suggest_funcs=(lo, hi), stop_div=False)
    assert any(x.startswith('suggestions far apart') for x in d)


def test_healthy_curve_has_no_diagnostics(tmp_path):
    from fastai_lrrange.examples import digits_learner
    learn = digits_learner()
    assert _diagnostics(learn) == []


def test_verdict_in_plot_title(tmp_path):
    import matplotlib.pyplot as plt
    from fastai_lrrange.examples import digits_learner
    learn = digits_learner()
    _diagnostics(learn, end_lr=1e-2)
    fig = learn.lr_find_result.plot()
    assert fig.axes[0].get_title().startswith('never diverged')
    plt.close('all')


# ------------------------------------------------------------------ n_runs
def test_n_runs_median_band_and_spread(tmp_path):
    learn = make_synth(tmp_path)
    with learn.no_bar(): learn.lr_find(show_plot=False, stop_div=False, num_it=40); single = learn.lr_find_result
    before = capture(learn)
    with learn.no_bar(): sug = learn.lr_find(show_plot=False, stop_div=False, num_it=40, n_runs=3)
    assert_same_state(before, capture(learn))  # restored once at the end exactly as after one run
    res = learn.lr_find_result
    assert len(res.runs) == 3 and np.array_equal(res.runs[0].losses, single.losses)  # run 0 is the plain run
    assert not np.array_equal(res.runs[1].losses, res.runs[2].losses)  # other data orders
    lo, hi = res.band
    assert np.all(lo <= res.losses + 1e-12) and np.all(res.losses <= hi + 1e-12)
    for name in ('valley', 'steep'):
        vals = res.suggestions_per_run[name]
        assert len(vals) == 3 and res.suggestions[name] == pytest.approx(float(np.exp(np.median(np.log(vals)))))
        assert res.spread(name) == (min(vals), max(vals))
    assert tuple(sug) == (res.suggestions['valley'], res.suggestions['steep'])


def test_n_runs_plot_has_a_band(tmp_path):
    import matplotlib.pyplot as plt
    learn = make_synth(tmp_path)
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=30, n_runs=2)
    ax = learn.lr_find_result.plot().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert 'min-max of 2 runs' in labels and 'median of 2 runs' in labels
    plt.close('all')


def test_n_runs_bad_value(synth):
    with pytest.raises(ValueError, match=r'n_runs \(0\) must be an integer >= 1'): synth.lr_find(n_runs=0)
