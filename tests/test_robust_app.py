"""How sure is this? in the app: Compare and Next hire run the analysis when asked, the sidebar edits the ranges."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sim.presets import load_presets
from tests.conftest import ROOT
from tests.test_app_pages import assert_clean, open_app, press_run

KEPT = {"uncertainty.economics.salary.hybrid": [60_000.0, 400_000.0],
        "uncertainty.economics.salary.sales": [90_000.0, 100_000.0]}
# the default preset's ranges dropped (None removes an entry the preset has) but for two: a quick analysis
TINY = {"weeks": 6, "replications": 2,
        **{f"uncertainty.{p}": None for p in load_presets()["default"].uncertainty}, **KEPT}


def press(at, label: str):
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def open_compare(overrides: dict, designs: str, timeout: float = 60) -> AppTest:
    """Compare, opened on a scenario's overrides and a list of designs, drawn once and clean."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["scenario.overrides"] = overrides
    at.session_state["page.settings"] = {"designs": designs}
    at.run()
    assert_clean(at)
    return at


@pytest.mark.deep
def test_compare_tests_the_answer_against_the_ranges_when_asked():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_compare(TINY, "none,hybrid")
    assert any(h.value == "How sure is this?" for h in at.subheader)
    at = press(at, "Test the answer against the assumptions")
    assert_clean(at)
    verdict = [m.value for m in [*at.success, *at.info] if "of plausible assumptions" in m.value]
    assert len(verdict) == 1 and "simulation noise" in verdict[0]
    assert "salary of a hybrid" in verdict[0]  # the one range that matters decides, named in words
    table = at.dataframe[-1].value
    assert list(table.index) == ["No coordinator", "Hybrid PM/AM"]
    assert sum(int(p.rstrip(" %")) for p in table["Best in (share of plausible cases)"]) in (99, 100, 101)


@pytest.mark.deep
def test_the_sidebar_shows_the_ranges_and_an_edited_range_becomes_the_scenarios():
    """Deep tier: about 8 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides=TINY)
    low = at.sidebar.number_input(key="input:uncertainty.economics.salary.hybrid:low")
    assert low.value == 60_000.0
    low.set_value(70_000.0)
    at = press_run(at)
    assert_clean(at)
    overrides = at.session_state["scenario.overrides"]
    assert overrides["uncertainty.economics.salary.hybrid"] == [70_000.0, 400_000.0]
    assert overrides["uncertainty.economics.salary.sales"] == [90_000.0, 100_000.0]
    # back to the preset's range: the override goes, and the ranges the scenario dropped stay dropped
    at.sidebar.number_input(key="input:uncertainty.economics.salary.sales:high").set_value(130_000.0)
    at = press_run(at)
    overrides = at.session_state["scenario.overrides"]
    assert "uncertainty.economics.salary.sales" not in overrides
    assert overrides["uncertainty.behaviour.clarity_without_am"] is None


@pytest.mark.deep
def test_a_range_with_low_above_high_is_named_and_nothing_runs():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides=TINY)
    at.sidebar.number_input(key="input:uncertainty.economics.salary.sales:low").set_value(120_000.0)
    at = press_run(at)
    assert not at.exception
    assert any("uncertainty.economics.salary.sales" in e.value and "120000.0, 100000.0" in e.value
               and "low must not be above high" in e.value for e in at.error)


@pytest.mark.deep
def test_next_hire_tests_the_recommendation_against_the_runner_up():
    """Deep tier: about 13 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/next_hire.py", overrides={**TINY, "weeks": 4})
    assert_clean(at)
    at = press(at, "Test the advice against the assumptions")
    assert_clean(at)
    verdict = [m.value for m in [*at.success, *at.info] if "of plausible assumptions" in m.value]
    assert len(verdict) == 1
    assert len(at.dataframe[-1].value) == 2  # the recommended option and the runner-up


def test_the_analysis_says_its_real_cost_and_counts_its_real_work(default_scenario):
    """No "several seconds": the page says how many comparisons' worth of work the analysis is, and its progress
    bar says from the start how many replications it will run, then counts them."""
    from ui import runner, sureness

    words = sureness.settings_words(default_scenario)
    assert "several seconds" not in words
    work = runner.robust_work(default_scenario)
    assert f"about {work:.0f} times the work of the comparison" in words
    total = runner.robust_replications(default_scenario, 5, runner.ROBUST_SETTINGS)
    comparison = 5 * default_scenario.replications * (default_scenario.weeks + default_scenario.warmup_weeks)
    assert runner.robust_weeks(default_scenario, 5, runner.ROBUST_SETTINGS) == pytest.approx(work * comparison)

    texts = []

    class Bar:
        def progress(self, value, text):
            texts.append(text)
            return self

    progress = runner._progress_bar(Bar(), "", total)
    progress(10, total)
    assert texts[0].startswith(f"0 of {total:,} replications done")
    assert texts[1].startswith(f"10 of {total} replications done")
