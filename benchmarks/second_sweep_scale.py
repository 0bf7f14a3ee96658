"""Issue 22: candidates for `SweepAgain.scale`, the factor `recommended` applies to a rate read on its second sweep.

Each is `recommended` with the same policy except `scale` (1: the rate as read, the procedure of issue22_final.md). Scored on
the tuning tasks whose first sweep shows no descent (the only curves where `scale` acts), the value kept is the one with the
most range tests in band (ties: the lower mean regret); benchmarks/results/issue22_scale.md. `second_x1` is also scored on
the fresh held-out kinds (benchmarks/kinds_fresh.py), beside the library's `recommended`, to show what the change did there.

  python benchmarks/quality.py --tasks-file benchmarks/second_sweep_scale.py --oracle-from benchmarks/results/issue22_final.json \\
      --first-held-out-seen --methods recommended,second_x1,second_x05,second_x035,second_x025 --threads 2 \\
      --tasks tfm_order,xor_deep_tanh,memory_gru,gru_continued,converged,collab_synth,converged_digits,converged_cancer,gru_trained \\
      --out benchmarks/results/issue22_scale.md
"""
from fastai_lrrange.suggest import SUGGESTIONS, SweepAgain, register_suggestion, recommended, valley

SCALES = {'second_x1': 1.0, 'second_x05': 0.5, 'second_x035': 0.35, 'second_x025': 0.25}
for name, k in SCALES.items():
    register_suggestion(recommended, name, needs_descent=True, sweep_again=SweepAgain(fallback=valley, scale=k))
assert SUGGESTIONS['recommended'].sweep_again == SweepAgain(fallback=valley, scale=SCALES['second_x035'])  # the value kept
TASKS = []
