"""`python -m sim robust` and `advise --robust`: the documented JSON, one-line errors."""

from __future__ import annotations

import json

import pytest

from sim.cli import USAGE_ERROR, main
from sim.scenario import load_scenario

SCENARIO = """
name = "Tiny"
seed = 5
weeks = 6
warmup_weeks = 1
[firm]
engineers = 3
[demand]
clients = 6
requests_per_client_per_week = 1.0
[uncertainty]
"economics.salary.hybrid" = [60000.0, 400000.0]
"economics.salary.sales" = [90000.0, 100000.0]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return str(path)


def test_robust_json_has_the_documented_shape_sorted_by_swing(tiny, capsys):
    code = main(["robust", tiny, "--designs", "none,hybrid", "--samples", "4", "--reps", "2", "--weeks", "6",
                 "--format", "json", "--serial"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["objective"] == "profit" and out["samples"] == 4
    assert set(out["probability_best"]) == {"none", "hybrid"}
    assert sum(out["probability_best"].values()) == pytest.approx(1)
    assert set(out["expected_regret"]["none"]) == {"mean", "ci95"}
    assert [r["parameter"] for r in out["tornado"]] == ["economics.salary.hybrid", "economics.salary.sales"]
    overhead = load_scenario(tiny).economics.overhead_factor  # what a dollar of salary costs the firm
    assert out["tornado"][0]["swing"] == pytest.approx(340_000 * overhead, abs=1e-3)  # the salary range, exactly
    assert out["tornado"][1]["swing"] == 0
    # the salary moves every replication's profit alike: beyond noise; the sales salary changes nothing: within it
    assert [r["beyond_noise"] for r in out["tornado"]] == [True, False]
    assert out["tornado"][1]["swing_ci95"] == 0 and not out["tornado"][1]["flips"]
    assert out["tornado"][0]["swing_ci95"] < 1e-6 * out["tornado"][0]["swing"]
    assert out["refine_replications"] == 8 and out["tornado"][1]["replications"] == 2
    assert out["best"] in ("none", "hybrid") and isinstance(out["clearly_best_over_noise"], bool)
    assert out["verdict"].startswith(f"{out['best']} is ")
    assert f"best in {100 * out['probability_best'][out['best']]:.0f} % of plausible assumptions" in out["verdict"]


def test_robust_table_ends_with_the_sentence(tiny, capsys):
    assert main(["robust", tiny, "--designs", "none,hybrid", "--samples", "3", "--reps", "2", "--serial",
                 "--objective", "mix"]) == 0
    text = capsys.readouterr().out
    assert "objective profit:0.333333,lead_time:0.333333,on_time:0.333333" in text
    header = next(line for line in text.splitlines() if line.startswith("parameter"))
    assert header.split() == ["parameter", "low", "high", "best", "at", "low", "best", "at", "high", "swing", "+/-",
                              "beyond", "noise", "flips", "reps"]
    sales = next(line for line in text.splitlines() if line.startswith("economics.salary.sales"))
    assert sales.split()[-3:] == ["0", "no", "2"]  # no swing, within noise, not rerun, so no "yes" for flips
    assert "of plausible cases (3 samples of the ranges)" in text.splitlines()[-2]
    assert text.splitlines()[-1].endswith("of plausible assumptions.")


@pytest.mark.parametrize(("args", "message"), [
    (["--samples", "1"], "samples = 1: must be a whole number from 2 to 1000"),
    (["--designs", "none,nope"], "designs = none,nope: choose from"),
    (["--objective", "speed"], "objective speed: unknown"),
])
def test_robust_bad_arguments_are_one_line(tiny, capsys, args, message):
    assert main(["robust", tiny, "--serial", *args]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_advise_robust_adds_the_best_two_options(tiny, capsys):
    assert main(["advise", tiny, "--budget", "130000", "--robust", "--samples", "3", "--format", "json",
                 "--serial"]) == 0
    out = json.loads(capsys.readouterr().out)
    best_two = [o["name"] for o in out["options"][:2]]
    assert list(out["robust"]["probability_best"]) == best_two
    assert out["robust"]["best_at_values"] in best_two
    assert out["robust"]["verdict"].startswith(f"{best_two[0]} is ")
