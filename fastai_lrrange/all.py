"What `from fastai_lrrange.all import *` brings: the range test, its registry and `Learner.lr_find`."
from .state import *
from .core import *
from .suggest import *
from .plot import *
from .learner import *
