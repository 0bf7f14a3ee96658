"""The transfer ways at more than one ratio: each rule scored against the best score either ratio reaches.

The unfreeze family trains a slice (`fit_one_cycle(n, slice(top/r, top))`) and `fine_tune(n, base_lr, lr_mult=r)` at a
ratio r between the head's rate and the body's: 100 (fastai's `lr_mult`) in its own rows, other ratios in tasks files
(rows named `<row>r<r>` for a slice, `<row>m<r>` for fine_tune; `rules/unfreeze_slice_ratio_tasks.py`,
`rules/unfreeze_ft_lr_mult_tasks.py`). A row's own report measures regret against its own grid; the ratio a user trains
with is part of the advice, so here each (ratio, rule) is scored against the better of the ratios' best scores for that
kind: regret = that best minus the seed-mean score at the pick; in band when within that grid's seed spread; decades
outside = how far a pick lies outside its own grid's near-optimal range. Nothing is trained: it reads result files.

  python benchmarks/transfer_ratio.py benchmarks/results/quality_unfreeze_tuning.json \\
      benchmarks/results/quality_unfreeze_slice_ratio10_tuning.json benchmarks/results/quality_unfreeze_ft_lr_mult10_tuning.json \\
      --out benchmarks/results/transfer_ratio_tuning.md

The rule for choosing a (ratio, k) per way is written in `rules/unfreeze_slice_ratio_tasks.py`; it is applied here.
"""
import argparse, json, math, platform, re, statistics, sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.quality.report import FASTAI_FOUR as FASTAI, method_steps  # noqa: E402
ROW = re.compile(r'^(uf_.+_e\d+)_(one|slice|ft)(?:([rm])(\d+))?$')
WAYS = {'slice': 'fit_one_cycle(n, slice(top/r, top))', 'ft': 'fine_tune(n, base_lr, lr_mult=r) from the frozen learner'}


def rows_by_kind(files, held_out=None, ratios=None):
    "(way, kind) -> ratio -> the row's result; rows of the unfreeze family only (held-out or tuning when `held_out` is given; the `ratios` given)"
    out = defaultdict(dict)
    for f in files:
        for r in json.loads(Path(f).read_text()):
            m = ROW.match(r['task'])
            if not m or m.group(2) not in WAYS or (held_out is not None and bool(r.get('held_out')) != held_out): continue
            ratio = int(m.group(4) or 100)
            if ratios is None or ratio in ratios: out[(m.group(2), m.group(1))][ratio] = r
    return out


def outside(lr, near):
    "Decades `lr` lies outside the near-optimal range `near` (0 inside)"
    lo, hi = near
    return max(0., math.log10(lo / lr), math.log10(lr / hi))


def score_table(rows, methods):
    "(way, ratio, method) -> dict of mean regret, in band (k, n), max decades outside, mean steps, against the best either ratio reaches"
    acc = defaultdict(lambda: dict(regrets=[], inband=0, n=0, out=[], steps=[]))
    for (way, kind), by_ratio in rows.items():
        ref = max(by_ratio.values(), key=lambda r: r['oracle'])
        for ratio, r in by_ratio.items():
            for nm in methods:
                m = r['methods'].get(nm)
                if m is None: continue
                a = acc[(way, ratio, nm)]
                for lr, g in zip(m['lrs'], m['regrets']):
                    reg = ref['oracle'] - (r['oracle'] - g)
                    a['regrets'].append(reg); a['n'] += 1; a['inband'] += reg <= ref['band'] + 1e-12
                    a['out'].append(math.inf if lr is None else outside(lr, r['near']))
                a['steps'].append(method_steps(r, nm))
    return {k: dict(regret=statistics.mean(v['regrets']), inband=(v['inband'], v['n']), out=max(v['out']),
                    steps=statistics.mean(v['steps']) if v['steps'] else float('nan'), kinds=v['n'] // 3) for k, v in acc.items()}


def choose(table, way):
    "The rule of rules/unfreeze_slice_ratio_tasks.py: most range tests in band, then lower mean regret; eligible at most fastai's best regret"
    cands = {k: v for k, v in table.items() if k[0] == way}
    n_kinds = max(v['kinds'] for v in cands.values())
    cands = {k: v for k, v in cands.items() if v['kinds'] == n_kinds}  # measured on every kind of the way
    best_fastai = min((v['regret'], k) for k, v in cands.items() if k[2] in FASTAI)
    ok = {k: v for k, v in cands.items() if k[2] not in FASTAI and v['regret'] <= best_fastai[0]}
    pick = max(ok, key=lambda k: (ok[k]['inband'][0], -ok[k]['regret'])) if ok else None
    return pick, best_fastai


def report(files, held_out, methods, ratios=None, json_out=None):
    rows = rows_by_kind(files, held_out, ratios)
    table = score_table(rows, methods)
    if json_out:  # the table as data, for the docs: one entry per (way, ratio, rule)
        Path(json_out).write_text(json.dumps([dict(way=w, ratio=r, rule=nm, **v) for (w, r, nm), v in sorted(table.items())], indent=1))
    lines = [f"# Transfer ways at more than one ratio ({'held-out' if held_out else 'tuning' if held_out is False else 'all'} rows)", '',
             f"- machine: {platform.machine()}, python {platform.python_version()}; nothing trained: read from the result files",
             f"- command: `python {' '.join(sys.argv)}`",
             '- regret against the better of the ratios\' best seed-mean scores for each kind; in band: within that grid\'s seed spread; '
             'outside: decades a pick lies outside its own grid\'s near-optimal range (max over range tests)', '']
    for way, what in WAYS.items():
        keys = sorted(k for k in table if k[0] == way)
        if not keys: continue
        kinds = sorted({kind for (w, kind) in rows if w == way})
        lines += [f"## {way}: {what}", '', f"kinds: {', '.join(kinds)}; ratios: "
                  + ', '.join(str(r) for r in sorted({k[1] for k in keys})), '',
                  '| ratio | rule | mean regret | in band | max decades outside | steps |', '|---|---|---|---|---|---|']
        for k in sorted(keys, key=lambda k: (k[1] != 100, k[1], k[2] not in FASTAI, k[2])):
            v = table[k]
            lines.append(f"| {k[1]} | {k[2]} | {v['regret']:.4f} | {v['inband'][0]}/{v['inband'][1]} | {v['out']:.2f} | {v['steps']:.0f} |")
        pick, (fr, fk) = choose(table, way)
        lines += ['', f"fastai's best here: `{fk[2]}` at ratio {fk[1]} ({fr:.4f}). By the rule: "
                  + (f"`{pick[2]}` at ratio {pick[1]}." if pick else "no candidate is eligible."), '']
    return '\n'.join(lines)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('files', nargs='+')
    p.add_argument('--held-out', choices=['yes', 'no', 'any'], default='any')
    p.add_argument('--methods', default='valley,slide,minimum,steep,recommended,rec_x05,rec_x2,rec_x4,rec_x8,rec_x16,rec_x32')
    p.add_argument('--ratios', default='100,10', help="the ratios compared (the rule's: 100,10); 'all' for every ratio in the files")
    p.add_argument('--out', default=None)
    p.add_argument('--json', default=None, help='also write the table as JSON (for the docs)')
    a = p.parse_args()
    text = report(a.files, {'yes': True, 'no': False, 'any': None}[a.held_out], a.methods.split(','), None if a.ratios == 'all' else {int(r) for r in a.ratios.split(',')}, a.json)
    if a.out: Path(a.out).write_text(text + '\n')
    print(text)
