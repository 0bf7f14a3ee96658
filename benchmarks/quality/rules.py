"""Rule files: variants of registered suggestions, scored beside them (`--rules-file PATH`).

A rule file is a Python file defining `RULES`, a dict name -> the entry's arguments of
`fastai_lrrange.suggest.register_suggestion` (`func`, and its policy: `needs_descent`, `sweep_again`), e.g.
benchmarks/rules/second_sweep_scale.py. They are registered here and nowhere else, inside the registry's `scoped()` block,
which leaves it as it was.

An entry may also carry `sweep`, the range test's own arguments (a dict of `learn.lr_find` keywords, e.g.
`sweep=dict(start_lr=slice(1e-9, 1e-7), end_lr=slice(0.1, 10), num_it=100)`: per parameter group, spread as fastai spreads a
slice; suggestions read the last group's rates). It is taken out before `register_suggestion` and kept in `SWEEPS` for the
block; `runs.py` runs such an entry in a range test of its own with those arguments (one test for the entries with the
same `sweep` and `sweep_again`), and records its optimizer steps, e.g. benchmarks/rules/unfreeze_sweeps.py.

An entry may also carry `read`, a function of the range test's `LRFindResult` giving the rate the method suggests (it may read
every sweep, e.g. one suggestion's reading with another's on the first sweep): the entry's own `func` and policy still decide
which range test it shares; `runs.py` takes `read(result)` in place of its reading (kept in `READS` for the block), e.g.
benchmarks/rules/unfrozen_slide_blend.py.
"""
import importlib.util
from contextlib import contextmanager

from fastai_lrrange.suggest import SUGGESTIONS, register_suggestion

SWEEPS = {}  # name -> lr_find keywords of a rules-file entry that gave `sweep` (registered for a `rules_files` block only)
READS = {}  # name -> f(LRFindResult) -> lr, of a rules-file entry that gave `read` (the same)


def read_rules_file(path):
    "The `RULES` of the Python file `path`: name -> dict(func=..., needs_descent=..., sweep_again=..., sweep=..., read=...)"
    spec = importlib.util.spec_from_file_location('rules_file', path)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return dict(mod.RULES)


def load_rules_file(path):
    "Register the rules of `path` in the library's registry (`SUGGESTIONS`); their names"
    rules = read_rules_file(path)
    clash = [k for k in rules if k in SUGGESTIONS]
    if clash: raise ValueError(f"rules file {path} names registered suggestions ({', '.join(clash)}): give its rules new names")
    for name, kw in rules.items():
        kw = dict(kw)
        sweep, read = kw.pop('sweep', None), kw.pop('read', None)
        register_suggestion(kw.pop('func'), name, **kw)
        if sweep is not None: SWEEPS[name] = dict(sweep)
        if read is not None: READS[name] = read
    return list(rules)


@contextmanager
def rules_files(*paths):
    "The rules of `paths` registered for the duration of the block (the registry's `scoped()`, `SWEEPS` and `READS`: as they were after it); their names"
    before = dict(SWEEPS), dict(READS)
    try:
        with SUGGESTIONS.scoped(): yield [k for p in paths for k in load_rules_file(p)]
    finally:
        for d, b in zip((SWEEPS, READS), before): d.clear(); d.update(b)
