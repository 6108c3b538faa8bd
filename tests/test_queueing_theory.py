"""With every mechanism switched off the model's special cases are textbook queues, so their mean waits must
match the formulas: design `pm` is one M/M/c queue, design `none` is c separate M/M/1 queues, and `none` whose
engineers help each other as soon as a colleague has work waiting, at no hand-off cost, is one M/M/c queue again."""

from __future__ import annotations

import math

import pytest

from sim.experiment import run_experiment
from sim.scenario import from_dict, switched_on
from sim.stats import t_half_width

ENGINEERS = 4
CLIENTS = 40  # a multiple of ENGINEERS: each engineer's clients send exactly a c-th of the traffic
EFFORT_HOURS = 1.0
HOURS_PER_WEEK = 40.0


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C), written out from the formula, not taken from the model."""
    a = arrival_rate / service_rate
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
    return p_wait / (servers * service_rate - arrival_rate)


def mm1_wait(arrival_rate: float, service_rate: float) -> float:
    rho = arrival_rate / service_rate
    return rho / (service_rate - arrival_rate)


def textbook_scenario(load: float, weeks: int, replications: int, **behaviour):
    """Every mechanism at its switched-off value (the one switch, so mechanisms added later are covered too); one
    skill, exponential effort, identical clients."""
    arrivals_per_hour = load * ENGINEERS / EFFORT_HOURS
    return switched_on(from_dict({
        "seed": 7, "weeks": weeks, "warmup_weeks": 5, "replications": replications,
        "firm": {"engineers": ENGINEERS, "hours_per_week": HOURS_PER_WEEK},
        "demand": {
            "clients": CLIENTS, "client_size_cv": 0.0, "growth_per_year": 0.0,
            "requests_per_client_per_week": arrivals_per_hour * HOURS_PER_WEEK / CLIENTS,
            "work_types": {"task": {"share": 1.0, "effort_hours": EFFORT_HOURS, "effort_cv": 1.0,
                                    "deadline_days": 5.0}},
        },
        "behaviour": {"all_mechanisms_off": True},
        "process": {"standardised_work": False, "checkins": False, "status_updates": False},
    }), **behaviour)


# Higher loads need longer runs for the same precision: the variance of the mean wait grows like 1 / (1 - rho)^4.
# `make test` runs the case at load 0.5; the deep tier the heavier ones, the case at 0.9 the longest of the suite.
CASES = [(0.5, 40, 8), pytest.param(0.8, 100, 8, marks=pytest.mark.deep),
         pytest.param(0.9, 250, 10, marks=pytest.mark.deep)]


@pytest.mark.parametrize(("load", "weeks", "replications"), CASES)
def test_pooled_queue_matches_erlang_c_and_separate_queues_match_mm1(load, weeks, replications):
    """Deep tier: the cases at loads 0.8 and 0.9 (about 6 s and 17 s, as their runs are long)."""
    scenario = textbook_scenario(load, weeks, replications)
    results = run_experiment(scenario, ["pm", "none"])
    kpis = results.kpis(["wait_hours", "engineer_utilization"]).set_index(["design", "metric"])
    lam, mu = load * ENGINEERS / EFFORT_HOURS, 1.0 / EFFORT_HOURS

    expected = {"pm": erlang_c_wait(lam, mu, ENGINEERS), "none": mm1_wait(lam / ENGINEERS, mu)}
    for design, theory in expected.items():
        mean, half = kpis.loc[(design, "wait_hours"), ["mean", "ci95"]]
        assert abs(mean - theory) <= half, f"{design} at load {load}: {mean:.3f} +/- {half:.3f} vs theory {theory:.3f}"
        util, util_half = kpis.loc[(design, "engineer_utilization"), ["mean", "ci95"]]
        assert abs(util - load) <= max(util_half, 0.01)


PEER_HELP_AT_ONCE = {"peer_help": True, "peer_help_threshold_hours": 0.0, "handoff_hours": 0.0}


@pytest.mark.parametrize(("load", "weeks", "replications"), CASES[:2])
def test_engineers_who_help_at_once_are_one_pooled_queue(load, weeks, replications):
    """Deep tier: the case at load 0.8 (about 2 s)."""
    scenario = textbook_scenario(load, weeks, replications, **PEER_HELP_AT_ONCE)
    kpis = run_experiment(scenario, ["none"]).kpis(["wait_hours"]).set_index("design")
    mean, half = kpis.loc["none", ["mean", "ci95"]]
    theory = erlang_c_wait(load * ENGINEERS / EFFORT_HOURS, 1.0 / EFFORT_HOURS, ENGINEERS)
    assert abs(mean - theory) <= half, f"load {load}: {mean:.3f} +/- {half:.3f} vs theory {theory:.3f}"


@pytest.mark.deep
def test_pooling_waits_less_than_separate_queues_at_the_same_load():
    """Deep tier: about 1 s, as it simulates long or many runs for a statistical or comparative check."""
    results = run_experiment(textbook_scenario(0.8, 40, 4), ["pm", "none"])
    diff = results.versus("none", ["wait_hours"]).set_index("design").loc["pm"]
    assert diff["mean"] + diff["ci95"] < 0


@pytest.mark.deep
def test_littles_law_holds_for_the_pooled_queue():
    """L = lambda * W, replication by replication: the mean backlog equals the arrival rate that replication saw
    times its mean time in the system.
    Deep tier: about 2 s, as it simulates long or many runs for a statistical or comparative check."""
    scenario = textbook_scenario(0.8, 40, 16)  # snapshots are noisy: many short replications
    results = run_experiment(scenario, ["pm"])
    summary = results.summary.set_index("replication")
    arrivals_per_week = summary.arrived / scenario.weeks
    in_system_weeks = summary.lead_time_days / 5
    backlog = results.weekly.groupby("replication").backlog.mean()  # week-end snapshots sample the time average
    gap = (backlog - arrivals_per_week * in_system_weeks).to_numpy()
    assert abs(gap.mean()) <= t_half_width(gap)
