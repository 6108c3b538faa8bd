"""Dotted paths through a Scenario ("firm.engineers", "designs.pm.project_managers"): sim.dotted's functions with
the Scenario's schema as their default root. Share links, the app's overrides, the parameter reference and the
tests speak of a scenario by dotted path through this module; the scenario's own modules (sim.schema,
sim.uncertainty, sim.validation), below sim.scenario, which this imports, use sim.dotted itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sim import dotted
from sim.dotted import ANY_NAME as ANY_NAME
from sim.dotted import Field as Field
from sim.dotted import diff as diff
from sim.dotted import flatten as flatten
from sim.dotted import get as get
from sim.dotted import merge as merge
from sim.dotted import unflatten as unflatten
from sim.dotted import values_only as values_only
from sim.scenario import Scenario


def field_at(path: str, root: type = Scenario) -> Field | None:
    """The field at a dotted path of the Scenario's schema (or of `root`), or None when there is no such path."""
    return dotted.field_at(path, root)


def walk(root: type = Scenario, data: Mapping[str, Any] | None = None, prefix: str = "") -> Iterator[Field]:
    """Every field of the Scenario's schema (or of `root`) but the sections: see sim.dotted.walk."""
    return dotted.walk(root, data, prefix)


def tables(root: type = Scenario) -> list[str]:
    """The paths of every table of named entries: `firm.skills`, `demand.work_types`, `designs`."""
    return dotted.tables(root)


def field_meta(path: str, root: type = Scenario) -> Mapping[str, Any]:
    """Help text and bounds of the field at a dotted path of the Scenario's schema; KeyError when there is none."""
    return dotted.field_meta(path, root)


def plausible_range(parameter: str) -> tuple[float, float] | None:
    """The range of values found plausible for an input (its schema metadata), or None when it has none."""
    meta = field_meta(parameter) if parameter else {}
    found = meta.get("plausible")
    return (float(found[0]), float(found[1])) if found is not None else None
