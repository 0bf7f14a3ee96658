"""A learner lives on after `lr_find`: every result the library makes pickles, deep-copies and reads back from JSON equal;
`learn.export()` loads where `fastai_lrrange` cannot be imported; a learner after `lr_find` pickles, copies, saves and trains on."""
import copy, json, pickle, subprocess, sys, textwrap, warnings

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from fastai.torch_core import set_seed
from fastai_lrrange.core import RangeTestRecord, range_test_spec
from fastai_lrrange.result import LRFindResult, Sweep
from fastai_lrrange.examples import digits_learner
from fastai_lrrange.cli import csv as lrrange_csv

from conftest import make_synth, RaiseAt
from learners import tiny_tabular_learner


class NaNAfter(nn.Module):
    "A linear model whose output turns NaN after `n` training forward passes (a loss that goes non-finite mid-sweep)"
    def __init__(self, n): super().__init__(); self.lin, self.n, self.calls = nn.Linear(1, 1), n, 0
    def forward(self, x):
        self.calls += self.training
        return self.lin(x) * (float('nan') if self.calls > self.n else 1.)


class Flat(nn.Module):
    "A model whose output does not depend on its weights: the loss is the batches' own noise"
    def __init__(self): super().__init__(); self.lin = nn.Linear(1, 1)
    def forward(self, x): return self.lin(x)*0 + 1.


def _one_run(tmp_path):
    learn = make_synth(tmp_path)
    return learn.lr_range_test(show_plot=False, suggest_funcs=('valley', 'steep', 'recommended'))


def _three_runs(tmp_path):
    return make_synth(tmp_path).lr_range_test(show_plot=False, n_runs=3, suggest_funcs=('valley', 'minimum'))


def _swept_again(tmp_path):
    learn = make_synth(tmp_path)
    learn.model = Flat()  # no rate moves the loss: a first sweep without descent
    res = learn.lr_range_test(show_plot=False, suggest_funcs=('valley', 'recommended'))
    assert len(res.sweeps) == 2, res
    return res


def _diverged(tmp_path):
    res = make_synth(tmp_path).lr_range_test(show_plot=False, end_lr=1e3)
    assert res.stop_reason == 'diverged'
    return res


def _non_finite(tmp_path):
    learn = make_synth(tmp_path)
    learn.model = NaNAfter(40)
    res = learn.lr_range_test(show_plot=False)
    assert res.stop_reason == 'non_finite' and res.first_sweep.non_finite[0] == 'model output'
    return res


def _interrupted(tmp_path):
    learn = make_synth(tmp_path)
    learn.add_cb(RaiseAt(30, KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt): learn.lr_range_test(show_plot=False)
    res = learn.lr_find_result
    assert res.stop_reason == 'interrupted'
    return res


def _from_csv(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({'x': rng.normal(size=120), 'k': rng.choice(['a', 'b'], 120)})
    df['y'] = (df.x > 0).astype(int)
    df.to_csv(tmp_path/'t.csv', index=False)
    res = lrrange_csv(tmp_path/'t.csv', 'y', out=tmp_path/'lr.png', num_it=30)
    assert LRFindResult.load(tmp_path/'lr.json') == res  # what `lrrange csv` wrote reads back
    return res


KINDS = {'one run': _one_run, 'n_runs=3': _three_runs, 'swept again': _swept_again, 'diverged': _diverged,
         'non-finite': _non_finite, 'interrupted': _interrupted, 'lrrange csv': _from_csv}


@pytest.mark.parametrize('kind', KINDS)
def test_every_kind_of_result_round_trips(kind, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        res = KINDS[kind](tmp_path)
    for back in (pickle.loads(pickle.dumps(res)), copy.deepcopy(res), LRFindResult.from_dict(json.loads(json.dumps(res.to_dict()))),
                 LRFindResult.load(res.save(tmp_path/'r.json'))):
        assert back == res and back.suggestions == res.suggestions and back.read_from == res.read_from
        assert back.diagnostics == res.diagnostics and [d.kind for d in back.diagnostics] == [d.kind for d in res.diagnostics]
        assert back.sweeps == res.sweeps and [s.window.diverged_early for s in back.sweeps] == [s.window.diverged_early for s in res.sweeps]
        assert back.to_df().equals(res.to_df()) and len(back.runs) == len(res.runs)
        assert back.suggested_lrs() == res.suggested_lrs()
        back.plot()
    for part in (res.first_sweep, res.first_sweep.window, res.first_sweep.spec, res.diagnostics, res.suggested_lrs()):
        assert pickle.loads(pickle.dumps(part)) == part == copy.deepcopy(part)
    import matplotlib.pyplot as plt; plt.close('all')


def test_the_record_and_a_spec_with_a_rule_of_your_own_pickle():
    rec = RangeTestRecord([[1e-3], [1e-2]], [1., 2.], [1., 1.5], stop_reason='num_it', non_finite=None)
    assert pickle.loads(pickle.dumps(rec)) == rec
    res = make_synth().lr_range_test(show_plot=False, suggest_funcs=(lambda lrs, losses, num_it: float(lrs[0]),))
    back = pickle.loads(pickle.dumps(res))  # the sweeps keep what they ran, not the functions asked for
    assert back == res and list(back.suggestions) == ['lambda_fn']


def test_a_saved_result_from_another_version_or_edited_by_hand_is_refused_by_name(tmp_path):
    d = make_synth().lr_range_test(show_plot=False).to_dict()
    with pytest.raises(ValueError, match=r"\['version'\] \(2\) must be a format version this fastai_lrrange reads \(1 to 1\)"):
        LRFindResult.from_dict({**d, 'version': 2})
    old = {k: v for k, v in d.items() if k not in ('format', 'version')}  # what versions before the format was named wrote
    with pytest.raises(ValueError, match="result has no 'format'"): LRFindResult.from_dict(old)
    bad = json.loads(json.dumps(d)); bad['sweeps'][0]['losses'] = bad['sweeps'][0]['losses'][:-1]
    with pytest.raises(ValueError, match=r"\['sweeps'\]\[0\]\['lrs'\] .* must be a list of \d+ rows"): LRFindResult.from_dict(bad)
    bad = json.loads(json.dumps(d)); bad['sweeps'][0]['stop_reason'] = 'tired'
    with pytest.raises(ValueError, match=r"\['stop_reason'\] \('tired'\) must be one of"): LRFindResult.from_dict(bad)
    bad = json.loads(json.dumps(d)); bad['read_from']['valley'] = 3
    with pytest.raises(ValueError, match=r"\['read_from'\] .* the index of a sweep"): LRFindResult.from_dict(bad)
    (tmp_path/'x.json').write_text('{not json')
    with pytest.raises(ValueError, match=r"path \('.*x.json'\) is not a JSON file"): LRFindResult.load(tmp_path/'x.json')


def _trained_tabular(path):
    learn = tiny_tabular_learner(path)
    with learn.no_bar(): learn.fit_one_cycle(2, 1e-2)
    with learn.no_bar(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn.lr_find(show_plot=False)
        learn.fit_one_cycle(1, 1e-3)
    return learn


LOAD_WITHOUT_PLUGIN = textwrap.dedent('''
    import sys, json, warnings
    warnings.filterwarnings('ignore')
    sys.modules['fastai_lrrange'] = None  # `import fastai_lrrange` raises ImportError here: only fastai is installed
    import pandas as pd
    from fastai.tabular.all import load_learner
    learn = load_learner(sys.argv[1])
    df = pd.read_csv(sys.argv[2])
    dl = learn.dls.test_dl(df)
    preds = learn.get_preds(dl=dl)[0]
    print(json.dumps({'preds': preds.tolist(), 'has_result': hasattr(learn, 'lr_find_result')}))
''')


def test_export_after_lr_find_loads_where_only_fastai_is_installed_and_predicts_the_same(tmp_path):
    learn = _trained_tabular(tmp_path)
    res = learn.lr_find_result
    learn.export('export.pkl')
    assert learn.lr_find_result is res  # still on the learner after export
    assert b'fastai_lrrange' not in (tmp_path/'export.pkl').read_bytes()
    rng = np.random.default_rng(1)  # new rows, as a serving process gets them: raw values, fastai's procs applied on load
    rows = pd.DataFrame({'a': rng.choice(['x', 'y', 'z'], 20), 'b': rng.choice(['p', 'q'], 20), 'c': rng.normal(size=20), 'd': rng.normal(size=20)})
    rows.to_csv(tmp_path/'rows.csv', index=False)
    expected = learn.get_preds(dl=learn.dls.test_dl(rows))[0]
    r = subprocess.run([sys.executable, '-c', LOAD_WITHOUT_PLUGIN, str(tmp_path/'export.pkl'), str(tmp_path/'rows.csv')],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert not out['has_result'] and len(out['preds']) == 20 and np.allclose(out['preds'], expected.numpy(), atol=1e-6)


def test_a_learner_after_lr_find_pickles_copies_saves_and_trains_on_as_before(tmp_path):
    learn = _trained_tabular(tmp_path)
    res = learn.lr_find_result
    clone, copied = pickle.loads(pickle.dumps(learn)), copy.deepcopy(learn)
    assert clone.lr_find_result == res == copied.lr_find_result and copied.lr_find_result is not res
    # fastai's own save/load round trip writes the model file only (without the optimizer: fastai 2.7.19 under torch 2.6 cannot
    # load the numpy scalars its own fit_one_cycle leaves in the optimizer state, lr_find or not)
    learn.save('after', with_opt=False)
    assert sorted(p.name for p in (tmp_path/'models').iterdir()) == ['after.pth']
    learn.load('after', with_opt=False)

    def train(l):
        set_seed(5)
        with l.no_bar(): l.fit(1, 1e-3)
        return [p.detach().clone() for p in l.model.parameters()]
    w_copy, w_orig = train(copied), train(learn)
    assert all(torch.equal(a, b) for a, b in zip(w_copy, w_orig))  # the copy trains exactly as the original
    with copied.no_bar(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        copied.lr_find(show_plot=False)  # and runs a range test of its own, leaving the original's record alone
    assert learn.lr_find_result is res and copied.lr_find_result is not res
