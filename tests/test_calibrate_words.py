"""What calibration says in words: a fitted assumption at the edge of its range agrees with the verdict beside it,
and a team that cannot be counted is told why, with the remedy its reader can use. Exports are written by hand, a
few lines each, so every message is known exactly."""

from __future__ import annotations

import json
import math
import re

import pytest

from sim.calibration.backtest import Backtest
from sim.calibration.fit import fit
from sim.calibration.formats import ExportError, read_export
from sim.calibration.pipeline import Calibration, calibrate
from sim.cli import main
from sim.scenario import dumps, loads
from sim.wording import fitted_words, in_sentence
from tests.conftest import small

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
    (model(6.3, 0.8), "far", "far from"),  # 26 % off on lead time
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


# --- values beyond the model's bounds, and a back-test the model cannot deliver ------------------------------------

def row(effort: str = "3", due: str = "2024-05-31") -> str:
    return f"{{day}} 09:00,{{day}} 15:00,Bug,Acme,{effort},{due},Ann"


# One client sending 600 tickets over 2.8 weeks: 213 a week, beyond the model's 100. The tickets fall on every day of
# the calendar, so the team's working week is read as seven days.
HUGE_RATE = [row()] * 30
RATE_CLIPPED = ("The export gives 213 requests per client a week; the model takes at most 100, so demand is "
                "understated: the model's firm is less busy than yours, and its lead times and on-time rate look "
                "better than your record.")


def clip_warnings(rows: list[str], base) -> list[str]:
    return [w for w in fit(read_export(generic(rows), "t.csv"), base).warnings if "the export gives" in w.lower()]


@pytest.mark.parametrize(("rows", "words"), [
    (HUGE_RATE, [RATE_CLIPPED]),
    ([row(effort="3000")], ["Bug: the export gives a mean effort of 3,000 hours a ticket; the model takes at most "
                            "2,000, so effort is understated: the model's work is lighter than yours, and its lead "
                            "times look shorter than your record."]),
    ([row(effort="0.001")], ["Bug: the export gives a mean effort of 0.001 hours a ticket; the model takes at least "
                             "0.01, so effort is overstated: the model's work is heavier than yours, and its lead "
                             "times look longer than your record."]),
    ([row(due="2027-05-31")], ["Bug: the export gives a median deadline of 796 working days; the model takes at most "
                               "365, so the model's deadlines are shorter than yours, and its on-time rate looks "
                               "worse than your record."]),
    ([row(effort="1000")] + [row(effort="0.01")] * 19, [
        "The export gives 142 requests per client a week; the model takes at most 100, so demand is understated: "
        "the model's firm is less busy than yours, and its lead times and on-time rate look better than your "
        "record.",
        "Bug: the export gives an effort variability of 4.36; the model takes at most 4, so effort varies less in "
        "the model than in the export, and the waits behind very large tickets are understated."]),
    ([row()], []),  # within every bound: nothing to say
])
def test_every_value_clipped_to_the_models_bounds_is_told_in_words(default_scenario, rows, words):
    assert clip_warnings(rows, default_scenario) == words


def test_the_clipped_value_is_the_bound_and_the_note_says_so(default_scenario):
    result = fit(read_export(generic(HUGE_RATE), "t.csv"), default_scenario)
    assert result.scenario.demand.requests_per_client_per_week == 100
    assert "Requests per client per week: 100, from 600 tickets over 2.8 working weeks and 1 clients." in [
        n.words for n in result.notes]


NOTHING = ("Your firm today: 0.5 days, 100 % on time; the model delivered none of the requests that arrived in the "
           "back-test, so it has no lead time to set beside yours: its firm is overwhelmed, or the back-test is too "
           "short for a request to finish.")
NAN = re.compile(r"\bnan\b|\?", re.IGNORECASE)


@pytest.fixture(scope="module")
def overwhelmed(default_scenario):
    """One engineer and 100 requests a week: the back-test's model delivers none of the requests that arrive."""
    return calibrate(generic(HUGE_RATE), small(default_scenario), source="t.csv")


def test_a_backtest_in_which_the_model_delivers_nothing_says_so_and_is_far(overwhelmed):
    bt = overwhelmed.backtest
    assert bt is not None and math.isnan(bt.after["lead_time_days"]["mean"])
    assert bt.sentence == NOTHING
    assert bt.verdict == "far"
    assert bt.screen == [] and bt.fitted == {}  # no lead time for an assumption to move
    texts = [bt.sentence, *overwhelmed.warnings, *(n.words for n in overwhelmed.notes)]
    assert [t for t in texts if NAN.search(t)] == []
    assert RATE_CLIPPED in overwhelmed.warnings


def test_its_json_is_valid_with_none_for_what_the_model_could_not_measure(overwhelmed):
    data = json.loads(json.dumps(overwhelmed.to_json(), allow_nan=False))
    assert data["backtest"]["verdict"] == "far" and data["backtest"]["summary"] == NOTHING
    assert data["backtest"]["simulated"]["lead_time_days"] == {"mean": None, "ci95": None}


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_the_command_line_says_the_same_without_nan(default_scenario, tmp_path, capsys, fmt):
    export, base = tmp_path / "t.csv", tmp_path / "base.toml"
    export.write_bytes(generic(HUGE_RATE))
    base.write_text(dumps(small(default_scenario)))
    assert main(["calibrate", str(export), "--base", str(base), "--serial", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"\bnan\b|\bNaN\b", out, re.IGNORECASE) and "± ?" not in out
    if fmt == "json":
        data = json.loads(out)
        assert data["backtest"]["summary"] == NOTHING and RATE_CLIPPED in data["warnings"]
    else:
        # a model that delivered nothing has no lead time nor on-time rate, and its swamped firm neither keeps the
        # record's pace nor its open work
        assert ("# Back-test of No coordinator over 3 weeks (the model is far from your record on throughput, mean "
                "lead time, 90th-percentile lead time, on-time rate and work open at the end): "
                f"{NOTHING}\n") in out
        assert f"# Warning: {RATE_CLIPPED}\n" in out


@pytest.mark.deep
def test_the_rate_matched_in_the_back_test_says_why_it_is_not_the_exports(default_scenario):
    """The fitted rate is the one at which the model's clients, judging its service, send the export's tickets; the
    note says what they sent at the export's rate, measured at it, and which way service moved them.
    Deep tier: about 4 s, as it makes whole calibrations and their back-tests."""
    from sim.calibration import backtest as bt

    result = calibrate(generic(TWO_TYPES), default_scenario, source="t.csv")
    demand = result.backtest.demand
    assert demand.changed and demand.export_rate == 7.21  # the export's 40 tickets over 2.77 weeks and 2 clients
    fitted_only = calibrate(generic(TWO_TYPES), default_scenario, source="t.csv", run_backtest=False).scenario
    weeks = result.backtest.weeks
    sent = bt.figures(bt.with_values(fitted_only, {}, weeks=weeks, replications=bt.BACKTEST_REPLICATIONS),
                      "none")["arrived"]["mean"] * 2.77 / weeks
    assert sent > 40
    (note,) = [n for n in result.notes if n.path == "demand.requests_per_client_per_week"]
    assert note.value == demand.rate == result.scenario.demand.requests_per_client_per_week
    assert note.words == (
        f"Requests per client per week: {demand.rate:g}, so that the model's clients, judging the service No "
        "coordinator gives them, send the export's 40 tickets over its 2.8 working weeks (at the export's 7.21 a "
        f"client a week they send {sent:.0f}: served well, clients give more of their work and refer others).")


def test_rows_that_are_exact_copies_are_said_and_read_once_when_a_ticket_id_tells_them_apart(default_scenario):
    rows = [f"T-{i},2024-05-{1 + i:02d} 09:00,2024-05-{1 + i:02d} 15:00,Acme" for i in range(20)]
    header = "id,created,resolved,client"
    with_id = ("\n".join([header, *rows, rows[0], rows[1], rows[1]]) + "\n").encode()
    export = read_export(with_id, "t.csv")
    assert len(export.tickets) == 20
    assert "3 rows are exact copies of another row and are read once." in export.warnings
    without = ("\n".join(["created,resolved,client", *(r.split(",", 1)[1] for r in [*rows, rows[0]])]) + "\n")
    export = read_export(without.encode(), "t.csv")
    assert len(export.tickets) == 21  # no id: a copy may be a ticket created alike, so it counts
    assert ("1 rows are exact copies of another row (every column the same). Without a ticket id they cannot be "
            "told from tickets created alike, so each is read as a ticket; if the export holds some tickets twice, "
            "name the column with --map id=COLUMN.") in export.warnings


def test_a_date_column_written_more_than_one_way_is_said_with_how_many_each_way():
    days = [f"2024-05-{d:02d} 09:00" for d in range(1, 21)] + ["5/21/2024 09:00", "22/May/24 9:00 AM"]
    text = "created,client\n" + "".join(f"{d},Acme\n" for d in days)
    export = read_export(text.encode(), "t.csv")
    assert ("Column 'created' mixes ways of writing dates (20 as ISO 2024-05-11, 1 as month first 5/11/2024, 1 as "
            "Jira's 11/May/24); each is read its own way, so check that the export did not write some dates day "
            "first and others month first.") in export.warnings
    assert str(export.tickets["created"].max()) == "2024-05-22 09:00:00"


def test_an_effort_fitted_from_few_tickets_is_said_to_be_rough_with_its_interval(default_scenario):
    """Two stories with time spent (2 h and 6 h) beside twenty bugs: the stories' effort of 4 hours rests on two
    tickets, so the fit says so, with the 95 % interval of a mean of two (t = 12.71, sd 2.83: ± 635 %). The bugs,
    twenty tickets of 3 hours each, bring no such warning."""
    stories = ["2024-05-02 09:00,2024-05-02 11:00,Story,Acme,2,2024-05-02,Ann",
               "2024-05-03 09:00,2024-05-03 15:00,Story,Acme,6,2024-05-03,Ann"]
    csv = generic([FULL_ROW]).decode() + "\n".join(stories) + "\n"
    fitted = fit(read_export(csv.encode(), "t.csv"), default_scenario)
    rough = [w for w in fitted.warnings if "so it is rough" in w]
    assert rough == ["Story: effort fitted from only 2 tickets with time spent, so it is rough: the 95 % interval of "
                     "their mean is ± 635% of it. More of this type's history, or its tickets mapped to a type with "
                     "more, would make it firm."]
