"""Where the sidebar shows the problems of the inputs: each once, under the input it is about (by the problem's
path); what no input claims goes at the top of the form. The labels they were shown under feed the page's banner
(`ui.sidebar.scenario_or_problems`).

`render_sidebar` fills PENDING_KEY with `problems_now()` and empties BLAMED_KEY before it draws the form; each input
then `take`s the problems it claims and `blame`s its label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from sim.scenario import NO_VALUE, Problem, ScenarioError
from sim.scenario import shown as shown_value
from ui.labels import plain
from ui.state import current_scenario

PENDING_KEY = "sidebar.pending_problems"
BLAMED_KEY = "sidebar.blamed_labels"


def names_skill(problem: Problem, skill: str) -> bool:
    """A work type's problem with the skill it needs (`skill`), which an engineer input of that skill can fix."""
    return problem.path.endswith(".skill") and problem.value == skill


def take(match: Callable[[Problem], bool]) -> list[Problem]:
    """The problems not shown yet that `match` claims, now marked as shown."""
    pending: list[Problem] = st.session_state.get(PENDING_KEY, [])
    taken = [p for p in pending if match(p)]
    st.session_state[PENDING_KEY] = [p for p in pending if not match(p)]
    return taken


def blame(*labels: str) -> None:
    blamed = st.session_state.setdefault(BLAMED_KEY, [])
    blamed.extend(label for label in labels if label not in blamed)


def what(problem: Problem) -> str:
    """A problem in the words of the input it is shown under: what is allowed, and the value it has now."""
    now = f" (now {plain(shown_value(problem.value))})" if problem.value is not NO_VALUE else ""
    return f"{plain(problem.message)}{now}"


def under(path: str, label: str) -> None:
    """Right under an input: the problems about it."""
    for problem in take(lambda p: p.path == path):
        blame(label)
        st.error(f"**{plain(label)}**: {what(problem)}")


def unplaced(slot: Any) -> None:
    """Problems no input of the form is about (a value a file or a link set that no input shows)."""
    left = take(lambda p: True)
    if left:
        blame(*(p.path or "the scenario" for p in left))
        slot.error("This scenario cannot run:\n\n" + "\n".join(f"- {plain(p)}" for p in left))


def problems_now() -> list[Problem]:
    try:
        current_scenario()
    except ScenarioError as exc:
        return list(exc.problems)
    return []
