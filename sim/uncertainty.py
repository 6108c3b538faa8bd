"""Uncertainty: ranges of numeric parameters, keyed by dotted path (`"behaviour.clarity_without_am"`).

Which paths name a number (`numeric_field`), a scenario's value at a path (`value_at`), and the ranges the
robustness analysis uses: the scenario's own [uncertainty] table or the model's default ranges, read from the
`plausible` metadata of the schema's fields (sim.schema).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim import dotted
from sim.schema import Scenario, valid_name

UNCERTAIN_SECTIONS = ("firm", "demand", "behaviour", "process", "economics", "designs")  # not the experiment settings
UNCERTAIN_GRADES = ("assumption", "soft")  # the grades whose `plausible` range is a default range


def numeric_field(path: str) -> tuple[type, dict[str, Any]] | None:
    """(int or float, metadata) of the single number at a dotted path of the schema, or None when the path names
    no number. Table entries (designs, work types, skills) take any name: whether the scenario has it is checked
    against the scenario itself."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] not in UNCERTAIN_SECTIONS or not all(map(valid_name, parts)):
        return None
    found = dotted.field_at(path, Scenario)
    return (found.hint, dict(found.meta)) if found is not None and found.hint in (int, float) else None


def value_at(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path; KeyError when a named entry (design, work type, skill) is missing."""
    node: Any = scenario
    for part in path.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif dataclasses.is_dataclass(node) and part in {f.name for f in dataclasses.fields(node)}:
            node = getattr(node, part)
        else:
            raise KeyError(path)
    return node


def default_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The model's default ranges: each field graded assumption or soft with a `plausible` range, widened to hold
    the scenario's own value (a range the value lies outside of would not describe this scenario)."""
    out: dict[str, tuple[float, float]] = {}
    # the sections' own fields: no entry of a table (a design, a work type) has a default range
    for f in dotted.walk(Scenario):
        if f.path.split(".")[0] not in UNCERTAIN_SECTIONS or dotted.ANY_NAME in f.path.split("."):
            continue
        if f.meta.get("grade") in UNCERTAIN_GRADES and f.meta.get("plausible") is not None:
            value = value_at(scenario, f.path)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            low, high = (float(x) for x in f.meta["plausible"])
            out[f.path] = (min(low, float(value)), max(high, float(value)))
    return out


def uncertain_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The ranges the robustness analysis uses: the scenario's [uncertainty] table, or the default ranges."""
    return dict(scenario.uncertainty) if scenario.uncertainty is not None else default_ranges(scenario)
