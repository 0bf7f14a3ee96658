"""Screen: could a short probe bring the advice after `unfreeze()` within half a decade of the best rate on every range test?

No reading of the first curve does (`benchmarks/README.md`, the unfreeze family): on the seen kinds the advice in force
leaves about a fifth of the slice's picks more than half a decade outside the grid's near-optimal range, and no family of
curve-reading rules, floors and caps included, moves them in. A probe measures instead: around the advice's pick `x`, the
candidates x * 2**k (k = -2..2), each trained briefly from the learner the range test ran on (the way's own downstream
protocol for one epoch: `fit_one_cycle(1, ...)` for one rate and the slice, `fine_tune(1, base_lr, freeze_epochs=e,
lr_mult=10)` for `fine_tune`), and the one with the lowest validation loss taken. Its picks are scored as `transfer_rules.py`
scores tops, nothing trained downstream: the row's stored grid interpolated on log(lr); the advice's own pick is scored the
same way beside it. The probe costs its candidates' training steps (reported); nothing here is in the library.

Only seen rows are read (the third and fourth fresh sets'), so this screens an idea; it judges nothing.

  python benchmarks/probe_screen.py --set unfreeze-fresh3,unfreeze-fresh4 --results benchmarks/results/quality_unfreeze_fresh3_one_slice.json \\
      benchmarks/results/quality_unfreeze_fresh3_ft.json benchmarks/results/quality_unfreeze_fresh4_one_slice.json \\
      benchmarks/results/quality_unfreeze_fresh4_ft.json --threads 1 --out benchmarks/results/probe_screen.md
"""
import argparse, json, math, platform, sys, time, warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import fastai.callback.all  # noqa: F401  (fit_one_cycle, fine_tune, no_bar, no_logging)
from fastai.callback.core import Callback
from fastai.torch_core import set_seed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.quality.split import task_set  # noqa: E402
from benchmarks.quality.oracle import _train, protocol_of  # noqa: E402
from benchmarks.transfer_rules import grid_of, point, summary  # noqa: E402

WAYS = {'_one': ('one_gate', 'recommended'), '_slicer10': ('slice_blend', 'as_slice_top'), '_ftm10': ('ft_flat', 'fine_tune_base')}  # the advice's name per way: the third set's candidates, else the library's (fourth set)
STEPS = (-2, -1, 0, 1, 2)  # candidates: the pick times 2**k


class StepCount(Callback):
    "Counts optimizer steps over every fit (fine_tune fits twice)"
    n = 0
    def after_step(self): self.n += 1


def probe(task, lr, seed):
    "Validation loss and training steps of the way's protocol for one epoch at `lr`, from the learner the range test ran on"
    learn = task.make_learner(1000 + seed)
    count = StepCount(); learn.add_cb(count)
    set_seed(seed)
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            _train(learn, replace(task, epochs=1), lr, protocol_of(task, 'one_cycle'))
            loss = float(learn.validate()[0])
        except Exception: loss = math.inf
    return (loss if math.isfinite(loss) else math.inf), count.n


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--set', required=True, help='the named sets (comma-separated) whose rows are read')
    p.add_argument('--results', nargs='+', required=True)
    p.add_argument('--ways', default='_one,_slicer10,_ftm10')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default=None)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tasks = {t.name: t for name in a.set.split(',') for t in task_set(name)}
    rows = [r for f in a.results for r in json.loads(Path(f).read_text())]
    lines = ['# A short probe around the advice after `unfreeze()` (screen, seen rows)', '',
             f'- machine: {platform.machine()}, torch {torch.__version__}, python {platform.python_version()}',
             f"- command: `python {' '.join(sys.argv)}`",
             f'- candidates: the advice\'s pick x 2**k, k in {STEPS}; each trained one epoch as its way trains, from the range test\'s learner; '
             'the lowest validation loss taken. Figures estimated from the stored grids (nothing trained downstream); '
             'columns: mean regret | in band | beyond half a decade | farthest outside (decades)', '']
    t0 = time.time()
    for way in a.ways.split(','):
        per = {'advice': [], 'probe': []}; steps = []
        detail = []
        for r in rows:
            if not r['task'].endswith(way) or r['task'] not in tasks: continue
            nm = next(n for n in WAYS[way] if n in r['methods'])
            for rs, x in enumerate(r['methods'][nm]['lrs']):
                if x is None: continue
                cands = [x * 2 ** k for k in STEPS]
                probes = [probe(tasks[r['task']], c, rs) for c in cands]
                best = cands[int(np.argmin([l for l, _ in probes]))]
                steps.append(sum(s for _, s in probes))
                grid = grid_of(r)
                per['advice'].append(point(grid, math.log10(x))); per['probe'].append(point(grid, math.log10(best)))
                detail.append(f"- {r['task']} seed {rs}: advice {x:.2e} ({per['advice'][-1][2]:.2f} out), probe {best:.2e} "
                              f"({per['probe'][-1][2]:.2f} out); losses {', '.join(f'{l:.3f}' for l, _ in probes)}")
                print(detail[-1], flush=True)
        lines += [f'## {way} rows ({len(per["advice"])} range tests)', '', '| pick | mean regret | in band | beyond 0.5 decades | farthest |', '|---|---|---|---|---|']
        for k, v in per.items():
            g, inb, far, farthest, n = summary(v)
            lines.append(f'| {k} | {g:.4f} | {inb}/{n} | {far}/{n} | {farthest:.2f} |')
        lines += ['', f'Probe cost: {np.mean(steps):.0f} optimizer steps a range test on average (at most {max(steps)}), on top of the range test.', ''] + detail + ['']
    lines.append(f'{time.time() - t0:.0f} s in all.')
    text = '\n'.join(lines) + '\n'
    if a.out: Path(a.out).write_text(text)
    print(text)


if __name__ == '__main__':
    main()
