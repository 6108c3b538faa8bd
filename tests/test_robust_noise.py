"""The tornado against simulation noise: a swing and a flip count only beyond their 95 % intervals, paired by
replication, and the few rows that could matter rerun on more replications. Figures are recomputed here from the
runs themselves (`objective_metrics`), not read back from the analysis."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.advisor import objective_metrics
from sim.robust import (
    REFINED_INPUTS,
    Robustness,
    Settings,
    _End,
    _row,
    _unsettled,
    deciding_input,
    probability_best,
    rerun_replications,
    robustness,
    sentence,
    with_values,
)
from sim.scenario import Scenario
from sim.stats import t_half_width
from tests.test_robust import scenario

DECIDING = "behaviour.am_effort_share"  # the AM's overhead per request: at 2 efforts' worth, the PM wins
TINY = "behaviour.clarity_with_am"  # moved by 0.02 either side: a few requests differ, by chance
INERT = "economics.salary.sales"  # no design has a salesperson
SETTINGS = Settings(samples=2, replications=2, weeks=10, refine_replications=8)
DESIGNS = {"pm": {"project_managers": 1}, "am": {"account_managers": 1}}


def firm(uncertainty: dict) -> Scenario:
    return scenario(uncertainty, DESIGNS, weeks=10)


@pytest.fixture(scope="module")
def analysed() -> tuple[Scenario, Robustness]:
    s = firm({DECIDING: [0.0, 2.0], TINY: [0.88, 0.92], INERT: [90_000, 100_000]})
    return s, robustness(s, objective="profit", settings=SETTINGS)


def margins(s: Scenario, path: str, value: float, best: str, rival: str, replications: int) -> np.ndarray:
    """`best`'s profit less `rival`'s at `path` = value, replication by replication, run here afresh."""
    variant = with_values(dataclasses.replace(s, weeks=SETTINGS.weeks), {path: value})
    return np.array([objective_metrics(variant, best, r)["profit"] - objective_metrics(variant, rival, r)["profit"]
                     for r in range(replications)])


@pytest.mark.deep
def test_the_deciding_input_is_beyond_noise_and_flips_and_a_tiny_one_ranks_below_it_within_noise(analysed):
    """Deep tier: about 1 s, as it simulates long or many runs for a statistical or comparative check."""
    s, result = analysed
    rows = result.tornado.set_index("parameter")
    assert result.best == "am"
    assert list(result.tornado["parameter"]) == [DECIDING, TINY, INERT]
    deciding, tiny = rows.loc[DECIDING], rows.loc[TINY]
    assert deciding["beyond_noise"] and deciding["flips"] and deciding["best_at_high"] == "pm"
    assert not tiny["beyond_noise"] and not tiny["flips"]
    # both were within noise or short of a clear flip on 2 replications, so both reran on 8
    assert deciding["replications"] == tiny["replications"] == SETTINGS.refine_replications

    for path in (DECIDING, TINY):
        row = rows.loc[path]
        n = int(row["replications"])
        low = margins(s, path, row["low"], "am", "pm", n)
        high = margins(s, path, row["high"], "am", "pm", n)
        assert row["margin_at_low"] == pytest.approx(low.mean(), rel=1e-9)
        assert row["swing"] == pytest.approx(abs((high - low).mean()), rel=1e-9)
        assert row["swing_ci95"] == pytest.approx(t_half_width(high - low), rel=1e-9)
        swing = abs((high - low).mean())
        assert row["beyond_noise"] == (swing > t_half_width(high - low) and swing > 20_000)  # profit's zone
    high = margins(s, DECIDING, 2.0, "am", "pm", SETTINGS.refine_replications)
    assert rows.loc[DECIDING, "lead_ci95_at_high"] == pytest.approx(t_half_width(high), rel=1e-9)
    assert -high.mean() > t_half_width(high)  # the PM's lead at the high end is beyond noise

    text = sentence(result)
    assert f"the answer turns on {DECIDING}: above " in text and ", **pm** wins." in text
    assert deciding_input(result).parameter == DECIDING


def test_an_input_with_no_effect_has_exactly_zero_swing_is_within_noise_and_is_not_rerun(analysed):
    _, result = analysed
    inert = result.tornado.set_index("parameter").loc[INERT]
    assert inert["swing"] == 0 and inert["swing_ci95"] == 0
    assert not inert["beyond_noise"] and not inert["flips"]
    assert inert["replications"] == SETTINGS.replications  # zero in every replication stays zero: nothing to learn


def test_a_tiny_input_the_replications_are_sure_of_is_within_noise_and_the_sentence_says_why():
    """Deep tier: about 1 s, as it simulates the analysis. A late discount moved by a point either side changes only
    what late requests bill: the replications agree on that change, but it is far below the $20k a year that
    matters, so it is within noise, ranks below the deciding input and flips nothing."""
    late = "economics.late_discount"
    result = robustness(firm({DECIDING: [0.0, 2.0], late: [0.09, 0.11]}), objective="profit", settings=SETTINGS)
    rows = result.tornado.set_index("parameter")
    row = rows.loc[late]
    assert 0 < row["swing_ci95"] < row["swing"] < 20_000  # sure of it, and too small to matter
    assert not row["beyond_noise"] and not row["flips"]
    assert list(result.tornado["parameter"]) == [DECIDING, late] and rows.loc[DECIDING, "beyond_noise"]
    alone = robustness(firm({late: [0.09, 0.11]}), objective="profit", settings=SETTINGS)
    assert sentence(alone, share=False) == ("No input moves the answer beyond noise: the largest swing, of "
                                            f"{late}, is smaller than $20k, the smallest difference that matters.")


def test_when_no_input_is_beyond_noise_the_sentence_says_so():
    result = robustness(firm({TINY: [0.88, 0.92], INERT: [90_000, 100_000]}), objective="profit",
                        settings=SETTINGS)
    assert not result.tornado["beyond_noise"].any()
    assert not deciding_input(result).beyond_noise
    text = sentence(result)
    assert "no input moves the answer beyond noise" in text
    assert "flips" not in text and "turns on" not in text
    assert sentence(result, share=False).startswith("No input moves the answer beyond noise")


def end(variant: int, best: list[float], other: list[float]) -> _End:
    return _End(variant, "pm", np.array(best), np.array(other))


def test_an_end_flips_only_where_the_other_design_leads_beyond_noise():
    at_value = end(0, [10, 10, 10, 10], [0, 0, 0, 0])
    low = end(1, [10, 11, 9, 10], [0, 0, 0, 0])  # am ahead by about 10 everywhere
    noisy = end(2, [0, 30, -30, 0], [1, 1, 1, 1])  # pm ahead by 1 on the means, by chance
    row = _row((at_value, low, noisy), "am", ["am", "pm"], zone=0.0)
    assert row["best_at_high"] == "pm"  # ahead on the means, which the table still says
    assert row["lead_ci95_at_high"] == pytest.approx(t_half_width(np.array([1, -29, 31, 1])))
    assert np.isnan(row["lead_ci95_at_low"])
    assert not row["flips"] and not row["beyond_noise"]

    clear = end(2, [-20, -21, -19, -20], [0, 0, 0, 0])  # pm ahead by 20 in every replication
    row = _row((at_value, low, clear), "am", ["am", "pm"], zone=0.0)
    assert row["beyond_noise"] and row["flips"]
    assert row["swing"] == pytest.approx(30)
    assert row["swing_ci95"] == pytest.approx(t_half_width(np.array([-30.0, -32.0, -28.0, -30.0])))


def test_a_swing_beyond_its_interval_but_within_the_smallest_difference_that_matters_is_within_noise():
    # the same clear swing of 30 (interval about 2.6): beyond noise against a zone of 29, not against one of 30,
    # and a row within noise flips nothing, though pm leads at the high end in every replication
    at_value = end(0, [10, 10, 10, 10], [0, 0, 0, 0])
    ends = (at_value, end(1, [10, 11, 9, 10], [0] * 4), end(2, [-20, -21, -19, -20], [0] * 4))
    assert _row(ends, "am", ["am", "pm"], zone=29.0)["beyond_noise"]
    row = _row(ends, "am", ["am", "pm"], zone=30.0)
    assert row["swing"] == pytest.approx(30) and row["swing"] > row["swing_ci95"]
    assert not row["beyond_noise"] and not row["flips"] and row["best_at_high"] == "pm"


def test_a_flip_beyond_noise_with_a_swing_within_it_is_not_called_a_flip():
    # pm wins clearly at both ends, by about as much: the input does not move the lead, so it flips nothing
    at_value = end(0, [1, 1, 1, 1], [0, 0, 0, 0])
    row = _row((at_value, end(1, [-20, -22, -18, -20], [0] * 4), end(2, [-21, -19, -20, -20], [0] * 4)), "am",
               ["am", "pm"], zone=0.0)
    assert row["best_at_low"] == row["best_at_high"] == "pm"
    assert not row["beyond_noise"] and not row["flips"]


def test_refinement_is_bounded_and_counted():
    s = firm({DECIDING: [0.0, 2.0], TINY: [0.88, 0.92], "behaviour.am_hours_fixed": [0.25, 10.0],
              "behaviour.clarity_without_am": [0.6, 0.8]})
    seen: list[tuple[int, int]] = []
    result = robustness(s, objective="profit", settings=SETTINGS, progress=lambda d, t: seen.append((d, t)))
    refined = int((result.tornado["replications"] > SETTINGS.replications).sum())
    assert 1 <= refined <= REFINED_INPUTS
    # the PM design never reads the AM's two costs nor the clarity an AM brings: their ends take its runs at the
    # scenario's values (sim.reads), 3 inputs x 2 ends not run
    # the values and the ends for 2 designs, all the screen's replications; each sample one replication of its own
    screen = ((1 + 2 * 4) * 2 - 3 * 2) * SETTINGS.replications + SETTINGS.samples * 2
    extra = SETTINGS.refine_replications - SETTINGS.replications
    # 2 designs at each of 2 ends per refined row, and the 2 at the scenario's values
    assert seen[-1] == (screen + (refined * 4 + 2) * extra,) * 2
    assert rerun_replications(result) == seen[-1][0] - screen  # what the benchmark counts


def test_nothing_is_refined_when_the_screen_has_as_many_replications():
    s = firm({DECIDING: [0.0, 2.0]})
    result = robustness(s, objective="profit", settings=dataclasses.replace(SETTINGS, refine_replications=2))
    assert (result.tornado["replications"] == 2).all()


def test_probability_best_splits_a_sample_among_designs_within_the_indifference_zone():
    scores = np.array([[100.0, 95.0, 0.0],  # the first two within a zone of 10: they share it
                       [100.0, 80.0, 0.0]])  # 20 apart: the top takes it
    assert probability_best(scores, zone=10.0) == pytest.approx([(0.5 + 1) / 2, 0.5 / 2, 0])
    assert probability_best(scores) == pytest.approx([1, 0, 0])  # no zone: only exact ties split


def test_the_chart_draws_rows_within_noise_pale_and_says_so(analysed):
    from sim import charts, tables

    _, result = analysed
    frame = tables.tornado_frame(result)
    assert list(frame["parameter"].drop_duplicates()) == [f"{DECIDING} (flips)", TINY, INERT]
    assert list(frame["beyond_noise"]) == [True, True, False, False, False, False]
    spec = charts.tornado_chart(frame, "Profit", "Profit").to_dict()
    bars = spec["layer"][0]
    assert bars["title"] == {"text": "Profit", "subtitle": charts.NOISE_NOTE}
    assert bars["encoding"]["opacity"] == {"condition": {"test": "datum.beyond_noise",
                                                         "value": charts.TORNADO_OPACITY},
                                           "value": charts.PALE_OPACITY}
    tips = {t["field"]: t["title"] for t in bars["encoding"]["tooltip"]}
    assert tips["swing_ci95"] == "Swing ± (95 %)" and tips["beyond_noise"] == "Beyond noise"
    # the refined row's bars start from its own replications' lead at the values, not the screen's
    deciding = result.tornado.set_index("parameter").loc[DECIDING]
    assert frame["start"].iloc[0] == deciding["margin_at_value"] != result.margin


def test_the_json_carries_the_interval_and_the_flag_of_every_row(analysed):
    _, result = analysed
    rows = {r["parameter"]: r for r in result.to_dict()["tornado"]}
    assert rows[TINY]["beyond_noise"] is False and rows[TINY]["flips"] is False
    assert rows[TINY]["swing_ci95"] == pytest.approx(result.tornado.set_index("parameter").loc[TINY, "swing_ci95"])
    assert rows[DECIDING]["beyond_noise"] is True and rows[DECIDING]["flips"] is True
    assert rows[INERT]["lead_ci95_at_low"] is None  # the best leads there: no lead of another design to bound


def test_a_row_whose_interval_stays_within_the_smallest_difference_that_matters_is_not_rerun():
    row = {"swing": 4_000.0, "swing_ci95": 3_000.0, "beyond_noise": False, "flips": False, "best_at_low": "am",
           "best_at_high": "pm"}
    assert not _unsettled(row, "am", zone=20_000.0)  # at most $7k: more replications cannot make it matter
    assert _unsettled(row, "am", zone=5_000.0)
    assert _unsettled({**row, "swing_ci95": float("nan")}, "am", zone=20_000.0)  # one replication: cannot tell
