"""`python -m benchmarks.quality` (from the repository root): run a task set, or one of the steps around a run.

  python -m benchmarks.quality --set tuning --threads 1 --out F.md      # every suggestion on the tuning tasks (hours)
  python -m benchmarks.quality --quick --threads 1 --out /tmp/q.md      # smoke run: 2 tasks, coarse grid, 1 seed (seconds)
  python -m benchmarks.quality --report-from R.json --out F.md          # the report of a results .json again, nothing trained
  python -m benchmarks.quality --grids --tasks a,b                      # print grid searches (sets epochs and grids)
  python -m benchmarks.quality --warm --set heldout                     # fill the cache with grid searches, no score printed
  python -m benchmarks.quality --check-grids R.json                     # do a results file's grids reproduce here?
  python -m benchmarks.quality --check-picks R.json --methods recommended   # do its picks reproduce with this library?
  python -m benchmarks.quality --screen R.json --screen-set tuning      # screen curve rules on stored curves
Every step of the procedure, and the command behind each figure the README quotes: benchmarks/README.md.
"""
import argparse, json, os, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import torch

from . import CACHE, RESULTS
from .task import load_tasks_file
from .split import SETS, task_set, coin_of
from .rules import rules_files
from .oracle import Cache, PROTOCOLS
from .runs import run_task
from .report import report, summarize


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks.quality', description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog='\n'.join(__doc__.splitlines()[1:]))
    p.add_argument('--set', default='tuning', choices=list(SETS), help='the task set: ' + '; '.join(f'{k}: {v[0]}' for k, v in SETS.items())
                   + ' (default tuning)')
    p.add_argument('--quick', action='store_true', help='smoke run: 2 tasks (or --tasks), every other grid point, 1 seed each, at most 2 epochs')
    p.add_argument('--tasks', default='', help='comma-separated task names: only these (default: all of the set)')
    p.add_argument('--tasks-file', action='append', default=[], help='a Python file defining TASKS (benchmarks.quality.task.Task rows), added to '
                   'the set (or with --only-file, replacing it); may be given more than once')
    p.add_argument('--only-file', action='store_true', help='only the tasks of --tasks-file (as --set none)')
    p.add_argument('--rules-file', action='append', default=[], help='a Python file defining RULES, variants of registered suggestions '
                   '(benchmarks/rules/), registered for this run to score with --methods; may be given more than once')
    p.add_argument('--seeds', default='0,1,2', help='training seeds (default 0,1,2)')
    p.add_argument('--rt-seeds', default='0,1,2', help='range-test seeds (default 0,1,2)')
    p.add_argument('--cache', default=str(CACHE / 'quality.json'), help='the trainings cache (default benchmarks/cache/quality.json; the '
                   "fresh held-out set's trainings are in benchmarks/cache/quality_fresh.json)")
    p.add_argument('--out', default=None, help='the report (and its .json beside it); default benchmarks/results/quality_<set>[_<protocol>].md, '
                   'with --quick benchmarks/cache/quality_quick.md')
    p.add_argument('--protocol', default='one_cycle', choices=list(PROTOCOLS), help='how each lr is used downstream (default one_cycle)')
    p.add_argument('--oracle-from', default=None, help='a results .json of an earlier run: its grid searches and the methods not in --methods are reused')
    p.add_argument('--methods', default='', help='comma-separated registered suggestions to score (default: all)')
    p.add_argument('--held-out-methods', default='', help='on held-out tasks, only these suggestions; default: as --methods')
    p.add_argument('--grids-from', default=None, help='a results .json of an earlier run: only its grid searches are reused (the other tasks get theirs here)')
    p.add_argument('--regrid', default='', help='comma-separated tasks whose grid search is run here even if --grids-from has one')
    p.add_argument('--threads', type=int, default=int(os.environ.get('OMP_NUM_THREADS') or os.cpu_count() or 1),
                   help='torch threads (default: OMP_NUM_THREADS, else every core; 1 leaves the other cores free)')
    p.add_argument('--report-from', default=None, help='a results .json: only write its report again (to --out, and print it), without '
                   'training; --tasks keeps only those tasks')
    p.add_argument('--grids', action='store_true', help="only print the tasks' grid searches (run, or read from the cache); no range test")
    p.add_argument('--warm', action='store_true', help="only fill the cache with the tasks' grid searches, printing no score")
    p.add_argument('--check-grids', default=None, metavar='R.json', help="only say whether R.json's grid searches reproduce here (from the cache)")
    p.add_argument('--check-picks', default=None, metavar='R.json', help="only say whether R.json's picks of --methods reproduce with this "
                   "library (range tests, nothing trained); --tasks keeps only those rows")
    p.add_argument('--screen', default=None, metavar='R.json', help="only screen curve rules on R.json's stored first-sweep curves (screen.py)")
    p.add_argument('--screen-set', default='tuning', choices=('tuning', 'held_out'), help='with --screen: which tasks (default tuning)')
    return p


def report_only(a):
    "--report-from: the report of a results .json written again, nothing trained (an older file's 'ideas' and 'candidates' are ignored)"
    results = json.loads(Path(a.report_from).read_text())
    if a.tasks: results = [r for r in results if r['task'] in a.tasks.split(',')]
    first = results[0] if results else {}
    a.seeds, a.rt_seeds = first.get('seeds', 'not recorded'), first.get('rt_seeds', 'not recorded')
    a.protocol = first.get('protocol', a.protocol)
    text = report(results, a, None)
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(text)
    print(text)


def _write(text, out):
    print(text)
    if out: Path(out).parent.mkdir(parents=True, exist_ok=True); Path(out).write_text(text)


def select_tasks(a):
    "The tasks of the run: the set (none with --only-file), the task files' tasks, then only --tasks"
    tasks = task_set('none' if a.only_file else a.set)
    for f in a.tasks_file: tasks += load_tasks_file(f)
    if a.tasks: tasks = [t for t in tasks if t.name in a.tasks.split(',')]
    return tasks


def run(a):
    "Score the suggestions on the tasks, write the report and its .json"
    tasks = select_tasks(a)
    seeds, rt_seeds, step = [int(s) for s in a.seeds.split(',')], [int(s) for s in a.rt_seeds.split(',')], 1
    if a.quick:
        tasks, seeds, rt_seeds, step = tasks[:2] if not a.tasks else tasks, seeds[:1], rt_seeds[:1], 2
        for t in tasks: t.epochs = min(t.epochs, 2)
    a.seeds, a.rt_seeds = seeds, rt_seeds
    suffix = '' if a.protocol == 'one_cycle' else f'_{a.protocol}'
    out = a.out or str(CACHE / 'quality_quick.md' if a.quick else RESULTS / f'quality_{a.set}{suffix}.md')
    cache = Cache(a.cache)
    stored = {r['task']: r for r in json.loads(Path(a.oracle_from).read_text())} if a.oracle_from else {}
    if stored: tasks = [t for t in tasks if t.name in stored]
    grids = {r['task']: r for r in json.loads(Path(a.grids_from).read_text())} if a.grids_from else {}
    regrid = [k for k in a.regrid.split(',') if k]
    grids = {k: v for k, v in grids.items() if k not in regrid}
    methods = [k for k in a.methods.split(',') if k] or None
    held_methods = [k for k in a.held_out_methods.split(',') if k] or methods
    t0, results = time.time(), []
    for t in tasks:
        m = held_methods if t.held_out else methods
        r = run_task(t, seeds, rt_seeds, cache, grid_step=step, protocol=a.protocol, stored=stored.get(t.name) or grids.get(t.name), methods=m,
                     grid_only=t.name in grids and t.name not in stored)
        r['held_out'], r['kind'], r['metric'], r['protocol'], r['epochs'] = t.held_out, t.kind, t.metric, t.protocol or a.protocol, t.epochs
        r['seeds'], r['rt_seeds'] = seeds, rt_seeds
        r['slice_ratio'], r['fit_kw'], r['coin'] = t.slice_ratio, t.fit_kw, coin_of(t.name)
        results.append(r)
        print(t.name, f"oracle {r['oracle_lr']:.1e} -> {r['oracle']:.4f} (band {r['band']:.4f})",
              {k: round(summarize(v, r)['regret'], 3) for k, v in r['methods'].items()}, f"{r['seconds']:.0f}s", flush=True)
    text = report(results, a, time.time() - t0)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text)
    Path(out).with_suffix('.json').write_text(json.dumps(results, indent=1))
    print(text)


def main(argv=None):
    a = parser().parse_args(argv)
    if a.report_from: return report_only(a)
    if a.screen:
        from .screen import screen_report
        return _write(screen_report(a.screen, a.screen_set), a.out)
    torch.set_num_threads(a.threads)
    cache, seeds = Cache(a.cache), [int(s) for s in a.seeds.split(',')]
    everything = task_set('all') + task_set('unfreeze') + task_set('unfreeze-fresh') + task_set('unfreeze-fresh2') + task_set('unfreeze-fresh3') + task_set('unfreeze-fresh4')
    everything += [t for f in a.tasks_file for t in load_tasks_file(f)]
    if a.check_grids:
        from .grids import check_grids
        return check_grids(a.check_grids, everything, cache, seeds)
    if a.check_picks:
        from .grids import check_picks
        keep = [t for t in everything if not a.tasks or t.name in a.tasks.split(',')]
        return check_picks(a.check_picks, keep, [k for k in a.methods.split(',') if k], [int(s) for s in a.rt_seeds.split(',')])
    with rules_files(*a.rules_file):
        if a.grids or a.warm:
            from .grids import print_grids, warm
            return (print_grids if a.grids else warm)(select_tasks(a), seeds, cache, a.protocol)
        run(a)
