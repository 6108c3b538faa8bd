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
