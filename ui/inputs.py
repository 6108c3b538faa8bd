"""The sidebar's inputs bound to scenario paths: each widget's key is its path's (`ui.state.input_key`), seeded
from the scenario shown, its range and help from the schema (`sim.paths.field_meta`), the problems about it right
under it (`ui.input_problems.under`), and its label noted for messages that name it.

`shown_in_form` is what the inputs show: the current scenario's values, or the preset's with what of the overrides
an input can show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import streamlit as st

from sim.paths import field_meta, flatten, merge, unflatten
from sim.scenario import Scenario, ScenarioError
from sim.wording import without_keys
from ui.input_problems import under
from ui.overrides import apply_overrides
from ui.state import input_key

CONTROLS_KEY = "sidebar.controls"  # paths the form showed in the last run that drew it whole, with their labels
# The controls of the run drawing the form now. They replace CONTROLS_KEY only once the whole form is drawn: a run
# cut short by a press of Run (a rerun) would otherwise leave half a form's controls beside every work type.
DRAWING_KEY = "sidebar.drawing"

# Upper ends of sliders and number inputs: the schema allows far more (500 engineers), but a slider over that
# range cannot be set to 14. A larger value in a preset or a link widens the control to include it.
UI_MAX = {"engineers": 60, "clients": 200, "replications": 100, "growth": 2.0}


def labelled(path: str, label: str) -> str:
    """The label of the control of `path`, noted as drawn in this run."""
    st.session_state.setdefault(DRAWING_KEY, {})[path] = label
    return label


def control_labels() -> dict[str, str]:
    """The label of every control drawn: the last whole form's, and this run's so far."""
    return {**st.session_state.get(CONTROLS_KEY, {}), **st.session_state.get(DRAWING_KEY, {})}


def seed(path: str, value: Any) -> str:
    key = input_key(path)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def seeded(path: str, value: Any) -> dict[str, Any]:
    """A widget's key and, as its default, the value it holds now. Streamlit marks a value set through the state
    only on the run that set it; a browser that missed that run (a fresh page whose first run was overtaken by a
    rerun) shows the widget's default instead, which without this is its minimum or empty."""
    key = seed(path, value)
    return {"key": key, "value": st.session_state[key]}


def within(value: Any, lo: Any, hi: Any) -> Any:
    if lo is not None and value < lo:
        return lo
    return hi if hi is not None and value > hi else value


def field_help(path: str, extra: str = "") -> str:
    text = without_keys(field_meta(path).get("help", ""))
    return f"{text} {extra}".strip()


def number(path: str, label: str, value: Any, step: float, fmt: str | None = None, ui_max: float | None = None,
           extra_help: str = "") -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(meta["min"], value)) if meta.get("min") is not None else None
    hi_limit = ui_max if ui_max is not None else meta.get("max")
    hi = kind(max(hi_limit, value)) if hi_limit is not None else None
    key = seed(path, kind(value))
    st.number_input(
        labelled(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        value=within(kind(st.session_state[key]), lo, hi), key=key, help=field_help(path, extra_help),
    )
    under(path, label)


def slider(path: str, label: str, value: Any, step: float, ui_max: float | None = None, fmt: str | None = None,
           extra_help: str = "", ui_min: float | None = None) -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(ui_min if ui_min is not None else meta["min"], value))
    hi = kind(max(ui_max if ui_max is not None else meta["max"], value))
    key = seed(path, kind(value))
    st.slider(
        labelled(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        value=within(kind(st.session_state[key]), lo, hi), key=key, help=field_help(path, extra_help),
    )
    under(path, label)


def toggle(path: str, label: str, value: bool, extra_help: str = "") -> None:
    st.toggle(labelled(path, label), **seeded(path, bool(value)), help=field_help(path, extra_help))
    under(path, label)


@dataclass(frozen=True)
class Shown:
    """What the form shows: every value by path, and the names of the entries of the named tables."""

    values: dict[str, Any]
    skills: list[str]
    work_types: dict[str, dict[str, Any]]
    designs: list[str]


def shown_in_form(preset: Scenario, overrides: dict[str, Any]) -> Shown:
    """The current scenario when it is valid; otherwise the preset with every override a control can show. An
    override a control cannot show (text where a number belongs, a number out of range, an unknown key) leaves
    the preset's value in the control; the error message above the results names it."""
    try:
        nested = apply_overrides(preset, overrides).to_dict()
    except ScenarioError:
        nested = merge(preset.to_dict(), unflatten(_showable(preset, overrides)))
    return Shown(
        values=flatten(nested),
        skills=list(nested["firm"].get("skills", {})),
        work_types=dict(nested["demand"]["work_types"]),
        designs=[n for n, d in nested["designs"].items() if not d.get("removed")],
    )


def _showable(preset: Scenario, overrides: dict[str, Any]) -> dict[str, Any]:
    base = flatten(preset.to_dict())
    entries = {path.rsplit(".", 1)[0] for path in base}
    out: dict[str, Any] = {}
    for path, value in overrides.items():
        if value is None:
            if path in entries and path.count(".") >= 2:  # removes a named entry the preset has
                out[path] = None
            continue
        old = base.get(path)
        if isinstance(old, bool) or not isinstance(old, (int, float)):
            if isinstance(old, bool) and isinstance(value, bool):
                out[path] = value
            continue
        try:
            value = type(old)(value)
        except (TypeError, ValueError, OverflowError):
            continue
        meta = field_meta(path)
        lo, hi = meta.get("min"), meta.get("max")
        if math.isfinite(value) and (lo is None or value >= lo) and (hi is None or value <= hi):
            out[path] = value
    return out
