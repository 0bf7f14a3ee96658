"""Does a kind's body transfer well or must it adapt? One fixed rate, chosen before this ran: no grid, no range test.

For each kind, from its frozen learner (pretrained body, new head; the builder the fine_tune way starts from), seeds 0, 1, 2:
- head alone: `fit_one_cycle(5, 3e-3)` on the frozen learner (fastai's freeze() leaves BatchNorm trainable);
- unfrozen:   `learn.unfreeze()`, then `fit_one_cycle(5, 3e-3)`.
The validation accuracy of each (seed mean) and the gap. A body transfers well when the head alone comes near the unfrozen
model; it must adapt when the head alone falls well short. `--kinds first` runs the same check on the first twelve kinds
(`builders/unfreeze.py`), for the scale of the gaps; `--kinds fresh2` on the second fresh set (`builders/unfreeze_fresh2.py`),
`--kinds fresh3` on the third (`builders/unfreeze_fresh3.py`).

    python benchmarks/unfreeze_fresh_check.py --kinds fresh,first --threads 1 --out benchmarks/results/unfreeze_fresh_check.md
    python benchmarks/unfreeze_fresh_check.py --kinds fresh2 --threads 1 --out benchmarks/results/unfreeze_fresh2_check.md
    python benchmarks/unfreeze_fresh_check.py --kinds fresh3 --threads 1 --out benchmarks/results/unfreeze_fresh3_check.md
"""
import argparse, statistics, sys, time
from pathlib import Path

import torch
import fastai.callback.all  # noqa: F401  (fit_one_cycle, no_bar, no_logging)
from fastai.torch_core import set_seed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.quality.builders import unfreeze, unfreeze_fresh, unfreeze_fresh2, unfreeze_fresh3, unfreeze_fresh4  # noqa: E402

LR, EPOCHS, SEEDS = 3e-3, 5, (0, 1, 2)


def score(build, seed, unfrozen):
    learn = build(seed)
    if unfrozen: learn.unfreeze()
    set_seed(seed)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(EPOCHS, LR)
        return float(learn.validate()[1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--kinds', default='fresh', help='fresh, first, fresh2, fresh3, fresh4, or several (comma-separated)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    mods = {'fresh': unfreeze_fresh, 'first': unfreeze, 'fresh2': unfreeze_fresh2, 'fresh3': unfreeze_fresh3, 'fresh4': unfreeze_fresh4}
    lines = ['# Transfers well or must adapt: head alone against unfrozen, one fixed rate', '',
             f'`python benchmarks/unfreeze_fresh_check.py --kinds {a.kinds} --threads {a.threads}`' + (f' `--out {a.out}`' if a.out else '')
             + f'; from each kind\'s frozen learner, fit_one_cycle({EPOCHS}, {LR:g}) with the body frozen (head alone) and after '
             f'unfreeze(); validation accuracy, mean of seeds {", ".join(map(str, SEEDS))} (min..max). The rate, epochs and seeds were '
             'fixed before this ran; no grid, no range test.', '',
             '| set | kind | head alone | unfrozen | gap |', '|---|---|---|---|---|']
    print(*lines, sep='\n', flush=True)
    for which in a.kinds.split(','):
        mod = mods[which]
        for kind in mod.KINDS:
            t0 = time.time()
            build = unfreeze.frozen(kind, mod._data)
            h = [score(build, s, False) for s in SEEDS]
            u = [score(build, s, True) for s in SEEDS]
            fmt = lambda v: f'{statistics.mean(v):.3f} ({min(v):.3f}..{max(v):.3f})'
            line = f'| {which} | {kind} | {fmt(h)} | {fmt(u)} | {statistics.mean(u) - statistics.mean(h):+.3f} |'
            lines.append(line); print(line, f'({time.time() - t0:.0f} s)', flush=True)
    if a.out: Path(a.out).write_text('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
