"""The scenario format is a public contract: defaults, round trips and clear errors that name the key."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.scenario import Scenario, ScenarioError, dumps, from_dict, loads


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        from_dict(data)
    return err.value.problems


def test_empty_file_gives_every_default():
    assert from_dict({}) == Scenario()


def test_toml_round_trip_keeps_every_value(default_scenario):
    assert loads(dumps(default_scenario)) == default_scenario


def test_unknown_key_is_named_with_the_allowed_keys():
    (problem,) = problems_of({"firm": {"enginers": 3}})
    assert problem.startswith("firm.enginers: unknown key")
    assert "engineers" in problem


def test_wrong_type_names_key_value_and_what_is_allowed():
    (problem,) = problems_of({"demand": {"clients": "many"}})
    assert problem == "demand.clients = 'many': must be a whole number from 1 to 2000"


def test_negative_headcount_is_refused():
    (problem,) = problems_of({"designs": {"pm": {"project_managers": -1}}})
    assert problem.startswith("designs.pm.project_managers = -1")
    assert "from 0 to 50" in problem


@pytest.mark.parametrize("slice_hours", [1e-15, 1e-4, 0.2499])
def test_a_work_slice_shorter_than_a_quarter_hour_is_refused(slice_hours):
    """A slice of 1e-15 h once grew the server by 110 MB a second: each slice is an event and a record."""
    (problem,) = problems_of({"behaviour": {"work_slice_hours": slice_hours}})
    assert problem == (f"behaviour.work_slice_hours = {slice_hours}: must be 0 (off) or a number from 0.25 to 400")
    ranged = {"uncertainty": {"behaviour.work_slice_hours": [slice_hours, 8.0]}}
    assert "within the parameter's allowed range, 0 (off) or numbers from 0.25 to 400" in problems_of(ranged)[0]


@pytest.mark.parametrize("slice_hours", [0.0, 0.25, 8.0, 400.0])
def test_no_slicing_and_slices_of_a_quarter_hour_or_more_are_taken(slice_hours):
    assert from_dict({"behaviour": {"work_slice_hours": slice_hours}}).behaviour.work_slice_hours == slice_hours


def test_zero_engineers_is_refused():
    (problem,) = problems_of({"firm": {"engineers": 0}})
    assert problem.startswith("firm.engineers = 0")


def test_shares_that_do_not_sum_to_one_are_named():
    data = {"demand": {"work_types": {"a": {"share": 0.5}, "b": {"share": 0.7}}}}
    (problem,) = problems_of(data)
    assert "a = 0.5, b = 0.7" in problem and "sum to 1.2" in problem


def test_skills_must_cover_every_work_type_and_add_up():
    data = {"firm": {"engineers": 3, "skills": {"dev": 2}}, "demand": {"work_types": {"ops": {"skill": "ops"}}}}
    problems = problems_of(data)
    assert any(p.startswith("firm.skills") and "add up to firm.engineers (3)" in p for p in problems)


def test_every_problem_is_reported_at_once():
    problems = problems_of({"seed": -1, "weeks": 0, "behaviour": {"churn": "yes"}})
    assert [p.split(" ")[0] for p in problems] == ["seed", "weeks", "behaviour.churn"]


def test_a_file_adds_designs_to_the_standard_ones():
    s = from_dict({"designs": {"engineer": {"extra_engineers": 1}, "pm": {"checkins": True}}})
    assert list(s.designs) == ["none", "pm", "am", "hybrid", "both", "engineer"]
    assert s.designs["pm"].project_managers == 1 and s.designs["pm"].checkins is True


def test_cli_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[firm]\nengineers = -3\n")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "firm.engineers = -3" in err


def test_cli_bad_flag_is_one_line_and_exit_2(capsys):
    assert main(["run", "scenarios/default.toml", "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xml" in err


def test_cli_unknown_design_is_named(capsys):
    assert main(["run", "scenarios/default.toml", "--designs", "pm,ceo", "--serial"]) == 2
    assert "ceo" in capsys.readouterr().err


def test_a_run_too_big_to_simulate_is_refused_before_it_starts():
    (problem,) = problems_of({"weeks": 520, "demand": {"clients": 2000, "requests_per_client_per_week": 50,
                                                       "growth_per_year": 5}})
    assert problem.startswith("demand: about") and "at most 1,000,000" in problem


def test_expected_requests_follow_the_growth_integral():
    from sim.scenario import expected_requests

    flat = from_dict({"weeks": 52, "warmup_weeks": 0, "demand": {"clients": 10, "requests_per_client_per_week": 1,
                                                                 "new_clients_per_year": 0}})
    assert expected_requests(flat) == pytest.approx(520)
    # New clients only replace those gone (the firm is sized for demand.clients): no more requests than that.
    won = from_dict({"weeks": 52, "warmup_weeks": 0, "demand": {"clients": 10, "requests_per_client_per_week": 1,
                                                                "new_clients_per_year": 50},
                     "behaviour": {"am_new_client_boost": 0.25}})
    assert expected_requests(won) == pytest.approx(520)
    doubling = from_dict({"weeks": 52, "warmup_weeks": 0,
                          "demand": {"clients": 10, "requests_per_client_per_week": 1, "growth_per_year": 1.0,
                                     "new_clients_per_year": 0}})
    assert expected_requests(doubling) == pytest.approx(520 / 0.6931471805599453)  # 520 x (2 - 1) / ln 2
