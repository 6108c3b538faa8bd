"""What calibration says in words: a fitted assumption at the edge of its range agrees with the verdict beside it,
and a team that cannot be counted is told why, with the remedy its reader can use. Exports are written by hand, a
few lines each, so every message is known exactly."""

from __future__ import annotations

import pytest

from sim.calibration.backtest import Backtest
from sim.calibration.fit import fit
from sim.calibration.formats import read_export
from sim.calibration.pipeline import Calibration

OBSERVED = {"lead_time_days": 5.0, "on_time_rate": 0.8, "weeks": 10.0}
EDGE = "behaviour.clarity_with_am"  # plausible 0.8 to 0.95


def generic(rows: list[str], header: str = "created,resolved,type,client,effort_hours,due,assignee") -> bytes:
    """A generic CSV export: the header, then each row 20 times (the fewest tickets a fit takes) on successive
    days of May 2024, so `{day}` in a row is that day's date."""
    lines = [header] + [row.format(day=f"2024-05-{1 + i % 28:02d}") for i in range(20) for row in rows]
    return ("\n".join(lines) + "\n").encode()


FULL_ROW = "{day} 09:00,{day} 15:00,Bug,Acme,3,{day},Ann"


@pytest.fixture(scope="module")
def small_fit(default_scenario):
    return fit(read_export(generic([FULL_ROW]), "t.csv"), default_scenario)


def model(lead: float, on: float) -> dict[str, dict[str, float]]:
    return {"lead_time_days": {"mean": lead, "ci95": 0.1}, "on_time_rate": {"mean": on, "ci95": 0.01}}


def at_the_edge(small_fit, after: dict[str, dict[str, float]]) -> Calibration:
    """A calibration whose back-test fitted one assumption to the top of its plausible range."""
    screen = [{"path": EDGE, "low": 0.8, "high": 0.95, "lead_time_change": -1.0, "on_time_change": 0.1,
               "effect": 0.2}]
    backtest = Backtest("none", 10, OBSERVED, model(8.0, 0.5), after, {EDGE: 0.95}, screen, small_fit.scenario)
    return Calibration(read_export(generic([FULL_ROW]), "t.csv"), small_fit, backtest)


def test_a_close_fit_at_the_edge_of_a_range_says_check_it_and_not_that_the_gap_cannot_close(small_fit):
    result = at_the_edge(small_fit, model(5.0, 0.8))
    assert result.backtest is not None and result.backtest.verdict == "close"
    assert result.warnings[len(small_fit.warnings):] == [
        "Clarity with AM was fitted to 0.95, the high end of its plausible range (0.8 to 0.95). With it the model "
        "is close to your record, but a value at the edge of what is plausible is worth checking against what you "
        "know of your firm."]
    assert not any("cannot close" in w or "can close" in w for w in result.warnings)


@pytest.mark.parametrize(("after", "verdict", "distance"), [
    (model(6.2, 0.8), "roughly", "only roughly close to"),
    (model(8.0, 0.8), "far", "far from"),
])
def test_a_fit_at_the_edge_that_leaves_a_gap_says_plausible_values_cannot_close_it(small_fit, after, verdict,
                                                                                     distance):
    result = at_the_edge(small_fit, after)
    assert result.backtest is not None and result.backtest.verdict == verdict
    assert result.warnings[len(small_fit.warnings):] == [
        f"Clarity with AM was fitted to 0.95, the high end of its plausible range (0.8 to 0.95), and the model is "
        f"still {distance} your record: the gap is wider than plausible values of it can close, so the model lacks "
        "or overstates something for this firm."]
