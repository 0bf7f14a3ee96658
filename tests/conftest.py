"Shared learners and an independent state capture for the tests."
import copy, random, warnings

import matplotlib
matplotlib.use('Agg')
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from fastai.callback.core import Callback
from fastai.learner import Learner
from fastai.test_utils import synth_learner
from fastai.torch_core import set_seed

import fastai_lrrange.all  # noqa: F401  (patches Learner.lr_find)

warnings.filterwarnings('ignore', message='.*torch.jit.script.*')

# property tests draw the same examples on every run: a case they find fails every run (add it as an @example), never by chance
from hypothesis import settings as _hyp_settings
_hyp_settings.register_profile('deterministic', derandomize=True, database=None)
_hyp_settings.load_profile('deterministic')


# ---------------------------------------------------------------- learners
def make_synth(path=None, n_trn=10, seed=0, **kwargs):
    "fastai's linear-regression learner (batches of 16)"
    set_seed(seed)
    learn = synth_learner(n_trn=n_trn, **kwargs)
    if path is not None: learn.path = path
    return learn


def make_tabular(path, seed=0, n=256):
    "A tabular learner with categorical and continuous inputs, dropout and BatchNorm"
    from learners import tiny_tabular_learner
    return tiny_tabular_learner(path, seed, n)


def make_vision(path, seed=0, aug=True):
    "vision_learner with resnet18 (pretrained=False) on tiny random images, with data augmentation"
    from learners import tiny_vision_learner
    return tiny_vision_learner(path, seed, aug)


@pytest.fixture
def synth(tmp_path): return make_synth(tmp_path)


# ---------------------------------------------------------------- an independent record of a Learner's state
def _tensors_of(o):
    "Deep copy with every tensor cloned to the CPU (written here, not with the library's snapshot code)"
    if isinstance(o, torch.Tensor): return o.detach().to('cpu', copy=True)
    if isinstance(o, dict): return {k: _tensors_of(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)): return [_tensors_of(v) for v in o]
    if hasattr(o, 'items') and isinstance(getattr(o, 'items'), list): return [_tensors_of(v) for v in o.items]  # L
    return copy.deepcopy(o)


def _key(k, params):
    "A readable, comparable name for an `opt.state` key: a parameter's index, or the key itself (fastai keeps `True` for RNNs)"
    for i, p in enumerate(params):
        if k is p: return f'param{i}'
    return repr(k)


def opt_state(opt, params=()):
    "The optimizer's state_dict (what fastai's save/load keeps) and every `opt.state` entry whatever its key"
    if opt is None: return None
    inner = getattr(opt, 'opt', None)
    torch_opt = inner if isinstance(inner, torch.optim.Optimizer) else None
    state = torch_opt.state if torch_opt is not None else opt.state
    out = {'state_dict': _tensors_of(opt.state_dict()),
           'state': {_key(k, params): _tensors_of(dict(v)) for k, v in state.items()},
           'hypers': copy.deepcopy(list(opt.hypers))}
    if hasattr(opt, 'slow_weights'):  # Lookahead (ranger)
        out['lookahead'] = {'count': opt.count, 'slow_weights': _tensors_of(opt.slow_weights)}
    return out


def _held_tensors(obj):
    "Tensors an object holds in its attributes, directly or in lists, tuples, dicts and L (by attribute name)"
    out = {}
    for k, v in sorted(vars(obj).items()):
        if k in ('learn',): continue
        if isinstance(v, nn.Module) and k != 'model': out[k] = _tensors_of(v.state_dict())
        elif isinstance(v, torch.Tensor) or (isinstance(v, (list, tuple, dict)) and _has_tensor(v)): out[k] = _tensors_of(v)
    return out


def _has_tensor(o):
    if isinstance(o, torch.Tensor): return True
    if isinstance(o, dict): return any(_has_tensor(v) for v in o.values())
    if isinstance(o, (list, tuple)): return any(_has_tensor(v) for v in o)
    return False


def _module_attrs(model):
    "Each module's own tensor attributes (an RNN's hidden state, a dropped-out weight), outside parameters and buffers"
    out = {}
    for name, m in model.named_modules():
        for k, v in vars(m).items():
            if not k.startswith('_') and (isinstance(v, torch.Tensor) or (isinstance(v, (list, tuple)) and _has_tensor(v))):
                out[f'{name}.{k}'] = _tensors_of(v)
    return out


def capture(learn):
    "Everything a range test may touch, field by field, recorded without the library's own snapshot code"
    rec = getattr(learn, 'recorder', None)
    params = list(learn.model.parameters())
    st = {
        'params': [p.detach().clone() for p in params],
        'buffers': {n: b.detach().clone() for n, b in learn.model.named_buffers()},
        'grads': [None if p.grad is None else p.grad.detach().clone() for p in params],
        'requires_grad': [p.requires_grad for p in params],
        'modes': [m.training for m in learn.model.modules()],
        'module_attrs': _module_attrs(learn.model),
        'opt_exists': learn.opt is not None,
        'opt': opt_state(learn.opt, params),
        'torch_rng': torch.get_rng_state(),
        'numpy_rng': np.random.get_state(),
        'python_rng': random.getstate(),
        'dl_rngs': [dl.rng.getstate() for dl in learn.dls.loaders if hasattr(dl, 'rng')],
        'learner_attrs': sorted(k for k in vars(learn) if k != 'lr_find_result'),  # the one attribute lr_find adds, by contract
        'counters': {k: copy.deepcopy(getattr(learn, k, None)) for k in ('epoch', 'n_epoch', 'iter', 'loss', 'train_iter', 'lr')},
        'cbs': sorted(type(cb).__name__ for cb in learn.cbs),
        'cb_tensors': {type(cb).__name__: _held_tensors(cb) for cb in learn.cbs},
    }
    if rec is not None:
        st['recorder'] = {k: copy.deepcopy(getattr(rec, k, None)) for k in ('lrs', 'losses', 'values', 'iters', 'hps', 'metric_names')}
        st['recorder_attrs'] = sorted(vars(rec))
        st['smoother'] = _tensors_of(dict(vars(rec.smooth_loss)))  # fastai 2.7 sets count/val only on the first reset (before_fit)
    return st


def _same(a, b, path='state'):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b), f"{path} differs"
    elif isinstance(a, np.ndarray): assert np.array_equal(a, b), f"{path} differs"
    elif isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys {sorted(map(str, a))} != {sorted(map(str, b))}"
        for k in a: _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)): _same(x, y, f"{path}[{i}]")
    else: assert a == b or (a != a and b != b), f"{path}: {a!r} != {b!r}"


def assert_same_state(before, after):
    "Bitwise equality of two `capture`s, field by field, naming the field that differs"
    assert set(before) == set(after)
    for k in before: _same(before[k], after[k], k)


class RaiseAt(Callback):
    "Raises `exc` at training step `at` (1-based), in `event`"
    order = 70
    def __init__(self, at=1, exc=RuntimeError, event='after_batch'):
        self.at, self.exc, self.event = at, exc, event
        setattr(self, event, self._maybe_raise)
    def before_fit(self): self.n = 0
    def _maybe_raise(self):
        if self.event != 'after_fit':
            if not self.training: return
            self.n += 1
            if self.n < self.at: return
        raise self.exc('injected failure')


def files_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob('*'))
