"""The scenario sidebar every page shares: a preset, then the levers an owner moves, with a Run button; and what
the pages read from it (the scenario to show, and the banner over results that are not the inputs').

Each problem of the inputs is shown under the input it is about, found by the problem's path; a problem of a value
the form computes (the last work type's share, the team as the sum over skills) names the inputs the user sets.

Nothing runs until Run is pressed: a run of a big scenario takes seconds, and a slider step must not start one.
Values go into the state (preset + overrides) only then; see ui/state.py. The inputs are not in an `st.form`,
though: a form sends its values only on submit, so the app could not say that the results no longer match the
inputs, nor add up the team as the user moves it, and Enter in any of its boxes would start a run. Each input's
change reruns the page on the cached results instead, and the page says the results are for the previous inputs.

The parts live beside this module: the inputs bound to scenario paths (`ui.inputs`), where their problems are
shown (`ui.input_problems`), the overrides they make on Run (`ui.input_overrides`), the preset picker
(`ui.sidebar_presets`), and the sections of the form (`ui.sidebar_firm`, `ui.sidebar_work`,
`ui.sidebar_assumptions`).
"""

from __future__ import annotations

import streamlit as st

from sim.scenario import Scenario, ScenarioError
from ui import sidebar_assumptions, sidebar_firm, sidebar_work
from ui.input_overrides import WORK_TYPES_KEY, apply_inputs, inputs_changed
from ui.input_problems import BLAMED_KEY, PENDING_KEY, problems_now, unplaced, what
from ui.inputs import CONTROLS_KEY, DRAWING_KEY, control_labels, shown_in_form
from ui.labels import plain
from ui.sidebar_presets import preset_picker, reset_to_preset
from ui.state import OVERRIDES_KEY, PRESET_KEY, current_scenario, last_good_scenario, presets, read_state

INPUTS_KEY = "scenario_inputs"
RUN_KEY = "sidebar:run"
CHANGED_KEY = "sidebar.inputs_changed"  # the inputs differ from those of the results shown


def render_sidebar() -> None:
    """Draw the preset picker and the scenario form in the sidebar."""
    available, problems = presets()
    state = read_state()
    st.session_state.setdefault(PRESET_KEY, state.preset)
    st.session_state.setdefault(OVERRIDES_KEY, {})
    preset = available[state.preset]
    shown = shown_in_form(preset, state.overrides)
    st.session_state[DRAWING_KEY] = {}
    st.session_state[PENDING_KEY] = problems_now()
    st.session_state[BLAMED_KEY] = []
    with st.sidebar:
        preset_picker(available, problems, state)
        with st.container(key=INPUTS_KEY):
            elsewhere = st.empty()  # problems no input below claims, filled once every input has taken its own
            sidebar_firm.naming(preset, state)
            sidebar_firm.team(shown)
            sidebar_firm.designs(shown)
            sidebar_firm.salaries(shown.values)
            sidebar_work.demand(shown)
            sidebar_work.process(shown.values)
            sidebar_firm.money(shown.values)
            ranges = sidebar_assumptions.uncertain(preset, state.overrides)
            in_assumptions = sidebar_assumptions.assumptions(shown.values, ranges)
            sidebar_assumptions.other_ranges({p: r for p, r in ranges.items() if p not in in_assumptions},
                                             shown.values)
            sidebar_work.experiment(shown.values)
            st.caption("Changes apply when you press Run.")
            st.button("Run", type="primary", on_click=apply_inputs, width="stretch", key=RUN_KEY)
            unplaced(elsewhere)
        st.session_state[CONTROLS_KEY] = st.session_state.pop(DRAWING_KEY)  # the whole form is drawn
        st.session_state[WORK_TYPES_KEY] = list(shown.work_types)
        st.session_state[CHANGED_KEY] = inputs_changed()
        if state.overrides:
            st.button("Back to the preset's values", on_click=reset_to_preset, width="stretch")


def show_problems(exc: ScenarioError) -> None:
    """Each problem with the input it comes from (by its path), so the user knows what to change."""
    labels = control_labels()
    lines = [f"- **{plain(labels[p.path])}**: {what(p)}" if p.path in labels else f"- {plain(p)}"
             for p in exc.problems]
    st.error("This scenario cannot run. Change these inputs in the sidebar and press Run:\n\n" + "\n".join(lines))


STALE_KEY = "stale_results"
# Everything the page draws after the banner, greyed: results of inputs that are no longer the sidebar's.
STALE_CSS = (
    "<style>[data-testid='stMain'] .stElementContainer:not(.st-key-" + STALE_KEY + " *)"
    "{opacity:.45;filter:grayscale(1);}</style>"
)


CHANGED_MESSAGE = ("Inputs changed: the results below are for the previous inputs. Press **Run** in the sidebar to "
                   "see the results of the inputs as they are now.")


def scenario_or_problems() -> Scenario | None:
    """The current scenario; while the inputs cannot run, the last valid one, under a banner saying so (the
    problems themselves are in the sidebar, under the inputs they are about). Inputs changed since the last Run
    grey the results the same way, under a banner that says so."""
    try:
        scenario = current_scenario()
        if st.session_state.get(CHANGED_KEY):
            with st.container(key=STALE_KEY):
                st.warning(CHANGED_MESSAGE)
            st.html(STALE_CSS)
        return scenario
    except ScenarioError:
        blamed = st.session_state.get(BLAMED_KEY) or []
        where = f" ({', '.join(f'**{plain(label)}**' for label in blamed)})" if blamed else ""
        with st.container(key=STALE_KEY):
            st.warning("These results are from your last valid inputs. The inputs marked in the sidebar"
                       f"{where} cannot run: change them and press Run.")
        st.html(STALE_CSS)
        return last_good_scenario()
