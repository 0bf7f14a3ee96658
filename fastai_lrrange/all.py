"What `from fastai_lrrange.all import *` brings: the range test, its registry, its findings and result, and `Learner.lr_find`."
from .state import *
from .suggest import *
from .diagnostics import *
from .core import *
from .plot import *
from .result import *
from .learner import *
