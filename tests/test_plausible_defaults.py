"""Every default of the schema lies inside its own plausible range: a default the model's documentation calls
implausible would be the first thing a partner reads on the Model page."""

from __future__ import annotations

import pytest

from sim.paths import field_meta, flatten
from sim.scenario import Scenario, load_scenario, value_at
from tests.conftest import ROOT


def plausible_defaults() -> list[tuple[str, float, tuple[float, float]]]:
    """(key, default, plausible range) of every parameter whose schema entry gives a plausible range."""
    found = []
    for key, value in flatten(Scenario().to_dict()).items():
        try:
            plausible = field_meta(key).get("plausible")
        except KeyError:
            continue
        if plausible is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append((key, value, tuple(plausible)))
    return found


def test_the_schema_gives_plausible_ranges():
    assert len(plausible_defaults()) >= 10


@pytest.mark.parametrize(("key", "value", "plausible"), plausible_defaults(), ids=lambda x: str(x))
def test_every_default_lies_inside_its_plausible_range(key, value, plausible):
    low, high = plausible
    assert low <= value <= high, f"{key} = {value:g} by default, outside its plausible range {low:g} to {high:g}"


@pytest.mark.parametrize("file", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda f: f.name)
def test_every_preset_range_holds_the_value_in_force(file):
    scenario = load_scenario(file)
    outside = {path: (value_at(scenario, path), bounds) for path, bounds in (scenario.uncertainty or {}).items()
               if not bounds[0] <= value_at(scenario, path) <= bounds[1]}
    assert not outside, outside
