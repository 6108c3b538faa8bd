"""Dotted paths: the nested-dict form and the schema, addressed one value at a time, exact in both directions."""

from __future__ import annotations

import pytest

from sim import paths
from sim.scenario import Firm, OrgDesign, ScenarioError


def test_flatten_and_unflatten_are_inverse(default_scenario):
    nested = default_scenario.to_dict()
    flat = paths.flatten(nested)
    assert flat["demand.work_types.support.share"] == 0.5
    assert flat["designs.pm.project_managers"] == 1
    assert flat["behaviour.context_switch_loss"] == [0.0, 0.2, 0.4, 0.6, 0.75]
    assert paths.unflatten(flat) == nested


def test_an_empty_table_is_a_value_of_its_own_and_values_only_leaves_it_out():
    nested = {"firm": {"engineers": 5, "skills": {}}, "uncertainty": {}}
    assert paths.flatten(nested) == {"firm.engineers": 5, "firm.skills": {}, "uncertainty": {}}
    assert paths.unflatten(paths.flatten(nested)) == nested
    assert paths.values_only(paths.flatten(nested)) == {"firm.engineers": 5}


def test_a_path_through_a_single_value_is_a_scenario_error():
    with pytest.raises(ScenarioError, match=r"demand\.clients\.x: clients is a single value"):
        paths.unflatten({"demand.clients": 30, "demand.clients.x": 1})


def test_merge_changes_values_not_tables_and_none_removes():
    base = {"firm": {"engineers": 12, "skills": {"dev": 9, "ops": 3}}, "name": "A"}
    merged = paths.merge(base, {"firm": {"skills": {"ops": 4}}, "name": None})
    assert merged == {"firm": {"engineers": 12, "skills": {"dev": 9, "ops": 4}}}
    assert base == {"firm": {"engineers": 12, "skills": {"dev": 9, "ops": 3}}, "name": "A"}  # left as it was
    assert paths.merge(base, {"firm": {"skills": {}}})["firm"]["skills"] == {}  # an empty table empties it


def test_diff_is_what_merge_needs_in_both_directions():
    base = {"firm": {"engineers": 12, "skills": {"dev": 9, "ops": 3}}, "designs": {"pm": {"checkins": True}}}
    target = {"firm": {"engineers": 14, "skills": {"dev": 14}}, "designs": {"pm": {}, "lead": {"hybrids": 2}}}
    changes = paths.diff(base, target)
    assert changes == {"firm.engineers": 14, "firm.skills.dev": 14, "firm.skills.ops": None,
                       "designs.pm": {}, "designs.lead.hybrids": 2}  # an emptied table is one value, as in flatten
    assert paths.merge(base, paths.unflatten(changes)) == target
    assert paths.merge(target, paths.unflatten(paths.diff(target, base))) == base
    assert paths.diff(base, base) == {}


def test_get_follows_a_path_or_gives_the_default():
    nested = {"firm": {"skills": {"dev": 9}}}
    assert paths.get(nested, "firm.skills.dev") == 9
    assert paths.get(nested, "firm.skills") == {"dev": 9}
    assert paths.get(nested, "firm.skills.ops", 0) == 0
    assert paths.get(nested, "firm.skills.dev.x") is None


def test_field_at_follows_named_tables():
    assert paths.field_meta("firm.engineers")["min"] == 1
    assert paths.field_meta("demand.work_types.support.share")["help"] == "Share of requests of this type."
    assert paths.field_meta("designs.anything.hybrids")["max"] == 50
    assert paths.field_meta("economics.salary.engineer")["help"].startswith("Yearly salary of an engineer")
    skill = paths.field_at("firm.skills.development")
    assert (skill.hint, skill.entry, skill.meta["max"]) == (int, True, 500)  # a table's entries share its bounds
    design = paths.field_at("designs.lean")
    assert design.hint is OrgDesign and design.entry and design.is_section
    assert paths.field_at("designs").is_table and not paths.field_at("firm.engineers").is_table
    for missing in ("firm.nothing", "firm.engineers.count", "designs..hybrids", ""):
        assert paths.field_at(missing) is None
    with pytest.raises(KeyError):
        paths.field_meta("firm.nothing")


def test_walk_lists_every_value_under_the_scenarios_own_names(default_scenario):
    schema = [f.path for f in paths.walk()]
    assert schema[:3] == ["name", "description", "seed"]
    assert "firm.skills" in schema and "designs.NAME.hybrids" in schema and "firm" not in schema
    assert paths.tables() == ["firm.skills", "demand.work_types", "designs"]
    named = [f.path for f in paths.walk(data=default_scenario.to_dict())]
    assert [p for p in named if p.startswith("designs.") and p.endswith(".hybrids")] == [
        f"designs.{name}.hybrids" for name in default_scenario.designs]
    leaves = set(paths.values_only(paths.flatten(default_scenario.to_dict())))
    ranges = {p for p in leaves if p.startswith("uncertainty.")}  # a range nests under its parameter's path
    assert ranges and all(paths.field_at(p) is not None for p in leaves - ranges)  # every value has its field
    assert {p for p in leaves - ranges if not p.startswith("firm.skills.")} <= set(named)
    assert all(paths.field_at(p.removeprefix("uncertainty.")).hint in (int, float) for p in ranges)


@pytest.mark.parametrize(("total", "split"), [
    (12, {"development": 9, "operations": 3}),  # 9 / 3 exactly
    (14, {"development": 11, "operations": 3}),  # 10.5 / 3.5: the tie goes to the skill listed first
    (15, {"development": 11, "operations": 4}),  # 11.25 / 3.75: the larger remainder
    (20, {"development": 15, "operations": 5}),
    (5, {"development": 4, "operations": 1}),  # 3.75 / 1.25
    (1, {"development": 1, "operations": 0}),
])
def test_engineers_equal_n_keeps_todays_skill_mix_by_largest_remainder(total, split):
    # today 8 engineers, 6 / 2: no case is today's size, so a resize that changed nothing would fail every one
    firm = Firm(engineers=8, skills={"development": 6, "operations": 2})
    assert firm.resized(total) == Firm(engineers=total, skills=split)


def test_engineers_equal_n_on_a_firm_without_skills_only_changes_the_headcount():
    assert Firm(engineers=12).resized(7) == Firm(engineers=7)
    three = Firm(engineers=10, skills={"a": 5, "b": 3, "c": 2}).resized(7)  # 3.5 / 2.1 / 1.4
    assert three.skills == {"a": 4, "b": 2, "c": 1}
