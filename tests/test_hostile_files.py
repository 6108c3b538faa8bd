"""Hostile scenario files and flags: every file problem is one line on stderr and exit code 2, never a traceback,
a hang or a message that echoes a huge value back."""

from __future__ import annotations

import codecs
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.advisor import Objective
from sim.cli import main
from sim.scenario import (
    MAX_FILE_BYTES,
    MAX_TABLE_ENTRIES,
    STANDARD_DESIGNS,
    ScenarioError,
    decode,
    from_dict,
    load_scenario,
    loads,
)
from tests.conftest import ROOT

SMALL = "weeks = 2\nwarmup_weeks = 0\nreplications = 2\n"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *says: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and len(err) < 600, err
    for text in says:
        assert text in err, err


@pytest.mark.parametrize("content, says", [
    (b"\x00\x01\x02\xff\xfe binary", ["not a text file in UTF-8", "byte 0xff at position 3"]),
    (codecs.BOM_UTF16_LE + SMALL.encode("utf-16-le"), ["not a text file in UTF-8", "UTF-16"]),
    ("name = \"Café\"\n".encode("latin-1"), ["not a text file in UTF-8", "byte 0xe9 at position 11"]),
    (b"weeks = 2\x00\n", ["NUL bytes"]),
    (("seed = " + "9" * 5000).encode(), ["over 4,300 digits"]),
    (("seed = " + "[" * 5000 + "]" * 5000).encode(), ["nested too deep"]),
    (("seed = " + "{a = " * 3000 + "1" + "}" * 3000).encode(), ["nested too deep"]),
    (b"x" * (MAX_FILE_BYTES + 1), ["over 1,000,000 bytes"]),
])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys, content, says):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    code, out, err = run_cli(capsys, "run", str(path), "--serial")
    assert_one_line_error(code, err, str(path), *says)
    assert out == ""


def test_a_folder_a_missing_file_and_an_unreadable_one_are_one_line(tmp_path, capsys, monkeypatch):
    assert_one_line_error(*run_cli(capsys, "run", str(tmp_path))[::2], "is a folder")
    assert_one_line_error(*run_cli(capsys, "run", str(tmp_path / "nope.toml"))[::2], "No such file")
    path = tmp_path / "locked.toml"
    path.write_text(SMALL)

    def refuse(self, *args, **kwargs):  # the tests run as root in CI, where chmod 000 does not stop a read
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert_one_line_error(*run_cli(capsys, "run", str(path))[::2], "cannot read the file (Permission denied)")


def test_an_endless_file_is_refused_at_the_size_cap_without_hanging():
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "sim", "run", "/dev/zero"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"error: /dev/zero: over {MAX_FILE_BYTES:,} bytes; a scenario file has at most "
                           f"{MAX_FILE_BYTES:,} (the presets are about 2,000)\n")
    assert time.monotonic() - started < 60


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(codecs.BOM_UTF8 + b"weeks = 7\nname = \"With a BOM\"\n")
    scenario = load_scenario(path)
    assert (scenario.weeks, scenario.name) == (7, "With a BOM")
    assert loads("\ufeffweeks = 8\n").weeks == 8  # text already decoded by someone else keeps its mark
    assert decode(codecs.BOM_UTF8 + b"a = 1", "x") == "a = 1"


def test_unknown_keys_are_each_named_once_with_the_allowed_list_once():
    with pytest.raises(ScenarioError) as err:
        from_dict({"firm": {"enginers": 1, "staff": 2, "team": 3, "people": 4}})
    (problem,) = err.value.problems
    assert problem.startswith("firm.enginers, firm.people, firm.staff, firm.team: unknown keys; allowed keys here")
    assert problem.count("allowed keys") == 1 and problem.count("hours_per_week") == 1
    for key in ("enginers", "people", "staff", "team"):
        assert problem.count(key) == 1
    with pytest.raises(ScenarioError) as err:
        from_dict({"firm": {f"k{i}": i for i in range(1000)}})
    (problem,) = err.value.problems
    assert "and 995 more: unknown keys" in problem and len(problem) < 300


def designs_file(count: int) -> str:
    return SMALL + "".join(f"[designs.d{i}]\nhybrids = 1\n" for i in range(count))


def test_designs_and_every_other_table_are_capped_at_the_documented_number(tmp_path, capsys):
    extra = MAX_TABLE_ENTRIES - len(STANDARD_DESIGNS)
    assert len(loads(designs_file(extra)).designs) == MAX_TABLE_ENTRIES  # the cap itself is allowed
    path = tmp_path / "many.toml"
    path.write_text(designs_file(10_000))
    code, _, err = run_cli(capsys, "run", str(path), "--serial")
    assert_one_line_error(code, err, f"designs: 10,005 entries; a table holds at most {MAX_TABLE_ENTRIES}")
    with pytest.raises(ScenarioError, match=f"designs: {MAX_TABLE_ENTRIES + 1} entries"):
        loads(designs_file(extra + 1))
    skills = {f"s{i}": 1 for i in range(MAX_TABLE_ENTRIES + 1)}
    with pytest.raises(ScenarioError, match=f"firm.skills: {MAX_TABLE_ENTRIES + 1} entries"):
        from_dict({"firm": {"engineers": MAX_TABLE_ENTRIES + 1, "skills": skills}})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"at most {MAX_TABLE_ENTRIES} entries" in readme


def test_messages_never_echo_a_huge_value(tmp_path, capsys):
    path = tmp_path / "long.toml"
    path.write_text(f'name = "{"a" * 900_000}"\nfirm = {{ engineers = "{"b" * 50_000}" }}\n')
    code, _, err = run_cli(capsys, "run", str(path))
    assert_one_line_error(code, err, "name = 'aaaa", "must be text of at most 2000 characters",
                          "firm.engineers = 'bbbb", "must be a whole number from 1 to 500")
    deep = {"firm": {"engineers": [[[[[[1]]]]]] * 100}}
    with pytest.raises(ScenarioError) as exc:
        from_dict(deep)
    assert len(str(exc.value)) < 200


def test_shares_just_off_one_say_by_how_much():
    with pytest.raises(ScenarioError) as err:
        from_dict({"demand": {"work_types": {"a": {"share": 0.5}, "b": {"share": 0.500001}}}})
    (problem,) = err.value.problems
    assert problem.endswith("shares must sum to 1; they sum to 1.000001")
    assert "b = 0.500001" in problem


def test_huge_objective_weights_are_an_even_mix_not_all_zero(capsys):
    assert Objective.parse("profit:1e308,on_time:1e308").weights == (("profit", 0.5), ("on_time", 0.5))
    (profit, a), (lead_time, b) = Objective.parse("profit:3e307,lead_time:1e308").weights
    assert (profit, lead_time) == ("profit", "lead_time")
    assert a == pytest.approx(3 / 13) and b == pytest.approx(10 / 13)
    code, _, err = run_cli(capsys, "advise", str(ROOT / "scenarios" / "default.toml"), "--budget", "1",
                           "--objective", "profit:1e400")
    assert_one_line_error(code, err, "objective weight profit = inf: must be a positive number")


@pytest.mark.parametrize("argv, says", [
    (["run", "SCENARIO", "--reps", "x" * 50_000], "argument --reps: invalid int value: 'xxx"),
    (["run", "SCENARIO", "--designs", ",".join(f"d{i}" for i in range(10_000))], "designs = d0,d1,d2"),
    (["run", "SCENARIO", "--bogus", "y" * 50_000], "unrecognized arguments: --bogus yyy"),
    (["advise", "SCENARIO", "--budget", "1", "--objective", ",".join(f"z{i}" for i in range(10_000))],
     "objective: 9,997 more unknown names"),
    (["advise", "SCENARIO", "--budget", "1e400"], "budget = inf: must be a yearly amount"),
])
def test_huge_flags_are_one_short_line(capsys, argv, says):
    argv = [str(ROOT / "scenarios" / "default.toml") if a == "SCENARIO" else a for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, says)
    assert out == "" and len(err) < 400


def test_tables_nested_deep_by_dotted_headers_are_one_line(tmp_path, capsys):
    # tomllib builds these without recursion, so the depth is checked before any recursive code meets them
    path = tmp_path / "dotted.toml"
    path.write_text("[uncertainty." + ".".join(["x"] * 5000) + "]\ny = [1, 2]\n")
    code, _, err = run_cli(capsys, "run", str(path))
    assert_one_line_error(code, err, "uncertainty.x.x.x.x.x.x.x.x: tables or lists nested more than 8 deep")


def test_the_uncertainty_table_is_capped_like_every_other_table():
    from sim.scenario import default_ranges

    paths = list(default_ranges(from_dict({})))
    assert len(paths) <= MAX_TABLE_ENTRIES
    rows = "".join(f'"{p}" = [{lo}, {hi}]\n' for p, (lo, hi) in default_ranges(from_dict({})).items())
    assert len(loads(f"[uncertainty]\n{rows}").uncertainty) == len(paths)
    many = "".join(f'"designs.d{i}.hybrids" = [0, 1]\n' for i in range(MAX_TABLE_ENTRIES + 1))
    with pytest.raises(ScenarioError, match=f"uncertainty: {MAX_TABLE_ENTRIES + 1} entries; a table holds at most"):
        loads(f"[uncertainty]\n{many}")


@pytest.mark.parametrize("name", ["-2-3", "_pm", "-"])
def test_a_name_that_a_spreadsheet_would_run_as_a_formula_is_refused(tmp_path, capsys, name):
    """A design's code is written raw into every CSV export; `-2-3` there is a formula to a spreadsheet."""
    path = tmp_path / "s.toml"
    path.write_text(f'{SMALL}[designs."{name}"]\nproject_managers = 1\n')
    code, out, err = run_cli(capsys, "run", str(path), "--format", "csv", "--serial")
    assert_one_line_error(code, err, f"designs.{name}", "the first a letter or a digit", "formula")
    assert out == ""


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1 PM", "-2-3", "@SUM(A1)", "\tx", "\rx"])
def test_a_label_that_a_spreadsheet_would_run_as_a_formula_is_refused(text):
    """A design's label is a column of the growth page's CSV export."""
    with pytest.raises(ScenarioError, match="formula") as err:
        from_dict({"designs": {"pm": {"label": text}}})
    assert [problem.path for problem in err.value.problems] == ["designs.pm.label"]


def test_names_and_labels_that_start_with_a_letter_or_a_digit_are_kept():
    scenario = from_dict({"designs": {"2pm": {"project_managers": 2, "label": "Two PMs - lean"}}})
    assert scenario.designs["2pm"].label == "Two PMs - lean"
