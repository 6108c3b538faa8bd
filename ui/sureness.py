"""The "How sure is this?" section Compare and Next hire share: how the answer depends on what we do not know.

The ± elsewhere covers simulation noise on the scenario's assumptions; this section moves the uncertain inputs
over their ranges (the sidebar's "Uncertain inputs") and says how often the answer holds and which input would flip
it. It runs only when asked, since it simulates every design some eighty times.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from sim.calibration.backtest import Backtest, far_words
from sim.parallel import ClusterError
from sim.robust import Robustness, sentence, sureness
from sim.scenario import Scenario, ScenarioError, uncertain_ranges
from sim.wording import far_fit_sentence, weeks_words
from sim.wording import parameter_words as words_of
from ui import charts, tables
from ui.labels import AXIS_FORMAT, plain
from ui.runner import ROBUST_SETTINGS, robust_work, run_key, show_server_problem

REQUESTED_KEY = "sureness.requested"  # analyses the user asked for this session, by key


def parameter_words(path: str) -> str:
    """An input in words for a sentence, in italics."""
    clause = words_of(path)
    return f"*{clause[:1].lower()}{clause[1:]}*"


def settings_words(scenario: Scenario) -> str:
    s = ROBUST_SETTINGS
    weeks = min(s.weeks or scenario.weeks, scenario.weeks)
    shorter = ", shorter than the comparison" if weeks < scenario.weeks else ""
    return (f"{len(uncertain_ranges(scenario))} uncertain inputs (their ranges are in the sidebar, under each "
            "assumption and in *Other uncertain inputs*), each at its low and high end, then "
            f"{s.samples} samples of all of them at once, spread evenly over their ranges; every run "
            f"{weeks_words(weeks)} long{shorter}; at each end {s.replications} replications of the best design and "
            "of the one nearest it (the others one, on the same random numbers), each sample one replication of its "
            "own, "
            f"and up to {s.refine_replications} for the few inputs whose effect is not yet clear of the simulation's "
            "noise. "
            f"That is about {robust_work(scenario):.0f} times the work of the comparison: from seconds to minutes, "
            "by the size of the firm and how busy the server is; the progress bar counts the replications done and "
            "says the time left, and adds the reruns once it knows which inputs need them.")


def _key(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def was_asked(parts: tuple) -> bool:
    """Whether the user pressed the button for these inputs this session, without offering it: the page has then
    shown the analysis, so it is in the cache (the report takes it from there)."""
    return _key(parts) in st.session_state.get(REQUESTED_KEY, set())


def asked(parts: tuple, button: str) -> bool:
    """True once the user pressed the button for these inputs (this session); the result then comes from the
    cache, so going back to an earlier scenario shows its analysis at once."""
    key = _key(parts)
    requested = st.session_state.setdefault(REQUESTED_KEY, set())
    if key in requested:
        return True
    if st.button(button, key=f"sureness:{key}"):
        requested.add(key)
        return True
    return False


def show(result: Robustness, best: str, noise_sure: bool, label: str, unit: str) -> None:
    """Both kinds of sureness about `best` (the full run's best), the probability and regret table and the
    tornado chart."""
    probability = result.probability_best.get(best, 0.0)
    box = st.success if noise_sure and probability >= 0.8 else st.info
    box(sureness(best, noise_sure, probability) + " " + sentence(result, parameter_words, share=False)
        + f" ({len(result.samples)} samples of the ranges.)")
    st.dataframe(tables.robust_table(result, unit), width="stretch")
    frame = tables.tornado_frame(result)
    if not frame.empty:
        st.altair_chart(charts.tornado_chart(frame, f"{label}: lead of {result.best} over the best other design",
                                             label, value_format=AXIS_FORMAT.get(unit)), width="stretch")
        st.caption("Each input at its low and its high end, the others at their values; inputs that move the lead "
                   "beyond simulation noise on top, largest swing first, then the pale ones, whose swing is within "
                   "its 95 % interval (the ± is in each bar's tooltip). Left of the dashed line another design "
                   "wins; \"(flips)\" marks inputs at one of whose ends it does, beyond noise. Expected loss is what "
                   "a design loses, on average over the plausible cases, against the best design of each case.")


def run_guarded(action: Callable[[], Robustness]) -> Robustness | None:
    try:
        return action()
    except ScenarioError as exc:
        st.error("The uncertainty analysis cannot run: " + plain("; ".join(exc.problems)))
        return None
    except ClusterError as exc:
        show_server_problem(exc)
        return None


# ---------------------------------------------------------------------------------------------------------------
# How far the model reproduces the firm it was calibrated to

FAR_FIT_KEY = "calibrate.far"  # (run key, figures) of the scenario last used from a back-test that was far


FIT_CHARTS_KEY = "calibrate.history"  # (run key, [(key, chart)]) of the scenario last used from a back-test


def remember_fit(scenario: Scenario, backtest: Backtest | None,
                 charts: Sequence[tuple[str, Any]] = ()) -> None:
    """Note, when the scenario put in the sidebar comes from a back-test far from the firm's record, which figures
    it missed: the pages that answer with it say so while its numbers are unchanged; and keep the pictures of the
    firm's history beside the model, which the report of an answer on that scenario carries."""
    if backtest is not None and backtest.verdict == "far":
        st.session_state[FAR_FIT_KEY] = (run_key(scenario), far_words(backtest.far_on))
    else:
        st.session_state.pop(FAR_FIT_KEY, None)
    if charts:
        st.session_state[FIT_CHARTS_KEY] = (run_key(scenario), list(charts))
    else:
        st.session_state.pop(FIT_CHARTS_KEY, None)


def fit_charts(scenario: Scenario) -> list[tuple[str, Any]]:
    """The history pictures of the fit `scenario` comes from, while it is still that fit; [] otherwise."""
    stored = st.session_state.get(FIT_CHARTS_KEY)
    return list(stored[1]) if stored and stored[0] == run_key(scenario) else []


def far_fit_warning(scenario: Scenario) -> None:
    """The warning beside an answer on a calibrated scenario whose back-test was far, naming the figures; none once
    an input has changed (the scenario is no longer the fit)."""
    if figures := far_fit(scenario):
        st.warning(f"{far_fit_sentence(figures)}, or see Calibrate.")


def far_fit(scenario: Scenario) -> str:
    """The figures in words a calibrated scenario's far back-test missed, while the scenario is still that fit;
    "" otherwise."""
    stored = st.session_state.get(FAR_FIT_KEY)
    return str(stored[1]) if stored and stored[0] == run_key(scenario) else ""
