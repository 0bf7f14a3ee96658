"""A rules file: the advice the library gives after a range test, read through its own API, as methods the benchmark scores.

`recommended` (a registered suggestion) is already the library's one rate, moved toward `slide` on an unfrozen learner as
its `Transfer` entry says. The other two ways' rates are not suggestions but what `LRFindResult` advises from them:
- `as_slice_top`: the top of `res.as_slice('recommended')` (trained as `fit_one_cycle(n, slice(top/10, top))`: the `_slicer10`
  rows; the ratio is the one `as_slice` gives, `Transfer.lr_mult`);
- `fine_tune_base`: `res.fine_tune_kwargs('recommended')['base_lr']` (trained as `fine_tune(n, base_lr, lr_mult=10)`: the
  `_ftm10` rows).
Each reads `recommended`'s own range test (the same sweeps: its `func` and `sweep_again`), so it costs no optimizer step of its
own; `--methods` must name `recommended` with them. Each applies to the learners its way starts from: `as_slice_top` to the
unfrozen rows (`as_slice` refuses a frozen learner, saying what to pass instead), `fine_tune_base` to the frozen ones; score
them in runs split so (`--tasks`). A test checks that these entries and the library agree
(`tests/test_benchmarks.py`). Used to judge the advice as a whole on the fourth fresh set (`benchmarks/README.md`).
"""
from fastai_lrrange.suggest import SUGGESTIONS


def _advice(read):
    def f(res):
        if 'recommended' not in res.suggestions: raise ValueError("library_advice: --methods must name 'recommended' with these methods")
        return None if res.suggestions['recommended'] is None else read(res)
    return f


_rec = SUGGESTIONS['recommended']
_policy = dict(func=_rec.func, needs_descent=_rec.needs_descent, sweep_again=_rec.sweep_again)  # recommended's sweeps: one range test shared
RULES = {'as_slice_top': dict(_policy, read=_advice(lambda res: res.as_slice('recommended').stop)),
         'fine_tune_base': dict(_policy, read=_advice(lambda res: res.fine_tune_kwargs('recommended')['base_lr']))}
