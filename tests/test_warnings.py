"""What a user reads in a warning: one a call, attributed to their own line whatever the entry point, every number read from
the sweep it speaks of, and advice only about what they set."""
import warnings

import numpy as np
import pytest
from torch import nn

from fastai_lrrange.core import LRFinder
from fastai_lrrange.diagnostics import LRFindWarning
from fastai_lrrange.suggest import SuggestionWarning

from conftest import make_synth


def _caught(call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        call()
    return [x for x in w if issubclass(x.category, (LRFindWarning, SuggestionWarning))]


def _blows_up_at_once(): return make_synth()  # start_lr=1e3: the loss diverges in two steps


@pytest.mark.parametrize('entry', ['lr_find', 'lr_range_test', 'LRFinder'])
def test_the_warning_points_at_the_users_own_line(entry):
    learn = _blows_up_at_once()
    calls = {'lr_find': lambda: learn.lr_find(show_plot=False, start_lr=1e3, end_lr=1e6),
             'lr_range_test': lambda: learn.lr_range_test(show_plot=False, start_lr=1e3, end_lr=1e6),
             'LRFinder': lambda: learn.fit(1, cbs=LRFinder(start_lr=1e3, end_lr=1e6))}
    with learn.no_bar(): w = _caught(calls[entry])
    assert len(w) == 1 and w[0].category is LRFindWarning, [str(x.message) for x in w]
    assert w[0].filename == __file__, (w[0].filename, w[0].lineno)
    assert 'diverged at once' in str(w[0].message)


def test_the_cli_prints_its_findings_and_lets_no_warning_escape(tmp_path, capsys):
    from fastai_lrrange.cli import demo
    w = _caught(lambda: demo(out=tmp_path/'lr.png', num_it=6))  # six steps: the findings have something to say
    out = capsys.readouterr().out
    assert w == [] and 'note: no descent in 6 steps' in out  # the findings printed, not warned


def test_one_warning_a_call_holds_what_the_suggestion_functions_said():
    learn = make_synth()
    with learn.no_bar(): w = _caught(lambda: learn.lr_find(show_plot=False, num_it=8, suggest_funcs=('valley', 'slide', 'steep')))
    assert len(w) == 1 and w[0].category is LRFindWarning and w[0].filename == __file__
    msg = str(w[0].message)
    assert 'too few points for slide' in msg and 'slide: needs at least 16 finite points' in msg  # the finding and the function's reason
    with learn.no_bar(): w = _caught(lambda: learn.lr_find(show_plot=False, num_it=8, n_runs=3, suggest_funcs=('valley', 'slide')))
    assert len(w) == 1 and str(w[0].message).count('slide: needs at least 16') == 1  # three runs, said once


def _trained_synth():
    "fastai's synth learner trained to its noise: the first sweep shows no descent and blows up well below end_lr"
    learn = make_synth()
    with learn.no_bar(), learn.no_logging(): learn.fit(20, 1e-1)
    return learn


def test_every_number_is_read_from_the_sweep_it_speaks_of():
    learn = _trained_synth()
    with learn.no_bar(): w = _caught(lambda: learn.lr_find(show_plot=False, suggest_funcs=('valley', 'recommended')))
    res = learn.lr_find_result
    msg = str(w[0].message)
    first, second = res.sweeps
    assert first.lacks_descent and first.stop_reason == 'diverged' and first.last_group_lrs[-1] < 5  # it stopped well below end_lr=10
    assert f"up to lr {first.last_group_lrs[-1]:.1e}" in msg and f"decades below {first.last_group_lrs[-1]:.1e}" in msg
    assert 'to 1e+01' not in msg and '1.0e+01' not in msg  # the end it never reached is not quoted
    assert f"{second.spec.starts[-1]:.1e} ({len(second.losses)} run, up to {second.last_group_lrs[-1]:.1e})" in msg


def test_a_sweep_the_library_chose_gets_no_advice_about_what_the_user_set():
    from fastai_lrrange.suggest import SweepAgain
    learn = _trained_synth()
    # a second sweep that ends below where the first broke down: its finding must not tell the user to raise *their* end_lr
    with learn.no_bar(): w = _caught(lambda: learn.lr_find(show_plot=False, suggest_funcs='recommended',
                                                           sweep_again=SweepAgain(below=2, above=-0.5, num_it=50)))
    res = learn.lr_find_result
    later = [d for d in res.diagnostics if d.message.startswith('second sweep:')]
    assert later and all('start_lr' not in d.advice and 'end_lr' not in d.advice and 'sweep_again=SweepAgain(' in d.advice for d in later)
    assert len(w) == 1 and w[0].filename == __file__
