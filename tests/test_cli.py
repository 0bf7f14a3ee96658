"The lrrange console script: the demo writes a plot with a marker per suggestion; bad input exits with one line."
import subprocess, sys

import pytest

from fastai_lrrange.cli import main


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
    r = subprocess.run(['lrrange', 'demo', '--num-it', '30'], capture_output=True, text=True, timeout=300, cwd=tmp_path)
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
