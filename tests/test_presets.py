"""The presets tell the story of the seed article: each loads, runs, and the design it is about wins on profit."""

from __future__ import annotations

import pytest

from sim.experiment import run_experiment
from sim.presets import load_presets
from sim.scenario import ScenarioError, from_dict
from tests.conftest import small

PRESETS = load_presets()

# Preset -> (the design its story says should win, the designs it competes with).
STORIES = {
    "small_firm": ("none", ["pm", "am", "hybrid", "both"]),
    "request_flow": ("pm", ["none", "am", "hybrid", "both"]),
    "account_growth": ("am", ["none", "pm", "hybrid", "both"]),
    "one_hire": ("hybrid", ["none", "pm", "am"]),
}


def test_every_story_has_a_preset_and_a_description():
    assert set(STORIES) <= set(PRESETS)
    for name, scenario in PRESETS.items():
        assert scenario.name != "Unnamed scenario" and len(scenario.description) > 80, name


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_validates_and_runs(name):
    scenario = PRESETS[name]
    assert from_dict(scenario.to_dict()) == scenario
    results = run_experiment(small(scenario, weeks=6, replications=2))
    assert set(results.designs) == set(scenario.designs)
    assert (results.summary["delivered"] > 0).all()


@pytest.mark.parametrize("name", sorted(STORIES))
def test_the_story_design_wins_on_profit(name):
    """At full length with the preset's own seed, the paired difference of every rival against the winner is
    negative with its whole 95 % interval below zero."""
    winner, rivals = STORIES[name]
    versus = run_experiment(PRESETS[name], [winner, *rivals]).versus(winner, ["profit"]).set_index("design")
    for rival in rivals:
        gap, half_width = versus.loc[rival, ["mean", "ci95"]]
        assert gap + half_width < 0, f"{rival} vs {winner}: {gap:,.0f} +/- {half_width:,.0f}"


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
