"""The robustness analyses on small cases: exact values where the mechanism fixes them, seeded runs otherwise."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sim.robust import (
    Settings,
    crossing,
    latin_hypercube,
    probability_best,
    regret,
    robustness,
    sentence,
    sureness,
)
from sim.scenario import MECHANISMS_OFF, Scenario, ScenarioError, from_dict

QUICK = Settings(samples=8, replications=2, weeks=6)


def sorted_beyond_noise_first(rows: list[tuple[bool, float]]) -> bool:
    """Whether (beyond_noise, swing) rows are in the tornado's order: beyond noise first, each group largest swing
    first."""
    return rows == sorted(rows, key=lambda r: (not r[0], -r[1]))


def scenario(uncertainty: dict, designs: dict, behaviour: dict | None = None, **top) -> Scenario:
    """A one-skill firm of 4 engineers on a short horizon, with exactly the given designs and ranges."""
    data = {
        "seed": 11, "weeks": 6, "warmup_weeks": 1, "replications": 2,
        "firm": {"engineers": 4}, "demand": {"clients": 8, "requests_per_client_per_week": 1.5},
        "designs": designs, "uncertainty": uncertainty, **top,
    }
    if behaviour is not None:
        data["behaviour"] = behaviour
    s = from_dict(data)
    return s.replace(designs={name: s.designs[name] for name in designs})  # only these, not the standard five


def test_a_parameter_with_no_effect_has_zero_swing_and_a_salary_swings_by_its_range_exactly():
    # No design has a salesperson, so the sales salary changes nothing; one hybrid's salary moves the hybrid's
    # profit by exactly its range times what a salary costs the firm, whatever the simulation does (common random
    # numbers: the same runs).
    s = scenario({"economics.salary.sales": [50_000, 200_000], "economics.salary.hybrid": [90_000, 140_000]},
                 {"none": {}, "hybrid": {"hybrids": 1}})
    result = robustness(s, objective="profit", settings=QUICK)
    rows = result.tornado.set_index("parameter")
    cost = 50_000 * s.economics.overhead_factor
    assert rows.loc["economics.salary.sales", "swing"] == 0
    assert rows.loc["economics.salary.hybrid", "swing"] == pytest.approx(cost, abs=1e-6)
    assert list(result.tornado["parameter"]) == ["economics.salary.hybrid", "economics.salary.sales"]
    low, high = rows.loc["economics.salary.hybrid", ["margin_at_low", "margin_at_high"]]
    sign = 1 if result.best == "hybrid" else -1  # the margin is the lead of the design best at the values
    assert sign * (low - high) == pytest.approx(cost, abs=1e-6)


def test_identical_designs_split_the_probability_of_being_best_and_have_no_regret():
    s = scenario({"behaviour.clarity_without_am": [0.5, 0.9], "economics.bill_rate": [150, 250]},
                 {"first": {"hybrids": 1}, "second": {"hybrids": 1}})
    result = robustness(s, objective="profit", settings=QUICK)
    assert result.probability_best == {"first": 0.5, "second": 0.5}
    assert result.expected_regret == {"first": (0.0, 0.0), "second": (0.0, 0.0)}
    assert (result.tornado["swing"] == 0).all()
    assert not result.tornado["flips"].any()


@pytest.mark.deep
def test_probability_best_sums_to_one_and_regret_is_never_negative(default_scenario):
    """Deep tier: about 5 s, as it simulates long or many runs for a statistical or comparative check."""
    from tests.conftest import small

    s = small(default_scenario, weeks=4, replications=2)
    result = robustness(s, ["none", "pm", "am", "hybrid"], "lead_time", Settings(samples=6, replications=2, weeks=4))
    assert sum(result.probability_best.values()) == pytest.approx(1.0)
    assert all(mean >= 0 for mean, _ in result.expected_regret.values())
    assert len(result.samples) == 6
    lost = result.samples[result.designs].to_numpy()
    assert (lost.min(axis=1) >= 0).all()  # lead times in days, not negated
    assert sorted_beyond_noise_first(list(zip(result.tornado["beyond_noise"], result.tornado["swing"], strict=True)))


def test_pooling_beats_separate_queues_on_lead_time_whatever_the_irrelevant_ranges():
    # Every mechanism off: `pm` is one pooled M/M/c queue, `none` c separate M/M/1 queues, at load 0.75. The
    # salaries and the late discount cannot touch lead time, so the pooled queue is best in every sample.
    behaviour = dict(MECHANISMS_OFF)
    s = scenario(
        {"economics.salary.project_manager": [60_000, 200_000], "economics.late_discount": [0, 0.5],
         "economics.bill_rate": [100, 400]},
        {"none": {}, "pm": {"project_managers": 1}}, behaviour,
        demand={"clients": 12, "requests_per_client_per_week": 1.0, "client_size_cv": 0.0,
                "work_types": {"general": {"effort_hours": 10, "effort_cv": 1.0}}},
    )
    result = robustness(s, objective="lead_time", settings=Settings(samples=20, replications=3, weeks=6))
    assert result.probability_best["pm"] >= 0.95
    assert result.best == "pm"
    assert (result.tornado["swing"] == 0).all()
    assert result.expected_regret["pm"] == (0.0, 0.0)
    assert result.expected_regret["none"][0] > 0


def test_one_wide_range_tops_the_tornado_when_the_others_are_narrow():
    s = scenario(
        {"behaviour.hybrid_strength": [0.0, 1.0], "behaviour.clarity_without_am": [0.69, 0.71],
         "behaviour.clarity_with_am": [0.89, 0.91], "economics.late_discount": [0.09, 0.11]},
        {"am": {"account_managers": 1}, "hybrid": {"hybrids": 1}},
    )
    result = robustness(s, objective="profit", settings=QUICK)
    assert result.tornado["parameter"].iloc[0] == "behaviour.hybrid_strength"
    top, second = result.tornado["swing"].iloc[:2]
    assert top > 3 * second


def test_any_executor_gives_the_same_numbers():
    s = scenario({"behaviour.clarity_without_am": [0.5, 0.9]}, {"none": {}, "am": {"account_managers": 1}})
    serial = robustness(s, settings=QUICK)
    with ThreadPoolExecutor(2) as pool:
        pooled = robustness(s, settings=QUICK, executor=pool)
    assert pooled.to_dict() == serial.to_dict()
    assert (serial.tornado["replications"] > QUICK.replications).any()  # the refinement ran on both


def test_progress_counts_every_replication_and_the_total_grows_once_by_the_refinement():
    s = scenario({"economics.bill_rate": [150, 250]}, {"none": {}, "am": {"account_managers": 1}})
    seen: list[tuple[int, int]] = []
    result = robustness(s, settings=QUICK, progress=lambda done, total: seen.append((done, total)))
    # the screen: the values and 2 tornado ends for 2 designs, 2 replications each (with two designs the other is the
    # rival, and runs them all), and 8 samples for 2 designs, one replication each
    screen = (1 + 2) * 2 * 2 + 8 * 2
    assert seen[0][1] == screen and all(total == screen for done, total in seen if done <= screen)
    # then each refined row: 2 ends, best and rival, replications 2..7; and both at the scenario's values, once
    refined = int((result.tornado["replications"] == QUICK.refine_replications).sum())
    assert refined == 1  # the bill rate's row is not clear on 2 replications
    assert seen[-1] == (screen + (refined * 2 * 2 + 2) * 6,) * 2
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})  # every report is new work
    assert sorted({total for _, total in seen}) == [screen, seen[-1][1]]


def test_json_has_the_documented_shape():
    s = scenario({"economics.bill_rate": [150, 250], "economics.salary.sales": [90_000, 100_000]},
                 {"none": {}, "am": {"account_managers": 1}})
    out = robustness(s, settings=QUICK).to_dict()
    assert {"objective", "samples", "probability_best", "expected_regret", "tornado"} <= set(out)
    assert set(out["expected_regret"]["am"]) == {"mean", "ci95"}
    assert {"parameter", "low", "high", "best_at_low", "best_at_high", "swing"} <= set(out["tornado"][0])
    assert sorted_beyond_noise_first([(r["beyond_noise"], r["swing"]) for r in out["tornado"]])
    assert {"swing_ci95", "beyond_noise", "lead_ci95_at_low", "lead_ci95_at_high"} <= set(out["tornado"][0])


def test_bad_inputs_are_named():
    s = scenario({"economics.bill_rate": [150, 250]}, {"none": {}, "am": {"account_managers": 1}})
    with pytest.raises(ScenarioError, match="at least two designs"):
        robustness(s, ["none"], settings=QUICK)
    with pytest.raises(ScenarioError, match="samples = 1"):
        robustness(s, settings=Settings(samples=1))
    with pytest.raises(ScenarioError, match="refine_replications = 101: must be a whole number from 2 to 100"):
        robustness(s, settings=Settings(refine_replications=101))
    with pytest.raises(ScenarioError, match="objective speed"):
        robustness(s, objective="speed", settings=QUICK)


def test_latin_hypercube_puts_one_sample_in_each_stratum_of_each_range():
    draws = latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 30.0)}, 10, seed=3)
    assert sorted(np.floor(draws["a"] * 10).astype(int)) == list(range(10))
    assert sorted(np.floor((draws["b"] - 10) / 2).astype(int)) == list(range(10))
    assert draws.equals(latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 30.0)}, 10, seed=3))


@pytest.mark.parametrize(("inputs", "samples", "seed"), [(1, 2, 0), (3, 20, 2026), (42, 20, 7), (5, 1, 11)])
def test_latin_hypercube_draws_what_scipy_draws_bit_for_bit(inputs, samples, seed):
    from scipy.stats import qmc

    ranges = {f"x{i}": (float(i), 2.0 * i + 1) for i in range(inputs)}
    unit = qmc.LatinHypercube(d=inputs, seed=np.random.default_rng(seed)).random(samples)
    lows, highs = np.array([r[0] for r in ranges.values()]), np.array([r[1] for r in ranges.values()])
    assert np.array_equal(latin_hypercube(ranges, samples, seed).to_numpy(), lows + unit * (highs - lows))


def test_probability_and_regret_on_a_table_of_scores():
    scores = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 1.0], [5.0, 4.0, 1.0], [1.0, 1.0, 1.0]])
    assert probability_best(scores) == pytest.approx([(0.5 + 0 + 1 + 1 / 3) / 4, (0 + 1 + 0 + 1 / 3) / 4,
                                                      (0.5 + 0 + 0 + 1 / 3) / 4])
    assert regret(scores).tolist() == [[0, 2, 0], [2, 0, 1], [0, 1, 4], [0, 0, 0]]


def test_crossing_interpolates_where_the_lead_changes_sign():
    class Row:
        low, value, high = 0.5, 0.7, 0.9
        margin_at_low, margin_at_high = -10.0, 30.0

    assert crossing(Row, 10.0) == pytest.approx(0.6)  # from -10 at 0.5 to +10 at 0.7
    assert crossing(Row, 10.0, "low") == pytest.approx(0.6)
    assert crossing(Row, 10.0, "high") is None  # it stays ahead between the value and the high end
    Row.margin_at_low = 5.0
    assert crossing(Row, 10.0) is None


def test_sentences_name_the_deciding_input_and_both_kinds_of_sureness():
    s = scenario({"economics.salary.hybrid": [0, 400_000], "economics.salary.sales": [50_000, 60_000]},
                 {"none": {}, "hybrid": {"hybrids": 1}})
    result = robustness(s, settings=QUICK)
    row = result.tornado.iloc[0]
    assert row["parameter"] == "economics.salary.hybrid" and row["flips"]
    text = sentence(result)
    first = next(result.tornado.itertuples())
    where = crossing(first, first.margin_at_value)  # on the row's own replications, refined ones included
    # a dearer hybrid loses to none above the crossing; a cheaper one wins below it
    expected = "above {:,.0f}, **none** wins" if result.best == "hybrid" else "below {:,.0f}, **hybrid** wins"
    assert f"the answer turns on economics.salary.hybrid: {expected.format(where)}." in text
    winner = result.most_likely
    assert text.startswith(f"**{winner}** is best in {100 * result.probability_best[winner]:.0f} % of plausible "
                           "cases (8 samples of the ranges)")
    assert sureness("hybrid", True, 0.81) == ("**hybrid** is clearly better on these assumptions (95 % over "
                                              "simulation noise); best in 81 % of plausible assumptions.")


def test_a_run_asked_to_stop_stops_on_either_executor():
    from sim.parallel import Stopped

    s = scenario({"economics.bill_rate": [150, 250]}, {"none": {}, "am": {"account_managers": 1}})
    with pytest.raises(Stopped):
        robustness(s, settings=QUICK, should_stop=lambda: True)
    with ThreadPoolExecutor(2) as pool, pytest.raises(Stopped):
        robustness(s, settings=QUICK, executor=pool, should_stop=lambda: True)


def test_the_sentence_without_its_share_starts_with_the_deciding_input():
    s = scenario({"economics.salary.hybrid": [0, 400_000]}, {"none": {}, "hybrid": {"hybrids": 1}})
    result = robustness(s, settings=QUICK)
    full, tail = sentence(result), sentence(result, share=False)
    assert tail.startswith("The answer turns on economics.salary.hybrid")
    assert full.endswith(tail[0].lower() + tail[1:])


def test_at_a_tornado_end_only_the_best_and_its_rival_run_every_replication_of_the_screen(monkeypatch):
    """The others run the first, on which the rival is the one nearest the best; each Monte Carlo sample runs one
    replication of its own; the progress bar starts at the most the screen can run and ends at what ran. Four
    designs and three inputs: one every design reads, one only designs with an AM read, one a salary."""
    import sim.robust as robust
    from sim.scenario import value_at

    ranges = {"behaviour.interruption_hours": [0.25, 1.0], "behaviour.am_hours_fixed": [0.25, 1.0],
              "economics.salary.project_manager": [80_000, 120_000]}
    s = scenario(ranges, {"none": {}, "pm": {"project_managers": 1}, "am": {"account_managers": 1},
                          "both": {"project_managers": 1, "account_managers": 1}})
    settings = Settings(samples=4, replications=3, weeks=6, refine_replications=3)  # nothing refined
    ran: dict[tuple[tuple[float, ...], str], int] = {}
    first: dict[tuple[tuple[float, ...], str], float] = {}  # the profit of replication 0
    original = robust._variant_metrics

    which: dict[tuple[tuple[float, ...], str], list[int]] = {}  # the replications each ran

    def counting(variant, design, replications, watch=False):
        key = (tuple(float(value_at(variant, p)) for p in ranges), design)
        ran[key] = ran.get(key, 0) + len(replications)
        which.setdefault(key, []).extend(replications)
        metrics, read = original(variant, design, replications, watch)
        if replications.start == 0:
            first[key] = metrics[0]["profit"]
        return metrics, read

    monkeypatch.setattr(robust, "_variant_metrics", counting)
    seen: list[tuple[int, int]] = []
    result = robustness(s, objective="profit", settings=settings, progress=lambda d, t: seen.append((d, t)))
    at_value = tuple(float(value_at(s, p)) for p in ranges)
    assert all(ran[at_value, d] == 3 for d in s.designs)
    ones = 0
    for k, path in enumerate(ranges):
        for end in ranges[path]:
            point = tuple(float(end) if j == k else v for j, v in enumerate(at_value))
            # a design that does not read the input there takes its runs at the values (0 here)
            counts = {d: ran.get((point, d), 0) for d in s.designs}
            assert counts[result.best] in (0, 3), (path, counts)
            others = [d for d in s.designs if d != result.best]
            rival = max(others, key=lambda d: first[point if counts[d] else at_value, d])
            assert counts[rival] in (0, 3), (path, counts)
            assert all(counts[d] in (0, 1) for d in others if d != rival), (path, counts)
            ones += sum(counts[d] == 1 for d in others)
    assert ones > 0  # the case has ends where a design ran only the first
    # each Monte Carlo sample: every design one replication, the sample's own (so the samples are independent)
    tornado = {at_value} | {tuple(float(e) if j == k else v for j, v in enumerate(at_value))
                            for k, path in enumerate(ranges) for e in ranges[path]}
    mc = {point for point, _ in which if point not in tornado}
    assert len(mc) == settings.samples
    own = [{tuple(which[point, d]) for d in s.designs} for point in mc]
    assert all(len(reps) == 1 and len(next(iter(reps))) == 1 for reps in own)
    assert sorted(next(iter(reps))[0] for reps in own) == list(range(settings.samples))
    assert seen[0][1] == robust.screen_replications(3, 4, 4, settings)
    assert seen[-1][0] == seen[-1][1] == sum(ran.values())
    assert (result.tornado["replications"] == 3).all()
