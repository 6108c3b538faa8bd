"""Every request is accounted for, and the money adds up."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment import run_experiment
from tests.conftest import small


@pytest.fixture(scope="module")
def results(default_scenario):
    return run_experiment(small(default_scenario, weeks=16, replications=3))


def test_conservation_in_every_run(results):
    s = results.summary
    assert (s.arrived == s.delivered + s.open_at_end + s.dropped).all()
    assert (s.arrived > 0).all()


def test_profit_is_revenue_minus_cost(results):
    s = results.summary
    np.testing.assert_allclose(s.profit, s.revenue - s.cost)


def test_engineer_hours_add_up_to_the_week(results, default_scenario):
    per_run = results.time_use.groupby(["design", "replication"]).hours_per_engineer_week.sum()
    np.testing.assert_allclose(per_run, default_scenario.firm.hours_per_week, rtol=1e-9)


def test_utilization_matches_the_time_breakdown(results, default_scenario):
    tu = results.time_use[results.time_use.category != "idle"]
    busy = tu.groupby(["design", "replication"]).hours_per_engineer_week.sum() / default_scenario.firm.hours_per_week
    util = results.summary.set_index(["design", "replication"]).engineer_utilization
    np.testing.assert_allclose(busy.sort_index(), util.sort_index(), rtol=1e-9)


def test_weekly_throughput_adds_up_to_the_summary(results):
    weekly = results.weekly.groupby(["design", "replication"]).throughput.sum()
    summary = results.summary.set_index(["design", "replication"])
    weeks = results.scenario.weeks
    np.testing.assert_allclose(weekly.sort_index(), (summary.throughput_per_week * weeks).sort_index())


def test_block_hours_are_spread_over_the_weeks_they_span():
    from sim.measure import spread_over_weeks

    # One block of 30 h from hour 30 to 60 (20 h of work, 10 h of talk) and one of 5 h inside the second week.
    starts, ends = np.array([30.0, 45.0]), np.array([60.0, 50.0])
    hours = np.array([[20.0, 10.0], [5.0, 0.0]])
    weekly = spread_over_weeks(starts, ends, hours, np.array([0.0, 40.0, 80.0]))
    # A third of the long block falls in week one, two thirds in week two, with the short block.
    np.testing.assert_allclose(weekly, [[20 / 3, 10 / 3], [40 / 3 + 5, 20 / 3]])


def test_a_ten_year_run_accounts_for_every_engineer_hour(default_scenario):
    from sim.measure import measure
    from sim.model import simulate

    long_run = small(default_scenario, weeks=520, replications=2, demand={
        **default_scenario.to_dict()["demand"], "clients": 10})
    summary, weekly, time_use = measure(simulate(long_run, "pm", 0))
    assert len(weekly) == 520
    hours = sum(row["hours_per_engineer_week"] for row in time_use)
    assert hours == pytest.approx(long_run.firm.hours_per_week)
