"""A scenario as a preset plus overrides keyed by dotted path ("firm.engineers", "designs.pm.project_managers").

The app keeps only what the user changed, so its state stays small, survives a change of page, and maps one to
one onto short share links. An override of None removes what the preset has at that path: a work type, a skill,
or a design's process override (back to the firm's setting). The paths themselves are `sim.paths`'s; these
functions never import streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.paths import diff, merge, unflatten
from sim.scenario import Scenario, from_dict

Overrides = dict[str, Any]


def apply_overrides(preset: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The preset with the overrides applied, validated: ScenarioError lists every bad key."""
    return from_dict(merge(preset.to_dict(), unflatten(overrides)))


def overrides_between(preset: Scenario, scenario: Scenario) -> Overrides:
    """The smallest overrides that turn the preset into the scenario (what a share link decodes to)."""
    return diff(preset.to_dict(), scenario.to_dict())


def with_engineers(overrides: Mapping[str, Any], scenario: Scenario, total: int) -> Overrides:
    """Overrides that set the team to `total` engineers, split over skills by `Firm.resized` (today's mix)."""
    out = dict(overrides)
    firm = scenario.firm.resized(total)
    out["firm.engineers"] = firm.engineers
    out.update({f"firm.skills.{name}": count for name, count in firm.skills.items()})
    return out
