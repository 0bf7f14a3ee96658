"A failure in another callback's after_fit, and two range tests at once in one folder."
import json, subprocess, sys, textwrap

import pytest

from conftest import make_synth, capture, assert_same_state, RaiseAt, files_under


def test_exception_in_after_fit_of_another_callback_restores(tmp_path):
    learn = make_synth(tmp_path)
    with learn.no_bar(): learn.fit(1, 1e-2)
    learn.add_cb(RaiseAt(event='after_fit'))
    before = capture(learn)
    with learn.no_bar(), pytest.raises(RuntimeError, match='injected failure'): learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))


SCRIPT = textwrap.dedent('''
    import json, sys, warnings
    warnings.filterwarnings('ignore')
    import torch
    from fastai.test_utils import synth_learner
    from fastai.torch_core import set_seed
    import fastai_lrrange.all
    folder, seed = sys.argv[1], int(sys.argv[2])
    set_seed(seed)
    learn = synth_learner(n_trn=10)
    learn.path = __import__('pathlib').Path(folder)
    w0 = [p.clone() for p in learn.model.parameters()]
    curves = []
    with learn.no_bar():
        for _ in range(3):
            learn.lr_find(show_plot=False, num_it=60)
            curves.append(learn.lr_find_result.losses.tolist())
    restored = all(torch.equal(a, b) for a, b in zip(w0, learn.model.parameters()))
    print(json.dumps({'curves': curves, 'restored': restored}))
''')


def _launch(folder, seed):
    return subprocess.Popen([sys.executable, '-c', SCRIPT, str(folder), str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_processes_in_one_folder_do_not_interfere(tmp_path):
    procs = [_launch(tmp_path, s) for s in (1, 2)]
    together = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        together.append(json.loads(out.strip().splitlines()[-1]))
    alone = []
    for s in (1, 2):
        p = _launch(tmp_path, s)
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        alone.append(json.loads(out.strip().splitlines()[-1]))
    for t, a in zip(together, alone):
        assert t['restored'] and t['curves'] == a['curves']
        assert t['curves'][0] == t['curves'][1] == t['curves'][2]  # each restore also resets the RNGs and data order
    assert together[0]['curves'] != together[1]['curves']
    assert files_under(tmp_path) == []
