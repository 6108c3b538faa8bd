"""The sidebar's inputs as overrides: what Run puts into the state (`apply_inputs`), and whether the inputs still
match the results shown (`inputs_changed`).

The inputs are read from the session state by the paths the last whole form showed (`ui.inputs.CONTROLS_KEY`),
with the values the form computes rather than asks (the team, the last work type's share), the designs it adds
and removes and the ranges it edits; only what differs from the preset is kept. The keys of the design and range
inputs live here, beside what reads them; the sidebar's sections draw those inputs under the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from sim.paths import flatten
from sim.scenario import STANDARD_DESIGNS, Scenario, ScenarioError
from ui.inputs import CONTROLS_KEY
from ui.overrides import apply_overrides
from ui.state import input_key, presets, read_state, set_overrides

WORK_TYPES_KEY = "sidebar.work_types"  # the work types it showed, in order: the last one takes the rest
RANGES_KEY = "sidebar.ranges"  # the uncertain inputs' ranges the form showed, by parameter path
RANGE_PREFIX = "uncertainty."
DESIGN_HIRES = ("project_managers", "account_managers", "hybrids", "sales_share", "extra_engineers")
DESIGNS_KEY = "sidebar.designs"  # the designs the form showed, by code
NEW_DESIGN_KEY = input_key("designs:new")
NEW_DESIGN_FROM_KEY = input_key("designs:new_from")
MAX_LABEL_CHARS = 60


def remove_key(name: str) -> str:
    """The key of the box that removes design `name`."""
    return input_key(f"designs.{name}:remove")


def range_key(path: str, end: str) -> str:
    """The key of the input of the `end` ("low" or "high") of the range of `path`."""
    return f"{input_key(RANGE_PREFIX + path)}:{end}"


def _derived(names: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """Values the form computes rather than asks: the team is the sum of engineers per skill, and the last work
    type (of `names`) takes the share the others leave, so the inputs cannot disagree with each other."""
    out = {}
    skills = [p for p in values if p.startswith("firm.skills.")]
    if skills:
        out["firm.engineers"] = int(sum(values[p] for p in skills))
    if len(names) > 1:
        others = sum(values[f"demand.work_types.{n}.share"] for n in names[:-1])
        out[f"demand.work_types.{names[-1]}.share"] = round(1.0 - others, 6)
    return out


def apply_inputs() -> None:
    """Run pressed: the inputs become overrides, keeping only what differs from the preset."""
    set_overrides(overrides_from_inputs(clear=True))


def overrides_from_inputs(clear: bool = False) -> dict[str, Any]:
    """The overrides the inputs make as they are now; `clear` empties the new design's name (Run took it)."""
    state = read_state()
    preset = presets()[0][state.preset]
    base = flatten(preset.to_dict())
    shown = st.session_state.get(CONTROLS_KEY, {})
    # An input the browser has not reported since the run that drew it (a run cut short by this Run) keeps the
    # value it showed, the scenario's: it was not changed.
    now = {**base, **state.overrides}
    values = {p: st.session_state[input_key(p)] if input_key(p) in st.session_state else now[p]
              for p in shown if input_key(p) in st.session_state or p in now}
    work_types = st.session_state.get(WORK_TYPES_KEY, [])
    for name in work_types:  # a share the form has not drawn keeps the scenario's
        share = f"demand.work_types.{name}.share"
        if share not in values and share in now:
            values[share] = now[share]
    values.update(_derived(work_types, values))
    if not str(values.get("name", "")).strip():  # no name of the user's: the preset's, with what changed
        values["name"] = base["name"]
    if not str(values.get("description", "")).strip():  # none of the user's: the preset's while it holds
        values["description"] = base["description"]
    designs = _design_changes(preset, state.overrides, values, clear)
    ranges = _edited_ranges(preset, state.overrides, base)
    shown_ranges = st.session_state.get(RANGES_KEY, {})
    kept = {p: v for p, v in state.overrides.items()  # set elsewhere (a link, a file)
            if p not in values and not (p.startswith(RANGE_PREFIX) and p[len(RANGE_PREFIX):] in shown_ranges)}
    changed = {p: v for p, v in values.items() if base.get(p) != v}
    merged = {**kept, **changed, **ranges}
    for name in designs.removed:  # every value of a removed design goes, and the design itself if the preset has it
        merged = {p: v for p, v in merged.items() if not p.startswith(f"designs.{name}.")}
        if name in STANDARD_DESIGNS:  # every scenario has these unless they are marked removed
            merged[f"designs.{name}.removed"] = True
        elif name in preset.designs:
            merged[f"designs.{name}"] = None
    return {**merged, **designs.added}


def inputs_changed() -> bool:
    """Whether the inputs differ from the scenario the results are for (the last Run): compared as scenarios, so a
    value typed back to what it was is no change."""
    state = read_state()
    pending = overrides_from_inputs()
    if pending == state.overrides:
        return False
    preset = presets()[0][state.preset]
    try:
        return apply_overrides(preset, pending).to_dict() != apply_overrides(preset, state.overrides).to_dict()
    except ScenarioError:
        return True


@dataclass(frozen=True)
class DesignChanges:
    added: dict[str, Any]  # overrides of the design added
    removed: list[str]


def _design_changes(preset: Scenario, overrides: dict[str, Any], values: dict[str, Any],
                   clear: bool = False) -> DesignChanges:
    """The designs the form adds (a new label: a copy of the design it starts from, under a code made from the
    label) and removes (those ticked), read from their inputs, which are emptied for the next one."""
    current = list(st.session_state.get(DESIGNS_KEY, []))
    removed = [n for n in current if st.session_state.get(remove_key(n))]
    label = " ".join(str(st.session_state.get(NEW_DESIGN_KEY, "")).split())[:MAX_LABEL_CHARS]
    added: dict[str, Any] = {}
    if label:
        source = st.session_state.get(NEW_DESIGN_FROM_KEY)
        code = design_code(label, [*current, *STANDARD_DESIGNS])  # a removed standard design keeps its code
        for field in DESIGN_HIRES:
            path = f"designs.{source}.{field}"
            added[f"designs.{code}.{field}"] = values.get(path, 0)
        added[f"designs.{code}.label"] = label
        if clear:
            st.session_state[NEW_DESIGN_KEY] = ""
    return DesignChanges(added, removed)


def design_code(label: str, taken: list[str]) -> str:
    """A design's code in files and links, made from its label: lower-case letters, digits and '_', at most 30
    characters, numbered when the code is taken ('Two PMs' -> 'two_pms', then 'two_pms_2')."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in label.lower()).split()
    code = "_".join(words)[:30].strip("_") or "design"
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code}_{n}", n + 1
    return candidate


def _edited_ranges(preset: Scenario, overrides: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The ranges as overrides: those that differ from the preset's table; when the preset has none (it uses the
    default ranges), every range once any was changed, since a scenario's table lists exactly its ranges."""
    shown = st.session_state.get(RANGES_KEY, {})
    edited = {}
    for path in shown:
        low, high = (st.session_state.get(range_key(path, end)) for end in ("low", "high"))
        if low is not None and high is not None:
            edited[path] = [float(low), float(high)]
    if preset.uncertainty is not None:
        return {RANGE_PREFIX + p: v for p, v in edited.items() if base.get(RANGE_PREFIX + p) != v}
    touched = any(v != list(shown[p]) for p, v in edited.items()) or any(p.startswith(RANGE_PREFIX) for p in overrides)
    return {RANGE_PREFIX + p: v for p, v in edited.items()} if touched else {}
