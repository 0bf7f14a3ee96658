"lr_find leaves the Learner as it was, bit for bit: after success, exceptions, Ctrl-C and NaN; and writes no file."
import os, stat

import numpy as np
import pytest
import torch
from torch import nn

from fastai.callback.core import Callback
from fastai_lrrange.core import LRFinder

from conftest import make_synth, make_tabular, capture, assert_same_state, RaiseAt, files_under


def _trained(learn):
    "A learner that has trained once: optimizer state, Recorder history and gradients all exist"
    with learn.no_bar(): learn.fit(1, 1e-2)
    return learn


@pytest.mark.parametrize('trained', [False, True])
def test_success_restores_everything(tmp_path, trained):
    learn = make_synth(tmp_path)
    if trained: _trained(learn)
    before, tree = capture(learn), files_under(tmp_path)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))
    assert files_under(tmp_path) == tree  # no file created under learn.path (nor model_dir)


@pytest.mark.parametrize('at', [1, 10])
def test_exception_in_callback_restores(tmp_path, at):
    learn = _trained(make_synth(tmp_path))
    learn.add_cb(RaiseAt(at))
    before = capture(learn)
    with learn.no_bar(), pytest.raises(RuntimeError, match='injected failure'): learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))


def test_exception_in_model_restores(tmp_path):
    learn = _trained(make_synth(tmp_path))
    class Broken(nn.Module):
        def __init__(self, inner): super().__init__(); self.inner, self.n, self.armed = inner, 0, False
        def forward(self, x):
            self.n += self.armed
            if self.n == 4: raise ValueError('model failure')
            return self.inner(x)
    learn.model = Broken(learn.model)
    learn.opt = None
    with learn.no_bar(): learn.fit(1, 1e-3)
    before = capture(learn)
    learn.model.armed = True
    with learn.no_bar(), pytest.raises(ValueError, match='model failure'): learn.lr_find(show_plot=False)
    learn.model.armed, learn.model.n = False, 0
    assert_same_state(before, capture(learn))


def test_keyboard_interrupt_restores_and_keeps_partial_result(tmp_path):
    learn = _trained(make_synth(tmp_path))
    learn.add_cb(RaiseAt(7, KeyboardInterrupt))
    before = capture(learn)
    with learn.no_bar(), pytest.raises(KeyboardInterrupt), pytest.warns(UserWarning, match='interrupted'):
        learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))
    res = learn.lr_find_result
    assert res.stop_reason == 'interrupted' and len(res.losses) == 7  # step 7 was taken (and recorded) before its after_batch raised


def test_nan_loss_stops_and_restores(tmp_path):
    learn = _trained(make_synth(tmp_path))
    mse = learn.loss_func
    calls = {'n': 0}
    def nan_from_5(pred, y):
        calls['n'] += 1
        l = mse(pred, y)
        return l * float('nan') if calls['n'] >= 5 else l
    learn.loss_func = nan_from_5
    before = capture(learn)
    with learn.no_bar(): sug = learn.lr_find(show_plot=False, stop_div=False)
    res = learn.lr_find_result
    assert res.stop_reason == 'non_finite' and len(res.losses) == 5 and np.isnan(res.raw_losses[-1])
    assert all(v is None or 0 < v for v in sug)
    assert_same_state(before, capture(learn))


def test_opt_none_stays_none(tmp_path):
    learn = make_synth(tmp_path)
    assert learn.opt is None
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert learn.opt is None


def _make_read_only(monkeypatch, root):
    "Every write, folder creation or torch.save under `root` raises PermissionError (root ignores chmod, so simulate it)"
    import builtins, tempfile
    root = str(root)
    def guard(p):
        if str(p).startswith(root): raise PermissionError(f"read-only file system: {p}")
    real_open, real_mkdir, real_save, real_mkdtemp = builtins.open, os.mkdir, torch.save, tempfile.mkdtemp
    def ro_open(file, mode='r', *a, **k):
        if isinstance(file, (str, os.PathLike)) and any(c in mode for c in 'wax+'): guard(file)
        return real_open(file, mode, *a, **k)
    def ro_mkdir(path, *a, **k): guard(path); return real_mkdir(path, *a, **k)
    def ro_save(obj, f, *a, **k):
        if isinstance(f, (str, os.PathLike)): guard(f)
        return real_save(obj, f, *a, **k)
    def ro_mkdtemp(suffix=None, prefix=None, dir=None): guard(dir or ''); return real_mkdtemp(suffix, prefix, dir)
    monkeypatch.setattr(builtins, 'open', ro_open)
    monkeypatch.setattr(os, 'mkdir', ro_mkdir)
    monkeypatch.setattr(torch, 'save', ro_save)
    monkeypatch.setattr(tempfile, 'mkdtemp', ro_mkdtemp)


def test_read_only_model_dir_and_path(tmp_path, monkeypatch):
    learn = make_synth(tmp_path)
    (tmp_path / 'models').mkdir()
    _make_read_only(monkeypatch, tmp_path)
    from fastai_lrrange.learner import fastai_lr_find
    with learn.no_bar(), pytest.raises(PermissionError):  # the simulation bites: fastai's own lr_find writes there
        fastai_lr_find(learn, show_plot=False)
    learn = make_synth(tmp_path)
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert len(learn.lr_find_result.losses) > 0
    assert_same_state(before, capture(learn))
    assert files_under(tmp_path) == ['models']


def test_model_dir_that_is_a_file_does_not_matter(tmp_path):
    "Root can write anywhere, so read-only folders prove nothing there: a model_dir that cannot exist proves no file is written"
    learn = make_synth(tmp_path)
    (tmp_path / 'models').write_text('not a folder')
    learn.model_dir = 'models/sub'
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert (tmp_path / 'models').read_text() == 'not a folder'
    assert len(learn.lr_find_result.losses) > 0


def test_standalone_callback_restores_model_and_optimizer(tmp_path):
    learn = _trained(make_synth(tmp_path))
    w = [p.clone() for p in learn.model.parameters()]
    opt_before = [{k: v.clone() for k, v in learn.opt.state[p].items() if isinstance(v, torch.Tensor)} for p in learn.model.parameters()]
    cb = LRFinder(num_it=15, stop_div=False)
    with learn.no_bar(): learn.fit(3, cbs=cb)
    assert len(cb.record.losses) == 15 and cb.record.stop_reason == 'num_it'
    assert all(torch.equal(a, b) for a, b in zip(w, learn.model.parameters()))
    for p, s in zip(learn.model.parameters(), opt_before):
        assert all(torch.equal(v, learn.opt.state[p][k]) for k, v in s.items())
    assert files_under(tmp_path) == []


def test_lr_finder_attribute_during_run(tmp_path):
    learn = make_synth(tmp_path)
    seen = []
    class Spy(Callback):
        def after_batch(self): seen.append(getattr(self.learn, 'lr_finder', None))
    learn.add_cb(Spy())
    with learn.no_bar(): learn.lr_find(num_it=5, show_plot=False)
    assert len(seen) == 5 and all(type(s).__name__ == 'LRFinder' for s in seen)
    assert not hasattr(learn, 'lr_finder')


def test_tabular_restores_with_dropout_and_batchnorm(tmp_path):
    learn = make_tabular(tmp_path)
    with learn.no_bar(): learn.fit(1, 1e-2)
    learn.model.eval()  # an odd mode on purpose: it must come back
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))


def test_bad_input_leaves_learner_untouched(tmp_path):
    learn = _trained(make_synth(tmp_path))
    before = capture(learn)
    bad = [dict(start_lr=0), dict(start_lr=-1e-3), dict(end_lr=1e-8), dict(num_it=0), dict(num_it=2.5),
           dict(suggest_funcs=['nope']), dict(mode='cosine'), dict(beta=1.0), dict(beta=-0.1), dict(div_thresh=1.0),
           dict(suggest_funcs=[42])]
    messages = ['start_lr (0)', 'start_lr (-0.001)', 'end_lr (1e-08)', 'num_it (0)', 'num_it (2.5)', "unknown suggestion 'nope'",
                "mode ('cosine')", 'beta (1.0)', 'beta (-0.1)', 'div_thresh (1.0)', '42 is not a suggestion function']
    for kw, msg in zip(bad, messages):
        with pytest.raises(ValueError, match=msg.replace('(', r'\(').replace(')', r'\)')):
            learn.lr_find(show_plot=False, **kw)
    with pytest.raises(ValueError, match=r'n_runs \(0\) must be an integer >= 1'): learn.lr_find(show_plot=False, n_runs=0)
    with pytest.raises(ValueError, match=r'valid_batches \(99\) is more than'): learn.lr_find(show_plot=False, valid_batches=99)
    assert_same_state(before, capture(learn))


def test_empty_training_dataloader(tmp_path):
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader
    from fastai.learner import Learner
    ds = [(torch.randn(2), torch.randn(1)) for _ in range(5)]
    dls = DataLoaders(DataLoader(ds, bs=16, drop_last=True), DataLoader(ds, bs=16))
    learn = Learner(dls, nn.Linear(2, 1), loss_func=nn.MSELoss(), path=tmp_path)
    before = capture(learn)
    with pytest.raises(ValueError, match='learn.dls.train has no batches'): learn.lr_find(show_plot=False)
    assert_same_state(before, capture(learn))


def test_state_other_callbacks_keep_across_fits_is_restored(tmp_path):
    "A callback's counters, in-place lists and reassigned objects (a GradScaler-like) come back"
    class Keeper(Callback):
        def __init__(self): self.count, self.seen, self.scaler_state = 0, [], {'scale': 2.0 ** 16}
        def after_batch(self):
            self.count += 1
            self.seen.append(self.count)
            self.scaler_state['scale'] /= 2
        def after_fit(self): self.learn.scaler = object()
    learn = make_synth(tmp_path)
    keeper = Keeper()
    learn.add_cb(keeper)
    with learn.no_bar(): learn.fit(1, 1e-2)
    count, seen, scale, scaler = keeper.count, list(keeper.seen), keeper.scaler_state['scale'], learn.scaler
    seen_list, before = keeper.seen, capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert keeper.count == count and keeper.seen == seen and keeper.seen is seen_list
    assert keeper.scaler_state['scale'] == scale and learn.scaler is scaler
    assert_same_state(before, capture(learn))


# ------------------------------------------------------------------ the cases that broke before the restore was complete by construction
def test_rnn_after_fit_keeps_its_optimizer_state(tmp_path):
    "fastai keeps opt.state[True] for RNN layers (their `bias` flag); lr_find used to crash there and empty opt.state"
    from test_workflow_states import make_learner
    learn = make_learner('gru', 'adam')
    with learn.no_bar(): learn.fit(1)
    keys = list(learn.opt.state)
    assert True in keys and len(keys) == 8
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert list(learn.opt.state) == keys
    assert_same_state(before, capture(learn))


def test_ranger_lookahead_count_and_slow_weights_come_back(tmp_path):
    from test_workflow_states import make_learner
    learn = make_learner('mlp', 'ranger')
    with learn.no_bar(): learn.fit(1)
    count, slow = learn.opt.count, [[w.clone() for w in pg] for pg in learn.opt.slow_weights]
    assert count > 0
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=20)
    assert learn.opt.count == count
    assert all(torch.equal(a, b) for pa, pb in zip(slow, learn.opt.slow_weights) for a, b in zip(pa, pb))


def test_standalone_callback_restores_lookahead(tmp_path):
    from test_workflow_states import make_learner
    learn = make_learner('mlp', 'ranger')
    with learn.no_bar(): learn.fit(1)
    count, slow = learn.opt.count, [w.clone() for pg in learn.opt.slow_weights for w in pg]
    with learn.no_bar(): learn.fit(2, cbs=LRFinder(num_it=10, stop_div=False))
    assert learn.opt.count == count and all(torch.equal(a, b) for a, b in zip(slow, [w for pg in learn.opt.slow_weights for w in pg]))


def test_callback_tensors_updated_in_place_come_back(tmp_path):
    from test_workflow_states import make_learner, EMAWeights
    learn = make_learner('mlp', 'adam', (EMAWeights,))
    with learn.no_bar(): learn.fit(1)
    ema = learn.cbs.filter(lambda c: isinstance(c, EMAWeights))[0]
    held, values = ema.ema, [e.clone() for e in ema.ema]
    shadow = [p.clone() for p in ema.shadow.parameters()]
    with learn.no_bar(): learn.lr_find(show_plot=False, stop_div=False)  # runs to 10: the EMA moves a lot
    assert ema.ema is held and all(torch.equal(a, b) for a, b in zip(values, ema.ema))
    assert all(torch.equal(a, b) for a, b in zip(shadow, ema.shadow.parameters()))


# ------------------------------------------------------------------ a transactional restore
# which fields of `capture` each part of the snapshot puts back
_FIELDS = {
    'model': ('params', 'buffers', 'grads', 'requires_grad', 'modes', 'module_attrs'),
    'optimizer': ('opt',),
    'callback Recorder': ('recorder', 'recorder_attrs'),
    'callback EMAWeights': ('cb_tensors',),
    'metric avg_smooth_loss': ('smoother',),
    'learner': ('learner_attrs', 'counters', 'cbs', 'opt_exists'),
    'dataloader 0': ('dl_rngs',),
    'random generators': ('torch_rng', 'numpy_rng', 'python_rng'),
}


def _injected_learner():
    from test_workflow_states import make_learner, EMAWeights
    learn = make_learner('gru', 'ranger', (EMAWeights,))
    with learn.no_bar(): learn.fit(1)
    return learn


def _snapshot_parts(learn):
    from fastai_lrrange.state import LearnerSnapshot
    return [p.name for p in LearnerSnapshot(learn).parts]


@pytest.mark.parametrize('failing', list(_FIELDS))
def test_a_part_that_cannot_be_restored_is_named_after_all_others_are_back(failing, monkeypatch):
    from fastai_lrrange.state import Part, GlobalRNGs, RestoreError
    learn = _injected_learner()
    assert failing in _snapshot_parts(learn)
    before = capture(learn)
    opt_keys = list(learn.opt.state)
    def refuse(self):
        if self.name == failing: raise RuntimeError('injected restore failure')
    for cls in (Part, GlobalRNGs): monkeypatch.setattr(cls, 'check', refuse)
    with learn.no_bar(), pytest.raises(RestoreError, match=f"could not restore {failing} \\(RuntimeError: injected restore failure\\)") as e:
        learn.lr_find(show_plot=False, stop_div=False, num_it=20)
    assert [n for n, _ in e.value.failures] == [failing]
    monkeypatch.undo()
    after = capture(learn)
    # every other part is back, bit for bit
    mine = set(_FIELDS[failing]) | ({'cb_tensors'} if failing == 'callback Recorder' else set())  # cb_tensors also holds the Recorder's losses
    for k in before:
        if k not in mine: assert_same_state({k: before[k]}, {k: after[k]})
    # the failed part was left as the range test left it, not half-cleared
    if failing == 'optimizer': assert list(learn.opt.state) == opt_keys and all(len(v) for v in learn.opt.state.values())
    if failing == 'model': assert not all(torch.equal(a, b) for a, b in zip(before['params'], after['params']))


def test_one_copy_that_does_not_fit_leaves_its_whole_part_untouched(monkeypatch):
    "A check fails for one tensor of the model: no tensor of the model is restored (no half-restored model), all else is"
    from fastai_lrrange.state import TensorCopy, RestoreError
    learn = _injected_learner()
    target = learn.model.head.weight
    before = capture(learn)
    real = TensorCopy.check
    def check(self):
        if self.t is target: raise ValueError('does not fit')
        return real(self)
    monkeypatch.setattr(TensorCopy, 'check', check)
    with learn.no_bar(), pytest.raises(RestoreError, match='could not restore model'): learn.lr_find(show_plot=False, stop_div=False, num_it=20)
    monkeypatch.undo()
    after = capture(learn)
    assert all(not torch.equal(a, b) for a, b in zip(before['params'], after['params']) if a.numel() > 1)  # none restored
    for k in ('opt', 'recorder', 'torch_rng', 'learner_attrs', 'counters'): assert_same_state({k: before[k]}, {k: after[k]})
