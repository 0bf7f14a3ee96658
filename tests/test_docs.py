"Every public function, class and method says what it does and what each of its parameters is (shown by show_doc)."
import dataclasses, importlib, inspect

import pytest
from fastcore.docments import docments

MODULES = ['core', 'state', 'suggest', 'diagnostics', 'plot', 'result', 'learner', 'cli', 'examples']
FASTAI_OWN = {'fastai_lr_find'}  # fastai's function object itself, documented in 04_learner's table


def _public_callables(mod):
    for n in mod.__all__:
        o = getattr(mod, n)
        if n in FASTAI_OWN: continue
        if inspect.isclass(o):
            if dataclasses.is_dataclass(o): yield n, o, o.__doc__  # its fields are documented in the class body
            elif '__init__' in o.__dict__: yield n, o.__init__, o.__doc__
            for k, v in o.__dict__.items():
                if isinstance(v, (staticmethod, classmethod)): v = v.__func__
                if not k.startswith('_') and inspect.isfunction(v) and v.__module__ == mod.__name__: yield f'{n}.{k}', v, v.__doc__  # not a base class's generated method (matplotlib's Artist.set)
        elif callable(o): yield n, o, o.__doc__


@pytest.mark.parametrize('module', MODULES)
def test_every_public_parameter_is_documented(module):
    mod = importlib.import_module(f'fastai_lrrange.{module}')
    problems = []
    for name, f, doc in _public_callables(mod):
        if not (doc or '').strip(): problems.append(f'{name}: no docstring')
        sig = inspect.signature(f)
        params = [p for p, v in sig.parameters.items() if p not in ('self', 'cls') and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
        docs = docments(inspect.unwrap(f), full=False) if params else {}  # fastcore<1.8 does not unwrap lru_cache
        problems += [f'{name}: parameter {p!r} has no comment' for p in params if not docs.get(p)]
    assert not problems, '\n'.join(problems)
