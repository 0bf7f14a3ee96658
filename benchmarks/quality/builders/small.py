"""Builders of the small-model group: MLPs, CNNs and a GRU from scratch, fastai's tabular and collab learners,
frozen-body transfer, flat regressions (R²)."""
import torch
from torch import nn
from fastai.metrics import accuracy, mse
from fastai.optimizer import SGD
from fastai.torch_core import set_seed

from .common import (tensor_dls, _learner, _mlp, _digits_helpers, _split, GRUClassifier, _pretrained, _body_head_learner)


def digits_cnn(seed):
    digits_tensors, cnn = _digits_helpers()
    x, y = digits_tensors()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, cnn(), seed)


def cancer_mlp(seed):
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    dls = tensor_dls(X, y, 32, seed)
    set_seed(seed)
    return _learner(dls, _mlp(30, 2), seed)


def wine_bn(seed):
    from sklearn.datasets import load_wine
    X, y = load_wine(return_X_y=True)
    dls = tensor_dls(X, y, 16, seed)
    set_seed(seed)
    return _learner(dls, _mlp(13, 3, hidden=32, bn=True), seed)


def _sequences(n=1600, T=20, seed=0):
    g = torch.Generator().manual_seed(42)
    x = torch.randn(n, T, 4, generator=g)
    y = ((x[:, :, 0].cumsum(1)[:, -1] + 0.5 * x[:, -5:, 1].sum(1)) > 0).long()
    return x, y


def seq_gru(seed):
    x, y = _sequences()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    return _learner(dls, GRUClassifier(), seed)


def digits_sgd(seed):
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    dls = tensor_dls(x.view(len(x), -1), y, 64, seed)
    set_seed(seed)
    return _learner(dls, _mlp(64, 10, hidden=128), seed, opt_func=SGD)


def cancer_bn_sgd(seed):
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    dls = tensor_dls(X, y, 32, seed)
    set_seed(seed)
    return _learner(dls, _mlp(30, 2, bn=True), seed, opt_func=SGD)


def friedman_regression(seed):
    from sklearn.datasets import make_friedman1
    X, y = make_friedman1(n_samples=1200, noise=0.5, random_state=0)
    dls = tensor_dls(X, torch.tensor(y, dtype=torch.float32).unsqueeze(1), 32, seed)
    set_seed(seed)
    from fastai.metrics import mse
    return _learner(dls, _mlp(10, 1), seed, loss_func=nn.MSELoss(), metrics=mse)


def _synthetic_frame(regression=False, n=2000):
    "A table with 10 continuous and 2 categorical columns (binned features), and a 3-class or a numeric target"
    import pandas as pd
    from sklearn.datasets import make_classification, make_regression
    if regression: X, y = make_regression(n_samples=n, n_features=12, n_informative=8, noise=20.0, random_state=7); y = (y - y.mean()) / y.std()
    else: X, y = make_classification(n_samples=n, n_features=12, n_informative=6, n_classes=3, random_state=7)
    df = pd.DataFrame(X, columns=[f'x{i}' for i in range(12)])
    df['c0'], df['c1'] = pd.cut(df.x0, 5, labels=False).astype(str), pd.cut(df.x1, 4, labels=False).astype(str)
    df['y'] = y.astype('float32') if regression else y
    return df.drop(columns=['x0', 'x1'])


def _tabular(seed, regression):
    from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, Normalize, CategoryBlock, RegressionBlock
    from fastai.metrics import mse
    df = _synthetic_frame(regression)
    valid = _split(df, None, seed)[1].tolist()
    set_seed(seed)
    dls = TabularDataLoaders.from_df(df, procs=[Categorify, Normalize], cat_names=['c0', 'c1'], cont_names=[f'x{i}' for i in range(2, 12)],
                                     y_names='y', y_block=RegressionBlock() if regression else CategoryBlock(), valid_idx=valid, bs=64,
                                     device='cpu', num_workers=0)
    set_seed(seed)
    return tabular_learner(dls, n_out=1 if regression else 3, metrics=mse if regression else accuracy)


def tabular_synth(seed): return _tabular(seed, regression=False)
def tabular_regression(seed): return _tabular(seed, regression=True)


def digits_bn_cnn(seed):
    from fastai.layers import ConvLayer, Flatten  # conv + BatchNorm + ReLU
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    dls = tensor_dls(x, y, 64, seed, standardize=False)
    set_seed(seed)
    body = [ConvLayer(i, o, stride=2) for i, o in ((1, 16), (16, 32), (32, 64))]
    return _learner(dls, nn.Sequential(*body, nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(64, 10)), seed)


def _conv_body():
    from fastai.layers import ConvLayer
    return nn.Sequential(*[ConvLayer(i, o, stride=s) for i, o, s in ((1, 32, 1), (32, 64, 2), (64, 128, 2))])


def transfer_digits_cnn(seed):
    "CNN body (fastai ConvLayers, BatchNorm) pretrained on digits 0-4, frozen; fastai's create_head for digits 5-9"
    from fastai.vision.learner import create_head
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    src, tgt = y < 5, y >= 5
    sd = _pretrained('digits04_cnn', lambda: nn.Sequential(_conv_body(), create_head(128, 5)), x[src], y[src], 6, 1e-2)
    dls = tensor_dls(x[tgt], y[tgt] - 5, 64, seed, standardize=False)
    set_seed(seed)
    body = _conv_body(); body.load_state_dict(sd)
    return _body_head_learner(dls, body, create_head(128, 5), seed)


def _mlp_body(n_in=64, h=128):
    return nn.Sequential(nn.Linear(n_in, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, h), nn.BatchNorm1d(h), nn.ReLU())


def transfer_digits_mlp(seed):
    "MLP body (BatchNorm) pretrained on digits 5-9, frozen; a new BatchNorm-Dropout-Linear head for digits 0-4"
    digits_tensors = _digits_helpers()[0]
    x, y = digits_tensors()
    x = x.view(len(x), -1)
    src, tgt = y >= 5, y < 5
    sd = _pretrained('digits59_mlp', lambda: nn.Sequential(_mlp_body(), nn.Linear(128, 5)), x[src], y[src] - 5, 6, 1e-2)
    dls = tensor_dls(x[tgt], y[tgt], 64, seed, standardize=False)
    set_seed(seed)
    body = _mlp_body(); body.load_state_dict(sd)
    return _body_head_learner(dls, body, nn.Sequential(nn.BatchNorm1d(128), nn.Dropout(0.25), nn.Linear(128, 5)), seed)


def _regression_frame(name):
    import pandas as pd
    if name == 'diabetes':  # 442 patients, 10 features, disease progression (25 to 346) as given: no target scaling
        from sklearn.datasets import load_diabetes
        d = load_diabetes(as_frame=True, scaled=False)
        df = d.frame.rename(columns={'target': 'y'})
        df['sex'] = df['sex'].astype(int).astype(str)
        return df, ['sex'], [c for c in df.columns if c not in ('sex', 'y')]
    from sklearn.datasets import make_regression  # mostly linear, noisy, offset target: a wide, flat optimum
    X, y = make_regression(n_samples=1500, n_features=16, n_informative=6, noise=40.0, bias=100.0, random_state=3)
    df = pd.DataFrame(X, columns=[f'x{i}' for i in range(16)])
    df['c0'] = pd.cut(df.x0, 6, labels=False).astype(str)
    df['y'] = (y / 10).astype('float32')
    return df.drop(columns=['x0']), ['c0'], [f'x{i}' for i in range(1, 16)]


def _tabular_flat(seed, name):
    from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, Normalize, RegressionBlock
    from fastai.metrics import R2Score
    df, cats, conts = _regression_frame(name)
    df['y'] = df['y'].astype('float32')
    valid = _split(df, None, seed)[1].tolist()
    set_seed(seed)
    dls = TabularDataLoaders.from_df(df, procs=[Categorify, Normalize], cat_names=cats, cont_names=conts, y_names='y',
                                     y_block=RegressionBlock(), valid_idx=valid, bs=32, device='cpu', num_workers=0)
    set_seed(seed)
    return tabular_learner(dls, n_out=1, metrics=R2Score())


def diabetes_tabular(seed): return _tabular_flat(seed, 'diabetes')
def noisy_linear_tabular(seed): return _tabular_flat(seed, 'noisy_linear')


def _ratings(n_users=400, n_items=250, per_user=40, k=4):
    "MovieLens-like ratings: 3.5 + user bias + item bias + a k-factor dot product + noise, rounded and clipped to 1-5 stars"
    import pandas as pd
    g = torch.Generator().manual_seed(23)
    u, v = torch.randn(n_users, k, generator=g) * 0.5, torch.randn(n_items, k, generator=g) * 0.5
    bu, bi = torch.randn(n_users, generator=g) * 0.4, torch.randn(n_items, generator=g) * 0.6
    users = torch.arange(n_users).repeat_interleave(per_user)
    items = torch.stack([torch.randperm(n_items, generator=g)[:per_user] for _ in range(n_users)]).view(-1)
    r = 3.5 + bu[users] + bi[items] + (u[users] * v[items]).sum(1) + 0.5 * torch.randn(len(users), generator=g)
    return pd.DataFrame({'user': users.numpy(), 'item': items.numpy(), 'rating': r.round().clamp(1, 5).numpy().astype('float32')})


def collab_synth(seed):
    """fastai's collab_learner (EmbeddingDotBias, 50 factors, y_range (0, 5.5)) on synthetic MovieLens-like ratings, trained
    as fastbook chapter 8 trains it (fit_one_cycle with wd=0.1). Why this kind: recommendation is one of fastai's four
    applications, and it is unlike every other task here: the parameters are embeddings (sparse gradients per batch, most rows
    untouched by a step), the model is shallow, and the output goes through a sigmoid range, so the loss landscape and the
    range test's curve differ from those of the dense networks."""
    from fastai.collab import CollabDataLoaders, collab_learner
    set_seed(seed)  # the split is the same for every seed (RandomSplitter's own seed); the batch order follows `seed`
    dls = CollabDataLoaders.from_df(_ratings(), valid_pct=0.25, seed=1234, bs=64, device='cpu', num_workers=0)
    set_seed(seed)
    return collab_learner(dls, n_factors=50, y_range=(0, 5.5), metrics=mse)
