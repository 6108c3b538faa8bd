"""The sidebar's preset picker: another preset loads at once when nothing was changed, else only once the user says
to discard the changes; and the way back to the preset's values.
"""

from __future__ import annotations

import streamlit as st

from sim.scenario import Scenario, ScenarioError
from ui.labels import plain
from ui.overrides import apply_overrides
from ui.state import WORDS_SHOWN, AppState, change_words, description_holds, input_key, read_state, write_state

PRESET_INPUT = input_key("preset")
PENDING_PRESET_KEY = "sidebar.pending_preset"  # a preset picked while the scenario has changes: load it only if asked


def preset_picker(available: dict[str, Scenario], problems: list[str], state: AppState) -> None:
    """The picker, the preset's words under it, the presets that could not be loaded, and the confirm step of a
    switch that would discard changes."""
    if PRESET_INPUT not in st.session_state:
        st.session_state[PRESET_INPUT] = state.preset
    st.selectbox(
        "Preset", list(available), key=PRESET_INPUT, format_func=lambda n: available[n].name,
        on_change=_choose_preset, help="A starting scenario from the scenarios folder; the inputs below start "
        "from its values, and picking another one discards your changes.",
    )
    st.caption(_preset_words(available[state.preset], state))
    for problem in problems:
        st.warning(f"A preset file could not be loaded: {plain(problem)}")
    _ask_before_discarding(available, state)


def _choose_preset() -> None:
    """Another preset picked: loaded at once when nothing was changed; else held until the user says whether to
    discard the changes, and the picker stays on the scenario shown meanwhile."""
    state = read_state()
    chosen = st.session_state[PRESET_INPUT]
    if state.overrides:
        st.session_state[PENDING_PRESET_KEY] = chosen
        st.session_state[PRESET_INPUT] = state.preset
        return
    write_state(AppState(chosen, {}, state.page))


def _load_pending_preset() -> None:
    state = read_state()
    chosen = st.session_state.pop(PENDING_PRESET_KEY, state.preset)
    write_state(AppState(chosen, {}, state.page))


def _keep_changes() -> None:
    st.session_state.pop(PENDING_PRESET_KEY, None)


def _ask_before_discarding(available: dict[str, Scenario], state: AppState) -> None:
    """The confirm step of a preset switch: what would be lost, and both ways out."""
    pending = st.session_state.get(PENDING_PRESET_KEY)
    if pending not in available or pending == state.preset or not state.overrides:
        st.session_state.pop(PENDING_PRESET_KEY, None)
        return
    preset = available[state.preset]
    try:
        words = change_words(preset, apply_overrides(preset, state.overrides))
    except ScenarioError:
        words = []
    what = f" ({plain(', '.join(words[:WORDS_SHOWN]))}{', ...' if len(words) > WORDS_SHOWN else ''})" if words else ""
    name = plain(available[pending].name)
    st.warning(f"Loading **{name}** discards your changes to this scenario{what}.")
    st.button(f"Discard my changes and load {name}", on_click=_load_pending_preset, type="primary",
              width="stretch")
    st.button("Keep my changes", on_click=_keep_changes, width="stretch")


def reset_to_preset() -> None:
    """Back to the preset's values: every override goes."""
    state = read_state()
    write_state(AppState(state.preset, {}, state.page))


def _preset_words(preset: Scenario, state: AppState) -> str:
    """Under the picker: the preset's description while it holds, else what was changed from the preset (its
    description names numbers that are no longer the scenario's)."""
    try:
        scenario = apply_overrides(preset, state.overrides)
    except ScenarioError:
        return "Changed from this preset; some inputs below cannot run."
    if description_holds(preset, scenario):
        return preset.description
    return f"Changed from this preset: {', '.join(change_words(preset, scenario))}."
