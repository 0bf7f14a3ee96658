"""Range-test procedures tried for issue 14: what makes the curve informative where the plain 100-step sweep is not.

Each procedure takes a fresh Learner (and the benchmark task, unused by all but the reference) and returns a learning
rate, using only the public API: `learn.lr_find(...)`, `learn.lr_find_result` (.lrs, .losses, .raw_losses, .window,
.stop_reason) and, for the probe trainings, `fastai_lrrange.state.LearnerSnapshot` to put the Learner back.
`run_idea(name, learn)` also returns the cost: optimizer steps, forward-only batches and seconds.

quality.py scores them like suggestions (`--ideas all` or a comma-separated list of names): paired, same seeds.
The curve rules (`no_evidence`, `divergence_lr`, ...) are plain functions of an `LRFindResult`, so that they can be
screened on stored curves without training (benchmarks/screen_curves.py).
"""
import math, time, warnings
from functools import partial

import numpy as np
import torch
from fastai.callback.core import Callback, CancelFitException, CancelValidException
from fastai.callback.schedule import combined_cos

from fastai_lrrange.suggest import drop_or_minimum, loss_drop, minimum, valley
from fastai_lrrange.state import LearnerSnapshot


# ------------------------------------------------------------------ cost accounting
class Cost:
    "Optimizer steps, forward-only batches and wall time spent by one procedure"
    def __init__(self): self.steps, self.fwd, self.t0 = 0, 0, time.time()
    def as_dict(self): return dict(steps=self.steps, fwd=self.fwd, seconds=time.time() - self.t0)


def sweep(learn, cost, **kw):
    "One lr_find, no plot, no suggestions; its LRFindResult; its steps (and validation batches) added to `cost`"
    with learn.no_bar(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn.lr_find(show_plot=False, suggest_funcs=(), **kw)
    res = learn.lr_find_result
    cost.steps += len(res.losses)
    cost.fwd += len(res.losses) * kw.get('valid_batches', 0)
    return res


# ------------------------------------------------------------------ reading a curve
def curve(res):
    "(lrs of the last group, smoothed losses, raw losses, (start, stop) of the suggestion window) as numpy arrays"
    lrs = np.asarray(res.lrs, dtype=float)
    lrs = lrs[:, -1] if lrs.ndim == 2 else lrs
    return lrs, np.asarray(res.losses, dtype=float), np.asarray(res.raw_losses, dtype=float), tuple(res.window)


def window_rule(f, res, **kw):
    "A registered suggestion rule `f` applied to the suggestion window of `res` (fastai's protocol); None if none"
    lrs, y, _, (a, b) = curve(res)
    x, y = lrs[a:b], y[a:b]
    ok = np.isfinite(y)
    if ok.sum() < 2: return None
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        lr = f(torch.tensor(x[ok], dtype=torch.float32), torch.tensor(y[ok], dtype=torch.float32), res.num_it, **kw)[0]
    return None if lr is None else float(lr)


def raw_noise(res):
    "Robust standard deviation of one step's raw loss around its neighbours, in the window (MAD of first differences / sqrt 2)"
    _, _, raw, (a, b) = curve(res)
    d = np.diff(raw[a:b][np.isfinite(raw[a:b])])
    if len(d) < 3: return float('nan')
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2))


def evidence(res):
    "What the window shows: index of the minimum, the fall from the window's start to it, and the raw-loss noise"
    _, y, _, (a, b) = curve(res)
    w = y[a:b]; w = w[np.isfinite(w)]
    if len(w) < 2: return dict(argmin=0, fall=0.0, noise=raw_noise(res), n=len(w))
    m = int(np.argmin(w))
    return dict(argmin=m, fall=float(w[0] - w[m]), noise=raw_noise(res), n=len(w), start=float(w[0]))


def no_evidence(res, k=1.0):
    "No descent in the window: its minimum is its first point, or the smoothed loss falls by less than k x the raw-loss noise"
    e = evidence(res)
    return e['argmin'] == 0 or not (e['fall'] > k * e['noise'])


def divergence_lr(res, factor=4.0):
    "Last lr before the smoothed loss exceeds `factor` x its best so far (relative to the best's |value|); the last lr tried if it never does"
    lrs, y, _, (a, _) = curve(res)
    best = np.inf
    for i in range(a, len(y)):
        if not np.isfinite(y[i]): return float(lrs[max(i - 1, 0)])
        if y[i] > best + (factor - 1) * abs(best) and i > a: return float(lrs[i - 1])
        best = min(best, y[i])
    return float(lrs[-1])


def diverged(res): return res.stop_reason in ('diverged', 'non_finite')


# ------------------------------------------------------------------ probe trainings
class _ShortOneCycle(Callback):
    "fit_one_cycle's schedule (warm-up 25%, cosine down, momentum 0.95-0.85-0.95) over `n` optimizer steps, then stop; no validation"
    order = 60
    def __init__(self, lr, n, pct=0.25, div=25., div_final=1e5):
        self.lr, self.n = lr, n
        self.sched_lr = combined_cos(pct, lr / div, lr, lr / div_final)
        self.sched_mom = combined_cos(pct, 0.95, 0.85, 0.95)
    def before_fit(self): self.i, self.losses = 0, []
    def before_validate(self): raise CancelValidException()
    def before_batch(self):
        if not self.training: return
        pos = self.i / self.n
        self.opt.set_hyper('lr', self.sched_lr(pos))
        if 'mom' in self.opt.hypers[0]: self.opt.set_hyper('mom', self.sched_mom(pos))
    def after_batch(self):
        if not self.training: return
        self.losses.append(float(self.loss)); self.i += 1
        if self.i >= self.n: raise CancelFitException()


def _valid_loss(learn, k):
    "Mean loss on the first `k` validation batches, eval mode, no gradient"
    learn.model.eval(); out, n = 0.0, 0
    n_inp = getattr(learn.dls, 'n_inp', 1)
    with torch.no_grad():
        for i, b in enumerate(learn.dls.valid):
            if i == k: break
            xb, yb = b[:n_inp], b[n_inp:]
            out += float(learn.loss_func(learn.model(*xb), *yb)); n += 1
    learn.model.train()
    return out / max(n, 1), n


def probe(learn, lr, n, cost, k_valid=4):
    "Train `n` steps of a short one-cycle at `lr` from the Learner's current state, score it, put everything back; the score (lower is better)"
    snap = LearnerSnapshot(learn)
    try:
        cb = _ShortOneCycle(lr, n)
        n_epoch = math.ceil(n / max(len(learn.dls.train), 1)) + 1
        with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try: learn.fit(n_epoch, cbs=cb)
            except Exception: return math.inf
        cost.steps += cb.i
        score, nb = _valid_loss(learn, k_valid)
        cost.fwd += nb
        return score if math.isfinite(score) else math.inf
    finally: snap.restore()


def successive_halving(learn, cands, cost, rounds=(20, 40), keep=0.5, k_valid=4):
    "Probe every candidate lr for rounds[0] steps, keep the better `keep` share, probe those for rounds[1] steps, ...; the winner"
    alive = list(cands)
    for j, n in enumerate(rounds):
        scores = {lr: probe(learn, lr, n, cost, k_valid) for lr in alive}
        alive = sorted(alive, key=lambda lr: (scores[lr], lr))
        if j < len(rounds) - 1: alive = alive[:max(1, math.ceil(len(alive) * keep))]
    return alive[0]


# ------------------------------------------------------------------ the procedures
def run_idea(f, learn):
    "Run procedure `f(learn, cost) -> lr` on `learn`; (lr or None, cost as a dict)"
    cost = Cost()
    torch_state = torch.get_rng_state()
    lr = f(learn, cost)
    torch.set_rng_state(torch_state)
    return (None if lr is None else float(lr)), cost.as_dict()


def long_sweep(learn, cost, spd=12.5, start_lr=1e-7, decades=11, **kw):
    "A sweep with `spd` steps per decade from `start_lr` over `decades` decades, stopped by divergence"
    return sweep(learn, cost, start_lr=start_lr, end_lr=start_lr * 10 ** decades, num_it=int(round(spd * decades)), **kw)


def rule_on(sweep_kw, rule, **rule_kw):
    "Procedure: one sweep (`sweep_kw` for lr_find), then a registered rule on its window"
    def proc(learn, cost): return window_rule(rule, sweep(learn, cost, **sweep_kw), **rule_kw)
    proc.__name__ = f'{rule.__name__}_on_sweep'
    return proc


def div_on(sweep_kw, k):
    "Procedure: one sweep, then the divergence lr (smoothed loss above 4x its best) divided by `k`"
    def proc(learn, cost): return divergence_lr(sweep(learn, cost, **sweep_kw)) / k
    return proc


def _long(spd, start_lr=1e-7, decades=11): return dict(start_lr=start_lr, end_lr=start_lr * 10 ** decades, num_it=int(round(spd * decades)))


def slower_if_flat(num_it=300, then=None):
    "Procedure: the plain sweep; when it shows no descent (`no_evidence`), a sweep `then` (default: the same range in `num_it` steps); drop_or_minimum"
    def proc(learn, cost):
        res = sweep(learn, cost)
        if no_evidence(res): res = sweep(learn, cost, **(then or dict(num_it=num_it)))
        return window_rule(drop_or_minimum, res)
    return proc


def valid_mode(k=4, rule=drop_or_minimum, sweep_kw=None):
    "Procedure: lr_find(valid_batches=k) (the loss on k validation batches after every step), then `rule`"
    def proc(learn, cost):
        return window_rule(rule, sweep(learn, cost, valid_batches=min(k, len(learn.dls.valid)), **(sweep_kw or {})))
    return proc


def probe_halving(sweep_kw=None, offsets=(0.5, 1.0, 1.5, 2.0, 2.5, 3.0), rounds=(16, 32), keep=0.5, anchor='divergence'):
    "Procedure: a sweep to divergence, candidates at the divergence lr / 10**offsets, successive halving of short one-cycle probes"
    def proc(learn, cost, res=None):
        if res is None: res = sweep(learn, cost, **(sweep_kw if sweep_kw is not None else _long(12.5)))
        a = divergence_lr(res) if anchor == 'divergence' else window_rule(drop_or_minimum, res)
        if a is None: return None
        return successive_halving(learn, [a / 10 ** o for o in offsets], cost, rounds=rounds, keep=keep)
    return proc


def probes_if_no_evidence(probe_kw=None):
    "Procedure: the plain sweep and drop_or_minimum; when it shows no descent, probes from a divergence lr instead"
    kw = dict(probe_kw or {})
    reuse = kw.get('sweep_kw', None) == {}  # the probes' anchor comes from the plain sweep itself: no second sweep
    inner = probe_halving(**kw)
    def proc(learn, cost):
        res = sweep(learn, cost)
        if not no_evidence(res): return window_rule(drop_or_minimum, res)
        return inner(learn, cost, res) if reuse else inner(learn, cost)
    return proc


IDEAS = {
    # the plain sweep's rules, for reference (same as the registered ones)
    'std: drop_or_minimum': rule_on({}, drop_or_minimum),
    # a fixed number of steps per decade, run until divergence (1e-7 to 1e4 at most)
    'long 12.5/dec: drop_or_minimum': rule_on(_long(12.5), drop_or_minimum),
    'long 25/dec: drop_or_minimum': rule_on(_long(25), drop_or_minimum),
    'long 25/dec: minimum': rule_on(_long(25), minimum),
    'long 25/dec: valley': rule_on(_long(25), valley),
    'long 25/dec: divergence/10': div_on(_long(25), 10),
    'long 25/dec: divergence/30': div_on(_long(25), 30),
    # a slower sweep only when the plain one shows no descent
    'slower (300 steps) if flat': slower_if_flat(300),
    'long 25/dec if flat': slower_if_flat(then=_long(25)),
    # the validation-loss mode
    'valid 4 batches: drop_or_minimum': valid_mode(4),
    # probe trainings (successive halving), about three range tests in all
    'probes: div/10^(0.5..3), 16+32 steps': probe_halving(),
    'probes: div/10^(1..3.5), 16+32 steps': probe_halving(offsets=(1.0, 1.5, 2.0, 2.5, 3.0, 3.5)),
    'probes: dom x 10^(-1..1), 20+40 steps': probe_halving(sweep_kw={}, offsets=(1.0, 0.5, 0.0, -0.5, -1.0), rounds=(20, 40), keep=0.4, anchor='dom'),
    'dom; probes if no evidence': probes_if_no_evidence(),
    'dom; probes if no evidence (anchor: plain sweep)': probes_if_no_evidence(dict(sweep_kw={})),
    # fallbacks for curves without evidence, with longer probes (the 16-step probes of a plateau all read its level)
    'dom; if no evidence: div/10^(1..3) 24+64 steps': probes_if_no_evidence(dict(sweep_kw={}, offsets=(1.0, 1.5, 2.0, 2.5, 3.0), rounds=(24, 64), keep=0.4)),
    'dom; if no evidence: div/10^(1.5,2,2.5) 64 steps': probes_if_no_evidence(dict(sweep_kw={}, offsets=(1.5, 2.0, 2.5), rounds=(64,))),
}
