"""The app's scenario state: a preset plus overrides by dotted path, exact in both directions."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError
from ui.overrides import apply_overrides, overrides_between, with_engineers


def test_overrides_rebuild_the_scenario_they_came_from(default_scenario):
    changes = {"firm.engineers": 14, "firm.skills.development": 11, "demand.clients": 35,
               "designs.pm.project_managers": 2, "economics.salary.account_manager": 80_000.0}
    scenario = apply_overrides(default_scenario, changes)
    assert scenario.firm.engineers == 14 and scenario.designs["pm"].project_managers == 2
    assert scenario.designs["am"] == default_scenario.designs["am"]
    assert overrides_between(default_scenario, scenario) == changes
    assert apply_overrides(default_scenario, overrides_between(default_scenario, scenario)) == scenario


def test_no_overrides_is_the_preset(default_scenario):
    assert apply_overrides(default_scenario, {}) == default_scenario
    assert overrides_between(default_scenario, default_scenario) == {}


def test_a_bad_override_is_named(default_scenario):
    with pytest.raises(ScenarioError) as err:
        apply_overrides(default_scenario, {"demand.clients": 0, "firm.enginers": 3})
    assert any(p.startswith("demand.clients = 0") for p in err.value.problems)
    assert any(p.startswith("firm.enginers: unknown key") for p in err.value.problems)


def test_the_engineers_lever_and_a_link_mean_the_same_team(default_scenario):
    from sim.links import params_to_scenario

    scenario = apply_overrides(default_scenario, with_engineers({}, default_scenario, 20))
    assert scenario.firm.skills == {"development": 15, "operations": 5}
    linked = params_to_scenario({"preset": "default", "engineers": "20"}, {"default": default_scenario})
    assert linked.scenario == scenario and not linked.warnings


@pytest.mark.parametrize("overrides", [
    {"firm.skills": 3},  # a value where a table belongs
    {"demand.clients.x": 1},  # a table where a value belongs
    {"demand.clients": 30, "demand.clients.x": 1},  # both at once
])
def test_overrides_of_the_wrong_shape_are_problems_not_crashes(default_scenario, overrides):
    with pytest.raises(ScenarioError) as err:
        apply_overrides(default_scenario, overrides)
    assert err.value.problems


def test_removed_entries_and_new_designs_survive_the_round_trip(default_scenario):
    from sim.scenario import from_dict

    data = default_scenario.to_dict()
    del data["demand"]["work_types"]["project"]
    data["demand"]["work_types"]["change"]["share"] = 0.5
    data["designs"]["pm"]["checkins"] = True
    data["designs"]["lead"] = {"hybrids": 2}
    target = from_dict(data)
    overrides = overrides_between(default_scenario, target)
    assert overrides["demand.work_types.project"] is None
    assert overrides["designs.lead.hybrids"] == 2
    assert apply_overrides(default_scenario, overrides) == target
    # and back: unsetting a design's process override is a None too
    assert overrides_between(target, default_scenario)["designs.pm.checkins"] is None
    assert apply_overrides(target, overrides_between(target, default_scenario)) == default_scenario


def test_a_decoded_link_becomes_overrides_that_rebuild_it(default_scenario):
    from sim.links import params_to_scenario, scenario_to_params

    presets = {"default": default_scenario}
    decoded = params_to_scenario({"preset": "default", "engineers": "14", "clients": "35"}, presets)
    assert not decoded.warnings
    overrides = overrides_between(default_scenario, decoded.scenario)
    assert overrides["firm.engineers"] == 14 and overrides["demand.clients"] == 35
    rebuilt = apply_overrides(default_scenario, overrides)
    assert rebuilt == decoded.scenario
    assert params_to_scenario(scenario_to_params(rebuilt, "default", presets), presets).scenario == rebuilt
