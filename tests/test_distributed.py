"lr_find under DDP: two CPU processes (torchrun, gloo, Accelerate cpu=True) record the same curve, stop together and restore."
import json, os, shutil, subprocess, sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / 'ddp_script.py'


@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp('ddp')
    env = dict(os.environ, OMP_NUM_THREADS='1', MPLBACKEND='Agg')
    try:
        # --standalone: torchrun picks a free port, so runs side by side (CI, a stress loop) cannot collide
        r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', str(SCRIPT), str(out)],
                           capture_output=True, text=True, timeout=240, env=env)  # a hang fails the test, it does not stall CI
    except subprocess.TimeoutExpired as e:
        pytest.fail(f'the 2-process range test hung (no result in 240 s): {e.stderr}')
    assert r.returncode == 0, r.stderr[-3000:]
    return [json.loads((out / f'rank{i}.json').read_text()) for i in (0, 1)]


def test_both_ranks_record_the_same_curve_and_suggestions(ranks):
    a, b = ranks[0]['diverge'], ranks[1]['diverge']
    assert a['losses'] == b['losses'] and a['lrs'] == b['lrs'] and a['sugg'] == b['sugg']
    assert a['stop'] == b['stop'] == 'diverged' and len(a['losses']) == len(b['losses'])


def test_ranks_see_different_data_yet_stop_on_the_same_step(ranks):
    a, b = ranks[0]['diverge'], ranks[1]['diverge']
    assert a['local'] != b['local']  # their own losses differ
    assert len(a['losses']) == len(b['losses']) < 100


def test_the_stop_decision_is_collective(ranks):
    a, b = ranks[0]['spike'], ranks[1]['spike']
    local = b['local']
    assert max(local) > 4 * min(local)  # rank 1's own loss alone would have diverged (beta=0, div_thresh=4)
    assert a['stop'] == b['stop'] == 'num_it' and len(a['losses']) == len(b['losses']) == 30
    assert max(a['losses']) < 4 * min(a['losses']) and a['losses'] == b['losses']  # the mean over ranks never did


def test_each_rank_restores_its_own_weights_and_ranks_agree(ranks):
    assert ranks[0]['diverge']['restored'] and ranks[1]['diverge']['restored']
    assert ranks[0]['diverge']['params'] == ranks[1]['diverge']['params']
    assert ranks[0]['diverge']['model_type'] == 'RegModel'  # the DDP wrapper is gone


def test_a_following_fit_runs_on_both_ranks(ranks):
    assert ranks[0]['fit_ok'] and ranks[1]['fit_ok']


def test_only_rank_0_draws_the_figure(ranks):
    assert ranks[0]['diverge']['figures'] == 1 and ranks[1]['diverge']['figures'] == 0


def test_learner_prepared_by_to_distributed(ranks):
    a, b = ranks[0]['to_distributed'], ranks[1]['to_distributed']
    assert a['losses'] == b['losses'] and a['sugg'] == b['sugg'] and len(a['losses']) > 10
    assert a['restored'] and b['restored']
