"""Which of a scenario's inputs a replication reads, so that a run which cannot have changed need not be made.

A replication is a deterministic function of the scenario values it reads: its random numbers come from the seed
and the replication number alone. So an input it never reads cannot have changed it, and the same replication with
that one input at any other value makes the same events and the same figures, bit for bit. The robustness screen
uses this to skip the tornado ends whose input a design's run never read (a project manager's hours in a firm
without one, a process lever's cost while the lever is off) rather than simulate them again.

Reads are recorded by wrapping the scenario's input tables in read-only views that note every leaf read by its
dotted path (`behaviour.pm_hours_fixed`, `economics.salary.hybrid`), the paths of `uncertain_ranges`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.scenario import Scenario

WATCHED = ("demand", "behaviour", "economics")  # the tables that hold the uncertain inputs


class _Reading:
    """A read-only view of one input table that records the dotted path of each value read through it."""

    __slots__ = ("_table", "_prefix", "_read")

    def __init__(self, table: Any, prefix: str, read: set[str]):
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_read", read)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._table, name)
        path = self._prefix + name
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return _Reading(value, path + ".", self._read)  # a nested table: record its leaves, not itself
        self._read.add(path)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def reading(scenario: Scenario) -> tuple[Scenario, set[str]]:
    """The scenario with its input tables watched, and the set that fills with the paths of the values read from it
    (by a run of the returned scenario)."""
    read: set[str] = set()
    views: dict[str, Any] = {name: _Reading(getattr(scenario, name), f"{name}.", read) for name in WATCHED}
    watched = dataclasses.replace(scenario, **views)
    read.clear()  # building the scenario is not a run's read
    return watched, read


__all__ = ["WATCHED", "reading"]
