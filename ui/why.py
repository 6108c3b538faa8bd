"""The "Why this answer" sections of Compare and Next hire, which the reports carry too: the best design's gain
over the runner-up (Next hire: the best option's over today), split by mechanism (sim.explain), each bar with the
grade of the input behind it. Runs when asked: it switches every mechanism off once, so it simulates the two
designs some twenty times."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from sim.advisor import Advice, advice_pair
from sim.experiment import Results
from sim.explain import Explanation, best_pair, waterfall_frame
from sim.parallel import ClusterError
from sim.scenario import Scenario, ScenarioError, dumps
from sim.wording import (
    CARRIED,
    EXPLAINED_OBJECTIVES,
    EXPLANATION_HEADER,
    design_labels,
    in_sentence,
    plain,
)
from ui import charts, sureness
from ui.labels import AXIS_FORMAT
from ui.runner import explanation, show_server_problem


def show_explanation(explained: Explanation) -> None:
    """The sentences, the waterfall and the table: the same on Compare and Next hire (the report draws its own)."""
    sentences = [plain(s) for s in explained.sentences()]
    st.markdown(sentences[0])
    for line in sentences[1:]:
        (st.warning if CARRIED in line else st.info)(line)
    words, unit, axis = EXPLAINED_OBJECTIVES[explained.objective]
    title = f"Gain of {plain(explained.labels[0])} over {plain(explained.labels[1])}, {words}"
    st.altair_chart(charts.waterfall_chart(waterfall_frame(explained), title, axis,
                                           value_format=AXIS_FORMAT.get(unit)), width="stretch")
    table = pd.DataFrame([tuple(plain(cell) for cell in row) for row in explained.rows()],
                         columns=list(EXPLANATION_HEADER))
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Each mechanism is switched off alone, the others as the scenario has them, on the same replications "
               "as the total; its bar is how much of the gain goes with it. A bar whose ± is larger than itself is "
               "within the simulation's noise. Source: firm (measured at firms like yours), soft (published, "
               "loosely), rule of thumb, or assumption (the model's judgement, with a plausible range you can test "
               "under *How sure is this?*).")


def pair(results: Results, objective: str) -> tuple[str, str] | None:
    """The best design on the objective and its runner-up, or None with fewer than two designs."""
    return best_pair(results, objective) if len(results.designs) > 1 else None


def _key(scenario: Scenario, best: str, against: str, objective: str) -> tuple:
    return (dumps(scenario), best, against, objective, "why")


def _explained(scenario: Scenario, best: str, against: str, objective: str,
               results: Results | None) -> Explanation | None:
    try:
        return explanation(scenario, best, against, objective, results)
    except ScenarioError as exc:
        st.error("The explanation cannot run: " + plain("; ".join(exc.problems)))
    except ClusterError as exc:
        show_server_problem(exc)
    return None


def _cached(scenario: Scenario, best: str, against: str, objective: str,
            results: Results | None) -> Explanation | None:
    """The explanation the page has run for these inputs (from the cache), for the report; None if it has not been
    asked for or could not run."""
    if not sureness.was_asked(_key(scenario, best, against, objective)):
        return None
    try:
        return explanation(scenario, best, against, objective, results)
    except (ScenarioError, ClusterError):
        return None


def _asked_and_shown(scenario: Scenario, best: str, against: str, objective: str, results: Results | None,
                     beside: Any) -> Explanation | None:
    """The button, then once pressed the explanation; the sentence naming a carrying assumption also goes in
    `beside`, a slot right under the page's answer."""
    if not sureness.asked(_key(scenario, best, against, objective), "Explain the gain"):
        return None
    explained = _explained(scenario, best, against, objective, results)
    if explained is None:
        return None
    show_explanation(explained)
    carried = [line for line in explained.sentences() if CARRIED in line]
    if beside is not None and carried:
        beside.warning(plain(carried[0]))
    return explained


INTRO = ("each mechanism of the model switched off in turn, on the same simulated clients and requests. It runs the "
         "two about twenty times over, so it takes a while.")


def shown_explanation(scenario: Scenario, results: Results, objective: str) -> Explanation | None:
    """Compare's explanation, once the page has run it, for the report."""
    found = pair(results, objective) if objective in EXPLAINED_OBJECTIVES else None
    return _cached(scenario, *found, objective, results) if found is not None else None


def why_section(scenario: Scenario, results: Results, objective: str, beside: Any = None) -> Explanation | None:
    """Compare, further down the page: what carries the best design's gain over the runner-up, when asked."""
    st.subheader("Why this answer")
    found = pair(results, objective)
    if found is None:
        st.info("Pick at least two designs to see what carries the best one's gain.")
        return None
    best, against = found
    labels = {d: plain(w) for d, w in design_labels(scenario.designs).items()}
    st.markdown(f"What carries the gain of **{labels[best]}** over the runner-up, **{labels[against]}**: " + INTRO)
    return _asked_and_shown(scenario, best, against, objective, results, beside)


def _advice_pair(scenario: Scenario, advice: Advice) -> tuple[Scenario, str, str] | None:
    if advice.objective.single not in EXPLAINED_OBJECTIVES or len(advice.options) < 2:
        return None
    return advice_pair(scenario, advice)


def shown_advice_explanation(scenario: Scenario, advice: Advice) -> Explanation | None:
    """Next hire's explanation, once the page has run it, for the report."""
    found = _advice_pair(scenario, advice)
    if found is None or advice.objective.single is None:
        return None
    return _cached(*found, advice.objective.single, None)


def advice_why_section(scenario: Scenario, advice: Advice, beside: Any = None,
                       heading: str = "Why this advice") -> Explanation | None:
    """Next hire: what carries the best option's gain over today's organisation (over the runner-up when today is
    best), when asked."""
    st.subheader(heading)
    found = _advice_pair(scenario, advice)
    if found is None or advice.objective.single is None:
        st.info("The explanation compares two options: raise the budget so that the ranking has more than one."
                if len(advice.options) < 2 else
                "The explanation splits the gain on one figure: rank on profit, lead time or on-time rate to see "
                "what carries the best option's gain.")
        return None
    pair_scenario, best, against = found
    # options inside a sentence, as the page's other sentences name them ("standardised work")
    labels = {d: plain(in_sentence(design.label)) for d, design in pair_scenario.designs.items()}
    st.markdown(f"What carries the gain of **{labels[best]}** over **{labels[against]}**: " + INTRO)
    return _asked_and_shown(pair_scenario, best, against, advice.objective.single, None, beside)
