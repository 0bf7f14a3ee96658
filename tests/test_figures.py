"Figures that read right on every kind of curve the library produces: a one-line title, decade labels on log axes, a legend entry per piece, nothing off the figure."
import os
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from fastai_lrrange.core import range_test_spec, RangeTestRecord
from fastai_lrrange.diagnostics import StopReason
from fastai_lrrange.result import Sweep, LRFindResult

SUGG = ('valley', 'steep', 'minimum', 'recommended')


def _exp_lrs(start, end, num_it, n):
    "The first `n` rates of fastai's exponential schedule (one group)"
    return [[start*(end/start)**(i/num_it)] for i in range(n)]


def _sweep(spec, losses, reason, lrs=None, raw=None, non_finite=None):
    n = len(losses)
    if lrs is None:
        lrs = [[s*(e/s)**(i/spec.num_it) for s,e in zip(spec.starts, spec.ends)] for i in range(n)] if spec.mode == 'exp' else \
              [[s + (e-s)*i/spec.num_it for s,e in zip(spec.starts, spec.ends)] for i in range(n)]
    losses = list(map(float, losses))
    return Sweep.read(RangeTestRecord(lrs, list(raw if raw is not None else losses), losses, stop_reason=StopReason(reason),
                                      non_finite=non_finite), spec)


def _healthy_losses(n=80, num_it=100):
    x = np.linspace(0, n/num_it, n)
    return 2 - np.tanh(6*(x-0.4)) + np.exp(10*(x-1))*3


def _flat_losses(n=100, seed=0):
    rng = np.random.default_rng(seed)
    raw = 1 + 0.05*rng.standard_normal(n)
    sm,avg = [],0.
    for i,v in enumerate(raw, 1): avg = 0.98*avg + 0.02*v; sm.append(avg/(1-0.98**i))
    return np.array(sm), raw


def kinds():
    "name -> LRFindResult: one of every kind of curve the library produces (built from records: fast)"
    spec = range_test_spec(suggest_funcs=SUGG)
    out = {}
    out['healthy'] = LRFindResult.from_sweeps([_sweep(spec, _healthy_losses(), 'diverged')], spec)
    x = np.linspace(0, 1, 100)
    out['never_diverged'] = LRFindResult.from_sweeps([_sweep(spec, 2 - np.tanh(4*x), 'num_it')], spec)
    at_once = range_test_spec(start_lr=1e3, end_lr=1e6, suggest_funcs=('valley', 'steep'))
    out['diverged_at_once'] = LRFindResult.from_sweeps([_sweep(at_once, [1.0, 9.0], 'diverged')], at_once)
    out['non_finite_at_once'] = LRFindResult.from_sweeps(
        [_sweep(spec, [np.nan], 'non_finite', non_finite=('inputs', "NaN in 3 of 16 rows of column 'x'"))], spec)
    nf = list(_healthy_losses(60)) + [np.nan]
    out['non_finite'] = LRFindResult.from_sweeps([_sweep(spec, nf, 'non_finite')], spec)
    flat,raw = _flat_losses()
    flat_sw = _sweep(spec, flat, 'num_it', raw=raw)
    out['flat'] = LRFindResult.from_sweeps([flat_sw], spec)
    spec2 = spec.second_sweep(flat_sw.lrs[-1], spec.policies[0])
    y2 = 2 - np.tanh(6*(np.linspace(0, 1, 200)-0.4))
    out['two_sweeps'] = LRFindResult.from_sweeps([flat_sw, _sweep(spec2, y2, 'diverged')], spec)
    out['second_sweep_of_2_points'] = LRFindResult.from_sweeps([flat_sw, _sweep(spec2, [1.0, 40.0], 'diverged')], spec)
    runs = [LRFindResult.from_sweeps([_sweep(spec, _healthy_losses()*k, r)], spec) for k,r in ((0.9, 'num_it'), (1, 'diverged'), (1.1, 'num_it'))]
    out['n_runs_3'] = LRFindResult.from_runs(runs, spec)
    groups = range_test_spec(start_lr=[1e-9, 1e-8, 1e-7], end_lr=[0.1, 1, 10], suggest_funcs=SUGG)
    out['three_groups'] = LRFindResult.from_sweeps([_sweep(groups, _healthy_losses(), 'diverged')], groups)
    lin = range_test_spec(start_lr=1e-4, end_lr=0.1, mode='linear', suggest_funcs=('valley', 'steep'))
    out['linear'] = LRFindResult.from_sweeps([_sweep(lin, _healthy_losses(), 'diverged')], lin)
    return out


def _real_kinds():
    "Two real range tests on fastai's tiny linear-regression learner: a healthy sweep and one that diverged at once"
    import warnings
    from conftest import make_synth
    out = {}
    for name,kw in (('real_synth', {}), ('real_diverged_at_once', dict(start_lr=1e3, end_lr=1e6))):
        learn = make_synth()
        with learn.no_bar(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            out[name] = learn.lr_range_test(show_plot=False, **kw)
    return out


FIGS = os.environ.get('FIGS_DIR')  # set it to keep every figure as a PNG (to look at them)


def _texts(fig):
    "Every text the figure draws (tick labels of ticks outside the view limits are not drawn)"
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo,hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                v = tick.get_loc()
                if not (lo - 1e-9*abs(lo) <= v <= hi + 1e-9*abs(hi)): hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _outside(fig):
    "Visible texts whose extent leaves the figure"
    r = fig.canvas.get_renderer(); box = fig.bbox
    bad = []
    for t in _texts(fig):
        e = t.get_window_extent(r)
        if e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1: bad.append(t.get_text())
    return bad


def _decade_labels(ax):
    "The visible major x tick labels, and whether each sits on a power of ten"
    lo,hi = sorted(ax.get_xlim())
    out = []
    for tick in ax.xaxis.get_major_ticks():
        v,txt = tick.get_loc(),tick.label1.get_text()
        if not (lo*(1-1e-9) <= v <= hi*(1+1e-9)) or not tick.label1.get_visible() or not txt: continue
        out.append((txt, v > 0 and abs(np.log10(v) - round(np.log10(v))) < 1e-9))
    return out


def _degenerate_lines(ax):
    "Lines of several points drawn as a (near) vertical stroke across most of the axes"
    r = ax.figure.canvas.get_renderer(); ab = ax.get_window_extent(r)
    bad = []
    for l in ax.lines:
        if len(l.get_xdata()) < 2 or l.get_linestyle() in ('None', 'none', ' ', ''): continue
        xy = ax.transData.transform(np.column_stack([l.get_xdata(), l.get_ydata()]))
        xy = xy[np.isfinite(xy).all(1)]
        if len(xy) < 2: continue
        ys = np.clip(xy[:, 1], ab.y0, ab.y1)
        if np.ptp(xy[:, 0]) < 0.02*ab.width and np.ptp(ys) > 0.3*ab.height: bad.append(l.get_label())
    return bad


def problems(name, res):
    "What is wrong with the figure of `res` (empty when it reads right), saved as PNG under $FIGS_DIR"
    fig = res.plot()
    fig.canvas.draw()
    if FIGS: Path(FIGS).mkdir(parents=True, exist_ok=True); fig.savefig(Path(FIGS)/f'{name}.png')
    ax,out = fig.axes[0],[]
    title = ax.get_title()
    if '\n' in title or len(title) > 70: out.append(f'title is not one short line: {title!r}')
    if res.diagnostics and not title: out.append('no title, though there is a finding')
    if _outside(fig): out.append(f'text outside the figure: {_outside(fig)}')
    if res.mode == 'exp':
        labels = _decade_labels(ax)
        if len(labels) < 2 or not all(ok for _,ok in labels): out.append(f'x tick labels are not decades: {labels}')
    elif ax.get_xscale() != 'linear': out.append('a linear sweep on a log axis')
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    if len(legend) != len(set(legend)): out.append(f'legend entries repeat: {legend}')
    drawn = [l for l in ax.lines if l.get_label() and not l.get_label().startswith('_') and len(l.get_xdata())]
    styles = [(str(l.get_color()), l.get_linestyle(), l.get_marker()) for l in drawn]
    if len(styles) != len(set(styles)): out.append(f'pieces share a style: {styles}')
    pieces = sum(int(sw.window.start > 0) + int(sw.window.stop < len(sw.losses)) for sw in res.sweeps)
    if sum('left out' in l for l in legend) != pieces: out.append(f'{pieces} left-out pieces, legend: {legend}')
    if len(res.sweeps) > 1 and not any(l.startswith('second sweep') for l in legend): out.append(f'no legend entry for the second sweep: {legend}')
    if _degenerate_lines(ax): out.append(f'drawn as a line across the figure: {_degenerate_lines(ax)}')
    plt.close(fig)
    return out


@pytest.mark.parametrize('name', list(kinds()))
def test_every_kind_of_curve_reads_right(name):
    assert not problems(name, kinds()[name])


def test_real_range_tests_read_right():
    for name,res in _real_kinds().items(): assert not problems(name, res), name


def test_a_long_title_of_your_own_is_wrapped_inside_the_figure():
    res = kinds()['diverged_at_once']
    fig = res.plot(title=str(res.diagnostics[0])*3)
    fig.canvas.draw()
    assert len(fig.axes[0].get_title().splitlines()) > 1 and not _outside(fig)
    plt.close(fig)
