"""Scenario problems are structured: the input's dotted path, the value and the message, with the line users read
unchanged; what reads them (links, the sidebar) goes by the path. A cluster that fails is not a scenario error."""

from __future__ import annotations

import pickle

import pytest

from sim.calibration.formats import ExportError
from sim.links import params_to_scenario
from sim.parallel import ClusterError
from sim.presets import SCENARIOS_FOLDER, read_presets
from sim.scenario import NO_VALUE, SHARES_PATH, Problem, ScenarioError, from_dict


def problems_of(data: dict) -> list[Problem]:
    with pytest.raises(ScenarioError) as err:
        from_dict(data)
    return err.value.problems


def test_a_bad_value_names_its_path_its_value_and_what_is_allowed():
    (problem,) = problems_of({"demand": {"clients": 0}})
    assert (problem.path, problem.value, problem.message) == ("demand.clients", 0, "must be a whole number from 1 "
                                                               "to 2000")
    assert str(problem) == "demand.clients = 0: must be a whole number from 1 to 2000"


def test_an_item_of_a_list_is_a_problem_of_the_list_input():
    (problem,) = problems_of({"behaviour": {"context_switch_loss": [0.1, 2.0]}})
    assert problem.path == "behaviour.context_switch_loss" and problem.value == 2.0
    assert str(problem) == "behaviour.context_switch_loss[1] = 2.0: must be a number from 0 to 0.95"


def test_rules_over_several_keys_keep_their_line_and_name_what_they_are_about():
    work_types = {"a": {"share": 0.5}, "b": {"share": 0.6}}
    (problem,) = problems_of({"demand": {"work_types": work_types}})
    assert problem.path == SHARES_PATH and problem.value is NO_VALUE
    assert str(problem) == "demand.work_types.*.share (a = 0.5, b = 0.6): shares must sum to 1; they sum to 1.1"
    (unknown,) = problems_of({"firm": {"x": 1, "y": 2}})
    assert unknown.path == "firm" and str(unknown).startswith("firm.x, firm.y: unknown keys; allowed keys here are ")


def test_the_error_reads_as_before_and_keeps_its_structure_through_a_pool():
    err = ScenarioError([Problem("weeks", 0, "must be a whole number from 1 to 520"), "a line from a file"])
    assert str(err) == "weeks = 0: must be a whole number from 1 to 520; a line from a file"
    assert err.problems[1].path == "" and err.problems[1] == "a line from a file"
    back = pickle.loads(pickle.dumps(err))
    assert back.problems == err.problems and back.problems[0].path == "weeks" and back.problems[1].value is NO_VALUE
    export = pickle.loads(pickle.dumps(ExportError("no created column")))
    assert type(export) is ExportError and str(export) == "no created column"


def test_a_link_drops_the_setting_a_problem_is_about_and_keeps_the_rest():
    presets, _ = read_presets(SCENARIOS_FOLDER)
    decoded = params_to_scenario({"preset": "default", "clients": "0", "engineers": "14",
                                  "behaviour.context_switch_loss": "0.1,2"}, presets)
    assert decoded.scenario.firm.engineers == 14
    assert decoded.scenario.demand.clients == presets["default"].demand.clients
    assert decoded.scenario.behaviour.context_switch_loss == presets["default"].behaviour.context_switch_loss
    assert sorted(w.split(":")[0] for w in decoded.warnings) == [
        "Ignored behaviour.context_switch_loss=0.1,2", "Ignored clients=0"]


def test_a_cluster_that_does_not_answer_is_not_a_scenario_error():
    exc = ClusterError(["SIM_DASK_SCHEDULER = 'tcp://x:1': no Dask scheduler answered"])
    assert not isinstance(exc, ScenarioError)
    assert str(pickle.loads(pickle.dumps(exc))) == str(exc)
