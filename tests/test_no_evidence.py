"No descent, no suggestion of ours; fastai's four keep fastai's values with a warning; `recommended` sweeps again, longer, and leaves no trace."
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from fastai_lrrange.diagnostics import FindingKind, LRFindWarning, descent
from conftest import make_synth, capture, assert_same_state


class Plateau(nn.Module):
    "A model whose output the learning rate cannot move: the loss is the batches' own noise, at every rate"
    def __init__(self): super().__init__(); self.lin = nn.Linear(1, 1)
    def forward(self, x): return self.lin(x) * 0 + 1.0


class Late(nn.Module):
    "Learns only after its gate has opened: the gate's weight needs many steps at a moderate rate before the output moves"
    def __init__(self): super().__init__(); self.lin, self.gate = nn.Linear(1, 1), nn.Parameter(torch.tensor(-6.))
    def forward(self, x): return self.lin(x) * torch.sigmoid(self.gate) * 10


def plateau_learner():
    learn = make_synth(n_trn=10)
    learn.model = Plateau()
    return learn


def _run(learn, **kw):
    with learn.no_bar(), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        sug = learn.lr_find(show_plot=False, **kw)
    return sug, learn.lr_find_result, [str(x.message) for x in w if issubclass(x.category, LRFindWarning)]


def test_no_descent_our_rules_give_none_and_fastais_keep_their_values():
    from fastai.callback.schedule import valley as f_valley, steep as f_steep, minimum as f_minimum
    sug, res, warned = _run(plateau_learner(), suggest_funcs=('valley', 'steep', 'minimum', 'loss_drop', 'drop_or_minimum'))
    a, b = res.window
    assert not descent(res.losses[a:b], res.raw_losses[a:b])[0]
    assert sug.loss_drop is None and sug.drop_or_minimum is None
    lrs, losses = torch.tensor(res.last_group_lrs[a:b], dtype=torch.float32), torch.tensor(res.losses[a:b], dtype=torch.float32)
    for ours, theirs in ((sug.valley, f_valley), (sug.steep, f_steep), (sug.minimum, f_minimum)):
        assert ours == theirs(lrs, losses, 100)[0]  # drop-in: fastai's value on the same curve
    kinds = [d.kind for d in res.diagnostics]
    assert FindingKind.NO_DESCENT in kinds and FindingKind.TOO_FEW_POINTS not in kinds  # one reason, not a wrong one
    assert len(warned) == 1 and 'no descent in the suggestion window' in warned[0] and 'no learning rate on this curve is evidence' in warned[0]


def test_a_real_descent_keeps_every_suggestion():
    from fastai_lrrange.examples import digits_learner
    sug, res, _ = _run(digits_learner(), suggest_funcs=('loss_drop', 'drop_or_minimum', 'recommended'))
    assert all(v is not None for v in sug) and sug.recommended == sug.drop_or_minimum
    assert FindingKind.NO_DESCENT not in [d.kind for d in res.diagnostics] and len(res.losses) <= 100  # one sweep only


def test_recommended_sweeps_again_where_it_matters_from_the_same_state_and_leaves_no_trace():
    learn = plateau_learner()
    with learn.no_bar(): learn.fit(1, 1e-2)
    before = capture(learn)
    sug, res, warned = _run(learn, suggest_funcs='recommended')
    assert_same_state(before, capture(learn))
    first, second = res.sweeps
    assert res.num_it == 100 and len(res.losses) == len(first.losses) == 100  # the result's curve is the user's first sweep
    reached = first.last_group_lrs[-1]
    assert second.num_it == 300 and res.read_from == {'recommended': 1}
    assert np.isclose(second.last_group_lrs[0], reached / 1e4) and second.last_group_lrs[-1] < reached * 10 ** 0.5  # 4 decades below to half above
    # the plateau shows no descent on the second sweep either: recommended falls back on valley's reading of it, and says so
    from fastai_lrrange.suggest import valley
    a, b = second.window
    lrs, losses = torch.tensor(second.last_group_lrs[a:b], dtype=torch.float32), torch.tensor(second.losses[a:b], dtype=torch.float32)
    assert np.isclose(sug.recommended, 0.35 * valley(lrs, losses, 300)[0]) and res.withheld == {}  # times the policy's scale
    reswept = [d for d in res.diagnostics if d.kind is FindingKind.RESWEPT]
    assert len(reswept) == 1 and "shows none either: the suggestions that asked for it are valley's reading of it times 0.35, a guess" in reswept[0]
    assert 'short trainings' in reswept[0].advice
    assert FindingKind.NO_DESCENT not in [d.kind for d in res.diagnostics] and FindingKind.TOO_FEW_POINTS not in [d.kind for d in res.diagnostics]
    # the second sweep ran from the Learner's own state: it is the curve of that sweep run directly
    direct = make_synth(n_trn=10); direct.model = Plateau()
    with direct.no_bar(): direct.fit(1, 1e-2)
    _, res2, _ = _run(direct, start_lr=reached / 1e4, end_lr=reached * 10 ** 0.5, num_it=300, suggest_funcs=('valley',))
    np.testing.assert_array_equal(second.losses, res2.losses)


def test_a_late_descent_is_found_by_the_second_sweep():
    "A model that only learns once it has trained for a while at a useful rate: flat over the first sweep, a descent on the second"
    learn = make_synth(n_trn=10)
    learn.model = Late()
    sug, res, _ = _run(learn, suggest_funcs=('valley', 'recommended'))
    assert len(res.sweeps) == 2 and res.first_sweep.lacks_descent and res.sweeps[1].descent.found
    assert sug.recommended is not None and res.read_from['recommended'] == 1
    assert any(d.kind is FindingKind.RESWEPT and 'shows one' in d for d in res.diagnostics)


def test_recommended_is_one_call_with_no_argument_to_tune():
    from fastai_lrrange.suggest import RECOMMENDED, SUGGESTIONS, SweepAgain
    e = SUGGESTIONS[RECOMMENDED]
    assert RECOMMENDED == 'recommended' and e.needs_descent and isinstance(e.sweep_again, SweepAgain)
