"""Rule files: variants of registered suggestions, scored beside them (`--rules-file PATH`).

A rule file is a Python file defining `RULES`, a dict name -> the entry's arguments of
`fastai_lrrange.suggest.register_suggestion` (`func`, and its policy: `needs_descent`, `sweep_again`), e.g.
benchmarks/rules/second_sweep_scale.py. They are registered here and nowhere else, inside the registry's `scoped()` block,
which leaves it as it was.
"""
import importlib.util
from contextlib import contextmanager

from fastai_lrrange.suggest import SUGGESTIONS, register_suggestion


def read_rules_file(path):
    "The `RULES` of the Python file `path`: name -> dict(func=..., needs_descent=..., sweep_again=...)"
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
        register_suggestion(kw.pop('func'), name, **kw)
    return list(rules)


@contextmanager
def rules_files(*paths):
    "The rules of `paths` registered for the duration of the block (the registry's `scoped()`: as it was after it); their names"
    with SUGGESTIONS.scoped(): yield [k for p in paths for k in load_rules_file(p)]
