"What `from fastai_lrrange.all import *` brings: what a fastai user calls (importing it patches `Learner.lr_find`, `lr_range_test`, `export` and `Recorder.plot_lr_find`)."
from .core import LRFinder
from .suggest import (SUGGESTIONS, RECOMMENDED, SuggestionMethod, SuggestionWarning, SweepAgain, Suggestion, register_suggestion,
                      valley, slide, minimum, steep, steepest_gradient, steepest_gradient_lr, steepest_before_minimum, loss_drop,
                      drop_or_minimum, recommended)
from .diagnostics import StopReason, Finding, FindingKind, LRFindWarning
from .result import LRFindResult, SuggestedLRs
from .learner import fastai_lr_find, log_to_tensorboard, log_to_wandb

__all__ = ['LRFinder', 'SUGGESTIONS', 'RECOMMENDED', 'SuggestionMethod', 'SuggestionWarning', 'SweepAgain', 'Suggestion', 'register_suggestion',
           'valley', 'slide', 'minimum', 'steep', 'steepest_gradient', 'steepest_gradient_lr', 'steepest_before_minimum', 'loss_drop',
           'drop_or_minimum', 'recommended', 'StopReason', 'Finding', 'FindingKind', 'LRFindWarning', 'LRFindResult', 'SuggestedLRs',
           'fastai_lr_find', 'log_to_tensorboard', 'log_to_wandb']
