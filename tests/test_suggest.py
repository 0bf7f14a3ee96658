"The suggestion functions: fastai's values wherever fastai returns one, None (never an exception) elsewhere."
import functools, math, warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, example, given, settings, strategies as st, HealthCheck

from fastai.callback import schedule as fs
from fastai_lrrange import suggest as ours
from fastai_lrrange.suggest import (SUGGESTIONS, SuggestionMethod, SuggestionWarning, register_suggestion,
                                    resolve_suggestions, finite_curve)

PAIRS = [('valley', fs.valley, ours.valley), ('slide', fs.slide, ours.slide),
         ('minimum', fs.minimum, ours.minimum), ('steep', fs.steep, ours.steep)]


def _fastai(f, lrs, losses, num_it):
    "fastai's value, or None when fastai's function raises"
    try: return float(f(lrs, losses, num_it)[0])
    except Exception: return None


def _ours(f, lrs, losses, num_it):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', SuggestionWarning)
        return f(lrs, losses, num_it)


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, width=32)
any_float = st.one_of(finite, st.just(float('nan')), st.just(float('inf')), st.just(float('-inf')))


@st.composite
def curves(draw, values=finite, max_len=120):
    n = draw(st.integers(0, max_len))
    lo = draw(st.floats(-8, -2))
    hi = lo + draw(st.floats(0.5, 9))
    lrs = torch.logspace(lo, hi, n) if n else torch.zeros(0)
    kind = draw(st.sampled_from(['random', 'smooth', 'plateau']))
    if kind == 'random': losses = torch.tensor(draw(st.lists(values, min_size=n, max_size=n)), dtype=torch.float32)
    else:
        x = torch.linspace(0, 1, n)
        base = 2 - torch.sigmoid(12 * (x - draw(st.floats(0.1, 0.9)))) + torch.exp(6 * (x - 1)) * draw(st.floats(0, 3))
        if kind == 'plateau': base = torch.round(base * 4) / 4
        noise = torch.tensor(draw(st.lists(st.floats(-0.05, 0.05), min_size=n, max_size=n)), dtype=torch.float32)
        losses = (base + noise).float()
        if values is any_float and n:
            for i in draw(st.lists(st.integers(0, n - 1), max_size=3)): losses[i] = draw(st.sampled_from([float('nan'), float('inf')]))
    return lrs.float(), losses


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves())
def test_same_value_as_fastai_on_finite_curves(curve):
    lrs, losses = curve
    for name, theirs, mine in PAIRS:
        expected = _fastai(theirs, lrs, losses, 100)
        got = _ours(mine, lrs, losses, 100)[0]
        if expected is not None: assert got == expected, f"{name}: ours {got} != fastai's {expected} on {len(lrs)} points"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves(values=any_float))
def test_any_curve_gives_none_or_an_lr_in_range(curve):
    lrs, losses = curve
    flrs, flosses = finite_curve(lrs, losses)
    for name, theirs, mine in PAIRS:
        lr, pt = _ours(mine, lrs, losses, 100)
        if lr is None: assert pt is None; continue
        lo = float(flrs.min()) / (10 if name == 'minimum' else 1)
        assert lo <= lr <= float(flrs.max()), f"{name}: {lr} outside [{lo}, {float(flrs.max())}]"
        assert math.isfinite(pt[1]) and pt[0] == lr  # the plotted point is the returned value
        # on the finite points, the same value as fastai's function wherever that one returns
        expected = _fastai(theirs, flrs, flosses, 100)
        if expected is not None: assert lr == expected, name


@pytest.mark.parametrize('name', ['valley', 'slide', 'minimum', 'steep', 'loss_drop', 'drop_or_minimum'])
@pytest.mark.parametrize('n', [0, 1, 2, 5])
def test_short_curves_never_raise(name, n):
    lrs, losses = torch.logspace(-5, -1, n), torch.linspace(2, 1, n)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        lr, pt = SUGGESTIONS[name](lrs, losses, 100)
    needs = {'valley': 1, 'minimum': 1, 'steep': 2, 'slide': 16, 'loss_drop': 2, 'drop_or_minimum': 1}[name]
    if n < needs:
        assert lr is None and pt is None and any('raise num_it' in str(x.message) for x in w)
    else: assert lr is not None


def test_all_non_finite_gives_none_and_says_why():
    with pytest.warns(SuggestionWarning, match='valley: needs at least 1 finite point'):
        assert ours.valley(torch.logspace(-5, -1, 8), torch.full((8,), float('nan')), 100) == (None, None)


def test_minimum_point_is_its_value():
    lrs = torch.logspace(-6, 0, 50)
    losses = (torch.log10(lrs) + 3) ** 2
    lr, (x, y) = ours.minimum(lrs, losses, 50)
    assert x == lr and lr == pytest.approx(float(lrs[losses.argmin()]) / 10)
    assert fs.minimum(lrs, losses, 50)[1][0] != lr  # fastai plots it ten times further right


class CountingFloat(float):
    "A float that counts its comparisons"
    count = 0
    def __lt__(self, o): CountingFloat.count += 1; return float.__lt__(self, o)
    def __gt__(self, o): CountingFloat.count += 1; return float.__gt__(self, o)
    def __le__(self, o): CountingFloat.count += 1; return float.__le__(self, o)
    def __ge__(self, o): CountingFloat.count += 1; return float.__ge__(self, o)
    def __neg__(self): return CountingFloat(-float(self))


@pytest.mark.parametrize('n', [1000, 8000])
def test_valley_makes_n_log_n_comparisons(n):
    from fastai_lrrange.suggest import _valley_idx
    rng = np.random.default_rng(0)
    CountingFloat.count = 0
    _valley_idx([CountingFloat(v) for v in rng.normal(size=n)])
    assert CountingFloat.count <= 2 * n * math.log2(n), f"{CountingFloat.count} comparisons for {n} points"


def test_valley_fast_path_equals_fastai_on_a_long_curve():
    rng = np.random.default_rng(1)
    losses = torch.tensor(np.cumsum(rng.normal(size=600)), dtype=torch.float32)
    lrs = torch.logspace(-7, 1, 600)
    assert ours.valley(lrs, losses, 600)[0] == fs.valley(lrs, losses, 600)[0]


def test_registry_and_suggestion_method():
    before = dict(SUGGESTIONS)
    with SUGGESTIONS.scoped():
        @register_suggestion('half_min')
        def _half(lrs, losses, num_it): return float(lrs[losses.argmin()]) / 2, None
        assert SUGGESTIONS['half_min'].func is _half and SuggestionMethod.Half_min is _half
        pairs = resolve_suggestions(['half_min', SuggestionMethod.Valley])
        assert [n for n, _ in pairs] == ['half_min', 'valley'] and [e.func for _, e in pairs] == [_half, ours.valley]
        assert not SUGGESTIONS['half_min'].needs_descent and SUGGESTIONS['half_min'].sweep_again is None
        register_suggestion(_half, 'valley')  # a scoped block may replace an entry too
        SUGGESTIONS.remove('steep')
        assert SuggestionMethod.Valley is _half and not hasattr(SuggestionMethod, 'Steep')
    assert SUGGESTIONS == before and SuggestionMethod.Valley is ours.valley and SuggestionMethod.Steep is ours.steep
    assert not hasattr(SuggestionMethod, 'Half_min')
    with pytest.raises(KeyError, match="name \\('nope'\\) is not registered"): SUGGESTIONS.remove('nope')


def test_register_bare_decorator_and_bad_name():
    with SUGGESTIONS.scoped():
        @register_suggestion
        def my_rule(lrs, losses, num_it): return 1e-3, (1e-3, 0.)
        assert SUGGESTIONS['my_rule'].func is my_rule and SUGGESTIONS['my_rule'](None, None, 1) == (1e-3, (1e-3, 0.))
    assert 'my_rule' not in SUGGESTIONS
    with pytest.raises(ValueError, match="name \\('bad name'\\) must be a valid Python identifier"):
        register_suggestion('bad name')(lambda *a: None)


def test_resolve_every_accepted_form():
    class Rule:  # a callable object without __name__
        def __call__(self, lrs, losses, num_it): return 1e-3, (1e-3, 1.0)
    items = ['valley', ours.steep, fs.minimum, fs.SuggestionMethod.Slide, SuggestionMethod.Steep,
             functools.partial(ours.slide, lr_diff=5), functools.partial(fs.slide, lr_diff=10), lambda l, s, n: (1e-3, (1e-3, 1.)),
             lambda l, s, n: (1e-2, (1e-2, 1.)), Rule()]
    pairs = resolve_suggestions(items)
    names, funcs = [n for n, _ in pairs], [e.func for _, e in pairs]
    assert names == ['valley', 'steep', 'minimum', 'slide', 'steep_2', 'slide_2', 'slide_3', 'lambda_fn', 'lambda_fn_2', 'Rule']
    assert funcs[2] is ours.minimum and funcs[3] is ours.slide  # fastai's functions map to ours
    assert funcs[6].func is ours.slide and funcs[6].keywords == {'lr_diff': 10}
    from collections import namedtuple
    namedtuple('T', names)  # all valid, unique field names


def test_partials_compute_with_their_arguments():
    lrs = torch.logspace(-7, 1, 100)
    x = torch.log10(lrs)
    losses = 2 - 1.5 * torch.sigmoid(2 * (x + 4)) + torch.exp(1.2 * (x + 1))
    a = ours.slide(lrs, losses, 100, lr_diff=5)[0]
    b = functools.partial(ours.slide, lr_diff=5)(lrs, losses, 100)[0]
    assert a == b == fs.slide(lrs, losses, 100, lr_diff=5)[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves(values=any_float))
@example((torch.tensor([0.01]), torch.tensor([0.])))  # one point: the minimum rules go a tenth below it
def test_every_registered_rule_gives_none_or_an_lr_in_range(curve):
    lrs, losses = curve
    flrs, _ = finite_curve(lrs, losses)
    for name, f in SUGGESTIONS.items():
        lr, pt = _ours(f, lrs, losses, 100)
        if lr is None: continue
        lo = float(flrs.min()) / (10 if name in ('minimum', 'drop_or_minimum', 'recommended') else 1)  # a tenth of the lowest loss's lr
        assert lo <= lr <= float(flrs.max()), f"{name}: {lr} outside the swept range"


def test_peer_rules_on_a_known_curve():
    lrs = torch.logspace(-6, 0, 61)
    x = torch.log10(lrs)
    losses = 2 - torch.tanh(2 * (x + 3)) + torch.exp(3 * (x + 0.3))  # steepest descent at 1e-3 on a log axis
    assert ours.steepest_gradient(lrs, losses, 61)[0] == pytest.approx(1e-3, rel=0.26)
    assert ours.steepest_before_minimum(lrs, losses, 61)[0] == pytest.approx(1e-3, rel=0.26)
    # against lr itself the slope favours the smallest lrs, where a unit of lr is a huge relative step (Lightning's issue 21141)
    assert ours.steepest_gradient_lr(lrs, losses, 61)[0] < 0.75 * ours.steepest_gradient(lrs, losses, 61)[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves(values=st.floats(0.01, 100)), st.floats(0.1, 10), st.floats(-5, 5))
def test_loss_drop_ignores_the_loss_scale_and_moves_with_frac(curve, scale, shift):
    lrs, losses = curve
    lr, pt = ours.loss_drop(lrs, losses, 100)
    if lr is None: return
    _, y = finite_curve(lrs, losses)
    y = y.double().numpy()[:int(y.argmin()) + 1]
    for frac in (0.2, 0.45, 0.7):  # a point exactly on a level may fall either side of it once rescaled
        assume(not np.isclose(y, y[0] - frac * (y[0] - y[-1]), rtol=1e-5, atol=1e-9).any() or len(y) == 1)
    assert float(lrs.min()) <= lr <= float(lrs.max()) and pt[0] == lr
    assert ours.loss_drop(lrs, losses.double() * scale + shift, 100)[0] == pytest.approx(lr, rel=1e-3)
    a, b = ours.loss_drop(lrs, losses, 100, frac=0.2)[0], ours.loss_drop(lrs, losses, 100, frac=0.7)[0]
    assert a <= lr * (1 + 1e-6) and lr <= b * (1 + 1e-6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves(values=any_float))
def test_drop_or_minimum_is_the_higher_of_the_two(curve):
    lrs, losses = curve
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a, b, c = (ours.loss_drop(lrs, losses, 100)[0], ours.minimum(lrs, losses, 100)[0], ours.drop_or_minimum(lrs, losses, 100)[0])
    expected = max([v for v in (a, b) if v is not None], default=None)
    assert c == expected
