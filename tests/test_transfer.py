"""fastai's transfer-learning workflow: what `as_slice`, `fine_tune_lr` and `fine_tune_kwargs` give, as each suggestion's `Transfer` policy says,
on small learners with one and with several parameter groups, frozen and unfrozen."""
import copy, json, warnings

import numpy as np
import pytest

from fastai_lrrange.result import LRFindResult
from fastai_lrrange.suggest import SUGGESTIONS, Transfer, recommended, register_suggestion

from conftest import make_synth
from test_trained_noise import cancer_mlp


def _test(learn, **kw):
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return learn.lr_range_test(show_plot=False, suggest_funcs=('recommended', 'valley'), **kw)


def _legend(res):
    import matplotlib.pyplot as plt
    fig = res.plot()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    return labels


@pytest.fixture(scope='module')
def first_stage():
    "The cancer MLP after fine_tune's first stage: head trained on a frozen body"
    learn = cancer_mlp(0)
    learn.freeze()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 1e-2)
    return learn


POLICY = SUGGESTIONS['recommended'].transfer  # the measured multiples (the notebook 02_suggest pins their values)


def test_on_a_frozen_learner_the_advice_is_fine_tunes(first_stage):
    res = _test(first_stage)
    r = res.suggestions['recommended']
    assert res.spec.frozen and r is not None and POLICY.lr_mult != 100  # a policy of its own, not fastai's defaults
    assert res.first_sweep.descent.share >= POLICY.flat_below  # this curve falls: the reading, not where the window ends
    assert res.fine_tune_lr('recommended') == POLICY.fine_tune * r and res.fine_tune_lr('valley') == res.suggestions['valley']  # valley: as read
    kw = res.fine_tune_kwargs('recommended')
    assert kw == dict(base_lr=POLICY.fine_tune * r, lr_mult=POLICY.lr_mult) and res.fine_tune_kwargs('valley')['lr_mult'] == 100
    with pytest.raises(ValueError, match=r"as_slice: this range test ran on a frozen learner; train it with fine_tune\(n, \*\*res.fine_tune_kwargs\('recommended'\)\)"):
        res.as_slice('recommended')
    assert f"recommended (fine_tune base_lr {kw['base_lr']:.1e}, lr_mult {POLICY.lr_mult:g}): {r:.1e}" in _legend(res)  # the plot says it too
    learn = copy.deepcopy(first_stage)  # the fixture stays as it is for the next test
    with learn.no_bar(), learn.no_logging(): learn.fine_tune(1, freeze_epochs=1, **kw)  # what the README's recipe passes
    body, head = (h['lr'] for h in learn.opt.hypers)
    assert np.isclose(head / body, POLICY.lr_mult)  # fine_tune's unfrozen stage ran at the measured ratio


def test_after_unfreeze_the_slice_top_is_measured_not_the_one_rate_pick(first_stage):
    learn = first_stage
    learn.unfreeze()
    try:
        res = _test(learn)
        r = res.suggestions['recommended']
        s = res.as_slice('recommended')
        own, other = res.readings['recommended']  # the rule's own reading and slide's: the top is the one moved toward the other, times its multiple
        top = POLICY.slice_top * own ** (1 - POLICY.toward_weight) * other ** POLICY.toward_weight
        assert not res.spec.frozen and np.allclose((s.start, s.stop), (top / POLICY.lr_mult, top), rtol=1e-12) and type(s.stop) is float
        assert res.as_slice('valley') == slice(res.suggestions['valley'] / 100, res.suggestions['valley'])  # no policy: the reading is the top
        assert np.isclose(res.as_slice('recommended', lr_mult=100).start, top / 100, rtol=1e-12)
        assert f"recommended (after unfreeze: slice({s.start:.1e}, {s.stop:.1e})): {r:.1e}" in _legend(res)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, lr_max=s)
        body, head = (h['lr'] for h in learn.opt.hypers)
        assert np.isclose(head / body, POLICY.lr_mult)  # the body trained at the measured ratio below the head
    finally: learn.freeze()


def test_one_parameter_group_and_a_sweep_with_the_groups_apart():
    learn = make_synth()
    res = _test(learn)
    r = res.suggestions['recommended']
    assert not res.spec.frozen and res.as_slice('recommended') == slice(POLICY.slice_top * r / POLICY.lr_mult, POLICY.slice_top * r)
    assert not any('unfreeze' in l or 'fine_tune' in l for l in _legend(res))  # one group: no transfer learning to advise on
    two = make_synth(splitter=lambda m: [[m.a], [m.b]])
    res = _test(two, start_lr=slice(1e-9, 1e-7), end_lr=slice(1e-1, 10))  # swept at the training ratio: its own ratio, the top as read
    s = res.as_slice('valley')
    assert np.isclose(s.stop / s.start, 100) and s.stop == res.suggestions['valley']


def test_a_rule_of_your_own_carries_its_own_transfer_policy_and_it_is_saved():
    with SUGGESTIONS.scoped():
        register_suggestion(recommended, 'bold', needs_descent=True, transfer=Transfer(slice_top=4, lr_mult=10, fine_tune=3))
        learn = make_synth()
        with learn.no_bar(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            res = learn.lr_range_test(show_plot=False, suggest_funcs=('bold', 'recommended'))
    b = res.suggestions['bold']
    assert res.as_slice('bold') == slice(4 * b / 10, 4 * b) and res.fine_tune_lr('bold') == 3 * b
    assert res.transfer['recommended'] == POLICY
    back = LRFindResult.from_dict(json.loads(json.dumps(res.to_dict())))
    assert back.transfer == res.transfer and back.as_slice('bold') == res.as_slice('bold') and back.spec.frozen == res.spec.frozen


def _frozen_result(share, n=60, frozen=True, groups=2, funcs=('recommended', 'valley')):
    "A range test on a frozen learner (a body and a head) whose first sweep's window loses `share` of its loss, then blows up"
    from dataclasses import replace
    from fastai_lrrange.core import RangeTestRecord, range_test_spec
    from fastai_lrrange.result import Sweep
    spec = replace(range_test_spec(suggest_funcs=funcs), frozen=frozen)
    lrs = [[1e-7 * 1e8 ** (i / 100)] * groups for i in range(n)]
    x = np.linspace(0, 1, n)
    losses = list(2 - 2 * share * np.clip((x - 0.2) / 0.6, 0, 1) + 3 * np.clip(x - 0.9, 0, None) ** 2)
    return LRFindResult.from_sweeps([Sweep.read(RangeTestRecord(lrs, losses, losses, stop_reason='diverged'), spec)], spec)


@pytest.mark.parametrize('share', [0.02, 0.05, 0.08, 0.12, 0.3])
def test_fine_tune_reads_where_a_flat_first_sweep_ends_and_the_reading_elsewhere(share):
    "The policy's decision on a frozen learner: a first sweep that loses under `flat_below` of its loss gives a share of where its window ends"
    res = _frozen_result(share)
    first = res.first_sweep
    assert np.isclose(first.descent.share, share, atol=0.02)
    end = float(first.last_group_lrs[first.window.stop - 1])
    kw = res.fine_tune_kwargs('recommended')
    if first.descent.share < POLICY.flat_below: assert kw['base_lr'] == end * POLICY.flat_fine_tune  # a flat curve: its reading is noise
    else: assert kw['base_lr'] == POLICY.fine_tune * res.suggestions['recommended'] < end * POLICY.flat_fine_tune
    assert kw['lr_mult'] == POLICY.lr_mult and res.fine_tune_lr('valley') == res.suggestions['valley']  # no policy of its own: as read
    legend = _legend(res)
    assert any(f"fine_tune base_lr {kw['base_lr']:.1e}, lr_mult {POLICY.lr_mult:g}" in l for l in legend)


def test_a_result_saved_before_the_flat_policy_loads_with_the_reading_times_its_multiple():
    res = _frozen_result(0.03)
    d = json.loads(json.dumps(res.to_dict()))
    d['transfer']['recommended'] = dict(slice_top=8, lr_mult=10, fine_tune=2)  # as an earlier version saved it
    back = LRFindResult.from_dict(d)
    assert back.fine_tune_lr('recommended') == 2 * back.suggestions['recommended'] != res.fine_tune_lr('recommended')
    d['transfer']['recommended']['top'] = 3
    with pytest.raises(ValueError, match=r"\['transfer'\].*some of \['slice_top', 'lr_mult', 'fine_tune', 'flat_below', 'flat_fine_tune', 'toward', "):
        LRFindResult.from_dict(d)


@pytest.mark.parametrize('share', [0.05, 0.15, 0.25, 0.4])
@pytest.mark.parametrize('state', ['unfrozen', 'frozen', 'one group'])
def test_after_unfreeze_the_reading_moves_toward_slide_for_the_slice_and_on_a_curve_without_a_clear_descent_for_one_rate(share, state):
    "The unfrozen policy: reading**0.6 x slide**0.4, as the slice's base on every curve, as the one rate where the first window loses under `toward_below`"
    res = _frozen_result(share, frozen=state == 'frozen', groups=1 if state == 'one group' else 2, funcs=('recommended', 'slide'))
    r, sl, first = res.suggestions['recommended'], res.suggestions['slide'], res.first_sweep
    own = recommended(*first.window_curve)[0]
    moved = own ** (1 - POLICY.toward_weight) * sl ** POLICY.toward_weight
    assert np.isclose(first.descent.share, share, atol=0.02) and POLICY.toward == 'slide' and not np.isclose(own, sl, rtol=0.1)
    if state == 'unfrozen':
        assert res.readings == {'recommended': (own, sl)} and res.as_slice('recommended').stop == pytest.approx(POLICY.slice_top * moved, rel=1e-12)
        if share < POLICY.toward_below: assert r == pytest.approx(moved, rel=1e-12) and min(own, sl) < r < max(own, sl) and res.points['recommended'][0] == r
        else: assert r == own  # a clear descent: the one rate is the reading
    else: assert res.readings == {} and r == own
    if state == 'one group': assert res.as_slice('recommended').stop == POLICY.slice_top * own
    back = LRFindResult.from_dict(json.loads(json.dumps(res.to_dict())))
    assert back == res and back.readings == res.readings
    if state != 'frozen': assert back.as_slice('recommended') == res.as_slice('recommended')


def test_a_result_saved_before_the_unfrozen_policy_loads_without_readings():
    res = _frozen_result(0.1, frozen=False, funcs=('recommended', 'slide'))
    assert res.readings  # moved
    d = json.loads(json.dumps(res.to_dict()))
    del d['readings']; d['transfer']['recommended'] = dict(slice_top=8, lr_mult=10, fine_tune=2, flat_below=0.1, flat_fine_tune=0.5)
    back = LRFindResult.from_dict(d)
    assert back.readings == {} and back.suggestions == res.suggestions and back.as_slice('recommended').stop == 8 * res.suggestions['recommended']
    d['readings'] = {'recommended': [1e-3]}
    with pytest.raises(ValueError, match=r"\['readings'\] .*a dict of suggestion name -> \[its rule's own reading, its Transfer.toward's\]"):
        LRFindResult.from_dict(d)


def test_several_runs_carry_the_median_of_each_reading():
    "n_runs on an unfrozen body and head: each of the two readings is the median over the runs, and the slice is made of them"
    learn = make_synth(splitter=lambda m: [[m.a], [m.b]])
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        res = learn.lr_range_test(show_plot=False, suggest_funcs=('recommended',), n_runs=3)
    runs = [r.readings['recommended'] for r in res.runs]
    assert len(runs) == 3 and len({r[0] for r in runs}) > 1  # the runs read apart
    own, other = res.readings['recommended']
    assert own == sorted(r[0] for r in runs)[1] and other == sorted(r[1] for r in runs)[1]
    assert res.as_slice('recommended').stop == pytest.approx(POLICY.slice_top * own ** (1 - POLICY.toward_weight) * other ** POLICY.toward_weight, rel=1e-12)
    assert LRFindResult.from_dict(json.loads(json.dumps(res.to_dict()))).readings == res.readings
