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


# ---------------------------------------------------------------- issue 23: what would make the loss non-finite, named before any step
def _frame(n=300):
    "A category, two numbers, a class label and a number to predict"
    import numpy as np, pandas as pd
    rng = np.random.default_rng(0)
    df = pd.DataFrame({'colour': rng.choice(['red', 'blue', 'green'], n), 'x': rng.normal(size=n), 'z': rng.normal(size=n)})
    df['label'] = np.where(df.x + (df.colour == 'red') > 0.5, 'yes', 'no')
    df['y'] = 2*df.x + rng.normal(size=n)
    return df


@pytest.fixture
def no_fit(monkeypatch):
    "The calls of Learner.fit (none is made: every range-test step runs inside fit)"
    from fastai.learner import Learner
    calls = []
    monkeypatch.setattr(Learner, 'fit', lambda self, *a, **k: calls.append(a))
    return calls


_INPUT_INF = ("continuous column 'x' holds 2 infinite values (rows 4, 5): fastai's FillMissing fills missing values, not inf, and Normalize "
              "would turn the whole column into NaN; replace them in the file (an empty cell is filled with the median) or leave the column out: "
              "--cat-names colour --cont-names z")
STOPS = {  # case: (arguments, the error after 'lrrange: error: ')
    'target_too_big': (['--target', 'y', '--regression'],
        "--target ('y') holds 2 values beyond ±1e18 (rows 4, 90, e.g. 1e+20): its squared error overflows float32, so the MSE loss is "
        "infinite from the first steps; scale the target (divide it, or take its log) or drop those rows"),
    'target_all_inf': (['--target', 'y', '--regression'],
        "file ('{f}') has 0 rows with a target (and 300 with an infinite one): a range test needs at least 20"),
    'input_inf': (['--target', 'label'], _INPUT_INF),
    'input_inf_named': (['--target', 'label', '--cont-names', 'x', 'z'], _INPUT_INF),
}


@pytest.mark.parametrize('case', STOPS)
def test_csv_names_what_makes_the_loss_non_finite_and_stops(tmp_path, no_fit, case):
    import numpy as np
    args,msg = STOPS[case]
    df = _frame()
    if case == 'target_too_big': df.loc[[4, 90], 'y'] = 1e20
    elif case == 'target_all_inf': df['y'] = np.inf
    else: df.loc[4, 'x'],df.loc[5, 'x'] = np.inf,-np.inf
    if case.startswith('input'): df = df.drop(columns='y')
    f = tmp_path / 'data.csv'
    df.to_csv(f, index=False)
    with pytest.raises(SystemExit) as e: main(['csv', str(f), *args, '--out', str(tmp_path / 'x.png')])
    assert e.value.code == 'lrrange: error: ' + msg.format(f=f)
    assert no_fit == [] and not (tmp_path / 'x.png').exists()


GOES_ON = {  # case: (arguments, lines it prints before the range test)
    'target_inf': (['--target', 'y', '--regression'],
        ["data.csv: 300 rows, 297 used; 3 dropped (an infinite value in the target 'y')",
         "warning: --target ('y') holds 3 infinite values (rows 4, 17, 90): those rows dropped; replace the values to keep the rows"]),
    'target_inf_and_missing': (['--target', 'y', '--regression'],
        ["data.csv: 300 rows, 296 used; 4 dropped (no value in the target 'y': 1, an infinite value: 3)"]),
    'empty_column': (['--target', 'label'],
        ["  w: skipped: no value in any row",
         "warning: 'w' has no value in any row: skipped, as a continuous column it would make every loss NaN"]),
    'empty_column_named': (['--target', 'label', '--cat-names', 'colour', '--cont-names', 'x', 'w'], ["  w: skipped: no value in any row"]),
    'constant_column': (['--target', 'label'], ["  c: continuous"]),  # Normalize adds 1e-7 to its zero std: zeros, not NaN
}


@pytest.mark.parametrize('case', GOES_ON)
def test_csv_drops_what_makes_the_loss_non_finite_and_says_so(tmp_path, capsys, case):
    import json, math
    import numpy as np
    args,said = GOES_ON[case]
    df = _frame()
    if case.startswith('target_inf'): df.loc[[4, 90], 'y'],df.loc[17, 'y'] = np.inf,-np.inf
    if case == 'target_inf_and_missing': df.loc[3, 'y'] = None
    if case.startswith('empty_column'): df['w'] = None
    if case == 'constant_column': df['c'] = 3.3
    f = tmp_path / 'data.csv'
    df.to_csv(f, index=False)
    main(['csv', str(f), *args, '--num-it', '20', '--out', str(tmp_path / 'lr.png'), '--suggest', 'valley'])
    printed = capsys.readouterr().out.splitlines()
    for line in said: assert line in printed, printed
    d = json.loads((tmp_path / 'lr.json').read_text())
    assert d['stop_reason'] != 'non_finite' and len(d['raw_losses']) > 10 and all(math.isfinite(l) for l in d['raw_losses'])  # (lr 10 at the end may diverge)


def test_csv_regression_target_stored_as_text(tmp_path):
    "Money stored as text is read as numbers in the target too (its range was printed from the text before)"
    from fastai_lrrange.cli import table_plan
    df = _frame()
    df['price'] = [f"${1000 + 7*i:,}" for i in range(len(df))]
    df.to_csv(tmp_path / 'data.csv', index=False)
    plan = table_plan(tmp_path / 'data.csv', 'price', regression=True)
    assert plan['lines'][1] == "target 'price': a number, 1000 to 3093" and plan['df'].price.dtype == float
