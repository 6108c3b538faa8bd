"""Face validity as findings: presets that describe firms only (staff, clients, share of wallet, work, deadlines),
with the default behaviour, give the rules of thumb of the org-design article where a firm matches them. Nothing is
tuned per preset; MODEL.md ("Where the model and the rules of thumb meet") has the figures and the contributions.

Deep tier: every test here shares the five presets' comparisons (about 20 s), so the module is in `make test-deep`.
"""

from __future__ import annotations

import pytest

from sim.experiment import Results, run_experiment
from sim.presets import load_presets
from sim.stats import t_half_width

pytestmark = pytest.mark.deep

SINGLE_HIRES = ("pm", "am", "hybrid")
REPLICATIONS = 6


@pytest.fixture(scope="module")
def results() -> dict[str, Results]:
    presets = load_presets()
    names = ("request_flow", "account_growth", "small_firm", "overloaded", "one_hire")
    return {name: run_experiment(presets[name].replace(replications=REPLICATIONS)) for name in names}


def profit_gaps(results: Results) -> dict[str, tuple[float, float]]:
    """Each design's profit over `none`, mean and 95 % half-width, paired by replication."""
    frame = results.summary.pivot(index="replication", columns="design", values="profit")
    gaps = frame.sub(frame["none"], axis=0)
    return {d: (float(gaps[d].mean()), t_half_width(gaps[d].to_numpy())) for d in gaps if d != "none"}


@pytest.mark.deep
def test_where_the_pain_is_a_flow_of_urgent_requests_a_pm_is_the_best_single_coordinating_hire(results):
    """Deep tier: about 12 s, as it simulates long or many runs for a statistical or comparative check."""
    gaps = profit_gaps(results["request_flow"])
    assert max(SINGLE_HIRES, key=lambda d: gaps[d][0]) == "pm"
    assert gaps["pm"][0] - gaps["pm"][1] > 0  # and it pays its salary beyond noise


def test_where_accounts_have_room_and_engineers_spare_hours_an_am_is_the_best_single_hire(results):
    gaps = profit_gaps(results["account_growth"])
    assert max(SINGLE_HIRES, key=lambda d: gaps[d][0]) == "am"
    assert gaps["am"][0] - gaps["am"][1] > 0


def test_where_nothing_is_broken_and_accounts_are_fully_served_no_hire_pays(results):
    for design, (mean, half) in profit_gaps(results["small_firm"]).items():
        assert mean + half < 0, f"{design}: {mean:+.0f} ± {half:.0f}"


def test_with_budget_for_one_and_both_pains_moderate_a_hybrid_is_competitive(results):
    """The hybrid is the best single hire, or not told apart from the best one over simulation noise."""
    summary = results["one_hire"].summary.pivot(index="replication", columns="design", values="profit")
    gaps = profit_gaps(results["one_hire"])
    best = max(SINGLE_HIRES, key=lambda d: gaps[d][0])
    behind = (summary[best] - summary["hybrid"]).to_numpy()
    assert best == "hybrid" or behind.mean() - t_half_width(behind) <= 0
    assert gaps["hybrid"][0] - gaps["hybrid"][1] > 0


def test_with_far_more_work_than_hours_every_design_loses_clients_and_none_gains_much(results):
    r = results["overloaded"]
    kpis = r.kpis(["clients_lost", "revenue"]).set_index(["design", "metric"])["mean"]
    lost = {d: kpis.loc[(d, "clients_lost")] for d in r.designs}
    assert all(count > 0 for count in lost.values())
    for design in ("am", "hybrid", "both"):
        assert lost[design] >= 0.5 * lost["none"], f"{design} keeps its clients despite the overload"
    for design in r.designs:
        assert kpis.loc[(design, "revenue")] - kpis.loc[("none", "revenue")] <= 0.5 * kpis.loc[("none", "revenue")]


def test_the_overloaded_firm_has_about_2_7_times_more_work_than_hours():
    s = load_presets()["overloaded"]
    work = s.demand.clients * s.demand.requests_per_client_per_week * sum(
        w.share * w.effort_hours for w in s.demand.work_types.values())
    assert work / (s.firm.engineers * s.firm.hours_per_week) == pytest.approx(2.7, abs=0.05)
