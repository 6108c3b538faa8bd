"""The sidebar's sections about what is uncertain: every behavioural assumption and the client flow with its source
grade and plausible range, and the ends of the range of each uncertain input that *How sure is this?* tests the
answer over (under its assumption, or in "Other uncertain inputs")."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.paths import field_meta
from sim.scenario import Scenario, ScenarioError, uncertain_ranges
from sim.wording import key_words, parameter_words, without_keys
from ui.input_overrides import RANGES_KEY, range_key
from ui.inputs import number, toggle, within
from ui.labels import plain
from ui.overrides import apply_overrides

# Keys the assumptions section leaves to other inputs or files: the theory-check switch, and a table of values.
NOT_IN_ASSUMPTIONS = ("all_mechanisms_off", "context_switch_loss")


def assumptions(values: dict[str, Any], ranges: dict[str, tuple[float, float]]) -> set[str]:
    """Every behavioural assumption and the client flow, each with its help, source grade and plausible range, and
    under each uncertain one the ends of its range; returns the paths whose ranges it showed."""
    ranged = set()
    with st.expander("Assumptions (how people and clients behave)"):
        st.caption("Defaults are sourced or marked assumption in the model's documentation; change them when you "
                   "know better for your firm.")
        paths = [f"demand.{n}" for n in ("share_of_wallet", "prospects_per_year", "referrals_per_client_per_year",
                                          "win_rate", "client_attrition_per_year")]
        paths += [p for p in values if p.startswith("behaviour.") and p.split(".")[1] not in NOT_IN_ASSUMPTIONS]
        for path in paths:
            meta, value = field_meta(path), values[path]
            grade = meta.get("grade")
            plausible = meta.get("plausible")
            extra = " ".join(filter(None, [
                f"Source: {grade}." if grade else "",
                f"Plausible range {plausible[0]:g} to {plausible[1]:g}." if plausible else "",
            ]))
            label = key_words(path)
            if isinstance(value, bool):
                toggle(path, label, value, extra_help=extra)
            else:
                step = 0.01 if (meta.get("max") or 0) <= 5 else 0.5
                number(path, label, value, step, "%.2f", extra_help=extra)
                if path in ranges:
                    _range_inputs(path, ranges[path])
                    ranged.add(path)
    return ranged


def uncertain(preset: Scenario, overrides: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """The ranges the scenario is analysed over (its table, or the default ranges), remembered for Run."""
    try:
        scenario = apply_overrides(preset, overrides)
    except ScenarioError:
        scenario = preset
    ranges = uncertain_ranges(scenario)
    st.session_state[RANGES_KEY] = ranges
    return ranges


def _range_inputs(path: str, bounds: tuple[float, float]) -> None:
    """Two inputs side by side: the low and high end of a parameter's plausible range."""
    meta = field_meta(path)
    lo = float(meta["min"]) if meta.get("min") is not None else None
    hi = float(meta["max"]) if meta.get("max") is not None else None
    step = 0.01 if bounds[1] <= 5 else 1.0 if bounds[1] <= 1000 else 1000.0
    left, right = st.columns(2)
    for column, end, at in ((left, "low", bounds[0]), (right, "high", bounds[1])):
        key = range_key(path, end)
        if key not in st.session_state:
            st.session_state[key] = float(at)
        column.number_input(f"{end} end of its range", min_value=lo, max_value=hi, step=step, format="%g", key=key,
                            value=within(float(st.session_state[key]), lo, hi),
                            help=f"The {end} end of what you find plausible for {key_words(path).lower()}; *How sure "
                            "is this?* tests the answer over this range.")


def other_ranges(ranges: dict[str, tuple[float, float]], values: dict[str, Any]) -> None:
    """The uncertain inputs the assumptions above do not show (salaries, prices, a preset's own choices)."""
    if not ranges:
        return
    with st.expander(f"Other uncertain inputs ({len(ranges)} ranges)"):
        st.caption("The ranges *How sure is this?* tests the answer over, for inputs not among the assumptions "
                   "above (MODEL.md, Default ranges).")
        for path, bounds in ranges.items():
            value = values.get(path)
            shown = f"{value:g}" if isinstance(value, (int, float)) else "?"
            st.markdown(f"{plain(parameter_words(path))}: {shown}", help=without_keys(field_meta(path).get("help", "")))
            _range_inputs(path, bounds)
