"Every kind of fastai Learner: the range test runs, gives a result, and restores the Learner; plus the budgeted validation mode."
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from fastai.callback.core import Callback
from fastai.data.core import DataLoaders
from fastai.learner import Learner
from fastai.torch_core import set_seed

from conftest import make_synth, make_tabular, capture, assert_same_state


def _check(learn, **kw):
    "Run the range test; check the result and the bitwise restore"
    before = capture(learn)
    with learn.no_bar(): sug = learn.lr_find(show_plot=False, **kw)
    res = learn.lr_find_result
    assert len(res.losses) > 0 and np.isfinite(res.losses[:-1]).all()
    assert any(v is not None for v in sug)
    assert_same_state(before, capture(learn))
    return res


def test_text_language_model_awd_lstm(tmp_path):
    from fastai.text.all import TextDataLoaders, language_model_learner, AWD_LSTM, awd_lstm_lm_config
    rng = np.random.default_rng(0)
    words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'far', 'away', 'big', 'red', 'sun']
    texts = [' '.join(rng.choice(words, 12)) for _ in range(80)]
    df = pd.DataFrame({'text': texts})
    set_seed(0)
    dls = TextDataLoaders.from_df(df, path=tmp_path, text_col='text', is_lm=True, valid_pct=0.2, bs=8, seq_len=10,
                                  num_workers=0, device='cpu')
    set_seed(0)
    learn = language_model_learner(dls, AWD_LSTM, pretrained=False, config={**awd_lstm_lm_config, 'emb_sz': 32, 'n_hid': 64, 'n_layers': 2})
    _check(learn, num_it=20)


def test_collab_learner(tmp_path):
    from fastai.collab import CollabDataLoaders, collab_learner
    rng = np.random.default_rng(0)
    n = 600
    users, items = rng.integers(0, 30, n), rng.integers(0, 20, n)
    ratings = np.clip((users % 5) * 0.6 + (items % 4) * 0.7 + rng.normal(0, 0.3, n), 0, 5)
    df = pd.DataFrame({'user': users, 'item': items, 'rating': ratings.astype('float32')})
    set_seed(0)
    dls = CollabDataLoaders.from_df(df, bs=32, valid_pct=0.2, device='cpu')
    set_seed(0)
    learn = collab_learner(dls, n_factors=8, y_range=(0, 5.5))
    learn.path = tmp_path
    _check(learn)


def _plain_torch_dls(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = (x @ torch.tensor([1., -2., .5, 3.]) + 0.1 * torch.randn(n, generator=g)).unsqueeze(1)
    ds = torch.utils.data.TensorDataset(x, y)
    train = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(seed))
    valid = torch.utils.data.DataLoader(ds, batch_size=32)
    return DataLoaders(train, valid, device='cpu')


def test_learner_on_plain_torch_dataloaders(tmp_path):
    set_seed(0)
    learn = Learner(_plain_torch_dls(), nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1)), loss_func=nn.MSELoss(), path=tmp_path)
    gen = learn.dls.train.generator
    state = gen.get_state()
    _check(learn)
    assert torch.equal(gen.get_state(), state)  # the DataLoader's own generator is put back


def test_tuple_output_and_custom_loss(tmp_path):
    class TwoHeads(nn.Module):
        def __init__(self): super().__init__(); self.body, self.a, self.b = nn.Linear(4, 8), nn.Linear(8, 1), nn.Linear(8, 1)
        def forward(self, x): h = torch.relu(self.body(x)); return self.a(h), self.b(h)
    def two_head_loss(pred, y): return nn.functional.mse_loss(pred[0], y) + 0.1 * nn.functional.l1_loss(pred[1], y)
    set_seed(0)
    learn = Learner(_plain_torch_dls(), TwoHeads(), loss_func=two_head_loss, path=tmp_path)
    res = _check(learn)
    res_valid = _check(learn, valid_batches=2)
    assert res_valid.valid_batches == 2


def test_summary_before_lr_find(tmp_path):
    learn = make_tabular(tmp_path)
    learn.summary()
    _check(learn)


# ------------------------------------------------------------------ budgeted validation mode
def test_valid_mode_uses_the_same_batches_at_every_step_in_eval_mode(tmp_path):
    learn = make_tabular(tmp_path)
    seen = []
    def spy(module, inputs, output):
        if not module.training: seen.append((inputs[0].clone(), inputs[1].clone(), torch.is_grad_enabled()))
    h = learn.model.register_forward_hook(spy)
    try: res = _check(learn, valid_batches=2, num_it=25)
    finally: h.remove()
    n = len(res.losses)
    assert len(seen) == 2 * n  # two batches after every step
    firsts, seconds = seen[0::2], seen[1::2]
    for a, b in ((firsts[0], f) for f in firsts[1:]): assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    for a, b in ((seconds[0], s) for s in seconds[1:]): assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not any(g for *_, g in seen)  # no gradients
    assert len(res.train_losses) == n and not np.array_equal(res.train_losses, res.raw_losses)
    assert res.to_df().columns.tolist() == ['sweep', 'step', 'lr', 'train_loss', 'raw_loss', 'loss', 'in_window']


def test_valid_mode_matches_a_direct_evaluation(tmp_path):
    "The first point's validation loss is the model's loss on the first k validation batches after one step"
    learn = make_synth(tmp_path)
    with learn.no_bar(): learn.lr_find(show_plot=False, valid_batches=1, num_it=1, beta=0)
    res = learn.lr_find_result
    # one step at start_lr=1e-7 barely moves the weights: the point is close to the loss before it
    xb, yb = next(iter(learn.dls.valid))
    with torch.no_grad(): direct = learn.loss_func(learn.model(xb), yb).item()
    assert res.raw_losses[0] == pytest.approx(direct, rel=1e-4)


def test_valid_mode_bad_values(tmp_path):
    learn = make_synth(tmp_path)
    before = capture(learn)
    with pytest.raises(ValueError, match=r'valid_batches \(-1\) must be an integer >= 0'): learn.lr_find(valid_batches=-1)
    with pytest.raises(ValueError, match=r'valid_batches \(50\) is more than the'): learn.lr_find(valid_batches=50)
    assert_same_state(before, capture(learn))
