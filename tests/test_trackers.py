"A finished range test goes to the user's experiment record (TensorBoard, W&B offline), read back from the files, without moving training's steps."
import json, sys
from pathlib import Path

import numpy as np
import pytest

from conftest import make_synth, capture, assert_same_state


# ------------------------------------------------------------------ TensorBoard
def _read_tb(log_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, SCALARS, IMAGES, TENSORS
    acc = EventAccumulator(str(log_dir), size_guidance={SCALARS: 0, IMAGES: 0, TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    scalars = {t: [(e.step, e.value) for e in acc.Scalars(t)] for t in tags['scalars']}
    images = {t: acc.Images(t) for t in tags['images']}
    texts = {t: [e.tensor_proto.string_val[0].decode() for e in acc.Tensors(t)] for t in tags['tensors']}
    return scalars, images, texts


def _tb_session(log_dir, trained, with_lr_find):
    "fit (if `trained`), lr_find (if `with_lr_find`), fit, with a TensorBoardCallback writing to `log_dir`"
    from fastai.callback.tensorboard import TensorBoardCallback
    learn = make_synth(log_dir.parent, n_trn=4, cbs=TensorBoardCallback(log_dir=log_dir, trace_model=False, log_preds=False))
    with learn.no_bar():
        if trained: learn.fit(1, 1e-2)
        if with_lr_find:
            before = capture(learn)
            learn.lr_find(show_plot=False, num_it=20, suggest_funcs=('valley', 'steep'))
            assert_same_state(before, capture(learn))  # the callback's own state (its step counter) untouched
        learn.fit(1, 1e-2)
    return learn


@pytest.mark.parametrize('trained', [False, True])  # before any fit the callback has no writer yet
def test_tensorboard_gets_the_curve_the_figure_and_the_suggestions(tmp_path, trained):
    res = _tb_session(tmp_path / 'tb', trained, True).lr_find_result
    _tb_session(tmp_path / 'alone' / 'tb', trained, False)
    scalars, images, texts = _read_tb(tmp_path / 'tb')
    assert [s for s, _ in scalars['lr_find/loss']] == list(range(len(res.losses)))
    np.testing.assert_allclose([v for _, v in scalars['lr_find/loss']], res.losses, rtol=1e-6)
    np.testing.assert_allclose([v for _, v in scalars['lr_find/lr']], res.last_group_lrs, rtol=1e-6)
    assert len(images['lr_find/plot']) == 1 and images['lr_find/plot'][0].encoded_image_string[:4] == b'\x89PNG'
    summary = texts['lr_find/summary/text_summary'][0]
    assert f'stopped: {res.stop_reason}' in summary and all(k in summary for k in res.suggestions)
    # training's own record is what it is without lr_find: same tags, same steps, same values
    alone = _read_tb(tmp_path / 'alone' / 'tb')[0]
    assert {t: v for t, v in scalars.items() if not t.startswith('lr_find/')} == alone


def test_tensorboard_opt_out(tmp_path):
    from fastai.callback.tensorboard import TensorBoardCallback
    learn = make_synth(tmp_path, n_trn=4, cbs=TensorBoardCallback(log_dir=tmp_path / 'tb', trace_model=False, log_preds=False))
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=10, log_to_trackers=False)
    assert not (tmp_path / 'tb').exists()  # no file at all


# ------------------------------------------------------------------ W&B, offline
@pytest.fixture
def wandb_run(tmp_path, monkeypatch):
    "An offline wandb run whose files all stay under tmp_path; always finished (wandb.run is a global)"
    import wandb
    for k, sub in (('WANDB_DIR', 'w'), ('WANDB_CACHE_DIR', 'cache'), ('WANDB_DATA_DIR', 'data'),
                   ('WANDB_CONFIG_DIR', 'config'), ('WANDB_ARTIFACT_DIR', 'artifacts')):
        (tmp_path / sub).mkdir(); monkeypatch.setenv(k, str(tmp_path / sub))
    for k, v in dict(WANDB_MODE='offline', WANDB_SILENT='true', WANDB_CONSOLE='off', WANDB_DISABLE_GIT='true',
                     WANDB_DISABLE_CODE='true', WANDB_X_DISABLE_STATS='true').items(): monkeypatch.setenv(k, v)
    _patch_fastai_4173(monkeypatch)
    run = wandb.init(project='lrrange-test', dir=str(tmp_path / 'w'))
    yield wandb, run
    if wandb.run is not None: wandb.finish()
    wandb.teardown()


def _patch_fastai_4173(monkeypatch):
    "Test harness only: fastai 2.8.12's WandbCallback.before_fit calls fastcore's init_args(None) and raises (fastai issue 4173)"
    import fastai.callback.wandb as fw
    if 'init_args' not in fw._format_config_value.__code__.co_names: return
    from fastcore.basics import init_args
    def _format_config_value(v):
        if isinstance(v, list): return [_format_config_value(i) for i in v]
        if hasattr(v, '__dict__') and (args := init_args(v)): return {**fw._format_config(args), '_name': v}
        return v
    monkeypatch.setattr(fw, '_format_config_value', _format_config_value)


def test_wandb_gets_the_curve_the_figure_and_the_suggestions_without_a_step(wandb_run):
    from fastai.callback.wandb import WandbCallback
    from wandb_records import wandb_history, wandb_summary_updates, wait_for_exit_record
    wandb, run = wandb_run
    learn = make_synth(n_trn=4, cbs=WandbCallback(log_preds=False))
    with learn.no_bar():
        learn.fit(1, 1e-2)
        steps = (run.step, learn.wandb._wandb_step)
        learn.lr_find(show_plot=False, num_it=20)
        assert (run.step, learn.wandb._wandb_step) == steps  # the training's step counter did not move
        learn.fit(1, 1e-2)
    res = learn.lr_find_result
    run_dir = Path(run.dir).parent
    wandb.finish()
    records = next(run_dir.glob('run-*.wandb'))
    wait_for_exit_record(records)
    hist = wandb_history(records)
    assert [h['_step'] for h in hist] == list(range(8))  # 4 training batches a fit, contiguous: lr_find took no step
    row = next(h for h in hist if 'lr_find/curve' in h)
    table = json.loads((run_dir / 'files' / row['lr_find/curve']['path']).read_text())
    np.testing.assert_allclose([r[2] for r in table['data']], res.losses, rtol=1e-6)
    assert (run_dir / 'files' / row['lr_find/plot']['path']).read_bytes()[:4] == b'\x89PNG'
    summary = {k: v for u in wandb_summary_updates(records) for k, v in u.items()}
    assert summary['lr_find/stop_reason'] == str(res.stop_reason) and summary['lr_find/n_steps'] == len(res.losses)
    for k, v in res.suggestions.items(): assert summary[f'lr_find/{k}'] == pytest.approx(v)


def test_wandb_callback_without_a_run_stands_aside(tmp_path, monkeypatch):
    "fastai's WandbCallback raises 'You must call wandb.init()' in before_fit; the range test runs without it"
    import wandb
    from fastai.callback.wandb import WandbCallback
    if wandb.run is not None: wandb.finish()
    learn = make_synth(tmp_path, n_trn=4, cbs=WandbCallback(log_preds=False))
    with learn.no_bar(): learn.lr_find(show_plot=False, num_it=10)
    assert len(learn.lr_find_result.losses) == 10 and any(isinstance(cb, WandbCallback) for cb in learn.cbs)
