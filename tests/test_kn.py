"""KN ranking and selection (sim.kn) on constructed observations: exact eliminations at the allowance's edge,
equal candidates kept to the cap, and the promised probability of a correct selection on normal data."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kn import Procedure, allowance, h_squared, select_best, surely_better
from sim.scenario import ScenarioError

PROCEDURE = Procedure(alpha=0.05, first_stage=10, cap=30)
DELTA = 1.0


def run(observations: np.ndarray, procedure: Procedure = PROCEDURE, delta: float = DELTA):
    """KN over the rows of `observations`, recording every (candidates, replications) it asks to run."""
    asked: list[tuple[list[int], range]] = []
    chosen = select_best(len(observations), lambda i, n: observations[i, :n],
                         lambda which, reps: asked.append((list(which), reps)), procedure, delta)
    return chosen, asked


def first_stage_bound(noise: np.ndarray, procedure: Procedure = PROCEDURE, delta: float = DELTA) -> float:
    """W(n0) for two candidates whose paired difference is `noise` over the first stage; h^2 written as Kim and
    Nelson's (n0 - 1) ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1)."""
    n0 = procedure.first_stage
    h2 = (n0 - 1) * ((2 * procedure.alpha) ** (-2 / (n0 - 1)) - 1)
    return max(0.0, delta / (2 * n0) * (h2 * noise[:n0].var(ddof=1) / delta**2 - n0))


def test_h_squared_and_the_allowance_follow_the_paper():
    n0, alpha = 10, 0.05
    for k in (2, 5, 30):
        assert h_squared(alpha, k, n0) == pytest.approx((n0 - 1) * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1))
    # the allowance shrinks with r and reaches zero at r = h^2 S^2 / delta^2
    h2, variance = h_squared(alpha, 2, n0), 4.0
    assert allowance(h2, variance, DELTA, 10) > allowance(h2, variance, DELTA, 20) > 0
    assert allowance(h2, variance, DELTA, int(np.ceil(h2 * variance))) == 0


@pytest.mark.parametrize("beyond", [True, False])
def test_a_candidate_worse_by_a_constant_beyond_the_bound_goes_at_the_first_stage(beyond):
    rng = np.random.default_rng(1)
    common = rng.normal(size=PROCEDURE.cap) * 5  # shared by both: it cancels in the paired difference
    noise = rng.normal(size=PROCEDURE.cap) * 3  # the paired difference's noise: h^2 S^2 / delta^2 well above n0
    bound = first_stage_bound(noise)
    assert bound > 1
    gap = bound + (0.01 if beyond else -0.01) + noise[:PROCEDURE.first_stage].mean()
    observations = np.array([common, common + noise - gap])  # candidate 1 trails by `gap` + its noise
    chosen, asked = run(observations)
    if beyond:
        assert chosen.contenders == [0] and chosen.dropped_at == {1: PROCEDURE.first_stage}
        assert chosen.replications == PROCEDURE.first_stage and asked == []
    else:  # just inside the bound: both run on
        assert asked[0] == ([0, 1], range(10, 11))
        assert chosen.dropped_at.get(1, chosen.replications) > PROCEDURE.first_stage


def test_equal_candidates_are_never_dropped_before_the_cap():
    rng = np.random.default_rng(2)
    row = rng.normal(size=PROCEDURE.cap)
    chosen, asked = run(np.array([row, row, row]))
    assert chosen.contenders == [0, 1, 2] and chosen.dropped_at == {} and not chosen.confident
    assert chosen.replications == PROCEDURE.cap
    assert [reps for _, reps in asked] == [range(r, r + 1) for r in range(PROCEDURE.first_stage, PROCEDURE.cap)]
    assert all(which == [0, 1, 2] for which, _ in asked)


def test_stages_add_the_replications_asked_for_and_stop_at_the_cap():
    row = np.random.default_rng(3).normal(size=25)
    chosen, asked = run(np.array([row, row]), Procedure(first_stage=10, cap=25, stage_replications=4))
    assert [reps for _, reps in asked] == [range(10, 14), range(14, 18), range(18, 22), range(22, 25)]
    assert chosen.replications == 25


def test_at_the_cap_the_leader_drops_only_those_it_surely_beats():
    """Three candidates far apart but too noisy for KN's allowance, which shrinks only as delta / r; at the cap a
    paired t-test at alpha / 2 settles which the leader beats."""
    rng = np.random.default_rng(4)
    cap = 12
    noise = rng.normal(size=(3, cap)) * 50
    observations = np.array([noise[0] + 40, noise[0] + 40 - 0.5 + noise[1] * 0.01, noise[0] - 60 + noise[2]])
    chosen, _ = run(observations, Procedure(first_stage=10, cap=cap), delta=0.01)
    assert chosen.replications == cap
    beats_1 = surely_better(observations[0] - observations[1], 0.025)
    beats_2 = surely_better(observations[0] - observations[2], 0.025)
    assert beats_1 and beats_2  # constructed so: a constant gap with little noise, a large gap
    assert chosen.contenders == [0] and chosen.dropped_at == {1: cap, 2: cap}


def test_surely_better_is_a_one_sided_paired_t_test():
    from scipy import stats

    d = np.array([0.3, -0.1, 0.5, 0.2, 0.4, 0.0, 0.6])
    lower = d.mean() - stats.t.ppf(0.95, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    assert surely_better(d, 0.05) == (lower > 0)
    shifted = d - lower + 1e-9  # just above zero at 5 %, not at 1 %
    assert surely_better(shifted, 0.05) and not surely_better(shifted, 0.01)
    assert surely_better(np.full(5, 0.1), 0.05) and not surely_better(np.zeros(5), 0.05)


def test_wrong_parameters_are_named_together():
    with pytest.raises(ScenarioError) as caught:
        Procedure(alpha=1.5, first_stage=1, cap=0).check()
    assert [p.split(" = ")[0] for p in caught.value.problems] == ["alpha", "first_stage", "cap"]


def test_kn_selects_the_best_with_the_promised_probability():
    """Textbook check on normal data (Kim & Nelson's slippage configuration): the best is delta above four equal
    others, observations share a common random component; KN must pick it in at least 1 - alpha of the runs."""
    k, delta, procedure = 5, 0.5, Procedure(first_stage=10, cap=1000)
    rng = np.random.default_rng(2026)
    correct, spent = [], []
    for _ in range(300):
        means = np.r_[np.zeros(k - 1), delta][:, None]
        observations = means + rng.normal(size=(1, procedure.cap)) + rng.normal(size=(k, procedure.cap))
        chosen = select_best(k, lambda i, n, obs=observations: obs[i, :n], lambda which, reps: None, procedure,
                             delta)
        correct.append(chosen.contenders == [k - 1])
        spent.append(sum(chosen.dropped_at.get(i, chosen.replications) for i in range(k)))
    share = np.mean(correct)
    assert share + 1.96 * np.sqrt(share * (1 - share) / len(correct)) >= 1 - procedure.alpha
    assert np.mean(spent) < k * procedure.cap / 10  # it stops long before the cap
