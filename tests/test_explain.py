"""`sim explain`: a design's gain split by mechanism, on the same paired replications as the gain.

A model with effects known by hand pins every contribution and the interaction exactly; the real model, with one
mechanism on and every other off, gives that mechanism the whole gain beyond the salaries and every other one
exactly nothing; the CLI prints words, and codes only in JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.advisor import HIRE_KEYS, Advice, Objective, Procedure, advice_pair, grown
from sim.cli import main
from sim.experiment import run_experiment, with_overrides
from sim.explain import ALL_OFF, MECHANISMS, active_mechanisms, explain
from sim.presets import SCENARIOS_FOLDER
from sim.scenario import OrgDesign, Scenario, from_dict, load_scenario, switched_on
from sim.wording import TODAY_NAME

REPS = 4
NOISE = np.array([3.0, -1.0, 2.0, -4.0])  # per replication, shared by both designs (common random numbers)


def small() -> Scenario:
    return with_overrides(load_scenario(SCENARIOS_FOLDER / "small_firm.toml"), replications=REPS, weeks=6)


def hand_model(effects: dict[str, float], together: float, either: float = 0.0, design: str = "am"):
    """Profit of `design` = `none` + each mechanism's effect while it is on, + `together` while clarity and rework
    are both on, + `either` while one of them or both are on; the hire costs 100. Lead time follows the same
    rule."""
    hired = design

    def runner(scenario: Scenario, designs: list[str]) -> pd.DataFrame:
        on = {m.parameter for m in active_mechanisms(scenario)}
        gain = sum(v for k, v in effects.items() if k in on)
        if {"behaviour.clarity_with_am", "behaviour.rework_effort_share"} <= on:
            gain += together
        if {"behaviour.clarity_with_am", "behaviour.rework_effort_share"} & on:
            gain += either
        rows = []
        for design in designs:
            extra = gain if design == hired else 0.0
            cost = 100.0 if design == hired else 0.0
            for rep in range(REPS):
                rows.append({"design": design, "replication": rep, "profit": 1000 + NOISE[rep] + extra - cost,
                             "cost": cost, "lead_time_days": 5 - extra, "on_time_rate": 0.5})
        return pd.DataFrame(rows)
    return runner


def by_parameter(explained) -> dict[str, tuple[float, float]]:
    return {c.parameter: (c.mean, c.ci95) for c in explained.contributions}


def test_contributions_match_the_effects_worked_out_by_hand():
    effects = {"behaviour.clarity_with_am": 60.0, "behaviour.rework_effort_share": 30.0,
               "behaviour.account_growth_per_hour": 15.0}
    explained = explain(small(), "am", "none", "profit", runner=hand_model(effects, together=20.0))
    rows = by_parameter(explained)
    # total: 60 + 30 + 15 + 20 (together) - 100 (salary) = 25, the same in every replication
    assert explained.total == pytest.approx((25.0, 0.0))
    # switching clarity off loses its 60 and the 20 it makes with rework; likewise rework: 30 + 20
    assert rows["behaviour.clarity_with_am"] == pytest.approx((80.0, 0.0))
    assert rows["behaviour.rework_effort_share"] == pytest.approx((50.0, 0.0))
    assert rows["behaviour.account_growth_per_hour"] == pytest.approx((15.0, 0.0))
    assert rows["economics.salary.account_manager"] == pytest.approx((-100.0, 0.0))
    assert rows[ALL_OFF] == pytest.approx((0.0, 0.0))
    # every mechanism the hand model gives no effect contributes exactly nothing
    assert all(rows[p] == (0.0, 0.0) for p in rows if p not in {*effects, "economics.salary.account_manager"})
    # the 20 was counted twice, once with each mechanism: the interaction takes it back
    assert explained.interaction == pytest.approx((-20.0, 0.0))
    assert sum(c.mean for c in explained.contributions) + explained.interaction[0] == pytest.approx(25.0)
    # largest first, by size
    sizes = [abs(c.mean) for c in explained.contributions]
    assert sizes == sorted(sizes, reverse=True)
    assert explained.contributions[0].parameter == "economics.salary.account_manager"


def test_one_assumption_carrying_most_of_the_gain_is_named_with_its_range():
    effects = {"behaviour.clarity_with_am": 300.0, "behaviour.rework_effort_share": 10.0}
    explained = explain(small(), "am", "none", "profit", runner=hand_model(effects, together=0.0))
    carried = explained.carried_by_assumption()
    assert carried is not None and carried.parameter == "behaviour.clarity_with_am"
    words = " ".join(explained.sentences())
    assert "rests on one assumption" in words and "0.8 to 0.95" in words
    assert "clarifying" in words and "behaviour." not in words and "clarity_with_am" not in words
    # spread evenly over several, no one input carries it and nothing is said
    even = {"behaviour.clarity_with_am": 60.0, "behaviour.rework_effort_share": 60.0,
            "behaviour.account_growth_per_hour": 60.0, "behaviour.share_response": 60.0}  # 60 of a net 140 each
    spread = explain(small(), "am", "none", "profit", runner=hand_model(even, together=0.0))
    assert spread.carried_by_assumption() is None
    assert "rests on one assumption" not in " ".join(spread.sentences())


def test_mechanisms_that_only_act_together_are_said_to():
    # either of two mechanisms brings the same 200: switched off one at a time, neither seems to matter
    effects = {"behaviour.clarity_with_am": 5.0}
    explained = explain(small(), "am", "none", "lead_time", runner=hand_model(effects, together=0.0, either=200.0))
    assert by_parameter(explained)["behaviour.rework_effort_share"] == (0.0, 0.0)
    assert explained.interaction == pytest.approx((200.0, 0.0))
    assert explained.acts_together
    assert "act together rather than one by one" in " ".join(explained.sentences())
    alone = explain(small(), "am", "none", "lead_time", runner=hand_model({"behaviour.rework_effort_share": 5.0}, 0))
    assert not alone.acts_together


def test_the_real_model_with_one_mechanism_on_gives_it_the_whole_gain_beyond_the_salaries():
    # the default firm: its clients have room to grow (the small firm's already give it all their work)
    data = with_overrides(load_scenario(SCENARIOS_FOLDER / "default.toml"), replications=REPS, weeks=6).to_dict()
    data["behaviour"]["all_mechanisms_off"] = True
    # account time grows spend by satisfaction, which the AM's negotiated deadlines move: that switch is off too
    scenario = switched_on(from_dict(data), account_growth_per_hour=0.004, negotiation_buffer=1.0)
    full = run_experiment(scenario, ["am", "none"])
    explained = explain(scenario, "am", "none", "profit", full=full)
    rows = by_parameter(explained)
    # every other switch has nothing to act through, so it changes not one event
    others = [p for p in rows if p not in {"behaviour.account_growth_per_hour", "economics.salary.account_manager"}]
    assert {p: rows[p] for p in others if p != ALL_OFF and rows[p] != (0.0, 0.0)} == {}
    assert explained.interaction[0] == pytest.approx(0.0, abs=1e-6)
    # the salaries are exact, the account time is the rest of the gain, replication by replication
    wide = full.summary.pivot(index="replication", columns="design", values="profit")
    gain = (wide["am"] - wide["none"]).to_numpy()
    assert explained.total[0] == pytest.approx(gain.mean())
    salary = rows["economics.salary.account_manager"]
    assert salary[1] == 0.0 and salary[0] == pytest.approx(-float(np.unique(full.summary.query("design == 'am'")
                                                                             ["cost"])[0]
                                                           - full.summary.query("design == 'none'")["cost"].iloc[0]))
    assert rows["behaviour.account_growth_per_hour"][0] + salary[0] + rows[ALL_OFF][0] == pytest.approx(gain.mean())
    assert rows["behaviour.account_growth_per_hour"][0] > 0  # account time grows spend


def test_every_mechanism_switches_off_to_a_value_the_schema_allows():
    scenario = small()
    for m in MECHANISMS:
        from sim.explain import switched_off
        switched_off(scenario, [m])  # raises if an off value were out of bounds


@pytest.mark.deep
def test_the_cli_prints_words_and_json_carries_the_codes(capsys):
    """Deep tier: about 1 s, as it runs the command in a process of its own."""
    path = str(SCENARIOS_FOLDER / "small_firm.toml")
    assert main(["explain", path, "--designs", "am,none", "--reps", "2", "--weeks", "2", "--serial",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["design"] == "am" and data["against"] == "none" and data["objective"] == "profit"
    assert {"parameter", "label", "grade", "mean", "ci95"} == set(data["contributions"][0])
    assert {c["grade"] for c in data["contributions"]} <= {"firm", "soft", "rule of thumb", "assumption"}
    total = sum(c["mean"] for c in data["contributions"]) + data["interaction"]["mean"]
    assert total == pytest.approx(data["total"]["mean"])
    assert main(["explain", path, "--designs", "am,none", "--reps", "2", "--weeks", "2", "--serial"]) == 0
    text = capsys.readouterr().out
    assert "The hires' salaries" in text and "Account manager" in text
    assert "behaviour." not in text and "_" not in text


@pytest.mark.deep
def test_on_the_default_firm_the_command_ranks_every_mechanism_by_size_with_its_grade_on_the_totals_replications(
        capsys):
    """The must-show: the default firm as it is, every mechanism on, the best design against the runner-up as
    Compare finds them. Each row has a scenario key, words and a grade; rows come largest first; and the rows plus
    the interaction add up to the total to the cent, which they can only on the same (paired) replications.
    Deep tier: about 20 s, as it runs the comparison and one run per mechanism."""
    assert main(["explain", "scenarios/default.toml", "--weeks", "10", "--reps", "5", "--serial",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = data["contributions"]
    assert len(rows) >= 10 and data["design"] != data["against"]
    sizes = [abs(row["mean"]) for row in rows]
    assert sizes == sorted(sizes, reverse=True)
    assert all(row["grade"] in {"firm", "soft", "rule of thumb", "assumption"} for row in rows)
    assert all("." in row["parameter"] and row["label"] and "_" not in row["label"] for row in rows)
    assert sum(row["mean"] for row in rows) + data["interaction"]["mean"] == pytest.approx(data["total"]["mean"],
                                                                                         abs=0.01)


def test_the_cli_refuses_one_design_in_words(capsys):
    path = str(SCENARIOS_FOLDER / "small_firm.toml")
    assert main(["explain", path, "--designs", "am", "--serial"]) != 0
    assert "name two designs" in capsys.readouterr().err


def test_next_hire_explains_its_best_option_against_today_or_the_runner_up_when_today_is_best():
    def option(name: str, **hires) -> dict:
        return {"name": name, **dict.fromkeys(HIRE_KEYS, 0), "sales_share": 0.0, "standardised_work": False,
                "checkins": False, **hires}

    def advice(*rows: dict) -> Advice:
        return Advice(objective=Objective.of("profit"), budget=100_000.0, growth=0.1, procedure=Procedure(),
                      options=pd.DataFrame(list(rows)), scores=pd.DataFrame(), recommendation="", confident=True,
                      replications=REPS)

    am = option("+1 account manager", account_managers=1)
    lever = option("standardised work", standardised_work=True)
    today = option(TODAY_NAME)
    scenario, best, against = advice_pair(small(), advice(am, lever, today))
    assert scenario.designs == {best: OrgDesign(account_managers=1, label="+1 account manager"),
                                against: OrgDesign(label="Today's organisation")}
    assert scenario.demand == grown(small(), 0.1).demand  # at the demand the advice ranked for
    scenario, best, against = advice_pair(small(), advice(today, lever, am))
    assert scenario.designs == {best: OrgDesign(label="Today's organisation"),
                                against: OrgDesign(standardised_work=True, label="Standardised work")}
    explained = explain(scenario, best, against, "profit", runner=hand_model({}, 0.0, design=best))
    assert explained.labels == ("Today's organisation", "Standardised work")
    assert explained.sentences()[0].startswith("Today's organisation against Standardised work: ")
