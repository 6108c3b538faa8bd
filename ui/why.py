"""The "Why this answer" section Compare shares with the report: the best design's gain over the runner-up, split
by mechanism (sim.explain), each bar with the grade of the input behind it. Runs when asked: it switches every
mechanism off once, so it simulates the two designs some twenty times."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from sim.experiment import Results
from sim.explain import Explanation, best_pair
from sim.parallel import ClusterError
from sim.scenario import Scenario, ScenarioError, dumps
from sim.wording import EXPLAINED_OBJECTIVES, design_labels, explanation_sentences, gain_words, plain
from ui import charts, sureness
from ui.labels import AXIS_FORMAT
from ui.runner import explanation, show_server_problem

CARRIED = "rests on one assumption"


def waterfall_frame(explained: Explanation) -> pd.DataFrame:
    """The bars of the waterfall: every contribution that moves the gain, then the interaction, then the total."""
    rows = [r for r in explained.frame().itertuples(index=False) if not (r.mean == 0 and r.ci95 == 0)]
    out, at = [], 0.0
    for r in rows:
        stop = at + r.mean
        out.append({"row": r.label, "start": at, "stop": stop, "value": r.mean, "ci95": r.ci95,
                    "grade": r.grade or "together", "kind": "adds to the gain" if r.mean >= 0 else "takes from it"})
        at = stop
    mean, half = explained.total
    out.append({"row": "Total gain", "start": 0.0, "stop": mean, "value": mean, "ci95": half, "grade": "",
                "kind": "total"})
    frame = pd.DataFrame(out)
    frame["right"] = frame[["start", "stop"]].max(axis=1)
    return frame


def show_explanation(explained: Explanation, scenario: Scenario) -> None:
    """The sentences, the waterfall and the table: shared by the page and the report's preview."""
    sentences = [plain(s) for s in explanation_sentences(explained, scenario.designs)]
    st.markdown(sentences[0])
    for line in sentences[1:]:
        (st.warning if CARRIED in line else st.info)(line)
    words, unit = EXPLAINED_OBJECTIVES[explained.objective]
    title = f"Gain of {plain(design_labels(scenario.designs)[explained.design])}, {words}"
    st.altair_chart(charts.waterfall_chart(waterfall_frame(explained), title, words.capitalize(),
                                           value_format=AXIS_FORMAT.get(unit)), width="stretch")
    table = pd.DataFrame([{"What carries the gain": plain(c.label), "Source": c.grade,
                           "Contribution (± 95 %)": gain_words(c.mean, c.ci95, explained.objective)}
                          for c in explained.contributions])
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


def _explained(scenario: Scenario, results: Results, best: str, against: str, objective: str) -> Explanation | None:
    try:
        return explanation(scenario, best, against, objective, results)
    except ScenarioError as exc:
        st.error("The explanation cannot run: " + plain("; ".join(exc.problems)))
    except ClusterError as exc:
        show_server_problem(exc)
    return None


def why_section(scenario: Scenario, results: Results, objective: str, beside: Any = None) -> Explanation | None:
    """Further down the page: what carries the best design's gain over the runner-up, when the user asks for it.
    `beside` is a slot right under the headline: the one assumption that carries the gain, if any, is said there
    too."""
    st.subheader("Why this answer")
    found = pair(results, objective)
    if found is None:
        st.info("Pick at least two designs to see what carries the best one's gain.")
        return None
    best, against = found
    labels = {d: plain(w) for d, w in design_labels(scenario.designs).items()}
    st.markdown(f"What carries the gain of **{labels[best]}** over the runner-up, **{labels[against]}**: each "
                "mechanism of the model switched off in turn, on the same simulated clients and requests. It runs "
                "the two designs about twenty times over, so it takes a while.")
    if not sureness.asked(_key(scenario, best, against, objective), "Explain the gain"):
        return None
    explained = _explained(scenario, results, best, against, objective)
    if explained is None:
        return None
    show_explanation(explained, scenario)
    carried = [line for line in explanation_sentences(explained, scenario.designs) if CARRIED in line]
    if beside is not None and carried:
        beside.warning(plain(carried[0]))
    return explained
