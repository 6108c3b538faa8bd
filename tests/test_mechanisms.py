"""Each mechanism pushes the numbers in the direction its story says. Variants share the seed, so replication i of
both sees the same demand (common random numbers) and we compare them replication by replication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiment import run_experiment
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


def test_upsells_raise_revenue_and_load(base):
    longer = variant(base, weeks=30, replications=10)  # extra requests shift every later event: more noise
    no_upsell = variant(longer, behaviour={"upsell": False})
    assert_higher(per_replication(longer, "am", "revenue"), per_replication(no_upsell, "am", "revenue"))
    assert_higher(per_replication(longer, "am", "arrived"), per_replication(no_upsell, "am", "arrived"))
    assert (per_replication(no_upsell, "am", "upsell_revenue") == 0).all()


def test_a_salesperson_sells_extra_work(base):
    sales = variant(base, designs={"am": {"account_managers": 1, "sales_share": 1.0}})
    assert_higher(per_replication(sales, "am", "upsell_revenue"), per_replication(base, "am", "upsell_revenue"))


def test_skill_mismatch_factor_one_switches_it_off(base):
    off = variant(base, behaviour={"skill_mismatch_factor": 1.0})
    assert (hours(off, "pm", "skill_mismatch") == 0).all()
    assert (hours(base, "pm", "skill_mismatch") > 0).any()


def test_one_pm_for_forty_engineers_is_a_bottleneck(base):
    big = variant(base, firm={"engineers": 40, "skills": {"development": 30, "operations": 10}},
                  demand={"clients": 100})
    s = run_experiment(big, ["pm"]).summary
    assert (s.coordinator_utilization > 0.95).all()
    small_firm = run_experiment(base, ["pm"]).summary
    assert_higher(s.sort_values("replication").wait_hours.to_numpy(),
                  small_firm.sort_values("replication").wait_hours.to_numpy())


def test_churn_off_keeps_every_client(base):
    stressed = variant(base, demand={"requests_per_client_per_week": 1.1})
    assert run_experiment(stressed, ["none"]).summary.clients_lost.sum() > 0
    calm = variant(stressed, behaviour={"churn": False})
    s = run_experiment(calm, ["none"]).summary
    assert (s.clients_lost == 0).all() and (s.dropped == 0).all()


def test_standardised_work_lowers_rework(base):
    checklists = variant(base, process={"standardised_work": True})
    assert_higher(hours(base, "none", "rework"), hours(checklists, "none", "rework"))
    assert (hours(checklists, "none", "overhead") > 0).all()


def test_status_updates_soften_lateness_for_the_client(base):
    stressed = variant(base, demand={"requests_per_client_per_week": 1.1})
    informed = variant(stressed, process={"status_updates": True}, behaviour={"status_update_hours": 0.0})
    lost_uninformed = per_replication(stressed, "none", "clients_lost").sum()
    assert per_replication(informed, "none", "clients_lost").sum() < lost_uninformed


def test_checkins_make_promised_deadlines_follow_capacity(base):
    """Without check-ins an AM next to a PM promises what the client asks; with them, what capacity allows: more
    promises kept (the client's own ask is another matter, `on_time_rate`)."""
    busy = variant(base, demand={"requests_per_client_per_week": 1.1})
    with_checkins = variant(busy, process={"checkins": True})
    assert_higher(per_replication(with_checkins, "both", "on_time_promised_rate"),
                  per_replication(busy, "both", "on_time_promised_rate"))


def test_same_seed_same_numbers_serial_and_pool(base):
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
    """Common random numbers: designs without upsells, churn or referrals see exactly the same arrivals."""
    calm = variant(base, behaviour={"churn": False, "upsell": False, "am_new_client_boost": 0.0})
    s = run_experiment(calm).summary.pivot(index="replication", columns="design", values="arrived")
    assert (s.nunique(axis=1) == 1).all()
