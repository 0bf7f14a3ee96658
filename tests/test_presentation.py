"How the range test shows itself: one progress bar (plain lines when piped), one figure per call in a notebook, fastai's skip_end, readable ticks, a quiet CLI."
import subprocess, sys, textwrap

import matplotlib.pyplot as plt
import numpy as np
import pytest

from conftest import make_synth


def _run_notebook(cells, tmp_path, timeout=600):
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(tmp_path)}}).execute()
    return nb.cells


def _images(cell): return sum('image/png' in o.get('data', {}) for o in cell.outputs)
def _text(cell): return ' '.join(str(o.get('text', '')) + ' '.join(str(v) for v in o.get('data', {}).values()) for o in cell.outputs)


def test_a_notebook_shows_one_figure_per_call_and_one_bar(tmp_path, monkeypatch):
    monkeypatch.delenv('MPLBACKEND', raising=False)  # the kernel inherits it: CI's Agg would stand in for Jupyter's inline backend
    setup = textwrap.dedent('''
        import warnings; warnings.filterwarnings('ignore')
        from fastai_lrrange.all import *
        from fastai_lrrange.examples import digits_learner
        learn = digits_learner()''')
    cells = _run_notebook([setup, 'learn.lr_find()', 'learn.recorder.plot_lr_find()', 'learn.lr_find_result.plot()',
                           'fig = learn.lr_find_result.plot()', 'fig'], tmp_path)
    assert [_images(c) for c in cells[1:]] == [1, 1, 1, 1, 1]
    bar = _text(cells[1])
    assert 'stopped after' in bar and 'Epoch' not in bar and 'valid_loss' not in bar  # the range test's bar, no epoch bars


def test_piped_progress_is_a_few_plain_lines():
    code = textwrap.dedent('''
        import warnings; warnings.filterwarnings('ignore')
        from fastai_lrrange.all import *
        from fastai_lrrange.examples import digits_learner
        digits_learner().lr_find(show_plot=False)''')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert '\r' not in r.stdout and 2 <= len(lines) <= 4, lines  # step 25, 50, 75 of 100 (those reached), then the end
    assert all(l.startswith('lr_find: ') for l in lines) and lines[-1].startswith('lr_find: stopped after')


def test_cli_prints_no_third_party_warnings(tmp_path):
    r = subprocess.run([sys.executable, '-m', 'fastai_lrrange', 'demo', '--num-it', '20'], capture_output=True, text=True,
                       timeout=300, cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == '', r.stderr
    assert (tmp_path / 'lr_find.png').exists() and '(recommended for fit_one_cycle)' in r.stdout


def _drawn_xmax(fig): return max(max(l.get_xdata()) for l in fig.axes[0].lines if len(l.get_xdata()))


def test_skip_end_leaves_out_the_last_points_everywhere():
    learn = make_synth()
    with learn.no_bar(): learn.lr_find(show_plot=False, stop_div=False)
    res = learn.lr_find_result
    xs = [_drawn_xmax(res.plot(skip_end=k)) for k in (0, 5, 10)]
    assert xs[0] == res.last_group_lrs[-1] and xs[1] == res.last_group_lrs[-6] and xs[2] == res.last_group_lrs[-11]
    assert _drawn_xmax(learn.recorder.plot_lr_find(skip_end=10)) == xs[2] and _drawn_xmax(learn.recorder.plot_lr_find()) == xs[1]
    with pytest.raises(ValueError, match=r'skip_end \(-1\) must be an integer >= 0'): res.plot(skip_end=-1)
    plt.close('all')


def test_a_test_that_diverged_at_once_has_readable_ticks_and_one_piece_of_advice():
    learn = make_synth()
    with learn.no_bar(): learn.lr_find(show_plot=False, start_lr=1e3, end_lr=1e6)
    res = learn.lr_find_result
    fig = res.plot()
    fig.canvas.draw()
    ax = fig.axes[0]; lo, hi = ax.get_xlim()
    labels = [t.get_text() for t, v in zip(ax.get_xticklabels(), ax.get_xticks()) if lo <= v <= hi and t.get_text()]
    assert labels == ['$\\mathdefault{10^{3}}$', '$\\mathdefault{10^{4}}$'], labels  # decades around it, not 1, 1.02, 1.04
    assert [d.kind.name for d in res.diagnostics] == ['DIVERGED_AT_ONCE']
    long = res.plot(title=str(res.diagnostics[0]) * 3).axes[0].get_title()  # a verdict with its advice is wrapped, not one wide line
    assert len(long.splitlines()) > 1 and all(len(l) <= 80 for l in long.splitlines())
    plt.close('all')
