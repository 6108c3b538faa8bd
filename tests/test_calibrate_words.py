"""What calibration says in words: a fitted assumption at the edge of its range agrees with the verdict beside it,
and a team that cannot be counted is told why, with the remedy its reader can use. Exports are written by hand, a
few lines each, so every message is known exactly."""

from __future__ import annotations

import pytest

from sim.calibration.backtest import Backtest
from sim.calibration.fit import fit
from sim.calibration.formats import ExportError, read_export
from sim.calibration.pipeline import Calibration, calibrate
from sim.scenario import loads
from sim.wording import fitted_words, in_sentence

OBSERVED = {"lead_time_days": 5.0, "on_time_rate": 0.8, "weeks": 10.0}
EDGE = "behaviour.clarity_with_am"  # plausible 0.8 to 0.95


def generic(rows: list[str], header: str = "created,resolved,type,client,effort_hours,due,assignee") -> bytes:
    """A generic CSV export: the header, then each row 20 times (the fewest tickets a fit takes) on successive
    days of May 2024, so `{day}` in a row is that day's date."""
    lines = [header] + [row.format(day=f"2024-05-{1 + i % 28:02d}") for i in range(20) for row in rows]
    return ("\n".join(lines) + "\n").encode()


FULL_ROW = "{day} 09:00,{day} 15:00,Bug,Acme,3,{day},Ann"


@pytest.fixture(scope="module")
def small_fit(default_scenario):
    return fit(read_export(generic([FULL_ROW]), "t.csv"), default_scenario)


def model(lead: float, on: float) -> dict[str, dict[str, float]]:
    return {"lead_time_days": {"mean": lead, "ci95": 0.1}, "on_time_rate": {"mean": on, "ci95": 0.01}}


def at_the_edge(small_fit, after: dict[str, dict[str, float]]) -> Calibration:
    """A calibration whose back-test fitted one assumption to the top of its plausible range."""
    screen = [{"path": EDGE, "low": 0.8, "high": 0.95, "lead_time_change": -1.0, "on_time_change": 0.1,
               "effect": 0.2}]
    backtest = Backtest("none", 10, OBSERVED, model(8.0, 0.5), after, {EDGE: 0.95}, screen, small_fit.scenario)
    return Calibration(read_export(generic([FULL_ROW]), "t.csv"), small_fit, backtest)


def test_a_close_fit_at_the_edge_of_a_range_says_check_it_and_not_that_the_gap_cannot_close(small_fit):
    result = at_the_edge(small_fit, model(5.0, 0.8))
    assert result.backtest is not None and result.backtest.verdict == "close"
    assert result.warnings[len(small_fit.warnings):] == [
        "Clarity with AM was fitted to 0.95, the high end of its plausible range (0.8 to 0.95). With it the model "
        "is close to your record, but a value at the edge of what is plausible is worth checking against what you "
        "know of your firm."]
    assert not any("cannot close" in w or "can close" in w for w in result.warnings)


@pytest.mark.parametrize(("after", "verdict", "distance"), [
    (model(6.2, 0.8), "roughly", "only roughly close to"),
    (model(8.0, 0.8), "far", "far from"),
])
def test_a_fit_at_the_edge_that_leaves_a_gap_says_plausible_values_cannot_close_it(small_fit, after, verdict,
                                                                                     distance):
    result = at_the_edge(small_fit, after)
    assert result.backtest is not None and result.backtest.verdict == verdict
    assert result.warnings[len(small_fit.warnings):] == [
        f"Clarity with AM was fitted to 0.95, the high end of its plausible range (0.8 to 0.95), and the model is "
        f"still {distance} your record: the gap is wider than plausible values of it can close, so the model lacks "
        "or overstates something for this firm."]


# --- a team that cannot be counted: why, and the remedy its reader can use -----------------------------------------

KEPT = "the base scenario's 12 engineers are kept"
CLI_ENGINEERS = "give the number of engineers with --engineers N"
APP_ENGINEERS = "set “Engineers today”"
UNCOUNTED = [
    ("created,resolved,type,client,effort_hours,due", "{day} 09:00,{day} 15:00,Bug,Acme,3,{day}",
     "No assignee column, so the team cannot be counted; " + KEPT + " ({engineers}, or {column})."),
    ("created,type,client,effort_hours,due,assignee", "{day} 09:00,Bug,Acme,3,{day},Ann",
     "No resolution-date column, so the team cannot be counted from who resolved tickets; " + KEPT
     + " ({engineers}, or {column})."),
    (None, "{day} 09:00,,Bug,Acme,3,{day},Ann",
     "No ticket has a date in 'resolved', so there are no resolved tickets to count the team from; " + KEPT
     + " ({engineers})."),
    (None, "{day} 09:00,{day} 15:00,Bug,Acme,3,{day},",
     "No resolved ticket names anyone in 'assignee', so the team cannot be counted; " + KEPT + " ({engineers})."),
]


def team_warnings(data: bytes, base, **kwargs) -> list[str]:
    return [w for w in fit(read_export(data, "t.csv"), base, **kwargs).warnings if "engineers are kept" in w]


@pytest.mark.parametrize(("header", "row", "words"), UNCOUNTED)
def test_a_team_that_cannot_be_counted_is_told_why_with_the_command_lines_flags(default_scenario, header, row,
                                                                                 words):
    data = generic([row], header) if header else generic([row])
    field = "assignee" if "No assignee" in words else "resolved"
    assert default_scenario.firm.engineers == 12  # the number the messages say is kept
    assert team_warnings(data, default_scenario) == [words.format(
        engineers=CLI_ENGINEERS, column=f"name the column with --map {field}=COLUMN")]


@pytest.mark.parametrize(("header", "row", "words"), UNCOUNTED)
def test_on_the_page_the_same_diagnosis_names_the_pages_controls(default_scenario, header, row, words):
    from ui.calibration import CONTROLS

    data = generic([row], header) if header else generic([row])
    label = "Assignee" if "No assignee" in words else "Resolved"
    shown = team_warnings(data, default_scenario, controls=CONTROLS)
    assert shown == [words.format(engineers=APP_ENGINEERS, column=f"pick the column in “{label}” under Columns")]
    assert "--" not in shown[0]


def test_a_team_counted_or_given_has_no_warning(default_scenario):
    data = generic([FULL_ROW, FULL_ROW.replace(",Ann", ",Bob")])
    assert team_warnings(data, default_scenario) == []
    assert fit(read_export(data, "t.csv"), default_scenario).scenario.firm.engineers == 2
    no_resolved = generic(["{day} 09:00,,Bug,Acme,3,{day},Ann"])
    assert team_warnings(no_resolved, default_scenario, engineers=4) == []


def test_a_missing_client_or_creation_column_names_the_readers_control(default_scenario):
    from ui.calibration import CONTROLS

    data = generic(["{day} 09:00,{day} 15:00,Bug,3,{day},Ann"], "created,resolved,type,effort_hours,due,assignee")
    kept = "No client column; the base scenario's 25 clients and the spread of their sizes are kept"
    for controls, remedy in ((None, "name the column with --map client=COLUMN"),
                             (CONTROLS, "pick the column in “Client” under Columns")):
        options = {"controls": controls} if controls else {}
        warnings = fit(read_export(data, "t.csv"), default_scenario, **options).warnings
        assert [w for w in warnings if "client" in w.lower()] == [f"{kept} ({remedy})."]
    nothing_created = b"key,summary\n" + b"A,B\n" * 20
    expected = ("t.csv: no creation-date column; expected Created (Jira, Linear), Created at (Zendesk) or created "
                "(generic CSV); ")
    with pytest.raises(ExportError) as err:
        read_export(nothing_created, "t.csv")
    assert str(err.value) == expected + "name the column with --map created=COLUMN"
    with pytest.raises(ExportError) as err:
        read_export(nothing_created, "t.csv", controls=CONTROLS)
    assert str(err.value) == expected + "pick the column in “Created” under Columns"


# --- what was fitted: words for people, keys for files and JSON ---------------------------------------------------

TWO_TYPES = ["{day} 09:00,{day} 15:00,Change Request,Acme,3,2024-05-31,Ann",
             "{day} 10:00,{day} 16:00,Bug,Beta,2,2024-05-31,Bob"]


def test_what_was_fitted_reads_in_words_and_keeps_its_keys_for_json(default_scenario):
    result = calibrate(generic(TWO_TYPES), default_scenario, source="t.csv", run_backtest=False)
    assert [n.words for n in result.notes] == [
        "Clients: 2, the distinct clients in 'client'.",
        "Client size variability: 0, the spread of tickets per client, less what chance alone gives.",
        "Requests per client per week: 7.21, from 40 tickets over 2.8 working weeks and 2 clients.",
        "Change Request, effort hours: 3, the mean time spent on 20 resolved tickets.",
        "Change Request, effort variability: 0, the spread of that time spent.",
        "Change Request, deadline days: 14.5, the median working days from creation to 20 due dates.",
        "Bug, effort hours: 2, the mean time spent on 20 resolved tickets.",
        "Bug, effort variability: 0, the spread of that time spent.",
        "Bug, deadline days: 14.5, the median working days from creation to 20 due dates.",
        "Engineers: 2, the distinct assignees of resolved tickets.",
    ]
    fitted = result.to_json()["fitted"]
    assert fitted[0] == "demand.clients = 2: the distinct clients in 'client'."
    assert fitted[3] == "demand.work_types.change_request.effort_hours = 3: the mean time spent on 20 resolved tickets."
    for note in result.notes:  # each key's value is the one in the scenario
        section, *rest = note.path.split(".")
        value = result.scenario.to_dict()[section]
        for part in rest:
            value = value[part]
        assert value == note.value
    assert result.warnings == ["Growth cannot be told from zero over 2 weeks (trend +0% a year, p = 1); growth per "
                               "year is set to 0."]


def test_the_scenario_files_comments_are_words_and_a_type_name_cannot_leave_its_line(default_scenario):
    rows = ['{day} 09:00,{day} 15:00,"Bug\nengineers = 99",Acme,3,2024-05-31,Ann']
    result = calibrate(generic(rows), default_scenario, source="t.csv", run_backtest=False)
    text = result.to_toml()
    comments = [line for line in text.splitlines() if line.startswith("# Fitted: Bug")]
    assert comments[0] == "# Fitted: Bug engineers = 99, effort hours: 3, the mean time spent on 20 resolved tickets."
    assert loads(text).firm.engineers == 1
    assert "demand." not in text.split("\n\n")[0] and "_" not in text.split("\n\n")[0]


def test_a_label_in_a_sentence_keeps_its_abbreviations():
    assert in_sentence("Clarity without AM") == "clarity without AM"
    assert in_sentence("AM effort share") == "AM effort share"
    assert in_sentence("AMs per client") == "AMs per client"
    assert fitted_words("firm.engineers", 6, "as given") == "Engineers: 6, as given."
    assert fitted_words("demand.work_types.bug.effort_cv", 0.5, "their spread", "Bug") == (
        "Bug, effort variability: 0.5, their spread.")
