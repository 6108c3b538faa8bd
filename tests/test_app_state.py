"""The app's scenario state: a preset plus overrides by dotted path, exact in both directions."""

from __future__ import annotations

import pytest

from sim.presets import read_presets
from sim.scenario import ScenarioError
from tests.conftest import ROOT
from ui.overrides import (
    apply_overrides,
    engineers_by_skill,
    field_meta,
    flatten,
    overrides_between,
    unflatten,
    with_engineers,
)


def test_flatten_and_unflatten_are_inverse(default_scenario):
    nested = default_scenario.to_dict()
    flat = flatten(nested)
    assert flat["demand.work_types.support.share"] == 0.5
    assert flat["designs.pm.project_managers"] == 1
    assert flat["behaviour.context_switch_loss"] == [0.0, 0.2, 0.4, 0.6, 0.75]
    assert unflatten(flat) == nested


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


def test_field_meta_follows_named_tables():
    assert field_meta("firm.engineers")["min"] == 1
    assert field_meta("demand.work_types.support.share")["help"] == "Share of requests of this type."
    assert field_meta("designs.anything.hybrids")["max"] == 50
    assert field_meta("economics.salary.engineer")["help"].startswith("Yearly salary of an engineer")
    with pytest.raises(KeyError):
        field_meta("firm.nothing")


@pytest.mark.parametrize("total", [1, 5, 12, 13, 40])
def test_engineers_split_by_skill_keeps_the_total_and_the_mix(total):
    split = engineers_by_skill({"development": 9, "operations": 3}, total)
    assert sum(split.values()) == total
    assert abs(split["development"] - total * 0.75) <= 1


def test_engineers_lever_keeps_skills_consistent(default_scenario):
    scenario = apply_overrides(default_scenario, with_engineers({}, default_scenario, 20))
    assert scenario.firm.engineers == 20 and sum(scenario.firm.skills.values()) == 20


def test_presets_load_and_a_broken_file_is_reported(tmp_path):
    (tmp_path / "default.toml").write_text("")  # every default
    (tmp_path / "broken.toml").write_text("[firm]\nengineers = 0\n")
    presets, problems = read_presets(tmp_path)
    assert list(presets) == ["default"]
    assert problems == ["broken.toml: firm.engineers = 0: must be a whole number from 1 to 500"]


@pytest.mark.parametrize("overrides", [
    {"firm.skills": 3},  # a value where a table belongs
    {"demand.clients.x": 1},  # a table where a value belongs
    {"demand.clients": 30, "demand.clients.x": 1},  # both at once
])
def test_overrides_of_the_wrong_shape_are_problems_not_crashes(default_scenario, overrides):
    with pytest.raises(ScenarioError) as err:
        apply_overrides(default_scenario, overrides)
    assert err.value.problems


def test_the_model_and_the_pure_app_modules_never_import_streamlit():
    import subprocess
    import sys

    code = ("import sys, sim, sim.cli, sim.experiment, sim.parallel, ui.overrides, ui.tables, ui.charts, ui.labels; "
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


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
