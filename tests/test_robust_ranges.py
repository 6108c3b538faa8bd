"""The [uncertainty] table: validation, default ranges from the schema's metadata, TOML and share links."""

from __future__ import annotations

import dataclasses

import pytest

from sim.links import params_to_scenario, scenario_to_params
from sim.presets import load_presets
from sim.scenario import (
    Scenario,
    ScenarioError,
    default_ranges,
    dumps,
    from_dict,
    loads,
    uncertain_ranges,
)


def ranges_problems(table: str) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        loads(f"[uncertainty]\n{table}\n")
    return err.value.problems


def test_a_table_is_read_with_quoted_or_dotted_keys_and_written_back_as_a_person_writes_it():
    quoted = loads('[uncertainty]\n"behaviour.clarity_without_am" = [0.5, 0.85]\n"economics.bill_rate" = [150, 250]')
    dotted = loads("[uncertainty]\nbehaviour.clarity_without_am = [0.5, 0.85]\neconomics.bill_rate = [150, 250]")
    assert quoted == dotted
    assert quoted.uncertainty == {"behaviour.clarity_without_am": (0.5, 0.85), "economics.bill_rate": (150.0, 250.0)}
    text = dumps(quoted)
    assert text.endswith('[uncertainty]\n"behaviour.clarity_without_am" = [0.5, 0.85]\n'
                         '"economics.bill_rate" = [150.0, 250.0]\n')
    assert loads(text) == quoted
    assert from_dict(quoted.to_dict()) == quoted


def test_an_empty_table_means_no_range_and_no_table_means_the_default_ranges():
    empty = loads("[uncertainty]\n")
    assert empty.uncertainty == {} and uncertain_ranges(empty) == {}
    assert loads(dumps(empty)).uncertainty == {}
    plain = Scenario()
    assert plain.uncertainty is None and uncertain_ranges(plain) == default_ranges(plain)
    assert "[uncertainty]" not in dumps(plain)


@pytest.mark.parametrize(("table", "message"), [
    ('"behaviour.clarity_without_am" = [0.9, 0.5]',
     "uncertainty.behaviour.clarity_without_am = [0.9, 0.5]: low must not be above high"),
    ('"behaviour.clarity_without_am" = [0.5, 1.5]',
     "uncertainty.behaviour.clarity_without_am = [0.5, 1.5]: must lie within the parameter's allowed range, numbers "
     "from 0 to 1"),
    ('"behaviour.clarity" = [0.5, 0.8]', "uncertainty.behaviour.clarity: not a numeric parameter"),
    ('"seed" = [1, 2]', "uncertainty.seed: not a numeric parameter"),
    ('"behaviour.churn" = [0, 1]', "uncertainty.behaviour.churn: not a numeric parameter"),
    ('"behaviour.clarity_without_am" = [0.5]', "uncertainty.behaviour.clarity_without_am = [0.5]: must be [low, high]"),
    ('"behaviour.clarity_without_am" = ["a", 1]', "uncertainty.behaviour.clarity_without_am = ['a', 1]: must be [low"),
    ('"designs.lean.hybrids" = [0, 2]', "uncertainty.designs.lean.hybrids: the scenario has no such entry"),
])
def test_bad_ranges_get_one_line_naming_the_path_and_what_is_allowed(table, message):
    problems = ranges_problems(table)
    assert len(problems) == 1 and problems[0].startswith(message)


def test_ranges_of_named_entries_are_allowed_when_the_scenario_has_them(default_scenario):
    data = default_scenario.to_dict()
    data["uncertainty"] = {"demand.work_types.project.effort_hours": [40, 90], "designs.pm.sales_share": [0, 0.5],
                           "firm.skills.operations": [2, 4]}
    assert from_dict(data).uncertainty["demand.work_types.project.effort_hours"] == (40.0, 90.0)


def graded_fields(obj, prefix=""):
    """Every field of the schema with its metadata, walked generically."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from graded_fields(value, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", value, f.metadata


def test_default_ranges_are_the_plausible_range_of_every_number_graded_assumption_or_soft():
    s = Scenario()
    expected = {path: tuple(float(x) for x in meta["plausible"])
                for path, value, meta in graded_fields(s)
                if meta.get("grade") in ("assumption", "soft") and meta.get("plausible") is not None
                and isinstance(value, (int, float)) and not isinstance(value, bool)}
    assert expected  # the schema grades its assumptions
    assert default_ranges(s) == expected
    for path, (low, high) in expected.items():  # every default lies in its range
        section, name = path.rsplit(".", 1)
        value = s
        for part in section.split("."):
            value = getattr(value, part)
        assert low <= getattr(value, name) <= high, path


def test_a_default_range_widens_to_hold_the_scenarios_own_value():
    path, (low, high) = next(iter(default_ranges(Scenario()).items()))
    section, name = path.split(".", 1)
    data = {section: {name: low / 2 if low > 0 else high * 2}}
    s = from_dict(data)
    value = data[section][name]
    assert default_ranges(s)[path] == (min(low, value), max(high, value))


@pytest.fixture(scope="module")
def presets():
    return load_presets()


def with_ranges(s: Scenario, ranges: dict | None) -> Scenario:
    return dataclasses.replace(s, uncertainty=ranges)


@pytest.mark.parametrize("ranges", [
    None, {}, {"behaviour.clarity_without_am": (0.5, 0.85)},
    {"behaviour.clarity_without_am": (0.6, 0.8), "economics.bill_rate": (150.0, 260.5)},
])
@pytest.mark.parametrize("preset_ranges", [None, {}, {"behaviour.clarity_without_am": (0.55, 0.85),
                                                      "behaviour.hybrid_strength": (0.4, 0.8)}])
def test_ranges_travel_in_share_links(presets, ranges, preset_ranges):
    catalogue = {**presets, "default": with_ranges(presets["default"], preset_ranges)}
    scenario = with_ranges(catalogue["default"], ranges)
    params = scenario_to_params(scenario, "default", catalogue)
    decoded = params_to_scenario(params, catalogue)
    assert decoded.warnings == []
    assert decoded.scenario.uncertainty == scenario.uncertainty
    if ranges == preset_ranges:
        assert not any(k.startswith("uncertainty") for k in params)


def test_a_link_drops_a_bad_range_with_a_warning_and_keeps_the_rest(presets):
    params = {"v": "1", "preset": "default", "uncertainty.behaviour.clarity_without_am": "0.9,0.5",
              "uncertainty.economics.bill_rate": "100,300", "uncertainty": "sometimes"}
    decoded = params_to_scenario(params, presets)
    path = "behaviour.clarity_without_am"
    assert decoded.scenario.uncertainty == {**presets["default"].uncertainty, "economics.bill_rate": (100.0, 300.0)}
    assert decoded.scenario.uncertainty[path] == presets["default"].uncertainty[path]
    assert any("uncertainty.behaviour.clarity_without_am=0.9,0.5" in w and "low must not be above high" in w
               for w in decoded.warnings)
    assert any("uncertainty=sometimes" in w and "uncertainty=default" in w for w in decoded.warnings)


def test_model_md_lists_the_default_ranges_as_the_schema_has_them():
    from sim.reference import markdown_default_ranges
    from tests.conftest import ROOT

    model = (ROOT / "MODEL.md").read_text(encoding="utf-8")
    assert "### Default ranges" in model
    assert markdown_default_ranges() in model, "regenerate with python -m sim.reference"
    assert markdown_default_ranges().count("\n") - 1 == len(default_ranges(Scenario()))


def test_every_preset_writes_out_a_range_for_every_uncertain_input(presets):
    for name, preset in presets.items():
        assert preset.uncertainty is not None, name
        missing = set(default_ranges(preset)) - set(preset.uncertainty)
        assert not missing, f"{name}: write the ranges out with python -m sim.presets ({sorted(missing)})"


def test_writing_a_presets_ranges_keeps_its_own_and_adds_the_defaults(tmp_path):
    from sim.presets import write_ranges

    path = tmp_path / "mine.toml"
    path.write_text('name = "Mine"\n\n[uncertainty]\n"behaviour.hybrid_strength" = [0.1, 0.9]\n', encoding="utf-8")
    write_ranges(path)
    written = loads(path.read_text(encoding="utf-8"))
    assert written.uncertainty == {**default_ranges(written), "behaviour.hybrid_strength": (0.1, 0.9)}
    write_ranges(path)
    assert loads(path.read_text(encoding="utf-8")) == written


@pytest.mark.parametrize("ranges", [None, {}, {"behaviour.clarity_without_am": (0.5, 0.85)}])
def test_a_file_with_ranges_becomes_the_preset_plus_overrides_and_back(presets, ranges):
    from ui.overrides import apply_overrides, overrides_between

    preset = presets["default"]
    scenario = loads(dumps(with_ranges(preset, ranges)))  # as an uploaded file
    assert scenario.uncertainty == ranges
    assert apply_overrides(preset, overrides_between(preset, scenario)) == scenario


def test_a_range_section_left_empty_names_no_range():
    ranges = {"demand": {}, "economics": {"bill_rate": [150.0, 250.0]}}
    scenario = from_dict({"uncertainty": ranges})
    assert scenario.uncertainty == {"economics.bill_rate": (150.0, 250.0)}
