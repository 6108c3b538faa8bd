"""Dotted paths ("firm.engineers", "designs.pm.project_managers"): a scenario's nested-dict (TOML) form and its
schema, addressed one value at a time. This module works on any dataclass schema and knows no Scenario, so that
the scenario's own modules (sim.schema, sim.uncertainty, sim.validation) can use it; sim.paths gives the same
functions with the Scenario's schema as their default.

Share links, the app's overrides, the parameter reference and the tests all speak of a scenario by dotted path;
this module is the one place that turns paths into nested dicts and back and finds the schema field behind a
path. Names in a scenario (designs, work types, skills) never contain a dot, so splitting on dots is exact.

An empty table is a value of its own: `flatten({"firm": {"skills": {}}})` is `{"firm.skills": {}}`, not `{}`, so
that `unflatten(flatten(x)) == x` for every x and an emptied table is not mistaken for a missing one
(`uncertainty = {}` means no ranges; no `uncertainty` table means the model's default ranges). Code that writes
tables entry by entry (share links) leaves these empty-table values out with `values_only`.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from sim.problems import ScenarioError

# The name shown for a table's entries where no scenario names them (the reference table: `designs.NAME.hybrids`).
ANY_NAME = "NAME"


# ---------------------------------------------------------------------------------------------------------------
# Nested dicts


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"firm": {"engineers": 12}} -> {"firm.engineers": 12}; lists stay whole values, an empty table stays `{}`."""
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def values_only(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The flattened paths less the empty tables: what has a single value to show or write."""
    return {path: value for path, value in flat.items() if not isinstance(value, Mapping)}


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `flatten`. A path through a single value (`demand.clients.x` next to `demand.clients`) is a
    ScenarioError naming it, as a user's bad override is."""
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
    """Nested dicts merged key by key, leaving `base` as it was: a change replaces a value, never a whole table
    (unless it is an empty table), and None removes the key."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and value and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def diff(base: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest flat changes that `merge(base, unflatten(changes))` turns into `target`: each changed or new
    value by its path, each key `target` lacks as None."""
    return _diff(base, target, "")


def _diff(base: Mapping[str, Any], target: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {f"{prefix}{key}": None for key in base.keys() - target.keys()}
    for key, value in target.items():
        path = f"{prefix}{key}"
        if key not in base:
            out.update(flatten({key: value}, prefix.rstrip(".")))
        elif isinstance(value, Mapping) and value and isinstance(base[key], Mapping):
            out.update(_diff(base[key], value, f"{path}."))
        elif base[key] != value:
            out[path] = value
    return out


def get(nested: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """The value at a path, or `default` where the path leads nowhere."""
    node: Any = nested
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


# ---------------------------------------------------------------------------------------------------------------
# The schema


@dataclass(frozen=True)
class Field:
    """The schema behind a dotted path: the value's type, the dataclass field that holds it (a table's entries are
    held by the table's field, and share its help text and bounds) and whether the path ends on a named entry."""

    path: str
    hint: Any
    spec: dataclasses.Field
    entry: bool = False

    @property
    def meta(self) -> Mapping[str, Any]:
        """Help text, bounds, grade and the like (`sim.schema.param`)."""
        return self.spec.metadata

    @property
    def default(self) -> Any:
        """The field's built-in default; None for a named entry of a table, which has none of its own."""
        if self.entry:
            return None
        if self.spec.default_factory is not dataclasses.MISSING:
            return self.spec.default_factory()
        return self.spec.default

    @property
    def is_table(self) -> bool:
        """A table of named entries (designs, work types, skills): the next path part is a name the user chooses."""
        return typing.get_origin(self.hint) is dict

    @property
    def is_section(self) -> bool:
        return _is_section(self.hint)

    @property
    def item(self) -> Any:
        """The type of a table's entries (OrgDesign for `designs`, int for `firm.skills`)."""
        return typing.get_args(self.hint)[1]

    @property
    def holds_sections(self) -> bool:
        """A table whose entries are sections (designs, work types), not single values (skills)."""
        return self.is_table and _is_section(self.item)


@functools.cache
def _fields(cls: type) -> dict[str, tuple[Any, dataclasses.Field]]:
    hints = typing.get_type_hints(cls)
    return {f.name: (hints[f.name], f) for f in dataclasses.fields(cls)}


def _is_section(hint: Any) -> TypeGuard[type]:
    """A dataclass type (firm, demand, a design), whose fields the path goes on into."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def field_at(path: str, root: type) -> Field | None:
    """The field at a dotted path of the schema `root` (a dataclass type), or None when there is no such path. A
    table's entries take any name (`designs.anything.hybrids`): whether the scenario has that entry
    is a question for the scenario, not the schema."""
    hint: Any = root
    spec: dataclasses.Field | None = None
    entry = False
    for part in path.split("."):
        if _is_section(hint):
            fields = _fields(hint)
            if part not in fields:
                return None
            (hint, spec), entry = fields[part], False
        elif typing.get_origin(hint) is dict and part:
            hint, entry = typing.get_args(hint)[1], True
        else:
            return None
    return None if spec is None else Field(path, hint, spec, entry)


def walk(root: type, data: Mapping[str, Any] | None = None, prefix: str = "") -> Iterator[Field]:
    """Every field of the schema but the sections, in the schema's order: single values and tables. After a table
    of sections (designs, work types) come its entries' fields, under the entry names `data` (a nested dict) has
    there, or under ANY_NAME without data."""
    for name, (hint, spec) in _fields(root).items():
        path = f"{prefix}{name}"
        if _is_section(hint):
            yield from walk(hint, None if data is None else data.get(name, {}), f"{path}.")
            continue
        found = Field(path, hint, spec)
        yield found
        if found.holds_sections:
            entries = data.get(name, {}) if data is not None else dict.fromkeys([ANY_NAME])
            for entry, value in entries.items():
                yield from walk(found.item, value, f"{path}.{entry}.")


def tables(root: type) -> list[str]:
    """The paths of every table of named entries: `firm.skills`, `demand.work_types`, `designs`."""
    return [f.path for f in walk(root) if f.is_table]


def field_meta(path: str, root: type) -> Mapping[str, Any]:
    """Help text and bounds of the field at a dotted path (`demand.work_types.support.share` -> WorkType.share);
    KeyError when the schema has no such path."""
    found = field_at(path, root)
    if found is None:
        raise KeyError(path)
    return found.meta
