"Other callbacks on the Learner: trackers stand aside, loggers log nothing, the progress bar shows the range test."
import numpy as np
import pytest
import torch

from fastai.callback.core import Callback
from fastai.callback.tracker import SaveModelCallback, EarlyStoppingCallback, ReduceLROnPlateau
from fastai.callback.progress import CSVLogger, ShowGraphCallback, ProgressCallback
from fastai.callback.mixup import MixUp

from conftest import make_synth, capture, assert_same_state, files_under


def _schedule(n, s=1e-7, e=10): return [s * (e / s) ** (i / n) for i in range(n)]


def test_save_model_callback_saves_nothing(tmp_path):
    learn = make_synth(tmp_path)
    learn.add_cb(SaveModelCallback(monitor='train_loss', every_epoch=True))
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert files_under(tmp_path) == [] and len(learn.lr_find_result.losses) > 10
    assert_same_state(before, capture(learn))


def test_early_stopping_does_not_stop_the_range_test(tmp_path):
    learn = make_synth(tmp_path, n_trn=3)  # epochs of 3 batches: an active tracker would stop after the first
    learn.add_cb(EarlyStoppingCallback(monitor='train_loss', min_delta=1e9, patience=0))
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=20, stop_div=False)
    assert len(learn.lr_find_result.losses) == 20


def test_reduce_lr_on_plateau_changes_no_lr(tmp_path):
    learn = make_synth(tmp_path, n_trn=3)
    learn.add_cb(ReduceLROnPlateau(monitor='train_loss', min_delta=1e9, patience=0, factor=10))
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=20, stop_div=False)
    assert np.allclose(learn.lr_find_result.last_group_lrs, _schedule(20), rtol=1e-12)


def test_csv_logger_logs_nothing_and_keeps_the_history_file(tmp_path):
    learn = make_synth(tmp_path)
    learn.add_cb(CSVLogger())
    with learn.no_bar(): learn.fit(2, 1e-2)
    history = (tmp_path / 'history.csv').read_text()
    assert history.count('\n') == 3  # header and two epochs
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False)
    assert (tmp_path / 'history.csv').read_text() == history  # fastai's own lr_find truncates it
    assert_same_state(before, capture(learn))
    assert hasattr(learn, 'csv_logger') and any(isinstance(cb, CSVLogger) for cb in learn.cbs)


def test_show_graph_stands_aside(tmp_path):
    learn = make_synth(tmp_path)
    learn.add_cb(ShowGraphCallback())
    learn.lr_find(show_plot=False, num_it=20)  # with the progress bar: ShowGraph needs it
    assert len(learn.lr_find_result.losses) > 0 and learn.show_graph.run


def test_mixup_runs_and_is_restored(tmp_path):
    from fastai.losses import CrossEntropyLossFlat
    from fastai_lrrange.examples import digits_learner
    learn = digits_learner(cbs=MixUp(0.4))
    learn.path = tmp_path
    lf = learn.loss_func
    before = capture(learn)
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=30)
    assert learn.loss_func is lf and len(learn.lr_find_result.losses) > 10
    assert_same_state(before, capture(learn))


def test_user_callback_sees_the_range_test_and_is_restored(tmp_path):
    learn = make_synth(tmp_path)
    seen = []
    class Mine(Callback):
        def __init__(self): self.batches = 0
        def after_batch(self):
            self.batches += 1
            seen.append(self.opt.hypers[-1]['lr'])
    mine = Mine()
    learn.add_cb(mine)
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=15, stop_div=False)
    assert np.allclose(seen, _schedule(15)) and mine.batches == 0


def test_progress_bar_shows_the_range_test_and_no_bar_hides_it(tmp_path, capsys):
    learn = make_synth(tmp_path)
    assert any(isinstance(cb, ProgressCallback) for cb in learn.cbs)
    learn.lr_find(show_plot=False, num_it=20, stop_div=False)
    shown = capsys.readouterr()  # not a terminal: a few plain lines, the last with the stop reason
    assert shown.out.splitlines()[-1] == 'lr_find: stopped after 20 of 20 steps: num_it' and 'Epoch' not in shown.out + shown.err
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=20, stop_div=False)
    hidden = capsys.readouterr()
    assert hidden.out + hidden.err == ''
