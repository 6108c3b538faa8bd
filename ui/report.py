"""The "Download report" button of Compare and Next hire: the page's results as one HTML file to send or print
(sim/report.py). The file is made only when the button is pressed (Streamlit calls `data` then, on its own
thread), so drawing a page never pays for the report's charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import streamlit as st

from sim.advisor import Advice, Objective
from sim.experiment import Results
from sim.links import DEFAULT_BASE_URL, PAGE_KEYS
from sim.parallel import ClusterError
from sim.report import Report, compare_settings, render, share_link
from sim.robust import Robustness
from sim.scenario import Scenario, ScenarioError, dumps
from ui import sureness
from ui.runner import advice_how_sure, how_sure
from ui.state import presets, read_state
from ui.why import shown_advice_explanation, shown_explanation

LABEL = "Download report (HTML, to send or print as PDF)"
HELP = ("One file with the answer, the scenario, the figures with their intervals, the charts, the assumptions that "
        "matter most and the link that reproduces it. It opens offline; the browser's Print, Save as PDF gives A4 "
        "pages.")


def app_address() -> str:
    """The address the app is served at, for the report's link (the default when the browser's is not known)."""
    url = st.context.url or ""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_BASE_URL


def _link(scenario: Scenario, page: Mapping[str, str]) -> str:
    """The link to this page with these results: the page's stored settings (what the app's own link carries),
    then what the page passes, which is what it showed."""
    state = read_state()
    settings = {k: v for k, v in state.page.items() if k in PAGE_KEYS}
    return share_link(scenario, {**settings, **page}, app_address(), preset=state.preset, presets=presets()[0])


def _button(make: Callable[[], Report], file_name: str) -> None:
    st.download_button(LABEL, data=lambda: render(make()), file_name=file_name, mime="text/html", on_click="ignore",
                       help=HELP, key=f"report:{file_name}")


def _shown(analysis: Callable[[], Robustness]) -> Robustness | None:
    """An analysis the page has just shown, from the cache; None if it could not run (the page said why)."""
    try:
        return analysis()
    except (ScenarioError, ClusterError):
        return None


def compare_button(scenario: Scenario, results: Results, baseline: str, objective: Objective) -> None:
    """Compare's report: the headline for `objective`, every figure and chart of the designs compared, and Why
    this answer and How sure is this? when the page has run them on the same objective."""
    designs = results.designs
    link = _link(scenario, compare_settings(designs, baseline, objective))
    robust = None
    explained = None
    if objective.single and sureness.was_asked((dumps(scenario), tuple(designs), objective.single)):
        robust = _shown(lambda: how_sure(scenario, designs, objective))
    if objective.single:
        explained = shown_explanation(scenario, results, objective.single)
    far, history = sureness.far_fit(scenario), sureness.fit_charts(scenario)
    _button(lambda: Report(scenario=scenario, objective=objective, link=link, results=results, baseline=baseline,
                           robust=robust, explanation=explained, far_fit=far, history=history),
            "orgsim-report.html")


def next_hire_button(scenario: Scenario, advice: Advice, grown: Advice | None = None) -> None:
    """Next hire's report: the recommendation for this year's demand with how sure it is (over the assumptions
    too, when the page has run that) and why (when the page has run that), the ranking (and the one at grown
    demand), the scenario and its link."""
    link = _link(scenario, {"page": "next_hire"})
    robust = None
    if sureness.was_asked((dumps(scenario), advice.budget, advice.objective.label)):
        robust = _shown(lambda: advice_how_sure(scenario, advice.budget, advice.objective, 0.0))
    explained = shown_advice_explanation(scenario, advice)
    far, history = sureness.far_fit(scenario), sureness.fit_charts(scenario)
    _button(lambda: Report(scenario=scenario, objective=advice.objective, link=link, advice=advice,
                           grown_advice=grown, advice_robust=robust, explanation=explained, far_fit=far,
                           history=history),
            "orgsim-next-hire-report.html")
