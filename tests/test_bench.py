"""The benchmark's workload is the M/M/c queue it claims to be, and `make bench` still runs (no timing asserted)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import run as bench
from sim.model import simulate


@pytest.fixture(scope="module")
def record():
    return bench.main(["--repeats", "1", "--weeks", "2", "--sections", "designs,sizes,cli", "--no-save"])


def test_erlang_c_matches_the_textbook_m_m_2():
    # M/M/2 with A = 1: P_W = 1/3, so W_q = P_W * S / (c - A) = S / 3.
    assert bench.erlang_c_wait(arrival_rate=0.5, service_hours=2.0, servers=2) == pytest.approx(2.0 / 3)


def test_the_scenario_is_an_m_m_c_queue_under_design_pm():
    scenario = bench.mmc_scenario(weeks=2)
    run = simulate(scenario, "pm", 0)
    efforts = np.array([r.effort for r in run.requests])
    gaps = np.diff([r.arrival for r in run.requests])
    # Exponential service and inter-arrival times have a coefficient of variation of 1.
    assert efforts.std() / efforts.mean() == pytest.approx(1.0, abs=0.05)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.05)
    assert efforts.mean() == pytest.approx(bench.SERVICE_HOURS, rel=0.05)
    assert 1 / gaps.mean() == pytest.approx(bench.arrival_rate(), rel=0.05)
    # First come, first served: requests start in the order they arrived.
    started = np.array([r.started for r in run.requests if not np.isnan(r.started)])
    assert (np.diff(started) >= 0).all()


def test_both_simpy_loops_give_the_same_waits():
    # Same draws, c identical servers, first come first served: the wait of every customer is the same.
    _, textbook = bench.simpy_textbook(weeks=1, seed=7)
    _, pull = bench.simpy_pull(weeks=1, seed=7)
    np.testing.assert_allclose(textbook, pull)


def test_every_contestant_simulated_the_same_queue(record):
    # The ratios compare like with like only if each contestant ran the whole horizon of the same M/M/c queue.
    queue = record["queue"]
    arrived = [t["requests"] for t in queue.values()]
    assert min(arrived) > 5000 and max(arrived) < 1.1 * min(arrived)
    assert all(t["wait_hours"] > 0 for t in queue.values())
