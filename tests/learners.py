"""Small real fastai Learners the tests share: tabular, vision (resnet18, pretrained=False, on tiny generated images) and text
(AWD_LSTM from scratch). Test fixtures, kept out of the library; the digits learner the demo and the docs use is in
`fastai_lrrange.examples`."""
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import TensorDataset
from fastai.data.core import DataLoaders
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.torch_core import set_seed


def tiny_tabular_learner(
    path=None, # The Learner's path (default: the current folder)
    seed:int=0, # Seed of the data and of the weights
    n:int=256, # Rows (the last 64 are the validation set)
    **kwargs, # Passed to `tabular_learner` (e.g. `opt_func`, `cbs`, `splitter`)
) -> Learner:
    "A fastai `tabular_learner` (embeddings, dropout, BatchNorm) on a synthetic frame: two categories, two numbers, two classes"
    from fastai.tabular.all import TabularDataLoaders, tabular_learner, tabular_config, Categorify, Normalize, FillMissing
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({'a': rng.choice(['x', 'y', 'z'], n), 'b': rng.choice(['p', 'q'], n), 'c': rng.normal(size=n), 'd': rng.normal(size=n)})
    df['t'] = ((df.c + (df.a == 'x') * 1.5 + rng.normal(scale=0.3, size=n)) > 0.5).astype(int)
    set_seed(seed)
    dls = TabularDataLoaders.from_df(df, path=path or '.', procs=[Categorify, FillMissing, Normalize], cat_names=['a', 'b'],
                                     cont_names=['c', 'd'], y_names='t', y_block=None, bs=32, valid_idx=list(range(n - 64, n)), num_workers=0)
    set_seed(seed)
    kwargs = {'layers': [32, 16], 'config': tabular_config(ps=[0.2, 0.1], embed_p=0.1), 'loss_func': CrossEntropyLossFlat(), **kwargs}
    return tabular_learner(dls, n_out=2, **kwargs) # n_out: fastai 2.8's TabularDataLoaders report a wrong `dls.c`


def write_tiny_images(
    folder, # Where to write `train/` and `valid/`, one subfolder per class
    n_per_class:int=12, # Training images per class (a third as many for validation)
    size:int=32, # Side of the images, in pixels
    seed:int=0, # Seed of the pixels
) -> Path:
    "Random RGB PNGs in folder/{train,valid}/{cat,dog}, each class with a learnable colour cue"
    from PIL import Image
    folder,rng = Path(folder),np.random.default_rng(seed)
    for split,k in (('train', n_per_class), ('valid', max(2, n_per_class // 3))):
        for ci,cls in enumerate(('cat', 'dog')):
            d = folder/split/cls
            d.mkdir(parents=True, exist_ok=True)
            for i in range(k):
                arr = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
                arr[..., ci] = np.clip(arr[..., ci].astype(int) + 60, 0, 255)
                Image.fromarray(arr).save(d/f'{cls}_{i}.png')
    return folder

def tiny_vision_learner(
    folder, # A folder for the images (written by `write_tiny_images`)
    seed:int=0, # Seed of the images, the loaders and the head's weights
    aug:bool=True, # Use fastai's `aug_transforms`
    **kwargs, # Passed to `vision_learner`
) -> Learner:
    "fastai's `vision_learner` with `resnet18` (`pretrained=False`) on tiny generated images, as in the fastbook workflow"
    from fastai.vision.all import ImageDataLoaders, vision_learner, resnet18, error_rate, aug_transforms, Resize
    write_tiny_images(folder, seed=seed)
    set_seed(seed)
    dls = ImageDataLoaders.from_folder(folder, train='train', valid='valid', item_tfms=Resize(32), bs=8, num_workers=0, device='cpu',
                                       batch_tfms=aug_transforms(size=32, min_scale=0.8) if aug else None)
    set_seed(seed)
    return vision_learner(dls, resnet18, pretrained=False, metrics=error_rate, **kwargs)


def tiny_text_classifier(
    seed:int=0, # Seed of the token sequences and of the weights
    n:int=96, # Sequences (a third for validation)
    seq_len:int=10, # Tokens per sequence
    vocab_sz:int=30, # Vocabulary size
    **kwargs, # Passed to `TextLearner` (e.g. `opt_func`, `cbs`)
) -> Learner:
    "fastai's `AWD_LSTM` classifier (ULMFiT's), built from scratch (no pretrained weights), on token sequences whose class a count decides"
    from fastai.text.all import TextLearner, get_text_classifier, AWD_LSTM, awd_lstm_clas_config, awd_lstm_clas_split
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(2, vocab_sz, (n, seq_len), generator=g)
    y = ((x < vocab_sz*2//5).sum(1) > seq_len*3//10).long()
    set_seed(seed)
    dls = DataLoaders.from_dsets(TensorDataset(x[:n*2//3], y[:n*2//3]), TensorDataset(x[n*2//3:], y[n*2//3:]), bs=16, device='cpu')
    cfg = {**awd_lstm_clas_config, 'emb_sz': 12, 'n_hid': 16, 'n_layers': 2}
    model = get_text_classifier(AWD_LSTM, vocab_sz, 2, seq_len=seq_len, config=cfg, drop_mult=0.5)
    return TextLearner(dls, model, loss_func=CrossEntropyLossFlat(), splitter=awd_lstm_clas_split, **kwargs)
