"""A changed scenario's name in words: what differs from the preset, most telling first, the first few named."""

from __future__ import annotations

from sim.presets import load_presets
from ui.overrides import apply_overrides
from ui.state import change_words, is_made_name, named


def words(overrides: dict) -> list[str]:
    preset = load_presets()["default"]
    return change_words(preset, apply_overrides(preset, overrides))


def test_the_team_and_the_demand_come_first_and_the_skills_follow_the_team():
    assert words({"seed": 3, "demand.clients": 18, "firm.engineers": 10, "firm.skills.development": 7}) == [
        "10 engineers", "18 clients", "seed 3"]


def test_designs_count_once_each_added_changed_or_removed():
    assert words({"designs.hybrid.removed": True, "designs.x.project_managers": 2, "designs.pm.label": "Planner",
                  "designs.pm.project_managers": 2}) == [
        "Planner changed", "with 2 project managers", "without Hybrid PM/AM"]


def test_values_read_in_their_units():
    assert words({"demand.growth_per_year": 0.2, "economics.bill_rate": 150.0, "process.checkins": True,
                  "behaviour.neutral_satisfaction": 0.7}) == [
        "+20 % demand a year", "bill rate $150", "AM-PM check-ins on", "neutral satisfaction 0.7"]


def test_the_name_names_three_counts_the_rest_and_yields_to_the_users_own():
    preset = load_presets()["default"]
    overrides = {"firm.engineers": 10, "firm.skills.development": 7, "demand.clients": 18, "weeks": 4,
                 "replications": 2}
    scenario = apply_overrides(preset, overrides)
    made = named(preset, scenario, overrides).name
    assert made == "Default firm, changed: 10 engineers, 18 clients, 4 weeks and 1 more"
    assert is_made_name(made, preset) and not is_made_name("Acme", preset)
    own = {**overrides, "name": "Acme"}
    assert named(preset, apply_overrides(preset, own), own).name == "Acme"
    assert named(preset, preset, {}).name == preset.name  # unchanged: the preset's own name
