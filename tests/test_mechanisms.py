"""Each mechanism pushes the numbers in the direction its story says. Variants share the seed, so replication i of
both sees the same demand (common random numbers) and we compare them replication by replication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiment import run_experiment
from sim.model import simulate
from sim.parallel import local_pool
from sim.scenario import from_dict
from sim.stats import t_half_width
from tests.conftest import small


def variant(base, **sections):
    """The scenario with some keys changed: a section's keys (behaviour={"churn": False}) or a top-level value."""
    data = base.to_dict()
    for section, changes in sections.items():
        if isinstance(changes, dict):
            data[section] = {**data.get(section, {}), **changes}
        else:
            data[section] = changes
    return from_dict(data)


def per_replication(scenario, design, metric):
    s = run_experiment(scenario, [design]).summary
    return s.sort_values("replication")[metric].to_numpy()


def hours(scenario, design, category):
    tu = run_experiment(scenario, [design]).time_use
    rows = tu[tu.category == category].sort_values("replication")
    return rows.hours_per_engineer_week.to_numpy()


def assert_higher(high: np.ndarray, low: np.ndarray) -> None:
    """The paired difference is above zero with 95 % confidence."""
    diff = high - low
    assert diff.mean() - t_half_width(diff) > 0, f"difference {diff.mean():.4g} +/- {t_half_width(diff):.4g}"


@pytest.fixture(scope="module")
def base(default_scenario):
    return small(default_scenario, weeks=16, replications=5)


def test_more_engineers_never_raise_the_mean_wait(base):
    more = variant(base, designs={"pm": {"project_managers": 1, "extra_engineers": 3},
                                  "none": {"extra_engineers": 3}})
    for design in ("pm", "none"):
        assert (per_replication(more, design, "wait_hours") <= per_replication(base, design, "wait_hours")).all()


def test_less_clarity_means_more_rework(base):
    vague = variant(base, behaviour={"clarity_without_am": 0.4})
    clear = variant(base, behaviour={"clarity_without_am": 0.95})
    assert_higher(hours(vague, "none", "rework"), hours(clear, "none", "rework"))


def test_rework_share_zero_switches_rework_off(base):
    off = variant(base, behaviour={"rework_effort_share": 0.0})
    assert (hours(off, "none", "rework") == 0).all()


def test_concurrent_work_costs_switching_hours_in_pooled_and_own_queues_alike(base):
    no_setup = variant(base, behaviour={"switch_setup_hours": 0.0})
    without = variant(no_setup, behaviour={"context_switch_loss": [0.0]})
    for design in ("none", "pm"):
        assert (hours(without, design, "context_switch") == 0).all()
        assert (hours(no_setup, design, "context_switch") > 0).all(), design


def test_an_account_manager_lowers_engineer_communication_hours(base):
    both = run_experiment(base, ["none", "am"]).time_use
    talk = both[both.category == "communication"].set_index(["design", "replication"]).hours_per_engineer_week
    assert (talk.loc["am"] < talk.loc["none"]).all()


@pytest.mark.deep
def test_account_time_grows_the_share_of_wallet_and_the_work(base):
    """An AM's free hours go to accounts with room to grow: switched off, shares and requests are lower.
    Deep tier: about 1 s, as it simulates long or many runs for a statistical or comparative check."""
    longer = variant(base, weeks=30, replications=8)
    no_growth = variant(longer, behaviour={"account_growth_per_hour": 0.0})
    assert_higher(per_replication(longer, "am", "share_of_wallet"), per_replication(no_growth, "am",
                                                                                    "share_of_wallet"))
    assert_higher(per_replication(longer, "am", "arrived"), per_replication(no_growth, "am", "arrived"))
    assert (per_replication(no_growth, "am", "account_hours_per_week") == 0).all()  # nothing to spend them on


def test_a_salesperson_spends_account_time_like_an_am(base):
    sales = variant(base, designs={"sales": {"sales_share": 1.0}})
    hours_a_week = per_replication(sales, "sales", "account_hours_per_week")
    assert hours_a_week == pytest.approx(np.full(hours_a_week.size, base.firm.hours_per_week), rel=0.02)
    assert_higher(per_replication(sales, "sales", "share_of_wallet"), per_replication(sales, "none",
                                                                                     "share_of_wallet"))


def test_accounts_with_no_room_to_grow_get_no_account_time(base):
    full = variant(base, demand={"share_of_wallet": 1.0}, behaviour={"share_response": 0.0})
    assert (per_replication(full, "am", "account_hours_per_week") == 0).all()


def test_skill_mismatch_factor_one_switches_it_off(base):
    off = variant(base, behaviour={"skill_mismatch_factor": 1.0})
    assert (hours(off, "pm", "skill_mismatch") == 0).all()
    assert (hours(base, "pm", "skill_mismatch") > 0).any()


def test_a_swamped_pm_is_a_soft_gate(default_scenario):
    """One PM for 60 engineers: the desk is full all the time, but requests that wait too long, or whose engineer
    is idle, go straight to the engineers, so the firm delivers at least 97 % of what it delivers without the PM,
    at no more than 1.25 times the lead time."""
    big = small(default_scenario, weeks=12, replications=4)
    big = variant(big, firm={"engineers": 60, "skills": {"development": 45, "operations": 15}},
                  demand={"clients": 125})
    s = run_experiment(big, ["none", "pm"]).summary.set_index(["design", "replication"])
    assert (s.loc["pm"].coordinator_utilization > 0.95).all()
    assert s.loc["pm"].throughput_per_week.mean() >= 0.97 * s.loc["none"].throughput_per_week.mean()
    assert s.loc["pm"].lead_time_days.mean() <= 1.25 * s.loc["none"].lead_time_days.mean()
    walls = variant(big, behaviour={"desk_bypass": False})  # a hard gate: the same PM is a bottleneck
    assert_higher(per_replication(walls, "pm", "lead_time_days"), s.loc["pm"].lead_time_days.to_numpy())


def test_churn_off_leaves_only_the_base_rate_of_leaving(base):
    stressed = variant(base, demand={"requests_per_client_per_week": 1.1}, weeks=30, replications=8)
    calm = variant(stressed, behaviour={"churn": False})
    assert_higher(per_replication(stressed, "none", "clients_lost"), per_replication(calm, "none", "clients_lost"))
    nobody_leaves = variant(calm, demand={"client_attrition_per_year": 0.0})
    s = run_experiment(nobody_leaves, ["none"]).summary
    assert (s.clients_lost == 0).all() and (s.dropped == 0).all()


def test_standardised_work_lowers_rework(base):
    checklists = variant(base, process={"standardised_work": True})
    assert_higher(hours(base, "none", "rework"), hours(checklists, "none", "rework"))
    assert (hours(checklists, "none", "overhead") > 0).all()


def test_status_updates_soften_lateness_for_the_client(base):
    stressed = variant(base, demand={"requests_per_client_per_week": 1.1})
    informed = variant(stressed, process={"status_updates": True}, behaviour={"status_update_hours": 0.0})
    assert_higher(per_replication(informed, "none", "satisfaction"), per_replication(stressed, "none",
                                                                                  "satisfaction"))


def test_checkins_make_promised_deadlines_follow_capacity(base):
    """Without check-ins an AM next to a PM promises what the client asks; with them, what capacity allows: more
    promises kept (the client's own ask is another matter, `on_time_rate`)."""
    busy = variant(base, demand={"requests_per_client_per_week": 1.1})
    with_checkins = variant(busy, process={"checkins": True})
    assert_higher(per_replication(with_checkins, "both", "on_time_promised_rate"),
                  per_replication(busy, "both", "on_time_promised_rate"))


@pytest.mark.deep
def test_same_seed_same_numbers_serial_and_pool(base):
    """Deep tier: about 3 s, as it simulates long or many runs for a statistical or comparative check."""
    serial = run_experiment(base)
    again = run_experiment(base)
    pooled = run_experiment(base, executor=local_pool())
    for frame in ("summary", "weekly", "time_use"):
        pd.testing.assert_frame_equal(getattr(serial, frame), getattr(again, frame))
        pd.testing.assert_frame_equal(getattr(serial, frame), getattr(pooled, frame))


def test_a_different_seed_gives_different_numbers(base):
    other = variant(base, seed=base.seed + 1)
    assert not np.array_equal(per_replication(base, "none", "arrived"), per_replication(other, "none", "arrived"))


def test_designs_share_demand_replication_by_replication(base):
    """Common random numbers: with shares and stays that do not answer to service, every design sees exactly the
    same requests."""
    fixed = variant(base, behaviour={"churn": False, "share_response": 0.0, "account_growth_per_hour": 0.0},
                    demand={"referrals_per_client_per_year": 0.0})
    s = run_experiment(fixed).summary.pivot(index="replication", columns="design", values="arrived")
    assert (s.nunique(axis=1) == 1).all()


def test_a_request_sent_under_two_designs_is_the_same_request(base):
    """Demand that answers to service still has common random numbers: a client's candidates are its own draws, so a
    request both designs accept (same client, same hour) has the same work type and effort in both."""
    none, am = (simulate(base, design, 0) for design in ("none", "am"))
    sent = {(r.client, r.arrival): (r.kind, r.effort) for r in none.requests}
    both = [(key, sent[key]) for key in ((r.client, r.arrival) for r in am.requests) if key in sent]
    assert len(both) > 0.8 * len(none.requests)
    assert all(sent[key] == value for key, value in both)
    am_sent = {(r.client, r.arrival): (r.kind, r.effort) for r in am.requests}
    assert all(am_sent[key] == value for key, value in both)
