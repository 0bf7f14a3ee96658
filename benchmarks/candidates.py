"""Ideas evaluated while designing `loss_drop` (fastai_lrrange.suggest), kept so that quality.py can measure each one.

Each candidate maps an `LRFindResult` to a learning rate. They are not in the registry: only `loss_drop` (frac 0.45,
the rule that met the target on the tuning tasks) and `drop_or_minimum` (the higher of loss_drop and minimum) are.
quality.py trains at every candidate's lr like at a registered suggestion and
reports them in their own table ("Ideas tried").
"""
import math
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import least_squares

from fastai_lrrange.suggest import loss_drop, minimum, steep, steepest_before_minimum


def _window(res, losses=None):
    a, b = res.window
    lrs = np.asarray(res.lrs)[:, -1]
    return lrs[a:b], np.asarray(res.losses if losses is None else losses, dtype=float)[a:b]


def _zero_lag(res, sigma=2.0):
    "The raw losses smoothed by a centred Gaussian (no lag), on the suggestion window"
    return _window(res, gaussian_filter1d(np.asarray(res.raw_losses, dtype=float), sigma, mode='nearest'))


def _first(f, lrs, losses, **kw): return f(lrs, losses, 100, **kw)[0]


def drop_no_interp(res):
    "loss_drop without sub-grid interpolation: the first swept lr at or above loss_drop's"
    lrs, y = _window(res)
    lr = _first(loss_drop, lrs, y)
    return float(lrs[min(np.searchsorted(lrs, lr * (1 - 1e-9)), len(lrs) - 1)])


def smooth_step_fit(res, frac=0.4, extra=5):
    "Fit loss = a - d*sigmoid((log10 lr - x0)/w) up to the minimum (+extra points); lr where the fit made frac of its fall"
    lrs, y = _window(res)
    x = np.log10(lrs); m = int(np.argmin(y)); e = min(len(y), m + 1 + extra)
    xs, ys = x[:e], y[:e]
    def resid(th):
        a, d, x0, w = th
        return a - d / (1 + np.exp(-(xs - x0) / abs(w))) - ys
    p0 = [ys[0], ys[0] - y[m], math.log10(_first(loss_drop, lrs, y, frac=0.5)), 0.3]
    a, d, x0, w = least_squares(resid, p0, loss='soft_l1').x
    return float(10 ** (x0 - abs(w) * math.log((1 - frac) / frac)))


CANDIDATES = {
    'loss_drop(frac=0.3)': lambda r: _first(loss_drop, *_window(r), frac=0.3),
    'loss_drop(frac=0.4)': lambda r: _first(loss_drop, *_window(r), frac=0.4),
    'loss_drop(frac=0.5)': lambda r: _first(loss_drop, *_window(r), frac=0.5),
    'loss_drop, no interpolation': drop_no_interp,
    'loss_drop on zero-lag curve': lambda r: _first(loss_drop, *_zero_lag(r)),
    'minimum/3 on zero-lag curve': lambda r: _first(minimum, *_zero_lag(r)) * 10 / 3,
    'steepest before minimum, zero-lag': lambda r: _first(steepest_before_minimum, *_zero_lag(r)),
    'smooth step fit (frac 0.4)': smooth_step_fit,
    'geometric mean of steep and minimum': lambda r: math.sqrt(_first(steep, *_window(r)) * _first(minimum, *_window(r))),
    'median of loss_drop, steep, minimum': lambda r: float(np.median([_first(f, *_window(r)) for f in (loss_drop, steep, minimum)])),
    'last lr tried / 30 (divergence point)': lambda r: float(np.asarray(r.lrs)[-1, -1] / 30),
}
# 'larger of loss_drop and minimum', designed after the first two held-out tasks (cancer_bn_sgd, friedman_regression)
# showed loss_drop too low there, and measured as a candidate on three new held-out tasks before it was registered,
# is now the registered `drop_or_minimum`.
