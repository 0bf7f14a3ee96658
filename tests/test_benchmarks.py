"Smoke runs of the benchmarks (the full runs are not part of CI)."
import json, subprocess, sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / 'benchmarks'


def test_quality_quick_smoke(tmp_path):
    extra = tmp_path / 'extra_tasks.py'
    extra.write_text(
        "import sys; sys.path.insert(0, %r)\n"
        "from quality import Task, cancer_mlp\n"
        "TASKS = [Task('outside_task', cancer_mlp, 2, held_out=True, grid=(2**-8, 2**-4))]\n" % str(BENCH))
    out = tmp_path / 'q.md'
    r = subprocess.run([sys.executable, str(BENCH / 'quality.py'), '--quick', '--tasks', 'cancer_mlp,outside_task', '--tasks-file', str(extra),
                        '--cache', str(tmp_path / 'cache.json'), '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    assert 'cancer_mlp' in text and 'outside_task' in text and 'Held-out tasks' in text
    for name in ('valley', 'slide', 'minimum', 'steep', 'steepest_gradient', 'steepest_gradient_lr', 'steepest_before_minimum', 'loss_drop'):
        assert f'| {name} |' in text
    assert 'Target for `loss_drop`' in text and 'best of fastai' in text
    results = json.loads(out.with_suffix('.json').read_text())
    assert {r['task'] for r in results} == {'cancer_mlp', 'outside_task'}
    assert json.loads((tmp_path / 'cache.json').read_text())  # trainings are cached


def test_suggest_speed_smoke(tmp_path):
    out = tmp_path / 's.md'
    r = subprocess.run([sys.executable, str(BENCH / 'suggest_speed.py'), '--sizes', '100,1000', '--reps', '1', '--out', str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert '| valley |' in out.read_text()


def test_quality_other_protocol_smoke(tmp_path):
    out = tmp_path / 'q.md'
    r = subprocess.run([sys.executable, str(BENCH / 'quality.py'), '--quick', '--tasks', 'cancer_mlp', '--protocol', 'fit',
                        '--cache', str(tmp_path / 'cache.json'), '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'downstream protocol fit(epochs, lr)' in out.read_text()
    assert all(k.endswith('|fit') for k in json.loads((tmp_path / 'cache.json').read_text()))


def test_every_candidate_idea_gives_an_lr_in_the_swept_range():
    sys.path.insert(0, str(BENCH))
    from candidates import CANDIDATES
    from quality import _candidate_lr, cancer_mlp
    learn = cancer_mlp(1000)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    res = learn.lr_find_result
    lo, hi = float(res.lrs[:, -1].min()), float(res.lrs[:, -1].max())
    for name, f in CANDIDATES.items():
        lr = _candidate_lr(f, res)
        assert lr is not None and lo / 30 <= lr <= hi, f"{name}: {lr}"
