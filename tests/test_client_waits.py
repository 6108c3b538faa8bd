"""Waiting on the client: finished work that waits for the client's answer adds exactly its hours to the lead time,
on no one's hours, under every design by the same rule; the client does not hold its own wait against the firm; a
request still with the client at the end is open; and the waits are drawn from each client's own stream, with the
share, mean and spread the scenario gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.demand import CandidateDraws, client_streams
from sim.measure import measure
from sim.model import WITH_CLIENT, ScriptedRequest, simulate
from sim.scenario import from_dict
from tests.conftest import small
from tests.test_model_formulas import EFFORT, hours_by_category, scenario_for

WAIT = 16.0


def run_with(scenario, design: str, *requests: tuple[float, float]):
    """(hour, wait) requests of client 0, work type 0."""
    return simulate(scenario, design, 0, script=[ScriptedRequest(hour, 0, 0, wait=wait) for hour, wait in requests])


@pytest.mark.parametrize("design", ["none", "pm", "am", "hybrid", "both"])
def test_a_wait_adds_exactly_its_hours_to_the_lead_time_under_every_design(design):
    s = scenario_for(behaviour={"client_contact_hours": 1.0, "am_hours_fixed": 0.3, "pm_hours_fixed": 0.2})
    plain = run_with(s, design, (0.0, 0.0))
    waited = run_with(s, design, (0.0, WAIT))
    assert waited.requests[0].done - plain.requests[0].done == pytest.approx(WAIT)
    assert hours_by_category(waited) == pytest.approx(hours_by_category(plain))  # no one's hours
    assert waited.coordinator_blocks == plain.coordinator_blocks


def test_the_engineer_is_free_while_the_work_waits_on_the_client():
    s = scenario_for()
    run = run_with(s, "none", (0.0, WAIT), (EFFORT + 1.0, 0.0))
    first, second = run.requests
    assert first.done == pytest.approx(EFFORT + WAIT)
    assert second.started == pytest.approx(EFFORT + 1.0)
    assert second.done == pytest.approx(2 * EFFORT + 1.0)


def test_the_client_does_not_hold_its_own_wait_against_the_firm():
    """Done at hour 10 + 60 against a 40-hour deadline: late on the calendar, on time once the clock stops for the
    client's 60 hours; billed in full and counted on time."""
    s = scenario_for(economics={"late_discount": 0.2})
    run = run_with(s, "none", (0.0, 60.0))
    (req,) = run.requests
    assert req.done == pytest.approx(EFFORT + 60.0)
    assert req.asked_deadline == pytest.approx(5 * 8.0 + 60.0)
    assert req.billed == pytest.approx(EFFORT * s.economics.bill_rate)
    summary, _, _ = measure(run)
    assert summary["on_time_rate"] == 1.0
    assert summary["lead_time_days"] == pytest.approx((EFFORT + 60.0) / 8.0)


def test_a_request_still_with_the_client_at_the_end_is_open():
    s = scenario_for()
    run = run_with(s, "none", (0.0, 4 * 40.0))  # the run is 4 weeks long
    (req,) = run.requests
    assert req.state == WITH_CLIENT and math.isnan(req.done)
    summary, _, _ = measure(run)
    assert summary["open_at_end"] == 1
    assert summary["throughput_per_week"] == 0.0


def waiting_scenario(share: float, days: float, cv: float):
    types = {"a": {"share": 0.5, "effort_hours": 8.0, "client_wait_share": share, "client_wait_days": days,
                   "client_wait_cv": cv},
             "b": {"share": 0.5, "effort_hours": 8.0}}
    return from_dict({"demand": {"work_types": types}})


def test_the_waits_have_the_share_mean_and_spread_the_scenario_gives():
    s = waiting_scenario(0.3, 2.0, 0.5)
    kind = np.repeat([0, 1], 20_000)
    hours = CandidateDraws(s).client_waits(np.random.default_rng(7), kind)
    waits = hours[:20_000][hours[:20_000] > 0]
    assert not hours[20_000:].any()  # type b never waits
    share = waits.size / 20_000
    assert abs(share - 0.3) < 3 * math.sqrt(0.3 * 0.7 / 20_000)
    mean_se = waits.std(ddof=1) / math.sqrt(waits.size)
    assert abs(waits.mean() - 2.0 * 8.0) < 3 * mean_se
    assert waits.std(ddof=1) / waits.mean() == pytest.approx(0.5, abs=0.03)
    fixed = CandidateDraws(waiting_scenario(1.0, 2.0, 0.0)).client_waits(np.random.default_rng(7), kind[:100])
    assert fixed[:100] == pytest.approx(np.full(100, 16.0))


def test_a_request_waits_the_same_under_every_design_and_designs_keep_their_common_requests():
    s = small(waiting_scenario(0.5, 3.0, 1.0), weeks=8, replications=2)
    runs = {d: simulate(s, d, 0) for d in ("none", "pm", "am")}
    drawn = {d: {(r.client, round(r.arrival, 9)): r.client_wait for r in run.requests} for d, run in runs.items()}
    common = set(drawn["none"]) & set(drawn["pm"]) & set(drawn["am"])
    assert len(common) > 100
    assert any(drawn["none"][k] > 0 for k in common) and any(drawn["none"][k] == 0 for k in common)
    for key in common:
        assert drawn["none"][key] == drawn["pm"][key] == drawn["am"][key]


def test_waits_come_from_a_stream_of_their_own():
    """The client's first three streams are what they were before waits existed, so a firm whose clients never
    wait makes the same draws (the golden back-tests pin that too)."""
    streams = client_streams(3, 1, (1, 4))
    assert list(streams) == ["requests", "referrals", "departure", "waits"]
    root = np.random.SeedSequence(entropy=3, spawn_key=(1, 1, 4))
    for name, child in zip(("requests", "referrals", "departure"), root.spawn(3), strict=True):
        assert streams[name].uniform() == np.random.default_rng(child).uniform()
