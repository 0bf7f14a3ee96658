"Smoke runs of the benchmarks (the full runs are not part of CI)."
import json, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BENCH = ROOT / 'benchmarks'
QUALITY = [sys.executable, '-m', 'benchmarks.quality']  # run from ROOT
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))


def test_quality_quick_smoke(tmp_path):
    extra = tmp_path / 'extra_tasks.py'
    extra.write_text(
        "from benchmarks.quality.task import Task\n"
        "from benchmarks.quality.builders.small import cancer_mlp\n"
        "TASKS = [Task('outside_task', cancer_mlp, 2, held_out=True, grid=(2**-8, 2**-4))]\n")
    out = tmp_path / 'q.md'
    r = subprocess.run(QUALITY + ['--quick', '--tasks', 'cancer_mlp,outside_task', '--tasks-file', str(extra),
                        '--cache', str(tmp_path / 'cache.json'), '--out', str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    assert 'cancer_mlp' in text and 'outside_task' in text and 'Held-out tasks' in text
    for name in ('valley', 'slide', 'minimum', 'steep', 'steepest_gradient', 'steepest_gradient_lr', 'steepest_before_minimum', 'loss_drop'):
        assert f'| {name} |' in text
    assert 'Target for `loss_drop`' in text and 'best of fastai' in text
    assert '## Per group (issue 22)' in text and 'Targets (issue 22) for `recommended` on this set' in text
    assert 'held-out: in band on' in text and 'Ideas tried' not in text and 'Range-test procedures' not in text
    results = json.loads(out.with_suffix('.json').read_text())
    assert {r['task'] for r in results} == {'cancer_mlp', 'outside_task'}
    assert json.loads((tmp_path / 'cache.json').read_text())  # trainings are cached
    # --report-from writes the same report again without training, and ignores an older file's 'ideas' and 'candidates'
    for r in results: r['ideas'], r['candidates'] = {'old idea': r['methods']['valley']}, {'old rule': r['methods']['valley']}
    old = tmp_path / 'old.json'
    old.write_text(json.dumps(results))
    cache_before = (tmp_path / 'cache.json').read_text()
    again = tmp_path / 'again.md'
    r = subprocess.run(QUALITY + ['--report-from', str(old), '--cache', str(tmp_path / 'cache.json'),
                        '--out', str(again)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    body = lambda t: t[t.index('## '):]
    assert body(again.read_text()) == body(text) and 'old idea' not in again.read_text() and 'old rule' not in again.read_text()
    assert f're-rendered from {old} without training' in again.read_text()
    assert (tmp_path / 'cache.json').read_text() == cache_before


def test_suggest_speed_smoke(tmp_path):
    out = tmp_path / 's.md'
    r = subprocess.run([sys.executable, str(BENCH / 'suggest_speed.py'), '--sizes', '100,1000', '--reps', '1', '--out', str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert '| valley |' in out.read_text()


def test_quality_other_protocol_smoke(tmp_path):
    out = tmp_path / 'q.md'
    r = subprocess.run(QUALITY + ['--quick', '--tasks', 'cancer_mlp', '--protocol', 'fit',
                        '--cache', str(tmp_path / 'cache.json'), '--out', str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'downstream protocol fit(epochs, lr)' in out.read_text()
    assert all(k.endswith('|fit') for k in json.loads((tmp_path / 'cache.json').read_text()))


def _fake_result(task, held_out, regrets, lrs, group='late_descent'):
    "A task result as runs.run_task writes it: oracle 1e-2, near-optimal range 5e-3..2e-2, noise band 0.01"
    methods = {nm: {'lrs': lrs.get(nm, [1e-2] * 3), 'regrets': [v] * 3, 'failures': 0} for nm, v in regrets.items()}
    return dict(task=task, held_out=held_out, group=group, family='plateau', oracle_lr=1e-2, oracle=0.9, band=0.01, near=[5e-3, 2e-2],
                methods=methods, rt_cost=[dict(steps=100, seconds=1.0)] * 3)


def test_group_targets_for_recommended():
    from benchmarks.quality.report import groups_report
    four = dict(valley=0.15, slide=0.2, minimum=0.3, steep=0.4)
    results = [_fake_result('a', False, {**four, 'recommended': 0.0}, {}),  # in band
               _fake_result('b', False, {**four, 'recommended': 0.2}, {'recommended': [2e-4] * 3}),  # 1.4 decades below, out of band
               _fake_result('c', True, {**four, 'valley': 0.05, 'recommended': 0.5}, {})]  # held-out: worse than valley
    text = '\n'.join(groups_report(results, ['valley', 'slide', 'minimum', 'steep', 'recommended']))
    tuning, held = text.split('held-out (c)')
    assert "- met: mean regret 0.1000 <= 0.1500, the best of fastai's four (`valley`)" in tuning
    assert "- NOT met: max decades below the oracle's near-optimal range 1.40 <= 1" in tuning
    assert "in band on 50% of this set's range tests (3 of 6" in tuning
    assert "- NOT met: mean regret 0.5000 <= 0.0500" in held and "- met: max decades below the oracle's near-optimal range 0.00 <= 1" in held
    assert '- NOT met: tuning: in band on 50% of range tests (3 of 6, 2 tasks; target 80%)' in held
    assert '- NOT met: held-out: in band on 0% of range tests (0 of 3, 1 tasks; target 80%)' in held
    # measured on every task: all targets met
    results = [_fake_result('a', False, {**four, 'recommended': 0.0}, {})]
    text = '\n'.join(groups_report(results, ['valley', 'slide', 'minimum', 'steep', 'recommended']))
    assert 'NOT met' not in text and '- met: tuning: in band on 100% of range tests (3 of 3, 1 tasks; target 80%)' in text
    # not measured on every task of the set: no targets for the set, and the overall line says so
    del results[0]['methods']['recommended']
    results.append(_fake_result('d', False, {**four, 'recommended': 0.0}, {}))
    text = '\n'.join(groups_report(results, ['valley', 'slide', 'minimum', 'steep', 'recommended']))
    assert 'for `recommended` on this set' not in text and '- tuning: not checked (`recommended` was measured on 1 of the 2 tuning tasks)' in text


def test_screen_rules_scores_picks_on_the_oracle_grid():
    "The screen reads curves with a descent only, and scores a pick by the grid interpolated on log(lr)"
    import numpy as np
    from benchmarks.quality.screen import RULES, MEASURED, grid_score, screen
    grid = {'1e-03': 0.5, '1e-02': 0.9, '1e-01': 0.7}
    x = np.linspace(-7, 1, 100)
    falls = (2 - 1 / (1 + np.exp(-(x + 3) / 0.4)) + np.exp(3 * (x - 0.5))).tolist()  # falls from 2 to 1 around 1e-3
    flat = [1.0 + 0.01 * (i % 2) for i in range(100)]  # no descent: left out
    curve = lambda losses: dict(lrs=(10 ** x).tolist(), losses=losses, raw=losses, window=[10, 95], num_it=100)
    task = dict(task='t', grid=grid, oracle=0.9, band=0.05, held_out=False, curves=[curve(falls), curve(flat)],
                methods={'recommended': {'regrets': [0.0, 0.4]}})
    assert abs(grid_score(task, 10 ** -1.5) - 0.8) < 1e-9 and grid_score(task, 1e-5) == 0.5  # halfway on log(lr); clamped outside
    out = screen([task])
    assert set(out) == set(RULES) | {MEASURED} and all(len(v) == 1 for v in out.values())  # the flat curve is left out
    assert out[MEASURED] == [('t', True, 0.0)]
    import torch
    from fastai_lrrange.suggest import minimum
    pick = minimum(torch.tensor((10 ** x).tolist())[10:95], torch.tensor(falls)[10:95])[0]  # float32, as the curves are read
    assert out['minimum'] == [('t', 0.9 - grid_score(task, pick) <= 0.05, 0.9 - grid_score(task, pick))]


def test_task_sets_and_coin_record():
    "The sets: 31 tuning tasks (the first set, its held-out half now seen, and the three added), 9 fresh held-out ones, three per group; the coins as recorded"
    from benchmarks.quality.split import task_set, COIN_FLIPS, held_out_names
    tuning, held, first = task_set('tuning'), task_set('heldout'), task_set('first-split')
    assert len(tuning) == 31 and not any(t.held_out for t in tuning) and [t.name for t in first] == [t.name for t in tuning]
    assert len(held) == 9 and all(t.held_out for t in held) and not {t.name for t in held} & {t.name for t in tuning}
    assert sorted(t.group for t in held) == sorted(['small', 'late_descent', 'after_training'] * 3)
    assert [t.name for t in task_set('all')] == [t.name for t in tuning + held]
    assert held_out_names(COIN_FLIPS) == {t.name for t in first if t.held_out} == {
        'digits_cnn', 'cancer_mlp', 'digits_sgd', 'tabular_regression', 'tabular_synth', 'transfer_digits_mlp', 'diabetes_tabular', 'seq_gru',
        'tfm_digits', 'tfm_reverse', 'xor_deep_tanh', 'adding_lstm', 'unfreeze_one', 'gru_continued', 'converged'}
    tuning[0].epochs = 99
    assert task_set('tuning')[0].epochs != 99  # each call gives new copies
    learn = next(t for t in held if t.name == 'wine_mlp').make_learner(0)  # a fresh kind builds and runs a batch
    xb, yb = learn.dls.one_batch()
    assert learn.model(xb).shape == (len(yb), 3)


def _rules_module(name):
    "A rules file of benchmarks/rules/ as a module (its candidates' functions)"
    import importlib.util
    spec = importlib.util.spec_from_file_location(name[:-3], BENCH / 'rules' / name)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m


def test_rules_file_registers_variants_for_a_block():
    "second_sweep_scale.py: recommended's policy but its scale; registered for the block only, the registry left as it was"
    from dataclasses import replace
    from fastai_lrrange.suggest import SUGGESTIONS, SuggestionMethod, SweepAgain, valley
    from benchmarks.quality.rules import rules_files, read_rules_file
    path = BENCH / 'rules' / 'second_sweep_scale.py'
    rec, before, attrs = SUGGESTIONS['recommended'], dict(SUGGESTIONS), set(vars(SuggestionMethod))
    assert rec.sweep_again == SweepAgain(fallback=valley, scale=0.35)  # the value the study kept
    with rules_files(path) as names:
        assert names == list(read_rules_file(path)) == ['second_x1', 'second_x05', 'second_x035', 'second_x025']
        for name, k in zip(names, (1.0, 0.5, 0.35, 0.25)):
            e = SUGGESTIONS[name]
            assert e.func is rec.func and e.needs_descent and e.sweep_again == replace(rec.sweep_again, scale=k)
    assert dict(SUGGESTIONS) == before and set(vars(SuggestionMethod)) == attrs


def test_the_benchmarks_fine_tune_candidate_is_what_fine_tune_kwargs_gives():
    "rules/fine_tune_flat.py scored the library's base_lr: on a flat first sweep and on one that falls, it equals fine_tune_lr('recommended')"
    import numpy as np, torch
    sys.path.insert(0, str(ROOT / 'tests'))
    from test_transfer import _frozen_result
    m = _rules_module('fine_tune_flat.py')
    for share in (0.03, 0.3):
        res = _frozen_result(share)
        first = res.first_sweep
        a, b = first.window
        lrs, losses = (torch.tensor(v[a:b], dtype=torch.float32) for v in (first.last_group_lrs, first.losses))
        assert np.isclose(m.ft_flat(lrs, losses)[0], res.fine_tune_lr('recommended'), rtol=1e-6), share


def _quick_run(tmp_path, rules, methods):
    "A --quick run on cancer_mlp with the rules file `rules`, scoring `methods`; its report's path"
    out = tmp_path / 'q.md'
    r = subprocess.run(QUALITY + ['--quick', '--tasks', 'cancer_mlp', '--rules-file', str(rules), '--methods', methods,
                        '--cache', str(tmp_path / 'cache.json'), '--out', str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


def _one_entry_rules_file(tmp_path, name, hook, store):
    "A rules file of one entry, `name`: valley with `hook` (source of its extra argument); `store` (rules.SWEEPS or READS) while its block runs, checked empty after; (path, held)"
    from benchmarks.quality.rules import rules_files
    rules = tmp_path / f'{name}_rules.py'
    rules.write_text(f"from fastai_lrrange.suggest import valley\nRULES = {{'{name}': dict(func=valley, {hook})}}\n")
    with rules_files(rules) as names:
        assert names == [name]
        held = dict(store)
    assert store == {}
    return rules, held


def test_rules_file_sweep_runs_a_range_test_of_its_own(tmp_path):
    "A rules-file entry with `sweep` (lr_find's arguments): kept in rules.SWEEPS for the block only, run in a range test of its own, its steps recorded"
    from benchmarks.quality.rules import SWEEPS
    rules, held = _one_entry_rules_file(tmp_path, 'short_valley', 'sweep=dict(start_lr=1e-6, end_lr=1, num_it=30)', SWEEPS)
    assert held == {'short_valley': dict(start_lr=1e-6, end_lr=1, num_it=30)}
    out = _quick_run(tmp_path, rules, 'valley,short_valley')
    rec = json.loads(out.with_suffix('.json').read_text())[0]['methods']['short_valley']
    assert [c['steps'] for c in rec['cost']] == [30] and 1e-6 <= rec['lrs'][0] <= 1


def test_rules_file_read_takes_its_rate_from_the_whole_result(tmp_path):
    "A rules-file entry with `read` (a function of the LRFindResult): kept in rules.READS for the block only; it shares its policy's range test and its rate is read(result)"
    from benchmarks.quality.rules import READS
    rules, held = _one_entry_rules_file(tmp_path, 'first_rate', 'read=lambda res: float(res.first_sweep.last_group_lrs[3])', READS)
    assert list(held) == ['first_rate']
    out = _quick_run(tmp_path, rules, 'valley,first_rate')
    row = json.loads(out.with_suffix('.json').read_text())[0]
    lr = row['methods']['first_rate']['lrs'][0]
    assert lr == row['curves'][0]['lrs'][3] and lr != row['methods']['valley']['lrs'][0]
    # --check-picks: the stored picks reproduce with this library (range tests again, nothing trained); an edited one does not
    from benchmarks.quality.grids import check_picks
    from benchmarks.quality.split import task_set
    tasks = [t for t in task_set('all') if t.name == 'cancer_mlp']
    assert check_picks(out.with_suffix('.json'), tasks, ['valley'], (0,)) == (1, 1)
    rows = json.loads(out.with_suffix('.json').read_text()); rows[0]['methods']['valley']['lrs'][0] *= 1.01
    (tmp_path / 'edited.json').write_text(json.dumps(rows))
    assert check_picks(tmp_path / 'edited.json', tasks, ['valley'], (0,)) == (0, 1)


def test_the_unfrozen_blend_reads_the_reading_and_slide_on_the_first_sweep():
    "rules/unfrozen_slide_blend.py: reading**0.6 x slide**0.4 (x 10**0.6 for the slice), slide read as the library reads it on the first sweep"
    import math
    import numpy as np
    from fastai_lrrange.core import RangeTestRecord, range_test_spec
    from fastai_lrrange.result import LRFindResult, Sweep
    m = _rules_module('unfrozen_slide_blend.py')
    rt = range_test_spec(suggest_funcs=('recommended', 'slide'))  # an unfrozen learner, two groups swept at one rate
    x = np.linspace(0, 1, 80)
    losses = list(2 - 0.6 * np.clip((x - 0.2) / 0.6, 0, 1) + 3 * np.clip(x - 0.9, 0, None) ** 2)
    lrs = [[1e-7 * 1e8 ** (i / 100)] * 2 for i in range(80)]
    res = LRFindResult.from_sweeps([Sweep.read(RangeTestRecord(lrs, losses, losses, stop_reason='diverged'), rt)], rt)
    rec, sl = res.suggestions['recommended'], res.suggestions['slide']
    assert rec and sl and not math.isclose(rec, sl) and math.isclose(m.slide_on_first_sweep(res), sl, rel_tol=1e-6)
    assert np.isclose(m.blend(res, 'recommended'), rec ** 0.6 * sl ** 0.4, rtol=1e-6)
    assert np.isclose(m.blend(res, 'recommended', m.SLICE_TOP), 10 ** 0.6 * rec ** 0.6 * sl ** 0.4, rtol=1e-6)
    share = res.first_sweep.descent.share  # the gate: the blend only on a window that loses under `below` of its loss
    assert 0.25 < share < 0.35 and m.blend(res, 'recommended', below=0.2) == rec and m.blend(res, 'recommended', below=0.4) == m.blend(res, 'recommended')


def test_the_benchmarks_unfrozen_candidates_are_what_the_library_gives():
    "rules/unfrozen_slide_blend.py scored the library's one rate (one_gate) and slice top (slice_blend): on curves with and without a clear descent they agree"
    from types import SimpleNamespace
    sys.path.insert(0, str(ROOT / 'tests'))
    from test_transfer import _frozen_result
    m = _rules_module('unfrozen_slide_blend.py')
    for share in (0.05, 0.3):
        res = _frozen_result(share, frozen=False, funcs=('recommended',))
        own = SimpleNamespace(suggestions={'recommended': res.readings['recommended'][0]}, first_sweep=res.first_sweep)  # the entry's reading, not moved
        assert res.suggestions['recommended'] == pytest.approx(m.blend(own, 'recommended', below=m.GATE), rel=1e-9), share
        assert res.as_slice('recommended').stop == pytest.approx(m.blend(own, 'recommended', m.SLICE_TOP), rel=1e-9), share
        assert (res.suggestions['recommended'] == own.suggestions['recommended']) == (share >= m.GATE)


def test_the_library_advice_methods_read_the_library_on_recommendeds_own_range_test():
    "rules/library_advice.py: its methods share recommended's range test (the same func and second sweep), give as_slice's top and fine_tune_kwargs' base_lr, None where the reading is None, and say when recommended is not run beside them"
    import math
    from types import SimpleNamespace
    from fastai_lrrange.suggest import SUGGESTIONS
    sys.path.insert(0, str(ROOT / 'tests'))
    from test_transfer import _frozen_result
    rules, rec = _rules_module('library_advice.py').RULES, SUGGESTIONS['recommended']
    for entry in rules.values(): assert (entry['func'], entry['sweep_again'], entry['needs_descent']) == (rec.func, rec.sweep_again, rec.needs_descent)
    top, base = rules['as_slice_top']['read'], rules['fine_tune_base']['read']
    for share in (0.05, 0.3):
        unfrozen, frozen = _frozen_result(share, frozen=False, funcs=('recommended',)), _frozen_result(share, funcs=('recommended',))
        assert top(unfrozen) == unfrozen.as_slice('recommended').stop and base(frozen) == frozen.fine_tune_kwargs('recommended')['base_lr']
        assert math.isfinite(top(unfrozen)) and top(unfrozen) != base(frozen)
    assert top(SimpleNamespace(suggestions={'recommended': None})) is None
    with pytest.raises(ValueError, match="--methods must name 'recommended'"): top(SimpleNamespace(suggestions={'valley': 1e-3}))


def test_quality_modules_are_small():
    "One job a module: none over about 400 lines"
    for f in (BENCH / 'quality').rglob('*.py'): assert len(f.read_text().splitlines()) <= 400, f


def test_unfreeze_family_rows_build():
    "The unfreeze family (issue 30): 12 kinds, three ways each, split 6/6 by the recorded coins; one kind's rows build, run a batch, and are frozen or unfrozen as their way says"
    import torch
    from benchmarks.quality.split import task_set, UNFREEZE_FLIPS, held_out_names, unfreeze_kind
    tuning, held = task_set('unfreeze-tuning'), task_set('unfreeze-heldout')
    assert len(tuning) == len(held) == 18 and all(t.held_out for t in held) and not any(t.held_out for t in tuning)
    assert {unfreeze_kind(t.name) for t in held} == held_out_names(UNFREEZE_FLIPS) == {
        'uf_cnn_flipped_e3', 'uf_mlp_coarse_e3', 'uf_conv1d_noisier_e1', 'uf_lstm_other_e1', 'uf_tfm_count_e1', 'uf_tab_other_e1'}
    rows = {t.name.rsplit('_', 1)[1]: t for t in tuning if unfreeze_kind(t.name) == 'uf_mlp_parity_e1'}
    assert rows['slice'].slice_ratio == 100 and rows['ft'].protocol == 'fine_tune_n' and rows['ft'].fit_kw == dict(freeze_epochs=1)
    torch.set_num_threads(1)
    for way, t in rows.items():
        learn = t.make_learner(0)
        xb, yb = learn.dls.one_batch()
        assert learn.model(xb).shape == (len(yb), 10)
        body, head = learn.opt.param_groups
        frozen_body = not any(p.requires_grad for p in body['params'] if p.dim() > 1)  # fastai's freeze() leaves BatchNorm trainable
        assert frozen_body == (way == 'ft') and all(p.requires_grad for p in head['params'])


def _rows_build(rows, frozen_ways):
    "Every row builds a learner that runs a batch, with a body and a head group, the body frozen on the `frozen_ways` rows only"
    import torch
    torch.set_num_threads(1)
    for t in rows:
        way = t.name.rsplit('_', 1)[1]
        learn = t.make_learner(0)
        xb, yb = learn.dls.one_batch()
        assert learn.model(xb).shape[0] == len(yb)
        assert len(learn.opt.param_groups) >= 2, t.name
        body, head = learn.opt.param_groups[0], learn.opt.param_groups[-1]
        frozen_body = not any(p.requires_grad for p in body['params'] if p.dim() > 1)  # fastai's freeze() leaves BatchNorm trainable
        assert frozen_body == (way in frozen_ways) and all(p.requires_grad for p in head['params']), t.name


def test_unfreeze_fresh_rows_build():
    "The unfreeze family's fresh set: 8 new kinds, three ways each, all held out, none named as a first kind; every row builds a learner with a body and a head group, frozen (fine_tune way) or unfrozen (after the first stage) as its way says"
    from benchmarks.quality.split import task_set, unfreeze_kind
    from benchmarks.quality.tasks import UNFREEZE_FRESH_KINDS, UNFREEZE_KINDS
    fresh = task_set('unfreeze-fresh')
    kinds = {unfreeze_kind(t.name) for t in fresh}
    assert len(fresh) == 24 and len(kinds) == 8 and all(t.held_out for t in fresh)
    assert not kinds & {unfreeze_kind(t.name) for t in task_set('unfreeze')} and not {k for k, *_ in UNFREEZE_FRESH_KINDS} & {k for k, *_ in UNFREEZE_KINDS}
    assert sorted(w for _, _, w, _, _ in UNFREEZE_FRESH_KINDS) == [False] * 4 + [True] * 4 and sorted(e for *_, e, _ in UNFREEZE_FRESH_KINDS) == [1] * 4 + [3] * 4
    _rows_build(fresh, frozen_ways=('ft',))


def test_unfreeze_fresh2_rows_build():
    "The unfreeze family's second fresh set: 8 new kinds, five rows each (the three ways, slice at ratio 10, fine_tune with lr_mult=10), all held out, none named as one of the first twenty kinds; every row builds a learner with a body and a head group, frozen (fine_tune ways) or unfrozen (after the first stage) as its way says"
    from benchmarks.quality.split import task_set, unfreeze_kind
    from benchmarks.quality.tasks import UNFREEZE_FRESH2_KINDS, UNFREEZE_FRESH_KINDS, UNFREEZE_KINDS
    fresh2 = task_set('unfreeze-fresh2')
    kinds = {unfreeze_kind(t.name) for t in fresh2}
    assert len(fresh2) == 40 and len(kinds) == 8 and all(t.held_out for t in fresh2)
    earlier = {unfreeze_kind(t.name) for t in task_set('unfreeze') + task_set('unfreeze-fresh')}
    assert len(earlier) == 20 and not kinds & earlier
    assert not {k for k, *_ in UNFREEZE_FRESH2_KINDS} & {k for k, *_ in UNFREEZE_KINDS + UNFREEZE_FRESH_KINDS}
    assert sorted(w for _, _, w, _, _ in UNFREEZE_FRESH2_KINDS) == [False] * 4 + [True] * 4 and sorted(e for *_, e, _ in UNFREEZE_FRESH2_KINDS) == [1] * 4 + [3] * 4
    assert any(not w and body.startswith('CNN with BatchNorm') for _, body, w, _, _ in UNFREEZE_FRESH2_KINDS)  # a 2-d CNN that must adapt
    ways = {}
    for t in fresh2: ways.setdefault(t.name.rsplit('_', 1)[1], []).append(t)
    assert {k: len(v) for k, v in ways.items()} == dict(one=8, slice=8, ft=8, slicer10=8, ftm10=8)
    assert all(t.slice_ratio == 100 for t in ways['slice']) and all(t.slice_ratio == 10 for t in ways['slicer10'])
    assert all('lr_mult' not in t.fit_kw for t in ways['ft']) and all(t.fit_kw['lr_mult'] == 10 and t.protocol == 'fine_tune_n' for t in ways['ftm10'])
    _rows_build(fresh2, frozen_ways=('ft', 'ftm10'))


@pytest.mark.parametrize('name,earlier_sets,n_earlier,cnns', [
    ('unfreeze-fresh3', ('unfreeze', 'unfreeze-fresh', 'unfreeze-fresh2'), 28, [False, True]),  # two 2-d CNNs: one transfers well, one must adapt
    ('unfreeze-fresh4', ('unfreeze', 'unfreeze-fresh', 'unfreeze-fresh2', 'unfreeze-fresh3'), 36, [True, True])])  # two 2-d CNNs that transfer well
def test_unfreeze_fresh_sets_of_five_rows_build(name, earlier_sets, n_earlier, cnns):
    "The unfreeze family's third and fourth fresh sets: 8 new kinds each, five rows each (the three ways, slice at ratio 10, fine_tune with lr_mult=10), all held out, none named as an earlier set's kind; every row builds a learner with a body and a head group, frozen (fine_tune ways) or unfrozen (after the first stage) as its way says"
    from benchmarks.quality import tasks
    from benchmarks.quality.split import task_set, unfreeze_kind
    declared = {'unfreeze-fresh3': tasks.UNFREEZE_FRESH3_KINDS, 'unfreeze-fresh4': tasks.UNFREEZE_FRESH4_KINDS}[name]
    rows = task_set(name)
    kinds = {unfreeze_kind(t.name) for t in rows}
    assert len(rows) == 40 and len(kinds) == 8 and all(t.held_out for t in rows)
    earlier = {unfreeze_kind(t.name) for s in earlier_sets for t in task_set(s)}
    assert len(earlier) == n_earlier and not kinds & earlier
    assert sorted(w for _, _, w, _, _ in declared) == [False] * 4 + [True] * 4 and sorted(e for *_, e, _ in declared) == [1] * 4 + [3] * 4
    assert sorted(w for _, body, w, _, _ in declared if body.startswith('CNN with BatchNorm')) == cnns
    ways = {}
    for t in rows: ways.setdefault(t.name.rsplit('_', 1)[1], []).append(t)
    assert {k: len(v) for k, v in ways.items()} == dict(one=8, slice=8, ft=8, slicer10=8, ftm10=8)
    assert all(t.slice_ratio == 100 for t in ways['slice']) and all(t.slice_ratio == 10 for t in ways['slicer10'])
    assert all('lr_mult' not in t.fit_kw for t in ways['ft']) and all(t.fit_kw['lr_mult'] == 10 and t.protocol == 'fine_tune_n' for t in ways['ftm10'])
    _rows_build(rows, frozen_ways=('ft', 'ftm10'))


def test_probe_screen_trains_each_candidate_one_epoch_and_scores_its_pick(tmp_path):
    "probe_screen.py on one stored range test of a fourth-set MLP: five candidates around the pick, each one epoch from the range test's learner; the pick is one of them, its steps counted"
    import math, re
    from benchmarks.quality.split import task_set
    task = next(t for t in task_set('unfreeze-fresh4') if t.name == 'uf_mlp_digits_left_e3_one')
    grid = {f'{2.0 ** k:.6e}': 0.9 - 0.02 * abs(k + 5) for k in range(-12, 3)}  # best at 2**-5, falling off on either side
    row = dict(task=task.name, grid=grid, oracle=0.9, band=0.005, near=[2 ** -5, 2 ** -5], methods={'recommended': dict(lrs=[1e-2])})
    res = tmp_path / 'r.json'; res.write_text(json.dumps([row]))
    out = tmp_path / 'p.md'
    r = subprocess.run([sys.executable, str(BENCH / 'probe_screen.py'), '--set', 'unfreeze-fresh4', '--results', str(res), '--ways', '_one',
                        '--threads', '1', '--out', str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    pick = float(re.search(r'probe (\S+) \(', text).group(1))
    assert any(math.isclose(pick, 1e-2 * 2 ** k, rel_tol=1e-2) for k in range(-2, 3))
    steps = int(re.search(r'Probe cost: (\d+) optimizer steps', text).group(1))
    assert steps == 5 * len(task.make_learner(0).dls.train)  # one epoch a candidate
    assert '| advice | 0.0329 | 0/1 | 0/1 | 0.49 |' in text  # 1e-2 on the grid: 0.867 against 0.9, 0.49 decades below 2**-5


def test_far_picks_counts_what_the_judged_table_reports():
    "far_picks.py on the fourth set's slice rows: the advice's farthest pick and its count beyond half a decade are those of its judged table (transfer_ratio_fresh4.json, the trained picks)"
    import re
    r = subprocess.run([sys.executable, str(BENCH / 'far_picks.py'), str(BENCH / 'results' / 'quality_unfreeze_fresh4_one_slice.json'), '--row', '_slicer10'],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    judged = next(e for e in json.loads((BENCH / 'results' / 'transfer_ratio_fresh4.json').read_text()) if (e['way'], e['ratio'], e['rule']) == ('slice', 10, 'as_slice_top'))
    beyond, farthest = re.search(r'\| the advice in force \| [\d.]+ \| \d+/24 \| (\d+)/24 \| ([\d.]+) \|', r.stdout).groups()
    import math
    rows = [x for x in json.loads((BENCH / 'results' / 'quality_unfreeze_fresh4_one_slice.json').read_text()) if x['task'].endswith('_slicer10')]
    outside = [max(math.log10(x['near'][0] / lr), math.log10(lr / x['near'][1])) for x in rows for lr in x['methods']['as_slice_top']['lrs']]
    assert float(farthest) == round(judged['out'], 2) and int(beyond) == sum(o > 0.5 for o in outside) > 0
