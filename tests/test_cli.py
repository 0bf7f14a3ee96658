"The lrrange console script: the demo writes a plot with a marker per suggestion; bad input exits with one line."
import shutil, subprocess, sys
from pathlib import Path

import pytest

from fastai_lrrange.cli import main

LRRANGE = shutil.which('lrrange', path=str(Path(sys.executable).parent)) or 'lrrange'  # this interpreter's console script, not PATH's first


def _lrrange(*args, cwd=None):
    return subprocess.run([sys.executable, '-c', 'from fastai_lrrange.cli import main; main()', *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_demo_writes_plot_with_suggestions(tmp_path, capsys):
    out = tmp_path / 'sub' / 'plot.png'
    main(['demo', '--out', str(out), '--num-it', '40', '--suggest', 'valley,steep,minimum'])
    printed = capsys.readouterr().out
    assert out.exists() and out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    for name in ('valley', 'steep', 'minimum'): assert f'{name}: ' in printed
    assert 'stopped:' in printed


def test_demo_through_the_console_script_defaults_to_lr_find_png(tmp_path):
    r = subprocess.run([LRRANGE, 'demo', '--num-it', '30'], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'lr_find.png').exists() and 'valley: ' in r.stdout and 'steep: ' in r.stdout


@pytest.mark.parametrize('args,msg', [
    (['--suggest', 'valey'], "unknown suggestion 'valey'"),
    (['--num-it', '0'], 'num_it (0) must be an integer >= 1'),
])
def test_bad_input_exits_with_one_line(tmp_path, args, msg):
    r = _lrrange('demo', '--out', str(tmp_path / 'x.png'), *args)
    assert r.returncode != 0 and msg in r.stderr
    assert len([l for l in r.stderr.strip().splitlines() if l.startswith('lrrange: error')]) == 1
    assert 'Traceback' not in r.stderr and not (tmp_path / 'x.png').exists()


def test_bad_mode_is_refused_by_the_parser(tmp_path):
    r = _lrrange('demo', '--mode', 'cosine')
    assert r.returncode == 2 and "invalid choice: 'cosine'" in r.stderr


def _write_csv(path, n=300, one_class=False):
    import numpy as np, pandas as pd
    rng = np.random.default_rng(0)
    df = pd.DataFrame({'colour': rng.choice(['red', 'blue', 'green'], n), 'x': rng.normal(size=n), 'z': rng.normal(size=n)})
    df['label'] = 'yes' if one_class else np.where(df.x + (df.colour == 'red') > 0.5, 'yes', 'no')
    df.to_csv(path, index=False)
    return path


def test_csv_writes_plot_and_json(tmp_path):
    import json
    f = _write_csv(tmp_path / 'data.csv')
    r = subprocess.run([LRRANGE, 'csv', str(f), '--target', 'label', '--cat-names', 'colour', '--cont-names', 'x', 'z',
                        '--num-it', '50', '--out', str(tmp_path / 'out' / 'lr.png'), '--suggest', 'valley,minimum', '--mode', 'exp'],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'out' / 'lr.png').read_bytes()[:4] == b'\x89PNG'
    d = json.loads((tmp_path / 'out' / 'lr.json').read_text())
    assert set(d['suggestions']) == {'valley', 'minimum'} and len(d['losses']) > 10
    assert 'valley: ' in r.stdout and 'minimum: ' in r.stdout
    assert 'lr_find: stopped after' in r.stdout and '\r' not in r.stdout  # piped: plain progress lines, not bar frames


def test_csv_infers_columns_and_regression(tmp_path):
    from fastai_lrrange.cli import csv_learner
    f = _write_csv(tmp_path / 'data.csv')
    learn = csv_learner(f, 'label')
    assert list(learn.dls.cat_names) == ['colour'] and list(learn.dls.cont_names) == ['x', 'z']
    learn = csv_learner(f, 'z', regression=True)
    assert learn.dls.c == 1 or learn.model.layers[-1][0].out_features == 1


@pytest.mark.parametrize('case,msg', [
    ('missing_file', "does not exist"),
    ('empty_file', "is empty"),
    ('missing_column', "--target ('nope') is not a column"),
    ('one_class', "has a single class"),
    ('missing_cat', "'nope' not columns of"),
])
def test_csv_bad_input_exits_with_one_line(tmp_path, case, msg):
    f = tmp_path / 'data.csv'
    args = ['csv', str(f), '--target', 'label', '--out', str(tmp_path / 'x.png')]
    if case == 'missing_file': args[1] = str(tmp_path / 'absent.csv')
    elif case == 'empty_file': f.write_text('')
    elif case == 'missing_column': _write_csv(f); args[3] = 'nope'
    elif case == 'one_class': _write_csv(f, one_class=True)
    elif case == 'missing_cat': _write_csv(f); args += ['--cat-names', 'nope']
    r = _lrrange(*args)
    assert r.returncode != 0 and msg in r.stderr, r.stderr
    errors = [l for l in r.stderr.strip().splitlines() if l.startswith('lrrange: error')]
    assert len(errors) == 1 and 'Traceback' not in r.stderr and not (tmp_path / 'x.png').exists()
