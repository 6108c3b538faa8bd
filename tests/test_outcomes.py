"""Honest outcomes: on-time against what the client asked, loaded staff cost, whether a design keeps up with its
work, and scenario files and links written before keys were renamed."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import run_experiment
from sim.links import params_to_scenario, scenario_to_params
from sim.measure import backlog_slope, measure, yearly_people_cost, yearly_salaries
from sim.model import simulate
from sim.presets import load_presets
from sim.scenario import LEGACY_KEYS, dumps, load_scenario, loads
from sim.stats import BacklogTrend, backlog_trends, t_half_width
from tests.conftest import small

# ---------------------------------------------------------------------------------------------------------------
# On time against the client's ask, and against the promise


def test_on_time_is_judged_against_the_deadline_the_client_asked_for(default_scenario):
    run = simulate(small(default_scenario, weeks=6, replications=2), "am", 0)
    for req in run.requests:  # nobody is on time for what they asked; everybody for what was promised
        req.asked_deadline = req.arrival
        req.deadline = math.inf
    summary = measure(run)[0]
    assert summary["delivered"] > 0
    assert summary["on_time_rate"] == 0.0
    assert summary["on_time_promised_rate"] == 1.0


@pytest.mark.parametrize("metric, design, counted", [
    ("client_fix_share", "none", lambda r: r.client_saw_rework),  # delivered, sent back, delivered again
    ("revised_share", "pm", lambda r: r.revised),  # caught in review and fixed before delivery
])
def test_the_rework_shares_are_of_the_requests_delivered_in_the_measured_weeks(default_scenario, metric, design,
                                                                               counted):
    """Counted here request by request, as a tracker counts reopened tickets and tickets sent back: requests from
    the warm-up or still open are not in them, and no request is both."""
    s = small(default_scenario, weeks=6, replications=2)
    run = simulate(s, design, 0)
    hpw = s.firm.hours_per_week
    start, end = s.warmup_weeks * hpw, (s.warmup_weeks + s.weeks) * hpw
    delivered = [r for r in run.requests if r.arrival >= start and r.done <= end]
    share = sum(counted(r) for r in delivered)
    assert 0 < share < len(delivered)
    assert not any(r.revised and r.client_saw_rework for r in run.requests)
    assert measure(run)[0][metric] == share / len(delivered)


def test_without_a_pm_or_a_review_of_the_teams_own_nothing_is_revised(default_scenario):
    assert measure(simulate(small(default_scenario, weeks=6, replications=2), "none", 0))[0]["revised_share"] == 0


def test_a_negotiated_deadline_is_never_harder_to_meet_than_the_asked_one(default_scenario):
    results = run_experiment(small(default_scenario, weeks=8, replications=3), ["none", "am"])
    s = results.summary.set_index(["design", "replication"])
    # without an account manager nobody negotiates: the two rates are the same figure
    np.testing.assert_array_equal(s.loc["none", "on_time_rate"], s.loc["none", "on_time_promised_rate"])
    assert (s.loc["am", "on_time_promised_rate"] >= s.loc["am", "on_time_rate"]).all()
    assert (s.loc["am", "on_time_promised_rate"] > s.loc["am", "on_time_rate"]).any()


# ---------------------------------------------------------------------------------------------------------------
# Loaded cost


def test_staff_cost_is_every_salary_times_the_overhead_factor(default_scenario):
    scenario = small(default_scenario, weeks=2, replications=2)
    salary, factor = scenario.economics.salary, scenario.economics.overhead_factor
    engineers = scenario.firm.engineers
    expected = {
        "none": engineers * salary.engineer * factor,
        "both": (engineers * salary.engineer + salary.project_manager + salary.account_manager) * factor,
    }
    for design, cost in expected.items():
        assert measure(simulate(scenario, design, 0))[0]["cost"] == pytest.approx(cost, rel=1e-12)
    bare = scenario.replace(economics=scenario.economics.__class__(**{**vars(scenario.economics),
                                                                       "overhead_factor": 1.0}))
    assert measure(simulate(bare, "none", 0))[0]["cost"] == pytest.approx(engineers * salary.engineer, rel=1e-12)


def test_one_home_prices_a_hire_for_the_budget_and_for_profit(default_scenario):
    economics = default_scenario.economics
    hires = {"extra_engineers": 1, "project_managers": 2, "sales_share": 0.5}
    salaries = economics.salary.engineer + 2 * economics.salary.project_manager + 0.5 * economics.salary.sales
    assert yearly_salaries(economics, hires) == pytest.approx(salaries)
    assert yearly_people_cost(economics, hires) == pytest.approx(salaries * economics.overhead_factor)


# ---------------------------------------------------------------------------------------------------------------
# Is a design keeping up?


def test_backlog_slope_is_the_least_squares_slope_of_the_weekly_backlog():
    assert backlog_slope(np.array([2, 4, 6, 8])) == pytest.approx(2.0)
    assert backlog_slope(np.array([5, 5, 5])) == 0.0
    # x = 0..3 around 1.5, y around 2.5: sum of products 4, sum of squares 5
    assert backlog_slope(np.array([1, 3, 2, 4])) == pytest.approx(0.8)
    assert backlog_slope(np.array([9, 7, 5])) == pytest.approx(-2.0)
    assert math.isnan(backlog_slope(np.array([3])))


def test_the_keeping_up_rule_on_a_tiny_synthetic_summary():
    summary = pd.DataFrame({
        "design": ["grows"] * 3 + ["slowly"] * 3 + ["noisy"] * 3,
        "backlog_growth_per_week": [2.0, 2.2, 1.8, 0.5, 0.6, 0.4, 3.0, -2.0, 5.0],
        "throughput_per_week": [10.0] * 9,
    })
    trends = backlog_trends(summary, weeks=8)
    grows = trends["grows"]
    assert grows.growth_per_week == pytest.approx(2.0)
    assert grows.ci95 == pytest.approx(t_half_width(np.array([2.0, 2.2, 1.8])))
    assert not grows.keeping_up  # interval above zero, and 2 x 8 = 16 requests more: above 10 a week delivered
    assert trends["slowly"].keeping_up  # surely growing, but 0.5 x 8 = 4 requests: less than a week's deliveries
    assert trends["noisy"].keeping_up  # the interval includes zero
    assert grows.warning() == (f"design grows is not keeping up: its backlog grows by 2 requests a week "
                               f"(± {grows.ci95:.2g}); its lead time and on-time figures depend on the run length")
    assert BacklogTrend("short", math.nan, math.nan, 10.0, 1).keeping_up  # one week: nothing to tell


def test_each_replication_reports_the_slope_of_its_own_weekly_backlog(default_scenario):
    results = run_experiment(small(default_scenario, weeks=8, replications=2), ["none", "pm"])
    for (design, rep), weekly in results.weekly.groupby(["design", "replication"]):
        row = results.summary[(results.summary.design == design) & (results.summary.replication == rep)].iloc[0]
        assert row.backlog_growth_per_week == pytest.approx(backlog_slope(weekly.sort_values("week").backlog))


def overloaded(scenario):
    """Twice the work the engineers can do, and nobody leaves: the backlog can only grow."""
    data = scenario.to_dict()
    data["firm"] = {"engineers": 3, "skills": {}}
    data["demand"] = {**data["demand"], "clients": 20, "requests_per_client_per_week": 1.0,
                      "work_types": {"job": {"share": 1.0, "effort_hours": 12.0, "deadline_days": 10.0}}}
    data["behaviour"] = {**data["behaviour"], "churn": False}
    return small(scenario, weeks=10, replications=3, **{k: data[k] for k in ("firm", "demand", "behaviour")})


def light(scenario):
    data = scenario.to_dict()
    data["demand"] = {**data["demand"], "clients": 5}
    return small(scenario, weeks=10, replications=3, demand=data["demand"])


def run_cli(capsys, scenario, tmp_path, *args):
    path = tmp_path / "scenario.toml"
    path.write_text(dumps(scenario))
    code = main(["run", str(path), "--designs", "none,pm", "--serial", *args])
    out, err = capsys.readouterr()
    assert code == 0
    return out, err


def test_an_overloaded_design_is_flagged_once_on_stderr_and_in_the_table(default_scenario, capsys, tmp_path):
    out, err = run_cli(capsys, overloaded(default_scenario), tmp_path)
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert [w.split(" is not keeping up")[0] for w in warnings] == ["warning: design none", "warning: design pm"]
    assert all("its lead time and on-time figures depend on the run length" in w for w in warnings)
    header = next(line for line in out.splitlines() if line.startswith("metric"))
    assert "none (not steady)" in header and "pm (not steady)" in header


def test_the_json_carries_the_backlog_growth_and_a_light_firm_raises_no_warning(default_scenario, capsys,
                                                                               tmp_path):
    out, err = run_cli(capsys, light(default_scenario), tmp_path, "--format", "json")
    assert "warning" not in err
    designs = json.loads(out)["designs"]
    for design in ("none", "pm"):
        growth = designs[design]["backlog_growth_per_week"]
        assert set(growth) == {"mean", "ci95"}
        assert "on_time_promised_rate" in designs[design]
    _, err = run_cli(capsys, overloaded(default_scenario), tmp_path, "--format", "json")
    assert err.count("is not keeping up") == 2


def test_results_say_which_designs_keep_up(default_scenario):
    heavy = run_experiment(overloaded(default_scenario), ["none", "pm"]).backlog_trends()
    assert not any(t.keeping_up for t in heavy.values())
    assert all(t.growth_per_week - t.ci95 > 0 for t in heavy.values())
    calm = run_experiment(light(default_scenario), ["none", "pm"]).backlog_trends()
    assert all(t.keeping_up for t in calm.values())


# ---------------------------------------------------------------------------------------------------------------
# Files and links written before keys were renamed

OLD_FILE = """
name = "Written before coordinator time scaled with the work"
weeks = 4
warmup_weeks = 1
replications = 2

[behaviour]
pm_hours_per_request = 0.75
"""


def test_an_old_scenario_file_opens_with_the_new_values_and_one_note(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text(OLD_FILE)
    notes: list[str] = []
    scenario = load_scenario(path, notes=notes)
    assert scenario.behaviour.pm_hours_fixed == 0.75
    assert scenario.behaviour.pm_effort_share == 0.0
    assert len(notes) == 1 and "behaviour.pm_hours_per_request" in notes[0]


def test_the_cli_prints_the_note_of_an_old_file_once(tmp_path, capsys):
    path = tmp_path / "old.toml"
    path.write_text(OLD_FILE)
    assert main(["run", str(path), "--designs", "pm", "--serial", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "behaviour.pm_hours_per_request" in notes[0] and "behaviour.pm_hours_fixed = 0.75" in notes[0]


@pytest.fixture(scope="module")
def presets():
    return load_presets()


def test_an_old_link_opens_with_the_new_values_and_one_note(presets):
    decoded = params_to_scenario({"v": "1", "preset": "default", "behaviour.am_hours_per_request": "1.5"}, presets)
    assert decoded.warnings == []
    assert decoded.scenario.behaviour.am_hours_fixed == 1.5
    assert decoded.scenario.behaviour.am_effort_share == 0.0
    assert len(decoded.notes) == 1 and "behaviour.am_hours_per_request" in decoded.notes[0]
    # written again, the link speaks the new keys only
    params = scenario_to_params(decoded.scenario, decoded.preset, presets)
    assert not set(params) & set(LEGACY_KEYS)
    assert params_to_scenario(params, presets).scenario == decoded.scenario


def test_in_an_old_link_a_new_key_set_too_wins_and_a_bad_old_value_is_named(presets):
    decoded = params_to_scenario({"preset": "default", "behaviour.pm_hours_per_request": "2",
                                  "behaviour.pm_hours_fixed": "0.4", "behaviour.pm_effort_share": "0.08"}, presets)
    assert (decoded.scenario.behaviour.pm_hours_fixed, decoded.scenario.behaviour.pm_effort_share) == (0.4, 0.08)
    decoded = params_to_scenario({"preset": "default", "behaviour.pm_hours_per_request": "lots"}, presets)
    assert decoded.scenario.behaviour == presets["default"].behaviour
    assert len(decoded.warnings) == 1 and decoded.warnings[0].startswith("Ignored behaviour.pm_hours_per_request=lots")


def test_an_old_file_and_the_same_file_with_new_keys_give_the_same_numbers():
    old = loads(OLD_FILE)
    new = loads(OLD_FILE.replace("pm_hours_per_request = 0.75", "pm_hours_fixed = 0.75\npm_effort_share = 0.0"))
    assert old == new
