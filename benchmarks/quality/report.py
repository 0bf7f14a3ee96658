"""The report of a run: per task, per set (tuning, held-out), per group and per kind, with the targets; Markdown."""
import math, os, platform, statistics, sys

import torch
from fastai_lrrange.suggest import SUGGESTIONS

from .task import GROUPS, FAMILIES
from .oracle import PROTOCOLS
from .split import COIN_FLIPS, COIN_SEED, UNFREEZE_FLIPS, UNFREEZE_SEED


def summarize(rec, res):
    regrets, lrs = rec['regrets'], [l for l in rec['lrs'] if l is not None]
    inside = sum(r <= res['band'] + 1e-12 for r in regrets) / len(regrets)
    dist = statistics.median(abs(math.log10(l / res['oracle_lr'])) for l in lrs) if lrs else float('nan')
    spread = (math.log10(max(lrs)) - math.log10(min(lrs))) if len(lrs) > 1 else 0.0
    lo = (res.get('near') or [res['oracle_lr']])[0]
    below = max([max(0.0, math.log10(lo / l)) for l in lrs], default=0.0)  # decades below the near-optimal range (0: never below)
    return dict(regret=statistics.mean(regrets), inside=inside, dist=dist, spread=spread, below=below, failures=rec['failures'], n=len(regrets))


FASTAI_FOUR = ('valley', 'slide', 'minimum', 'steep')
TARGET = dict(regret_factor=0.5, inside=0.8, spread=0.25)  # issue 7: regret <= half the best of fastai's four, >= 80% in band, spread <= 0.25


def overall(rs, key, nm):
    "Summaries of suggestion `nm` (in r[key]) on the tasks `rs`, and the overall figures"
    per = [summarize(r[key][nm], r) for r in rs]
    dists = [s['dist'] for s in per if s['dist'] == s['dist']]
    return per, dict(regret=statistics.mean(s['regret'] for s in per), inside=statistics.mean(s['inside'] for s in per),
                     dist=statistics.median(dists) if dists else float('nan'), spread=max(s['spread'] for s in per),
                     failures=sum(s['failures'] for s in per))


def _table(rs, key, names):
    lines = ['| suggestion | ' + ' | '.join(r['task'] for r in rs) + ' | overall regret | overall inside band | overall median dist | max spread | failures |',
             '|---|' + '---|' * (len(rs) + 5)]
    for nm in names:
        per, o = overall(rs, key, nm)
        cells = [f"{s['regret']:.3f} / {s['inside']:.0%} / {s['dist']:.2f} / {s['spread']:.2f}" for s in per]
        lines.append(f"| {nm} | " + ' | '.join(cells) + f" | {o['regret']:.3f} | {o['inside']:.0%} | {o['dist']:.2f} | {o['spread']:.2f} | {o['failures']} |")
    return lines + ['', 'Cells: mean regret / inside band / median |log10(lr/lr_oracle)| / spread of log10(lr).', '']


OURS = ('loss_drop', 'drop_or_minimum')


def verdict(rs, name='loss_drop'):
    "Does `name` meet issue 7's target on the tasks `rs`? Lines saying by how much"
    if name not in rs[0]['methods'] or not all(k in rs[0]['methods'] for k in FASTAI_FOUR): return []
    best_nm = min(FASTAI_FOUR, key=lambda k: overall(rs, 'methods', k)[1]['regret'])
    best = overall(rs, 'methods', best_nm)[1]['regret']
    o = overall(rs, 'methods', name)[1]
    checks = [(f"mean regret {o['regret']:.4f} <= {TARGET['regret_factor']} x {best:.4f} (best of fastai's four: {best_nm}) = {TARGET['regret_factor']*best:.4f}",
               o['regret'] <= TARGET['regret_factor'] * best),
              (f"inside the noise band on {o['inside']:.0%} of runs >= {TARGET['inside']:.0%}", o['inside'] >= TARGET['inside']),
              (f"max spread over range-test seeds {o['spread']:.2f} <= {TARGET['spread']}", o['spread'] <= TARGET['spread'] + 1e-9)]
    return [f"- {'met' if ok else 'NOT met'}: {txt}" for txt, ok in checks] + ['']


def _rec(r, nm):
    "The record of registered method `nm` on task result `r`, None if it was not measured there (an older file's 'ideas' and 'candidates' are ignored)"
    return (r.get('methods') or {}).get(nm)


def kind_figures(rs, nm):
    "Figures of method `nm` over the tasks `rs` (one kind, one group): mean regret, inside share, median dist, max spread, max decades below"
    per = [summarize(_rec(r, nm), r) for r in rs if _rec(r, nm) is not None]
    if not per or len(per) < len(rs): return None
    dists = [s['dist'] for s in per if s['dist'] == s['dist']]
    return dict(regret=statistics.mean(s['regret'] for s in per), inside=sum(s['inside'] * s['n'] for s in per) / sum(s['n'] for s in per),
                dist=statistics.median(dists) if dists else float('nan'), spread=max(s['spread'] for s in per),
                below=max(s['below'] for s in per), failures=sum(s['failures'] for s in per))


def method_steps(r, nm):
    "Mean optimizer steps the range test of method `nm` took on task result `r` (a second sweep counts too)"
    rec = _rec(r, nm)
    if rec is not None and rec.get('cost'): return statistics.mean(c['steps'] for c in rec['cost'])
    return statistics.mean(c['steps'] for c in r['rt_cost']) if r.get('rt_cost') else float('nan')


def method_time(r, nm):
    "Wall time of method `nm`'s range test on task result `r`, relative to the plain range test (1.0 for the methods that share it)"
    rec = _rec(r, nm)
    if rec is None or not rec.get('cost') or not r.get('rt_cost'): return 1.0
    return statistics.mean(c['seconds'] for c in rec['cost']) / statistics.mean(c['seconds'] for c in r['rt_cost'])


def kinds_report(results, names):
    "Per kind, tuning and held-out separately: every method's figures"
    lines = ['## Per kind', '', "Per kind and group: mean regret (metric units: accuracy, or R² floored at -1) | share of runs inside the noise band | "
             "median \\|log10(lr/lr_oracle)\\| | max spread of log10(lr) over range-test seeds | max decades below the oracle's near-optimal range "
             "(grid lrs whose seed-mean score is within the noise band of the best) | failures (no lr) | cost of the range test (optimizer steps, "
             "a second sweep included; wall time relative to the plain range test on the same task).", '']
    fams = [f for f in FAMILIES if any(r.get('family', 'small') == f for r in results)]
    for fam in fams:
        for group, title in ((False, 'tuning'), (True, 'held-out')):
            rs = [r for r in results if r.get('family', 'small') == fam and r['held_out'] == group]
            if not rs: continue
            lines += [f"### {FAMILIES[fam]}: {title} ({', '.join(r['task'] for r in rs)})", '',
                      '| method | regret | inside | median dist | max spread | max below | failures | steps | time x |', '|---|' + '---|' * 8]
            for nm in names:
                o = kind_figures(rs, nm)
                if o is None: continue
                steps, rel = statistics.mean(method_steps(r, nm) for r in rs), statistics.mean(method_time(r, nm) for r in rs)
                lines.append(f"| {nm} | {o['regret']:.4f} | {o['inside']:.0%} | {o['dist']:.2f} | {o['spread']:.2f} | {o['below']:.2f} | {o['failures']} | "
                             f"{steps:.0f} | {rel:.1f} |")
            lines.append('')
    return lines


RECOMMENDED = 'recommended'  # the registry entry whose issue-22 targets the per-group report checks
TARGET_22 = dict(below=1.0, inside=0.8)  # issue 22, per group and set: mean regret <= best of fastai's four, max below <= 1 decade;
                                         # over all groups (tuning and held-out separately): in band on >= 80% of range tests


def group_figures(rs, nm):
    "Figures of method `nm` over the tasks `rs` (one group, tuning or held-out); None unless it was measured on all of them"
    per = [summarize(_rec(r, nm), r) for r in rs if _rec(r, nm) is not None]
    if not per or len(per) < len(rs): return None
    n = sum(s['n'] for s in per)
    return dict(regret=statistics.mean(s['regret'] for s in per), inside=sum(s['inside'] * s['n'] for s in per) / n,
                n_inside=round(sum(s['inside'] * s['n'] for s in per)), spread=statistics.mean(s['spread'] for s in per),
                max_spread=max(s['spread'] for s in per), below=max(s['below'] for s in per), failures=sum(s['failures'] for s in per),
                steps=statistics.mean(method_steps(r, nm) for r in rs), n=n)


def _met(ok, txt): return f"- {'met' if ok else 'NOT met'}: {txt}"


def _two(a, b, d=4):
    "`a` and `b` with `d` decimals, more where they would print alike"
    while d < 8 and f'{a:.{d}f}' == f'{b:.{d}f}' and a != b: d += 1
    return f'{a:.{d}f}', f'{b:.{d}f}'


def group_targets(figs, nm=RECOMMENDED):
    "Issue 22's targets for `nm` on one set (a group's tuning or held-out tasks), from `group_figures` of every method: lines"
    o = figs.get(nm)
    if o is None: return []
    lines = [f'Targets (issue 22) for `{nm}` on this set:', '']
    four = {k: figs[k] for k in FASTAI_FOUR if figs.get(k)}
    if len(four) == len(FASTAI_FOUR):
        bn = min(four, key=lambda k: four[k]['regret']); b = four[bn]['regret']
        x, y = _two(o['regret'], b)
        lines.append(_met(o['regret'] <= b + 1e-12, f"mean regret {x} <= {y}, the best of fastai's four (`{bn}`)"))
    else: lines.append("- not checked: mean regret against the best of fastai's four (not all four were measured on every task of this set)")
    lines += [_met(o['below'] <= TARGET_22['below'] + 1e-9, f"max decades below the oracle's near-optimal range {o['below']:.2f} <= {TARGET_22['below']:g}"),
              f"- in band on {o['inside']:.0%} of this set's range tests ({o['n_inside']} of {o['n']}; the {TARGET_22['inside']:.0%} target is over "
              'all groups, below)', '']
    return lines


def groups_report(results, names):
    "Per group of issue 22 (small, late descent, after training), tuning and held-out separately: every method measured on all its tasks"
    lines = ['## Per group (issue 22)', '', 'Per group, tuning and held-out separately: mean regret over tasks (metric units: accuracy, -mse, or R² floored '
             'at -1) | share of range tests whose regret is inside the noise band | spread of log10(lr) over range-test seeds (mean over tasks, max) | '
             "max decades below the oracle's near-optimal range (grid lrs whose seed-mean score is within the noise band of the best) | failures (no lr) | "
             f"optimizer steps of the range test (mean; `{RECOMMENDED}`'s second sweep included). A method appears only where it was measured on every task "
             'of the set (held-out tasks: fastai\'s four only, in phase A).', '']
    for g, title in GROUPS.items():
        for held, which in ((False, 'tuning'), (True, 'held-out')):
            rs = [r for r in results if r.get('group', 'small') == g and r['held_out'] == held]
            if not rs: continue
            lines += [f"### {title}: {which} ({', '.join(r['task'] for r in rs)})", '',
                      '| method | mean regret | in band | spread (mean) | spread (max) | max below | failures | steps |', '|---|' + '---|' * 7]
            figs = {nm: group_figures(rs, nm) for nm in names}
            for nm, o in figs.items():
                if o is None: continue
                lines.append(f"| {nm} | {o['regret']:.4f} | {o['inside']:.0%} | {o['spread']:.2f} | {o['max_spread']:.2f} | {o['below']:.2f} | "
                             f"{o['failures']} | {o['steps']:.0f} |")
            four = {k: figs.get(k) for k in FASTAI_FOUR if figs.get(k)}
            if four:
                bn = min(four, key=lambda k: four[k]['regret'])
                lines += ['', f"Best of fastai's four on this set: `{bn}`, mean regret {four[bn]['regret']:.4f}."]
            lines.append('')
            lines += group_targets(figs)
    if RECOMMENDED in names: lines += overall_targets(results)
    return lines


def overall_targets(results, nm=RECOMMENDED):
    "Issue 22's overall target for `nm`: in band on >= 80% of the range tests of all groups' tuning tasks, and of all held-out tasks"
    lines = []
    for held, which in ((False, 'tuning'), (True, 'held-out')):
        rs = [r for r in results if r['held_out'] == held]
        if not rs: continue
        o = group_figures(rs, nm)
        if o is None:
            k = sum(_rec(r, nm) is not None for r in rs)
            lines.append(f"- {which}: not checked (`{nm}` was measured on {k} of the {len(rs)} {which} tasks)")
        else: lines.append(_met(o['inside'] >= TARGET_22['inside'] - 1e-9, f"{which}: in band on {o['inside']:.0%} of range tests ({o['n_inside']} of {o['n']}, "
                                f"{len(rs)} tasks; target {TARGET_22['inside']:.0%})"))
    return [f'### Targets (issue 22) for `{nm}` over all groups', ''] + lines + [''] if lines else []


def task_notes(r):
    "More about a task's grid search: group, epochs, grid, near-optimal range, times, and whether the grid was reused"
    if 'group' not in r: return ''
    g = [float(k) for k in r['grid']]
    edge = ' **oracle at the grid edge**' if r['oracle_lr'] in (min(g), max(g)) else ''
    sec = f", {r['train_seconds']:.1f} s per training (median)" if r.get('train_seconds') else ''
    grid = (f"grid reused from an earlier run (here the oracle lr gives {r['oracle_check']:.4f})" if r.get('grid_reused') else
            f"grid {r.get('n_trainings', '?')} trainings, {r['grid_seconds']:.0f} s" if r.get('grid_seconds') else 'grid')
    return (f"; group {r['group']}, family {r['family']}, {r['epochs']} epochs, grid {min(g):.1e}..{max(g):.1e}, near-optimal "
            f"{r['near'][0]:.1e}..{r['near'][1]:.1e}{edge}; {grid}{sec}")


def coin_report(results=None):
    "The tables of coin draws behind the results' tasks: the first set's (seed COIN_SEED) and the unfreeze family's (UNFREEZE_SEED)"
    seeds = {r['coin']['seed'] for r in results or [] if r.get('coin')} or {COIN_SEED}
    lines = []
    for seed, flips, where in ((COIN_SEED, COIN_FLIPS, '`PAIRS`, `coin_flips`'), (UNFREEZE_SEED, UNFREEZE_FLIPS, '`UNFREEZE_PAIRS`, `coin_flips`')):
        if seed not in seeds: continue
        lines += ['## Tuning or held-out: the coin flips (issue 22, item 2)' if seed == COIN_SEED else
                  "## Tuning or held-out: the unfreeze family's coin flips (issue 30)", '',
                  f"`random.Random({seed})`, one `randrange(2)` per pair in this order (benchmarks/quality/split.py {where}); for a pair, "
                  "coin 0 holds out the first task and 1 the second; for a task without a pair, 0 holds it out and 1 keeps it for tuning. "
                  'Drawn, and committed, before any range-test rule ran on a new task.', '',
                  '| # | group | pair | coin | held out |', '|---|---|---|---|---|']
        for i, f in enumerate(flips):
            lines.append(f"| {i} | {f['group']} | {', '.join(f['pair'])} | {f['coin']} | {', '.join(f['held_out']) or '(none)'} |")
        lines.append('')
    return lines


WAYS = ('uf_one', 'uf_slice', 'uf_ft')  # the unfreeze family's three ways of training downstream (task families)


def ways_report(results, names):
    "The unfreeze family, per way of training downstream (tuning and held-out apart): each rule against fastai's best rule used the same way, and per task the grid's best rate against each rule's median pick"
    lines = ['## The unfreeze family, per way (issue 30)', '', "Per way: every rule's mean regret and share of range tests in band over the way's "
             "tasks, against the best of fastai's four used the same way; then per task the grid's best rate (its near-optimal range) and each rule's "
             'median pick (its mean regret).', '']
    for way in WAYS:
        for held, which in ((False, 'tuning'), (True, 'held-out')):
            rs = [r for r in results if r.get('family') == way and r['held_out'] == held]
            figs = {nm: group_figures(rs, nm) for nm in names} if rs else {}
            figs = {k: v for k, v in figs.items() if v}
            if not figs: continue
            four = {k: figs[k] for k in FASTAI_FOUR if k in figs}
            bn = min(four, key=lambda k: four[k]['regret']) if four else None
            lines += [f"### {FAMILIES[way]}: {which} ({len(rs)} tasks)", '', '| rule | mean regret | in band | vs fastai\'s best |', '|---|---|---|---|']
            for nm, o in figs.items():
                vs = '' if bn is None else ('(best of the four)' if nm == bn else f"{o['regret'] - four[bn]['regret']:+.4f} (`{bn}`)")
                lines.append(f"| {nm} | {o['regret']:.4f} | {o['inside']:.0%} ({o['n_inside']}/{o['n']}) | {vs} |")
            lines += ['', '| task | grid best (near) | ' + ' | '.join(figs) + ' |', '|---|---|' + '---|' * len(figs)]
            for r in rs:
                cells = []
                for nm in figs:
                    lrs = sorted(l for l in r['methods'][nm]['lrs'] if l is not None)
                    pick = f'{statistics.median(lrs):.1e}' if lrs else 'none'
                    cells.append(f"{pick} ({statistics.mean(r['methods'][nm]['regrets']):.3f})")
                lines.append(f"| {r['task']} | {r['oracle_lr']:.1e} ({r['near'][0]:.1e}..{r['near'][1]:.1e}) | " + ' | '.join(cells) + ' |')
            lines.append('')
    return lines


def report(results, args, elapsed):
    names = list(SUGGESTIONS)
    lines = ['# Suggestion quality', '',
             f'- machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, python {platform.python_version()}',
             f'- command: `python -m benchmarks.quality {" ".join(sys.argv[1:])}`'.rstrip(),
             f'- training seeds {args.seeds}, range-test seeds {args.rt_seeds}; oracle: factor-2 grid; downstream protocol {PROTOCOLS[args.protocol]}'
             + (' (rows with a protocol of their own: theirs, in their kind)' if any(r.get('protocol') not in (None, args.protocol) for r in results) else '') + '; '
             'regret in metric units (accuracy, or -mse for the regression); noise band = seed spread (max-min) at the oracle lr; '
             + (f'{elapsed/60:.1f} min (trainings already in the cache are not repeated: the times are of this run)' if elapsed is not None else
                f're-rendered from {args.report_from} without training (times: those of the run that wrote it)'),
             '- how a rule is chosen and judged with these figures: benchmarks/README.md',
             '- columns: mean regret | share of runs inside the noise band | median |log10(lr/lr_oracle)| | spread of log10(lr) over range-test seeds | failures', '']
    if any(r.get('coin') for r in results): lines += coin_report(results)
    groups = [(False, 'Tuning tasks'), (True, 'Held-out tasks (not looked at while designing suggestions)')]
    for group, title in groups:
        rs = [r for r in results if r['held_out'] == group]
        if not rs: continue
        lines += [f'## {title}', '']
        for r in rs:
            lines.append(f"- **{r['task']}** ({r['kind']}): oracle lr {r['oracle_lr']:.2e}, score {r['oracle']:.4f}, noise band {r['band']:.4f}, {r['seconds']:.0f} s"
                         + task_notes(r))
        present = [nm for nm in names if all(nm in r['methods'] for r in rs)]
        lines += [''] + _table(rs, 'methods', present)
        for nm in [n for n in OURS if n in present]:
            v = verdict(rs, nm)
            if v: lines += [f'Target for `{nm}` (issue 7) on these tasks:', ''] + v
    if any('group' in r for r in results):
        lines += groups_report(results, names)
    if any(r.get('family', 'small') != 'small' for r in results):
        lines += kinds_report(results, names)
    if any(r.get('family') in WAYS for r in results):
        lines += ways_report(results, names)
    return '\n'.join(lines) + '\n'
