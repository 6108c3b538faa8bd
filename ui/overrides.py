"""A scenario as a preset plus overrides keyed by dotted path ("firm.engineers", "designs.pm.project_managers").

The app keeps only what the user changed, so its state stays small, survives a change of page, and maps one to
one onto short share links. An override of None removes what the preset has at that path: a work type, a skill,
or a design's process override (back to the firm's setting). These functions never import streamlit.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any

from sim.scenario import Scenario, ScenarioError, from_dict

Overrides = dict[str, Any]


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"firm": {"engineers": 12}} -> {"firm.engineers": 12}; lists stay whole values."""
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `flatten`: names in a scenario never contain a dot, so splitting on dots is exact."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ScenarioError([f"{path}: {part} is a single value, not a table"])
        node[leaf] = value
    return nested


def merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Nested dicts merged key by key; a change replaces a value, never a whole table, and None removes the key."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and value and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def apply_overrides(preset: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The preset with the overrides applied, validated: ScenarioError lists every bad key."""
    return from_dict(merge(preset.to_dict(), unflatten(overrides)))


def overrides_between(preset: Scenario, scenario: Scenario) -> Overrides:
    """The smallest overrides that turn the preset into the scenario (what a share link decodes to)."""
    return _differences(preset.to_dict(), scenario.to_dict(), "")


def _differences(base: Mapping[str, Any], target: Mapping[str, Any], prefix: str) -> Overrides:
    out: Overrides = {}
    for key in base.keys() - target.keys():
        out[f"{prefix}{key}"] = None
    for key, value in target.items():
        path = f"{prefix}{key}"
        if key not in base:
            out.update(flatten({key: value}, prefix.rstrip(".")) if isinstance(value, Mapping) else {path: value})
        elif isinstance(value, Mapping) and value and isinstance(base[key], Mapping):
            out.update(_differences(base[key], value, f"{path}."))
        elif base[key] != value:
            out[path] = value
    return out


def field_meta(path: str) -> dict[str, Any]:
    """Help text and bounds of the field at a dotted path, e.g. demand.work_types.support.share -> WorkType.share."""
    cls: type | None = Scenario
    parts = path.split(".")
    i = 0
    meta: dict[str, Any] = {}
    while i < len(parts):
        if cls is None or not dataclasses.is_dataclass(cls):
            raise KeyError(path)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if parts[i] not in fields:
            raise KeyError(path)
        f = fields[parts[i]]
        meta = dict(f.metadata)
        hint = typing.get_type_hints(cls)[parts[i]]
        i += 1
        if typing.get_origin(hint) is dict:
            _, value_type = typing.get_args(hint)
            if i == len(parts):
                break
            i += 1  # skip the user's name (a skill, a work type, a design)
            if not dataclasses.is_dataclass(value_type):
                break  # firm.skills.<name> is a plain number with the dict's own bounds
            cls = value_type
        elif dataclasses.is_dataclass(hint):
            cls = hint
        else:
            cls = None
            if i < len(parts):
                raise KeyError(path)
    return meta



def engineers_by_skill(skills: Mapping[str, int], total: int) -> dict[str, int]:
    """A new total split over skills in today's proportions (largest remainder), for the engineers sweep."""
    today = sum(skills.values())
    if not skills or today == 0:
        return dict(skills)
    exact = {name: total * count / today for name, count in skills.items()}
    split = {name: int(x) for name, x in exact.items()}
    rest = total - sum(split.values())
    for name in sorted(exact, key=lambda n: exact[n] - split[n], reverse=True)[:rest]:
        split[name] += 1
    return split


def with_engineers(overrides: Mapping[str, Any], scenario: Scenario, total: int) -> Overrides:
    """Overrides that set the team to `total` engineers, keeping the skill mix when the firm has several skills."""
    out = dict(overrides)
    out["firm.engineers"] = total
    if scenario.firm.skills:
        for name, count in engineers_by_skill(scenario.firm.skills, total).items():
            out[f"firm.skills.{name}"] = count
    return out
