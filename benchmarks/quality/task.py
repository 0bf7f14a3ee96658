"What a benchmark task is: a learner builder and how it is trained downstream, as data; its group and family; task files."
import importlib.util
from dataclasses import dataclass, field, fields


@dataclass
class Task:
    "A benchmark task: `make_learner(seed)` gives a fresh Learner whose validation metric is the score"
    name: str
    make_learner: callable
    epochs: int
    metric: str = 'accuracy'
    direction: str = 'max'         # 'max': higher is better; 'min': lower is better
    grid: tuple = (2 ** -16, 1.0)  # range of the factor-2 oracle grid
    held_out: bool = False         # not looked at while designing suggestions (set by `split`, or by a task file)
    kind: str = ''
    family: str = 'small'          # the kind of model, for the per-kind figures (FAMILIES)
    floor: float = None            # scores below this count as this (R² below -1: as useless as any, so one blow-up does not dominate a mean)
    group: str = 'small'           # 'small', 'late_descent', 'after_training' (GROUPS)
    slice_ratio: float = None      # downstream lr_max=slice(lr/slice_ratio, lr) (discriminative rates; lr is the top), else lr_max=lr
    fit_kw: dict = field(default_factory=dict)  # more arguments of the downstream fit (e.g. wd=0.1, as fastbook trains collab_learner)
    protocol: str = None           # this row's downstream protocol (oracle.PROTOCOLS), whatever the run's --protocol; None: the run's


GROUPS = {'small': 'small models (from scratch, frozen-body transfer, flat regressions, collab)',
          'late_descent': 'late descent (transformers from scratch, deep tanh MLPs, RNNs on long-memory tasks)',
          'after_training': "after training (fine_tune's first stage then unfreeze, continued, nearly converged)",
          'unfreeze': 'the unfreeze family (issue 30): bodies pretrained here on other data, three ways downstream'}
FAMILIES = {'small': 'small MLPs, CNNs, RNNs (issue 7)', 'transformer': 'transformer encoder from scratch, AdamW',
            'transfer': 'transfer: pretrained body frozen, new head', 'flat_regression': 'tabular regression with a wide flat optimum',
            'plateau': 'loss plateaus before it falls', 'unfreeze': "after fine_tune's first stage, unfrozen",
            'continued': 'under-trained model trained further', 'converged': 'nearly converged model trained further',
            'collab': 'collab_learner (embeddings, y_range)',
            'uf_one': 'unfreeze family, one rate: first stage, unfreeze(), fit_one_cycle(n, lr)',
            'uf_slice': 'unfreeze family, slice: first stage, unfreeze(), fit_one_cycle(n, slice(lr/100, lr))',
            'uf_ft': 'unfreeze family, fine_tune: the frozen learner, fine_tune(n, base_lr=lr, freeze_epochs=e)'}


def load_tasks_file(path):
    "The `TASKS` of the Python file `path`: `Task`s (from any import of this module), dicts, or objects with the same attributes"
    spec = importlib.util.spec_from_file_location('extra_tasks', path)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    names = [f.name for f in fields(Task)]
    tasks = []
    for t in mod.TASKS:
        d = t if isinstance(t, dict) else {f: getattr(t, f) for f in names if hasattr(t, f)}
        tasks.append(Task(**{k: v for k, v in d.items() if k in names}))
    return tasks
