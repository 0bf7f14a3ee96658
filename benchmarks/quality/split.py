"""Tuning or held-out: the recorded coin flips of the first set, and the named task sets the CLI runs (`--set`).

How a rule is chosen and judged here (benchmarks/README.md): rules are chosen on tuning tasks; the figures the docs quote
come from held-out tasks, written and committed before any range test runs on them and looked at once. A held-out set that
has been looked at becomes tuning, and a new rule is judged on a fresh set. So far:

- the first set (`tasks.FIRST_SET`) was split by the coins below; its held-out half was read while rules were chosen, so it
  counts as tuning now, with `tasks.ADDED_TUNING`;
- the fresh set (`tasks.FRESH`) is held out; it was looked at once, after the last change of `recommended`. The next rule
  to judge needs a fresh set of its own (a new list in tasks.py, committed before it runs).
- the unfreeze family (`tasks.UNFREEZE`, issue 30): twelve kinds in six pairs (a family of body: the kind that transfers
  well, the kind that must adapt), one coin per pair from `random.Random(UNFREEZE_SEED)` (below); a kind's three rows (one
  rate, slice, fine_tune) go where its coin sends it. Drawn and committed before any range test ran on any of them. Its
  held-out half has since been seen (the judgement of the transfer policy), so a new rule for the family needs:
- the unfreeze family's fresh set (`tasks.UNFREEZE_FRESH`, `--set unfreeze-fresh`): eight new kinds (new data pairs, one
  or two per family of body, four that transfer well and four that must adapt, first stages of 1 and 3 epochs), three rows
  each, all held out by decision (no coin), written and committed before any grid or range test ran on them. Its grids may
  be trained blind (`--warm`); it is looked at once, to judge the next rule for the family. It has since been seen (the
  judgement of the ratio-10 transfer policy), so the next rule needs:
- the unfreeze family's second fresh set (`tasks.UNFREEZE_FRESH2`, `--set unfreeze-fresh2`): eight more new kinds (new
  data pairs, two CNNs with BatchNorm among those that must adapt, four that transfer well and four that must adapt,
  first stages of 1 and 3 epochs), five rows each (one rate, slice, fine_tune, and slice and fine_tune at ratio 10), all
  held out by decision, written and committed before any grid or range test ran on them; grids trained blind, looked at
  once. It has since been seen (the judgement of the slice top read off the curve's fall share), so the next rule needs:
- the unfreeze family's third fresh set (`tasks.UNFREEZE_FRESH3`, `--set unfreeze-fresh3`): eight more new kinds (new
  data pairs, two CNNs with BatchNorm, one that transfers well and one that must adapt, four that transfer well and four
  that must adapt, first stages of 1 and 3 epochs), five rows each as the second fresh set's, all held out by decision,
  written and committed before any grid or range test ran on them; grids trained blind, looked at once. It has since been
  seen (the judgements of the `fine_tune`, one-rate and slice rules), so the advice as a whole is judged once more on:
- the unfreeze family's fourth fresh set (`tasks.UNFREEZE_FRESH4`, `--set unfreeze-fresh4`): eight more new kinds (new
  data pairs, two CNNs with BatchNorm that transfer well, four that transfer well and four that must adapt, first stages
  of 1 and 3 epochs), five rows each as the second fresh set's, all held out by decision, written and committed before any
  grid or range test ran on them; grids to be trained blind, looked at once.
"""
import random
from dataclasses import replace

from .tasks import FIRST_SET, ADDED_TUNING, FRESH, UNFREEZE, UNFREEZE_KINDS, UNFREEZE_FRESH, UNFREEZE_FRESH2, UNFREEZE_FRESH3, UNFREEZE_FRESH4, kind_name

COIN_SEED = 22
# Within each group, similar tasks in pairs; one coin per pair decides which of the two is held out (0: the first, 1: the
# second); a task without a pair gets its own coin (0: held out, 1: tuning). Drawn in this written order, groups then pairs.
PAIRS = {
    'small': [('digits_cnn', 'digits_bn_cnn'),                 # CNNs on digits
              ('cancer_mlp', 'wine_bn'),                       # small tabular MLPs, Adam
              ('digits_sgd', 'cancer_bn_sgd'),                 # MLPs with SGD
              ('friedman_regression', 'tabular_regression'),   # MSE regressions
              ('tabular_synth', 'collab_synth'),               # fastai application learners with embeddings
              ('transfer_digits_mlp', 'transfer_digits_cnn'),  # frozen pretrained body, new head
              ('noisy_linear_tabular', 'diabetes_tabular'),    # flat regressions (R²)
              ('seq_gru',)],
    'late_descent': [('tfm_digits', 'tfm_order'),              # transformers from scratch
                     ('tfm_tokens', 'tfm_reverse'),            # transformers from scratch on tokens
                     ('xor_deep_tanh', 'deep_tanh_digits'),    # deep tanh MLPs
                     ('memory_gru', 'adding_lstm')],           # RNNs on long-memory tasks
    'after_training': [('unfreeze_one', 'unfreeze_slice'),     # fine_tune's first stage, then unfreeze
                       ('continued', 'gru_continued'),         # under-trained models trained further
                       ('converged',)],
}


def coin_flips(seed=COIN_SEED, pairs=PAIRS):
    "The draws of `random.Random(seed)` in the written order: a list of {group, pair, coin, held_out}, one per pair"
    rng, out = random.Random(seed), []
    for group, ps in pairs.items():
        for p in ps:
            coin = rng.randrange(2)
            held = ([p[0]] if coin == 0 else []) if len(p) == 1 else [p[coin]]
            out.append(dict(group=group, pair=list(p), coin=coin, held_out=held))
    return out


def held_out_names(flips=None):
    return {n for f in (flips or coin_flips()) for n in f['held_out']}


COIN_FLIPS = coin_flips()
assert sorted(n for ps in PAIRS.values() for p in ps for n in p) == sorted(t.name for t in FIRST_SET), 'every task in exactly one pair'


UNFREEZE_SEED = 30  # issue 30
# The unfreeze family's kinds in pairs, one pair per family of body, in this written order: (transfers well, must adapt);
# coin 0 holds out the first kind of the pair, 1 the second.
UNFREEZE_PAIRS = {'unfreeze': [tuple(kind_name(k, e) for k, _, _, e, _ in UNFREEZE_KINDS[i:i + 2]) for i in range(0, len(UNFREEZE_KINDS), 2)]}
UNFREEZE_FLIPS = coin_flips(UNFREEZE_SEED, UNFREEZE_PAIRS)
assert all(well for _, _, well, _, _ in UNFREEZE_KINDS[::2]) and not any(well for _, _, well, _, _ in UNFREEZE_KINDS[1::2])


def unfreeze_kind(name):
    "The kind of an unfreeze-family row (`uf_<kind>_e<epochs>_<way>`): its name without the way"
    return name.rsplit('_', 1)[0]


def coin_of(name):
    "The coin flip that set task `name`'s held_out: seed, its place in the order of draws, the pair, the coin, the held-out task(s)"
    for seed, flips, key in ((COIN_SEED, COIN_FLIPS, name), (UNFREEZE_SEED, UNFREEZE_FLIPS, unfreeze_kind(name))):
        for i, f in enumerate(flips):
            if key in f['pair']: return dict(seed=seed, order=i, **f)


def _unfreeze_rows(held):
    "The unfreeze family's rows whose kind the coins held out (`held` True) or kept for tuning (False), as new copies"
    out = held_out_names(UNFREEZE_FLIPS)
    return [replace(t, held_out=held) for t in UNFREEZE if (unfreeze_kind(t.name) in out) == held]


def _copies(tasks, held_out=None):
    "Fresh copies of `tasks` (a run may change their epochs), with `held_out` set by name (a set of names), or as declared"
    return [replace(t, held_out=t.held_out if held_out is None else t.name in held_out) for t in tasks]


SETS = {  # name -> (what it is, the tasks)
    'tuning': ('the tuning tasks: the first set (all of it: its held-out half has been read) and the tasks added to tune',
               lambda: _copies(FIRST_SET, held_out=set()) + _copies(ADDED_TUNING)),
    'heldout': ('the fresh held-out set: run once, for the figures the docs quote', lambda: _copies(FRESH)),
    'all': ('tuning, then held-out', lambda: task_set('tuning') + task_set('heldout')),
    'first-split': ("the first set with its coins' split (held-out half held out), then the tasks added to tune: how the "
                    'earlier results in results/history/ were run', lambda: _copies(FIRST_SET, held_out=held_out_names(COIN_FLIPS)) + _copies(ADDED_TUNING)),
    'unfreeze-tuning': ("the unfreeze family's tuning kinds (three rows each: one rate, slice, fine_tune)", lambda: _unfreeze_rows(False)),
    'unfreeze-heldout': ("the unfreeze family's held-out kinds: no range test until a rule for it is chosen on unfreeze-tuning",
                         lambda: _unfreeze_rows(True)),
    'unfreeze': ('the unfreeze family, tuning then held-out', lambda: _unfreeze_rows(False) + _unfreeze_rows(True)),
    'unfreeze-fresh': ("the unfreeze family's fresh held-out set: eight new kinds, all held out, committed before any range test ran on "
                       'them; looked at once, to judge the next rule for the family', lambda: _copies(UNFREEZE_FRESH)),
    'unfreeze-fresh2': ("the unfreeze family's second fresh held-out set: eight more new kinds, five rows each (the three ways, and slice "
                        "and fine_tune at ratio 10), all held out, committed before any grid or range test ran on them; looked at once, "
                        'to judge the next rule for the family', lambda: _copies(UNFREEZE_FRESH2)),
    'unfreeze-fresh3': ("the unfreeze family's third fresh held-out set: eight more new kinds, five rows each (the three ways, and slice "
                        "and fine_tune at ratio 10), all held out, committed before any grid or range test ran on them; looked at once, "
                        'to judge the next rule for the family', lambda: _copies(UNFREEZE_FRESH3)),
    'unfreeze-fresh4': ("the unfreeze family's fourth fresh held-out set: eight more new kinds, five rows each as the third's, all held "
                        'out, committed before any grid or range test ran on them; looked at once, to judge the advice after unfreeze() '
                        'as a whole', lambda: _copies(UNFREEZE_FRESH4)),
    'none': ('no task (with --tasks-file: only that file\'s tasks)', lambda: []),
}


def task_set(name):
    "The tasks of set `name` (SETS), as new copies"
    if name not in SETS: raise ValueError(f"set ({name!r}) must be one of {', '.join(SETS)}")
    return SETS[name][1]()
