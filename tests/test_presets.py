"""The presets load and run; each tells its story in its description. Which design wins is what the model says on
them, not something a preset is tuned or tested for."""

from __future__ import annotations

import pytest

from sim.presets import load_presets
from sim.scenario import ScenarioError, from_dict

PRESETS = load_presets()


def test_presets_load_default_first():
    assert next(iter(PRESETS)) == "default"


def test_every_preset_has_a_name_and_a_description():
    for name, scenario in PRESETS.items():
        assert scenario.name != "Unnamed scenario" and len(scenario.description) > 80, name


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_validates(name):
    # That each preset runs, every design delivering, is checked where the app opens it
    # (tests/test_app_pages.py, test_every_preset_opens_with_its_description_and_results).
    assert from_dict(PRESETS[name].to_dict()) == PRESETS[name]


def test_a_broken_preset_is_reported_and_the_others_still_load(tmp_path):
    from sim.presets import read_presets

    (tmp_path / "zeta.toml").write_text('name = "Z"\n')
    (tmp_path / "default.toml").write_text("")
    (tmp_path / "broken.toml").write_text("[firm]\nengineers = 0\n")
    presets, problems = read_presets(tmp_path)
    assert list(presets) == ["default", "zeta"]
    assert problems == ["broken.toml: firm.engineers = 0: must be a whole number from 1 to 500"]
    with pytest.raises(ScenarioError):
        load_presets(tmp_path)
