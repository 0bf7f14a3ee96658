"Learner.lr_find: fastai's numbers on healthy curves, robust on short, diverging, NaN and negative curves."
import json, warnings

import numpy as np
import pytest
import torch
from torch import nn

from fastai.callback import schedule as fs
from fastai.learner import Recorder
from fastai.torch_core import set_seed
from fastai_lrrange.all import (LRFinder, LRFindResult, SuggestedLRs, fastai_lr_find, valley, steep, slide, minimum,
                                SuggestionWarning, LRFindWarning)

from conftest import make_synth, capture, assert_same_state


def _run(learn, **kw):
    kw.setdefault('show_plot', False)
    with learn.no_bar(): return learn.lr_find(**kw)


@pytest.mark.parametrize('n_trn', [10, 3])  # one epoch is enough / several epochs are needed
def test_same_curve_and_suggestions_as_fastai(tmp_path, n_trn):
    learn = make_synth(tmp_path, n_trn=n_trn)
    funcs = (fs.valley, fs.slide, fs.minimum, fs.steep)
    set_seed(1)
    mine = _run(learn, suggest_funcs=funcs)
    res = learn.lr_find_result
    set_seed(1)  # lr_find restored every RNG and the data order, so fastai's starts from the same state
    with learn.no_bar(): theirs = fastai_lr_find(learn, suggest_funcs=funcs, show_plot=False)
    assert len(res.losses) == len(learn.recorder.losses)
    assert res.last_group_lrs.tolist() == learn.recorder.lrs
    assert res.losses.tolist() == [float(v) for v in learn.recorder.losses]
    assert tuple(mine) == tuple(theirs) and mine._fields == theirs._fields


def test_schedule_is_fastais_exponential_and_linear(synth):
    _run(synth, num_it=50, stop_div=False)
    lrs = synth.lr_find_result.last_group_lrs
    assert np.allclose(lrs, [1e-7 * (10 / 1e-7) ** (i / 50) for i in range(50)], rtol=1e-12, atol=0)
    _run(synth, num_it=50, stop_div=False, mode='linear', start_lr=1e-4, end_lr=1e-1)
    lrs = synth.lr_find_result.last_group_lrs
    assert np.allclose(lrs, [1e-4 + (1e-1 - 1e-4) * i / 50 for i in range(50)], rtol=1e-12, atol=0)


@pytest.mark.parametrize('num_it', [1, 2, 5])
def test_tiny_num_it(synth, num_it):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SuggestionWarning)
        sug = _run(synth, num_it=num_it, stop_div=False, suggest_funcs=('valley', 'slide', 'minimum', 'steep'))
    res = synth.lr_find_result
    assert len(res.losses) == len(res.raw_losses) == len(res.lrs) == num_it and res.stop_reason == 'num_it'
    assert sug.valley is not None and sug.minimum is not None and sug.slide is None
    assert (sug.steep is None) == (num_it < 2)


def test_immediate_divergence(synth):
    before = capture(synth)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SuggestionWarning)
        sug = _run(synth, start_lr=1e2, end_lr=1e6)
    res = synth.lr_find_result
    assert res.stop_reason in ('diverged', 'non_finite') and len(res.losses) < 10
    assert list(sug) == [None, None]  # no suggestion without a curve to suggest from (start_lr itself would diverge)
    assert any(d.startswith('diverged at once') and 'lower start_lr' in d for d in res.diagnostics)
    assert not any(d.startswith(('flat curve', 'too few points')) for d in res.diagnostics)  # one piece of advice, not three
    assert_same_state(before, capture(synth))


def test_divergence_before_the_window_fills_gives_no_suggestion(synth):
    "A test that diverges on step 12 of 100: fastai's window (from step 10, minus the last 5) is empty"
    mse, calls = synth.loss_func, {'n': 0}
    def blow_up_at_12(p, y):
        calls['n'] += 1
        return mse(p, y) * (1e6 if calls['n'] >= 12 else 1.)
    synth.loss_func = blow_up_at_12
    sug = _run(synth, suggest_funcs=('valley', 'steep', 'minimum', 'drop_or_minimum'))
    res = synth.lr_find_result
    assert res.stop_reason == 'diverged' and len(res.losses) == 12
    assert list(sug) == [None] * 4 and all(v is None for v in res.suggestions.values())
    assert any(d.startswith('diverged at once') for d in res.diagnostics)


def test_suggest_funcs_none_returns_none_and_keeps_the_curve(synth):
    assert _run(synth, suggest_funcs=None) is None  # fastai's answer
    res = synth.lr_find_result
    assert len(res.losses) > 10 and res.suggestions == {}
    assert len(_run(synth, suggest_funcs=())) == 0  # an empty tuple still gives an (empty) SuggestedLRs, as in fastai


def test_runs_multiple_epochs_for_num_it(tmp_path):
    learn = make_synth(tmp_path, n_trn=3)  # 3 batches an epoch
    _run(learn, num_it=20, stop_div=False)
    assert len(learn.lr_find_result.losses) == 20


def test_negative_losses_use_the_relative_rule(tmp_path):
    learn = make_synth(tmp_path)
    mse = learn.loss_func
    learn.loss_func = lambda p, y: mse(p, y) - 50.0
    _run(learn)
    res = learn.lr_find_result
    # fastai's 4*best rule would stop at the first step (any loss > 4*(-50)); ours waits for a real rise
    assert len(res.losses) > 20
    assert res.stop_reason == 'diverged' and res.losses[-1] > res.losses.min() + 3 * abs(res.losses.min())
    assert res.losses.min() < 0


def test_stop_div_false_runs_to_num_it(synth):
    _run(synth, stop_div=False)
    assert len(synth.lr_find_result.losses) == 100 and synth.lr_find_result.stop_reason == 'num_it'


def test_div_thresh_and_beta(synth):
    _run(synth, div_thresh=1.5)
    n_tight = len(synth.lr_find_result.losses)
    _run(synth, div_thresh=10)
    assert n_tight <= len(synth.lr_find_result.losses)
    _run(synth, beta=0, stop_div=False)
    res = synth.lr_find_result
    assert np.array_equal(res.losses, res.raw_losses)


def test_param_groups_scalar_list_and_slice(tmp_path):
    learn = make_synth(tmp_path, splitter=lambda m: [[m.a], [m.b]])
    _run(learn, num_it=10, stop_div=False)
    lrs = learn.lr_find_result.lrs
    assert lrs.shape == (10, 2) and np.array_equal(lrs[:, 0], lrs[:, 1])
    _run(learn, num_it=10, stop_div=False, start_lr=[1e-7, 1e-6], end_lr=[1, 10])
    lrs = learn.lr_find_result.lrs
    assert np.allclose(lrs[:, 1] / lrs[:, 0], 10) and np.isclose(lrs[0, 0], 1e-7)
    _run(learn, num_it=10, stop_div=False, start_lr=slice(1e-7, 1e-5), end_lr=10)
    res = learn.lr_find_result
    assert np.allclose(res.lrs[:, 1] / res.lrs[:, 0], 100)  # ratio kept through the sweep
    assert np.allclose(res.last_group_lrs, [1e-5 * (10 / 1e-5) ** (i / 10) for i in range(10)])
    s = res.as_slice('valley')
    assert isinstance(s, slice) and np.isclose(s.stop / s.start, 100) and s.stop == res.suggestions['valley']
    with pytest.raises(ValueError, match='2 parameter groups'):
        learn.lr_find(start_lr=[1e-7, 1e-6, 1e-5], show_plot=False)


def test_result_record_and_export(synth):
    sug = _run(synth, suggest_funcs=(valley, steep, 'minimum'))
    res = synth.lr_find_result
    assert isinstance(res, LRFindResult) and isinstance(sug, SuggestedLRs) and sug._fields == ('valley', 'steep', 'minimum')
    assert res.suggestions == sug._asdict() and set(res.points) == set(sug._fields)
    d = json.loads(json.dumps(res.to_dict()))
    assert d['stop_reason'] == res.stop_reason and len(d['losses']) == len(res.losses) and d['suggestions']['valley'] == sug.valley
    df = res.to_df()
    assert list(df.columns) == ['sweep', 'step', 'lr', 'raw_loss', 'loss', 'in_window'] and len(df) == len(res.losses) and (df.sweep == 0).all()
    assert df.in_window.sum() == res.window[1] - res.window[0]
    assert 'stopped' in repr(res)


def test_suggestions_see_fastais_window(synth):
    seen = {}
    def spy(lrs, losses, num_it):
        seen['n'], seen['dtype'] = len(lrs), (lrs.dtype, losses.dtype)
        return float(lrs[0]), (float(lrs[0]), float(losses[0]))
    _run(synth, suggest_funcs=[spy], stop_div=False)
    assert seen == {'n': 85, 'dtype': (torch.float32, torch.float32)}  # [num_it//10 : -5], float tensors as fastai passes


def test_plot_markers_at_returned_values_and_no_warning_under_agg(synth):
    import matplotlib.pyplot as plt
    plt.close('all')
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # any warning (such as "FigureCanvasAgg is non-interactive") fails the test
        warnings.simplefilter('ignore', LRFindWarning)  # but our own verdict on the curve (these suggestions are far apart)
        with synth.no_bar(): sug = synth.lr_find(show_plot=True, suggest_funcs=('valley', 'steep', 'minimum'))
    fig = plt.gcf()
    ax = fig.axes[0]
    markers = {l.get_label().split(':')[0]: l.get_xdata()[0] for l in ax.get_lines() if l.get_marker() == 'o'}
    assert markers == {'valley': sug.valley, 'steep': sug.steep, 'minimum': sug.minimum}
    assert ax.get_xscale() == 'log'
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f'valley: {sug.valley:.1e}' in labels
    plt.close('all')


def test_recorder_plot_lr_find_plots_last_range_test(synth):
    import matplotlib.pyplot as plt
    _run(synth, num_it=30, stop_div=False)
    fig = synth.recorder.plot_lr_find()
    main = [l for l in fig.axes[0].get_lines() if l.get_label() == 'loss'][0]
    res = synth.lr_find_result
    assert np.array_equal(main.get_ydata(), res.losses[res.window[0]:len(res.losses) - 5])
    plt.close('all')


def test_linear_mode_plot_axis(synth):
    import matplotlib.pyplot as plt
    _run(synth, mode='linear', start_lr=1e-4, end_lr=0.5, num_it=30)
    assert synth.lr_find_result.plot().axes[0].get_xscale() == 'linear'
    plt.close('all')


def test_a_failing_custom_suggestion_gives_none(synth):
    def broken(lrs, losses, num_it): raise IndexError('too short for me')
    with pytest.warns(LRFindWarning, match='broken: the suggestion function raised IndexError'):  # in the call's one warning
        sug = _run(synth, suggest_funcs=['valley', broken])
    assert sug.broken is None and sug.valley is not None


def test_standalone_callback_checks_arguments():
    with pytest.raises(ValueError, match=r'end_lr \(1e-08\)'): LRFinder(start_lr=1e-7, end_lr=1e-8)
    with pytest.raises(ValueError, match=r'num_it \(0\)'): LRFinder(num_it=0)
