"""Replications until the answer is clear (sim.sequential): on constructed replications, the stage it stops at and
why, counted independently with scipy's t; on the model, that the stages are the fixed comparison's replications;
and that stopping at the first clear look keeps a false "clear" under 5 %."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.advisor import Objective
from sim.answer import CAP, CLEAR, NOT_KEEPING_UP, WITHIN_ZONE, headline
from sim.experiment import Results, run_experiment
from sim.scenario import Scenario, ScenarioError
from sim.sequential import look_confidence, run_until_clear, stages
from tests.test_answer import results as constructed

PROFIT = Objective.of("profit")
TWO = Scenario().replace(designs={"none": Scenario().designs["none"], "pm": Scenario().designs["pm"]})


def staged(profits: dict[str, np.ndarray], growth: dict[str, float] | None = None):
    """A `run_stage` that serves the constructed replications a stage asks for, and the stages it was asked."""
    asked: list[range] = []
    whole = constructed(profits, growth)

    def run_stage(reps: range) -> Results:
        asked.append(reps)
        rows = whole.summary[whole.summary["replication"].isin(list(reps))]
        return Results(whole.scenario, rows.reset_index(drop=True), pd.DataFrame(), pd.DataFrame())

    return run_stage, asked


@functools.cache
def t_ppf(confidence: float, n: int) -> float:
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1))


def first_clear_stop(lead: np.ndarray, looks: list[int], confidence: float) -> int | None:
    """The first n of `looks` at which the lead's two-sided t interval at `confidence` is above zero."""
    for n in looks:
        x = lead[:n]
        half = t_ppf(confidence, n) * x.std(ddof=1) / np.sqrt(n)
        if x.mean() - half > 0:
            return n
    return None


def test_the_default_stages_are_the_first_five_then_five_more_up_to_thirty():
    s = Scenario()
    assert (s.replications, s.max_replications) == (5, 30)
    assert stages(s) == [range(0, 5), range(5, 10), range(10, 15), range(15, 20), range(20, 25), range(25, 30)]
    assert look_confidence(s) == pytest.approx(1 - 0.05 / 6)
    assert stages(s.replace(replications=7, max_replications=16)) == [range(0, 7), range(7, 14), range(14, 16)]
    assert stages(s.replace(max_replications=3)) == [range(0, 5)]  # a cap below the first stage: exactly 5
    assert look_confidence(s.replace(max_replications=5)) == pytest.approx(0.95)


def test_a_constant_lead_stops_at_the_first_stage_as_clear():
    base = np.linspace(1e5, 4e5, 30)
    run_stage, asked = staged({"none": base, "pm": base + 10e3})
    out = run_until_clear(TWO, objective=PROFIT, run_stage=run_stage)
    assert asked == [range(0, 5)]
    assert (out.stopping.reason, out.stopping.replications, out.replications) == (CLEAR, 5, 5)


def test_a_lead_that_needs_more_replications_stops_where_scipys_t_first_clears_it():
    rng = np.random.default_rng(7)
    base = rng.normal(3e5, 1e5, 30)
    lead = 12e3 + rng.normal(0, 15e3, 30)
    looks = [5, 10, 15, 20, 25, 30]
    expected = first_clear_stop(lead, looks, 1 - 0.05 / 6)
    assert expected is not None and expected > 5, "the case must need more than the first stage"
    run_stage, asked = staged({"none": base, "pm": base + lead})
    out = run_until_clear(TWO, objective=PROFIT, zone=1e3, run_stage=run_stage)  # a zone no look gets inside
    assert out.stopping.reason == CLEAR and out.stopping.replications == expected
    assert asked == stages(TWO)[: looks.index(expected) + 1]
    assert sorted(out.summary["replication"].unique()) == list(range(expected))
    answer = headline(out, PROFIT, "none")
    assert answer.sure
    assert f"Stopped at {expected} replications per design (5, then 5 more at a time)" in answer.sentence


def test_designs_practically_the_same_stop_within_the_zone_and_say_either_will_do():
    rng = np.random.default_rng(3)
    base = rng.normal(3e5, 1e5, 30)
    gap = rng.normal(0, 6e3, 30)  # no real difference, a noisy one far inside $20k once enough are run
    run_stage, asked = staged({"none": base, "pm": base + gap})
    out = run_until_clear(TWO, objective=PROFIT, run_stage=run_stage)
    n = out.stopping.replications
    assert out.stopping.reason == WITHIN_ZONE
    # independently: the first look whose interval's far end is inside the zone
    confidence = 1 - 0.05 / 6
    for m in range(5, 31, 5):
        x = gap[:m] if gap[:m].mean() < 0 else -gap[:m]  # the best's lead over the other
        reach = abs(x.mean()) + stats.t.ppf(0.5 + confidence / 2, m - 1) * x.std(ddof=1) / np.sqrt(m)
        if reach < 20e3:
            break
    assert n == m
    sentence = headline(out, PROFIT, "none").sentence
    assert "either will do" in sentence and "within $20k of it, the smallest difference that matters" in sentence


def test_a_zone_set_smaller_needs_more_replications_or_the_cap():
    rng = np.random.default_rng(3)
    base = rng.normal(3e5, 1e5, 30)
    gap = rng.normal(0, 6e3, 30)
    wide = run_until_clear(TWO, objective=PROFIT, run_stage=staged({"none": base, "pm": base + gap})[0])
    narrow = run_until_clear(TWO, objective=PROFIT, zone=2e3, run_stage=staged({"none": base, "pm": base + gap})[0])
    assert narrow.stopping.replications > wide.stopping.replications
    assert narrow.stopping.zone == 2e3


def test_a_tie_that_never_settles_runs_to_the_cap_and_says_so():
    base = np.linspace(1e5, 4e5, 30)
    swing = np.where(np.arange(30) % 2 == 0, 90e3, -90e3)  # mean 0, far wider than $20k at every look
    run_stage, asked = staged({"none": base, "pm": base + swing})
    out = run_until_clear(TWO, objective=PROFIT, run_stage=run_stage)
    assert asked == stages(TWO) and out.stopping.reason == CAP and out.replications == 30
    sentence = headline(out, PROFIT, "none").sentence
    assert "more replications would tell them apart" in sentence
    assert "Stopped at the cap of 30 replications per design (max replications)" in sentence


def test_no_design_keeping_up_stops_at_once_since_more_replications_cannot_change_it():
    base = np.linspace(1e5, 4e5, 30)
    run_stage, asked = staged({"none": base, "pm": base}, growth={"none": 5.0, "pm": 5.0})
    out = run_until_clear(TWO, objective=Objective.of("lead_time"), run_stage=run_stage)
    assert asked == [range(0, 5)] and out.stopping.reason == NOT_KEEPING_UP


@pytest.mark.deep
def test_stopping_at_the_first_clear_look_keeps_a_false_clear_under_five_percent():
    """Two designs with the same mean: a "clear" is an error. Each look at 95 % would make errors likelier (checked
    here too); at 95 % split over the looks they stay under 5 % (a one-sided binomial bound on 2,000 trials).
    Deep tier: about 2 s, as it simulates long or many runs for a statistical or comparative check."""
    rng = np.random.default_rng(2026)
    trials, looks = 2000, [5, 10, 15, 20, 25, 30]
    leads = rng.normal(0, 1, (trials, 30))
    split = sum(first_clear_stop(x, looks, 1 - 0.05 / 6) is not None or first_clear_stop(-x, looks, 1 - 0.05 / 6)
                is not None for x in leads)
    naive = sum(first_clear_stop(x, looks, 0.95) is not None or first_clear_stop(-x, looks, 0.95) is not None
                for x in leads)
    bound = stats.binom.ppf(0.999, trials, 0.05) / trials
    assert split / trials <= bound < naive / trials
    # and the procedure decides as the independent count does, trial by trial on the first 60
    base = np.linspace(1e5, 4e5, 30)
    for x in leads[:60]:
        out = run_until_clear(TWO, objective=PROFIT, zone=1e-9,
                              run_stage=staged({"none": base, "pm": base + 1e4 * x})[0])
        by_hand = (first_clear_stop(x, looks, 1 - 0.05 / 6) is not None
                   or first_clear_stop(-x, looks, 1 - 0.05 / 6) is not None)
        assert (out.stopping.reason == CLEAR) == by_hand


def test_the_stages_hold_exactly_the_replications_a_fixed_comparison_runs():
    s = Scenario().replace(weeks=4, warmup_weeks=1, replications=2, max_replications=6)
    out = run_until_clear(s, ["none", "pm", "am"], "profit")
    fixed = run_experiment(s.replace(replications=out.replications), ["none", "pm", "am"])
    key = ["design", "replication"]
    pd.testing.assert_frame_equal(out.summary.sort_values(key).reset_index(drop=True),
                                  fixed.summary.sort_values(key).reset_index(drop=True))
    assert out.stopping.first_stage == 2 and out.stopping.cap == 6


def test_a_zone_that_is_not_a_positive_number_is_refused_naming_it():
    for zone in (0.0, -5.0, float("nan")):
        with pytest.raises(ScenarioError, match="smallest difference that matters must be a positive number"):
            run_until_clear(TWO, objective=PROFIT, zone=zone, run_stage=lambda reps: None)  # type: ignore[arg-type]


def test_the_command_line_says_the_stop_and_its_replications(tmp_path, capsys):
    from sim.cli import main

    path = tmp_path / "s.toml"
    path.write_text('name = "Quick"\nweeks = 4\nwarmup_weeks = 1\nreplications = 2\nmax_replications = 4\n')
    assert main(["run", str(path), "--designs", "none,am", "--serial", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reps"] == out["stopping"]["replications"] in (2, 4)
    assert out["stopping"]["cap"] == 4 and out["stopping"]["first_stage"] == 2
    assert f"{out['reps']} replications per design" in out["answer"] or "Ran exactly" in out["answer"]
    assert main(["run", str(path), "--designs", "none,am", "--serial", "--max-reps", "1"]) == 2
    assert "max_replications" in capsys.readouterr().err
    assert main(["run", str(path), "--designs", "none,am", "--serial", "--zone", "-1"]) == 2
    assert "zone = -1.0: the smallest difference that matters must be a positive number" in capsys.readouterr().err
    # a zone wider than any gap: the first stage is within it, or clear
    assert main(["run", str(path), "--designs", "none,am", "--serial", "--zone", "1e9", "--format", "json"]) == 0
    wide = json.loads(capsys.readouterr().out)
    assert wide["reps"] == 2 and wide["stopping"]["reason"] in ("within zone", "clear")
    assert wide["stopping"]["zone"] == 1e9
