"""The no-descent policy is data (spec and registry entry); every sweep is kept and read by the suggestions that ask for it;
the suggestion step hands over what it withheld; the result stores what it is given (issue 21, items 1, 2, 4, 5)."""
import functools, os, subprocess, sys, warnings

import numpy as np
import pytest

from fastai_lrrange.core import range_test_spec, RangeTestRecord
from fastai_lrrange.diagnostics import FindingKind, StopReason
from fastai_lrrange.result import LRFindResult
from fastai_lrrange.suggest import SUGGESTIONS, SuggestionMethod, loss_drop, register_suggestion
from conftest import make_synth
from test_no_evidence import plateau_learner


def _quiet(learn, **kw):
    with learn.no_bar(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return learn.lr_find(show_plot=False, **kw), learn.lr_find_result


# ------------------------------------------------------------------ item 1: policy as data
def test_the_spec_holds_the_policy_filled_by_the_entry_or_the_user():
    from fastai_lrrange.suggest import SweepAgain
    assert range_test_spec(suggest_funcs=('valley', 'steep')).policies == ()
    assert range_test_spec(suggest_funcs=('valley', 'recommended')).policies == (SUGGESTIONS['recommended'].sweep_again,)
    mine = SweepAgain(below=2, num_it=50)
    spec = range_test_spec(suggest_funcs=('valley', 'recommended'), sweep_again=mine)
    assert spec.policies == (mine,) and dict(spec.suggestions)['valley'].sweep_again is None  # the user's policy for the entries that have one
    assert range_test_spec(suggest_funcs='recommended', sweep_again=False).policies == ()
    with pytest.raises(ValueError, match=r'sweep_again.below \(-1\) must be a finite number of decades > 0'):
        range_test_spec(suggest_funcs='recommended', sweep_again=SweepAgain(below=-1))
    with pytest.raises(ValueError, match=r"sweep_again \(True\) must be a SweepAgain"): range_test_spec(suggest_funcs='recommended', sweep_again=True)


def test_any_entry_registered_with_a_policy_gets_it_whatever_its_name():
    from fastai_lrrange.suggest import SweepAgain
    with SUGGESTIONS.scoped():
        @register_suggestion('my_cautious_rule', needs_descent=True, sweep_again=SweepAgain(below=2, num_it=90))
        def _rule(lrs, losses, num_it): return float(lrs[int(np.argmin(losses))]) / 10
        sug, res = _quiet(plateau_learner(), suggest_funcs='my_cautious_rule')
    assert 'my_cautious_rule' not in SUGGESTIONS and not hasattr(SuggestionMethod, 'My_cautious_rule')
    assert [s.num_it for s in res.sweeps] == [100, 90] and res.read_from == {'my_cautious_rule': 1}
    assert sug.my_cautious_rule is None and res.withheld == {'my_cautious_rule': 'no descent'}  # no fallback: None, with the finding
    assert any(d.kind is FindingKind.RESWEPT for d in res.diagnostics)


# ------------------------------------------------------------------ one policy per suggestion, whatever is asked beside it
def _as_read(res, name):
    "What `name` reads on the sweep it read (recomputed here from the curve), and that sweep's policy"
    import torch
    from fastai_lrrange.suggest import recommended
    sw = res.sweeps[res.read_from[name]]
    s, e = sw.window.start, sw.window.stop
    rule = sw.spec.sweep_again.fallback if sw.lacks_descent else recommended  # no descent on it either: the policy's fallback
    lr = rule(torch.tensor(sw.last_group_lrs[s:e], dtype=torch.float32), torch.tensor(sw.losses[s:e], dtype=torch.float32), sw.num_it)[0]
    return lr, sw.spec.sweep_again


@pytest.mark.parametrize('order', ['mine first', 'recommended first', 'alone'])
def test_each_entry_reads_the_sweep_of_its_own_policy_whatever_is_asked_beside_it(order):
    "A rule registered with scale 1 beside recommended (scale 0.35): each gets its own second sweep and its own scale, in any order"
    from fastai_lrrange.suggest import SweepAgain, recommended
    mine = SweepAgain(fallback=recommended, scale=1.0)
    with SUGGESTIONS.scoped():
        register_suggestion(recommended, 'as_read', needs_descent=True, sweep_again=mine)
        funcs = {'mine first': ('as_read', 'recommended'), 'recommended first': ('recommended', 'as_read'), 'alone': ('as_read',)}[order]
        expected = [SUGGESTIONS[n].sweep_again for n in funcs]
        sug, res = _quiet(plateau_learner(), suggest_funcs=funcs)
    assert [s.spec.sweep_again for s in res.sweeps[1:]] == expected  # a second sweep per policy, in the order asked
    lr, policy = _as_read(res, 'as_read')
    assert policy is mine or policy == mine
    if lr is not None: assert np.isclose(sug.as_read, lr * 1.0, rtol=1e-6)  # scale 1: as read, never 0.35
    if 'recommended' in funcs:
        lr, policy = _as_read(res, 'recommended')
        assert policy.scale == 0.35 and (lr is None or np.isclose(sug.recommended, lr * 0.35, rtol=1e-6))


def test_a_policy_no_requested_suggestion_reads_is_refused():
    from fastai_lrrange.suggest import SweepAgain
    learn = plateau_learner()
    with pytest.raises(ValueError, match=r"sweep_again \(SweepAgain\(.*\)\) is read by no requested suggestion \(valley read the first sweep\)"):
        learn.lr_range_test(suggest_funcs='valley', sweep_again=SweepAgain(), show_plot=False)
    assert not hasattr(learn, 'lr_find_result')  # refused before anything ran


def test_a_function_attribute_is_no_policy():
    def rule(lrs, losses, num_it): return float(lrs[0])
    rule.sweeps_again = rule.needs_descent = True  # how the policy used to be signalled: now it means nothing
    sug, res = _quiet(plateau_learner(), suggest_funcs=rule)
    assert len(res.sweeps) == 1 and sug.rule is not None


# ------------------------------------------------------------------ item 2: every sweep kept; no suggestion changes with recommended
def test_asking_for_recommended_changes_no_other_suggestion():
    "The issue's case: synth_learner, end_lr=1e-5 (no descent), the same seed: valley and steep alone and beside recommended"
    alone, r1 = _quiet(make_synth(seed=0), end_lr=1e-5, suggest_funcs=('valley', 'steep'))
    beside, r2 = _quiet(make_synth(seed=0), end_lr=1e-5, suggest_funcs=('valley', 'steep', 'recommended'))
    assert (beside.valley, beside.steep) == (alone.valley, alone.steep)
    np.testing.assert_array_equal(r1.losses, r2.losses)
    assert len(r1.sweeps) == 1 and len(r2.sweeps) == 2 and r2.read_from == {'valley': 0, 'steep': 0, 'recommended': 1}


def test_the_plot_shows_which_sweep_each_point_comes_from():
    import matplotlib.pyplot as plt
    _, res = _quiet(plateau_learner(), suggest_funcs=('valley', 'recommended'))
    labels = [t.get_text() for t in res.plot().axes[0].get_legend().get_texts()]
    second = res.sweeps[1]
    assert f'second sweep: {len(second.losses)} of 300 steps, up to {second.last_group_lrs[-1]:.1e}' in labels
    assert any(l.startswith('recommended (second sweep): ') for l in labels) and any(l.startswith('valley: ') for l in labels)
    plt.close('all')


def test_n_runs_applies_the_policy_to_every_run():
    sug, res = _quiet(plateau_learner(), suggest_funcs=('valley', 'recommended'), n_runs=2)
    assert [len(r.sweeps) for r in res.runs] == [2, 2] and len(res.sweeps) == 2 and res.read_from['recommended'] == 1
    assert res.suggestions_per_run['recommended'] == [r.suggestions['recommended'] for r in res.runs]
    d = res.to_dict()
    assert [s['num_it'] for s in d['sweeps']] == [100, 300] and d['num_it'] == 100


# ------------------------------------------------------------------ item 4: what was withheld is handed over
def test_a_suggestion_asked_for_twice_gets_no_false_finding():
    sug, res = _quiet(plateau_learner(), suggest_funcs=(loss_drop, loss_drop, functools.partial(loss_drop, frac=0.3)))
    assert FindingKind.TOO_FEW_POINTS not in [d.kind for d in res.diagnostics]
    assert FindingKind.NO_DESCENT in [d.kind for d in res.diagnostics]
    assert tuple(sug) == (None, None, None) and set(res.withheld) == {'loss_drop', 'loss_drop_2', 'loss_drop_3'}


# ------------------------------------------------------------------ item 5: the result stores what it is given
def _sweep(losses, reason='num_it', num_it=100):
    from fastai_lrrange.result import Sweep
    n = len(losses)
    rec = RangeTestRecord([[1e-7 * 1e8 ** (i / num_it)] for i in range(n)], list(losses), list(losses), stop_reason=reason)
    return Sweep.read(rec, range_test_spec(num_it=num_it, suggest_funcs=('valley',)))


def test_the_result_stores_what_it_is_given():
    sw = _sweep(np.full(100, 1.0))  # a flat curve: diagnose would find plenty
    res = LRFindResult([sw], {'valley': 1e-3}, {'valley': (1e-3, 1.0)}, {'valley': 0}, {}, [])
    assert res.diagnostics == [] and res.suggestions == {'valley': 1e-3} and res.losses is sw.losses
    built = LRFindResult.from_sweeps([sw], sw.spec)
    assert {d.kind for d in built.diagnostics} >= {FindingKind.FLAT, FindingKind.NO_DESCENT}


SCRIPT = r'''
import numpy as np
from fastai_lrrange.core import range_test_spec, RangeTestRecord
from fastai_lrrange.result import LRFindResult, Sweep
spec = range_test_spec(num_it=100, suggest_funcs=('valley',))
x = np.linspace(0, 1, 100); y = list(2 - np.tanh(6*(x-0.5)))
rec = lambda r: RangeTestRecord([[1e-7*1e8**(i/100)] for i in range(100)], y, y, stop_reason=r)
runs = [LRFindResult.from_sweeps([Sweep.read(rec(r), spec)], spec) for r in ('num_it', 'diverged')]
print(LRFindResult.from_runs(runs, spec).stop_reason, LRFindResult.from_runs(runs[::-1], spec).stop_reason)
'''


def test_several_runs_stop_reason_is_the_most_severe_whatever_the_hash_seed():
    assert StopReason.most_severe(['num_it', 'diverged']) is StopReason.most_severe(['diverged', 'num_it']) is StopReason.DIVERGED
    for seed in ('0', '1', '2', '3'):
        out = subprocess.run([sys.executable, '-c', SCRIPT], capture_output=True, text=True, timeout=120,
                             env={**os.environ, 'PYTHONHASHSEED': seed})
        assert out.stdout.split() == ['diverged', 'diverged'], out.stderr[-1500:]
