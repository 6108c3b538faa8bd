"""The inputs a partner changes most are in the app: prices and costs, and every behavioural assumption with its
help, source grade and plausible range; what they set reaches the scenario that runs."""

from __future__ import annotations

import dataclasses

import pytest

from sim.scenario import Behaviour
from tests.test_app_pages import assert_clean, open_app, press_run
from ui.sidebar_assumptions import NOT_IN_ASSUMPTIONS


@pytest.mark.deep
def test_bill_rate_and_every_behavioural_assumption_are_inputs():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    assert_clean(at)
    keys = {w.key for w in [*at.sidebar.number_input, *at.sidebar.toggle]}
    assert {"input:economics.bill_rate", "input:economics.overhead_factor", "input:economics.late_discount",
            "input:demand.share_of_wallet", "input:demand.prospects_per_year", "input:demand.win_rate"} <= keys
    behaviour = {f"input:behaviour.{f.name}" for f in dataclasses.fields(Behaviour) if f.name not in NOT_IN_ASSUMPTIONS}
    assert behaviour <= keys, behaviour - keys
    handoff = at.sidebar.number_input(key="input:behaviour.handoff_hours")
    assert "Source: assumption" in handoff.help and "Plausible range 0.25 to 1" in handoff.help


@pytest.mark.deep
def test_a_changed_assumption_and_bill_rate_reach_the_scenario():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.number_input(key="input:behaviour.handoff_hours").set_value(1.5)
    at.sidebar.number_input(key="input:economics.bill_rate").set_value(150.0)
    at.sidebar.toggle(key="input:behaviour.peer_help").set_value(False)
    press_run(at)
    assert_clean(at)
    overrides = at.session_state["scenario.overrides"]
    assert overrides["behaviour.handoff_hours"] == 1.5
    assert overrides["economics.bill_rate"] == 150.0
    assert overrides["behaviour.peer_help"] is False
