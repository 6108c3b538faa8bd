"""Calibration to a ticket export: the formats are recognised, the fit recovers a known process, bad exports get
one line and exit 2. Exports come from `sim.calibration.synthetic`, whose truth the fit never sees."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.fit import asked_days, bursts, fit, on_time, slug, working_days
from sim.calibration.formats import FIVE_DAYS, ExportError, parse_dates, read_export, working_week
from sim.calibration.synthetic import SAMPLE, Process, TicketType, generate, to_csv
from sim.cli import main
from sim.experiment import run_experiment
from sim.scenario import dumps, from_dict, loads

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = ROOT / "scenarios" / "samples" / "jira_sample.csv"
FORMATS = ("jira", "zendesk", "linear", "generic")
# A year of a bigger firm: enough tickets that the rate is known to a few per cent.
BIG = Process(clients=30, requests_per_client_per_week=1.0, client_size_cv=0.5, weeks=52, engineers=10, types=(
    TicketType("Incident", 0.45, 2.0, 1.0, 1.0),
    TicketType("Service Request", 0.4, 6.0, 0.7, 5.0),
    TicketType("Project/Change (large)", 0.15, 30.0, 0.5, 20.0),
))


def fitted(process: Process, fmt: str, default_scenario):
    generated = generate(process)
    export = read_export(to_csv(generated, process, fmt).encode(), f"{fmt}.csv")
    return generated, export, fit(export, default_scenario, source=f"{fmt}.csv")


# --- working days and dates: exact values on small cases -----------------------------------------------------------

def days(*stamps: str) -> np.ndarray:
    return working_days(pd.Series(pd.to_datetime(list(stamps))), 8.0)


def test_working_days_count_office_hours_only():
    monday_4pm, tuesday_10am = days("2024-05-13 16:00", "2024-05-14 10:00")
    assert tuesday_10am - monday_4pm == pytest.approx(0.25)  # one hour on Monday, one on Tuesday
    friday_4pm, monday_10am = days("2024-05-17 16:00", "2024-05-20 10:00")
    assert monday_10am - friday_4pm == pytest.approx(0.25)  # the weekend does not count
    saturday, monday_9am = days("2024-05-18 12:00", "2024-05-20 09:00")
    assert saturday == monday_9am
    evening, next_morning = days("2024-05-13 20:00", "2024-05-14 07:00")
    assert next_morning - evening == 0.0



def test_deadlines_count_whole_days_to_a_due_date_and_hours_to_a_due_time():
    created = pd.Series(pd.to_datetime(["2024-05-13 16:00", "2024-05-18 12:00", "2024-05-13 16:00"]))
    due = pd.Series(pd.to_datetime(["2024-05-16", "2024-05-22", "2024-05-14 11:00"], format="ISO8601"))
    assert list(asked_days(created, due, 8.0)) == pytest.approx([3.0, 2.0, 0.375])  # Mon-Thu; Sat counts from Mon


def test_on_time_is_by_the_due_day_or_the_due_time():
    resolved = pd.Series(pd.to_datetime(["2024-05-17 23:00", "2024-05-18 10:00", "2024-05-17 16:00",
                                         "2024-05-17 18:00"]))
    due = pd.Series(pd.to_datetime(["2024-05-17", "2024-05-17", "2024-05-17 17:00", "2024-05-17 17:00"],
                                   format="ISO8601"))
    assert list(on_time(resolved, due)) == [True, False, True, False]  # Friday's date; Saturday is late


def test_jira_and_iso_dates_are_read():
    parsed = parse_dates(pd.Series(["11/May/24 3:26 PM", "2024-05-11 15:26", "2024-05-11T15:26:00Z", "soon", ""]))
    assert list(parsed[:3]) == [pd.Timestamp("2024-05-11 15:26")] * 3
    assert parsed[3:].isna().all()


def test_spreadsheet_dates_are_read_one_way_per_column_and_offsets_keep_the_clock_time_written():
    us = parse_dates(pd.Series(["3/5/2019 10:22", "12/25/2019 4:05 PM", "1/2/19 9:00"]))
    assert list(us) == [pd.Timestamp("2019-03-05 10:22"), pd.Timestamp("2019-12-25 16:05"),
                        pd.Timestamp("2019-01-02 09:00")]
    european = parse_dates(pd.Series(["3/5/2019 10:22", "25/12/2019 16:05", "05.03.2019 08:00"]))
    assert list(european) == [pd.Timestamp("2019-05-03 10:22"), pd.Timestamp("2019-12-25 16:05"),
                              pd.Timestamp("2019-03-05 08:00")]  # 25/12 is day first, so the column is
    zoned = parse_dates(pd.Series(["2019-03-05T10:22:31+01:00", "2019-03-05T10:22:31-0500", "2019-03-05 10:22:31 UTC",
                                   "Tue Mar 05 10:22:31 2019", "Mar 5, 2019 10:22 AM"]))
    assert list(zoned) == [pd.Timestamp("2019-03-05 10:22:31")] * 4 + [pd.Timestamp("2019-03-05 10:22")]


def test_type_names_become_slugs():
    assert slug("Change Request") == "change_request"
    assert slug("Project/Change (large)") == "project_change_large"
    assert slug("???") == "general"


# --- formats ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_recognised_by_its_headers(fmt):
    export = read_export(to_csv(generate(SAMPLE), SAMPLE, fmt).encode(), "x.csv")
    assert export.format.name == fmt
    assert {"created", "resolved", "due", "type", "client", "assignee"} <= set(export.mapping)


def test_jira_repeated_columns_and_a_mapped_column():
    text = to_csv(generate(SAMPLE), SAMPLE, "jira")
    assert text.splitlines()[0].count(",Labels,") == 1 and "Labels,Labels" in text.splitlines()[0]
    export = read_export(text.encode(), "x.csv", {"client": "Assignee"})
    assert export.mapping["client"] == "Assignee"
    assert export.tickets["client"].nunique() == SAMPLE.engineers


# --- the fit recovers the process (the issue's tolerances) -------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", [1, 2])
def test_fit_recovers_a_known_process(fmt, seed, default_scenario):
    process = Process(**{**BIG.__dict__, "seed": seed})
    generated, export, result = fitted(process, fmt, default_scenario)
    s, truth = result.scenario, generated.truth
    assert s.demand.clients == truth["clients"]
    assert s.demand.requests_per_client_per_week == pytest.approx(process.requests_per_client_per_week, rel=0.06)
    assert s.firm.engineers == truth["engineers"]
    assert result.observed["on_time_rate"] == pytest.approx(truth["on_time_rate"], abs=0.02)
    assert result.observed["open_at_end"] == truth["open_at_end"]
    assert result.observed["lead_time_days"] == pytest.approx(truth["lead_time_days"], abs=0.02)
    for t in process.types:
        wt = s.demand.work_types[slug(t.name)]
        assert wt.share == pytest.approx(t.share, abs=0.03)
        if fmt != "linear":  # Linear has estimates, not time spent: the type's mean effort exactly
            assert wt.effort_hours == pytest.approx(t.effort_hours, rel=0.12)
        else:
            assert wt.effort_hours == t.effort_hours
        assert abs(wt.deadline_days - t.deadline_days) <= 1.0
    assert sum(w.share for w in s.demand.work_types.values()) == pytest.approx(1.0, abs=1e-9)


def test_the_fitted_scenario_runs(default_scenario):
    _, _, result = fitted(SAMPLE, "jira", default_scenario)
    scenario = loads(dumps(result.scenario))
    small = scenario.replace(weeks=4, warmup_weeks=1, replications=2)
    summary = run_experiment(small, ["none", "pm"]).summary
    assert (summary["delivered"] > 0).all()


def test_engineers_given_replace_the_count(default_scenario):
    export = read_export(SAMPLE_CSV.read_bytes(), "sample")
    assert fit(export, default_scenario, engineers=9).scenario.firm.engineers == 9


def test_a_skill_column_splits_the_team(default_scenario):
    data = to_csv(generate(SAMPLE), SAMPLE, "generic")
    frame = pd.read_csv(pd.io.common.StringIO(data))
    frame["team"] = np.where(frame["type"] == "Bug", "Support", "Development")
    export = read_export(frame.to_csv(index=False).encode(), "x.csv", {"skill": "team"})
    s = fit(export, default_scenario).scenario
    assert s.demand.work_types["bug"].skill == "support"
    assert s.demand.work_types["project_work"].skill == "development"
    assert sum(s.firm.skills.values()) == s.firm.engineers and set(s.firm.skills) == {"support", "development"}


def test_missing_time_spent_falls_back_to_the_base_and_missing_due_dates_to_the_records_85th_percentile(
        default_scenario):
    """Without due dates the deadline is an assumption said as one: the lead time 85 % of a type's resolved tickets
    were done within, the expectation the firm's record sets."""
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["Time Spent", "Original Estimate", "Due Date"])
    export = read_export(frame.to_csv(index=False).encode(), "x.csv")
    result = fit(export, default_scenario)
    base_type = next(iter(default_scenario.demand.work_types.values()))
    assert result.scenario.demand.work_types["bug"].effort_hours == base_type.effort_hours
    assert "Bug: neither time spent nor estimates; the base scenario's effort (4 hours, variability 1) is kept." \
        in result.warnings
    bugs = export.tickets[(export.tickets["type"] == "Bug") & export.tickets["resolved"].notna()]
    hpd = default_scenario.firm.hours_per_week / 5
    lead = working_days(bugs["resolved"], hpd) - working_days(bugs["created"], hpd)
    deadline = result.scenario.demand.work_types["bug"].deadline_days
    assert deadline == pytest.approx(np.percentile(lead, 85), rel=1e-3)
    assert (lead <= deadline * (1 + 1e-3)).mean() == pytest.approx(0.85, abs=1 / len(bugs))
    assert (f"Bug: no due dates; the deadline is assumed to be {deadline:g} working days, within which 85 % of "
            "resolved tickets were done (plausible: the 70th to 95th percentile).") in result.warnings
    assert "the base scenario's deadline" not in " ".join(result.warnings)


def test_growth_is_fitted_when_the_trend_is_clear_and_zero_with_a_warning_otherwise(default_scenario):
    start = pd.Timestamp("2024-01-01 09:00")

    def export(growth: float, seed: int) -> bytes:
        rng = np.random.default_rng(seed)
        weeks = np.arange(104)
        counts = rng.poisson(40 * (1 + growth) ** (weeks / 52))
        created = [start + pd.Timedelta(weeks=int(w), days=int(d), hours=int(h))
                   for w, c in zip(weeks, counts, strict=True) for d, h in zip(rng.integers(0, 5, c),
                                                                             rng.integers(0, 8, c), strict=True)]
        frame = pd.DataFrame({"created": created, "client": rng.integers(0, 10, len(created)).astype(str)})
        return frame.to_csv(index=False).encode()

    grown = fit(read_export(export(0.5, 1), "g.csv"), default_scenario)
    assert 0.3 < grown.scenario.demand.growth_per_year < 0.7
    flat = fit(read_export(export(0.0, 1), "f.csv"), default_scenario)
    assert flat.scenario.demand.growth_per_year == 0.0
    assert any("Growth cannot be told from zero" in w for w in flat.warnings)


def test_the_index_of_dispersion_of_weekly_tickets_is_exact_on_a_hand_made_case():
    assert bursts(np.array([10.0, 10, 10, 10]), trend=False) == (0.0, 1.0)
    dispersion, p = bursts(np.array([5.0, 15, 5, 15]), trend=False)  # chi-square 4 x 25 / 10 on 3 degrees
    assert dispersion == pytest.approx(10 / 3) and p == pytest.approx(0.018566, rel=1e-4)
    steady_growth = np.array([10.0, 12, 14, 16, 18])  # on its trend exactly: no burst left once it is taken out
    assert bursts(steady_growth, trend=True)[0] == pytest.approx(0.0, abs=1e-12)
    assert bursts(steady_growth, trend=False)[0] == pytest.approx(40 / 14 / 4)  # the trend, read as spread


def test_work_that_comes_in_bursts_is_said_and_steady_work_is_not(default_scenario):
    """Weekly tickets of a Poisson process vary as chance does; weeks alternating quiet and busy do not, and the
    fit says the model's busiest weeks are calmer than the firm's."""
    start = pd.Timestamp("2024-01-01 09:00")

    def export(counts: np.ndarray, seed: int) -> bytes:
        rng = np.random.default_rng(seed)
        created = [start + pd.Timedelta(weeks=w, days=int(d), hours=int(h)) for w, c in enumerate(counts)
                   for d, h in zip(rng.integers(0, 5, c), rng.integers(0, 8, c), strict=True)]
        frame = pd.DataFrame({"created": created, "client": rng.integers(0, 10, len(created)).astype(str)})
        return frame.to_csv(index=False).encode()

    rng = np.random.default_rng(3)
    steady = rng.poisson(30, 40)
    bursty = rng.poisson(np.where(np.arange(40) % 4 == 0, 90, 10))
    said = "times as much as chance alone would make them"
    assert not any(said in w for w in fit(read_export(export(steady, 1), "s.csv"), default_scenario).warnings)
    warned = [w for w in fit(read_export(export(bursty, 1), "b.csv"), default_scenario).warnings if said in w]
    full = bursty[:-1]  # the fit counts whole weeks: the export ends on the last ticket, inside week 40
    expected = np.sum((full - full.mean()) ** 2 / full.mean()) / (full.size - 1)
    assert len(warned) == 1 and warned[0].startswith(f"Weekly tickets vary {expected:.1f} times")
    assert "the model's requests arrive at each client's own steady rate" in warned[0]


def dates_on(weekdays: list[int], per_day: int, weeks: int = 8, start: str = "2024-01-01 10:00") -> pd.Series:
    """`per_day` dates at 10:00 on each of `weekdays` (0 Monday) of `weeks` weeks from a Monday."""
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    return pd.Series([d for d in days if d.weekday() in weekdays for _ in range(per_day)])


def test_the_working_week_is_the_weekdays_the_dates_fall_on():
    assert working_week(dates_on([0, 1, 2, 3, 4], 5)) == (FIVE_DAYS, None)
    odd_weekend_fix = pd.concat([dates_on([0, 1, 2, 3, 4], 10), dates_on([5], 2)])  # 20 % of a busy day: off
    assert working_week(odd_weekend_fix) == (FIVE_DAYS, None)
    mask, words = working_week(dates_on(list(range(7)), 3))
    assert mask == "1111111"
    assert words == ("The team's working week is taken as Monday to Sunday (7 days), from the weekdays the export's "
                     "dates fall on (29 % of them on Saturday and Sunday). Times count over those days, and the "
                     "model's working week spans them.")
    mask, words = working_week(dates_on([6, 0, 1, 2, 3], 4))  # Sunday to Thursday
    assert mask == "1111001"
    assert words.startswith("The team's working week is taken as Sunday to Thursday (5 days)")
    assert "(20 % of them on Sunday); hardly any fall on Friday or Saturday." in words
    assert working_week(dates_on(list(range(7)), 1, weeks=10)) == (FIVE_DAYS, None)  # 70 dates: too few to tell


def test_a_team_that_works_every_day_keeps_its_weekends_and_its_weeks(default_scenario):
    """Tickets opened every day of four weeks, each resolved a day later: one of the team's days is a seventh of
    its week, 5/7 of the model's day (a fifth of the model's week), and four calendar weeks stay four weeks."""
    created = dates_on(list(range(7)), 4, weeks=4)
    frame = pd.DataFrame({"created": created.dt.strftime("%Y-%m-%d %H:%M"),
                          "resolved": (created + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d %H:%M"),
                          "client": np.arange(len(created)) % 4})
    export = read_export(frame.to_csv(index=False).encode(), "daily.csv")
    assert export.weekmask == "1111111"
    assert any(w.startswith("The team's working week is taken as Monday to Sunday") for w in export.warnings)
    result = fit(export, default_scenario)
    assert result.observed["lead_time_days"] == pytest.approx(5 / 7)
    assert result.observed["lead_time_p90_days"] == pytest.approx(5 / 7)
    assert result.observed["weeks"] == pytest.approx(4.0, abs=0.01)  # first created to last resolved: 28 days
    assert result.observed["throughput_per_week"] == pytest.approx(len(created) / result.observed["weeks"])


# --- bad exports: one line, exit 2 --------------------------------------------------------------------------------

JIRA_HEADER = b"Issue key,Issue Type,Created,Resolved,Due Date,Time Spent,Assignee,Organizations\n"


ISSUE_KEYS = itertools.count(1)  # each row its own ticket, as a tracker writes them


def jira_rows(n: int, **cells: str) -> bytes:
    rows = []
    for _ in range(n):
        row = {"Issue key": f"S-{next(ISSUE_KEYS)}", "Issue Type": "Bug", "Created": "13/May/24 10:00 AM",
               "Resolved": "14/May/24 11:00 AM", "Due Date": "15/May/24", "Time Spent": "3600", "Assignee": "Ann",
               "Organizations": "Acme", **cells}
        rows.append(",".join(row.values()).encode() + b"\n")
    return b"".join(rows)


@pytest.mark.parametrize(("data", "words"), [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (JIRA_HEADER, "only a header row"),
    (b"key,summary\nA,B\n", "no creation-date column"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
    (JIRA_HEADER + jira_rows(30, Created="yesterday"), "no date could be read (first: 'yesterday')"),
    (JIRA_HEADER + jira_rows(19), "only 19 usable tickets"),
    (JIRA_HEADER + jira_rows(25, Resolved="01/May/24 9:00 AM"), "0 usable tickets (25 with resolved before"),
])
def test_a_file_with_nothing_usable_is_one_line_naming_what_is_expected(data, words, tmp_path, capsys):
    with pytest.raises(ExportError) as err:
        read_export(data, "t.csv")
    assert words in str(err.value)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert main(["calibrate", str(path)]) == 2
    out, errors = capsys.readouterr()
    assert out == "" and errors.count("\n") == 1 and words in errors


def test_unusable_rows_are_skipped_and_counted():
    data = (JIRA_HEADER + jira_rows(30) + jira_rows(3, Resolved="01/May/24 9:00 AM")
            + jira_rows(2, **{"Time Spent": "-60"}) + jira_rows(4, Resolved="when done"))
    export = read_export(data, "t.csv")
    assert len(export.tickets) == 30
    assert export.warnings == ["4 of 39 rows skipped: an unreadable Resolved date.",
                               "3 of 39 rows skipped: resolved before created.",
                               "2 of 39 rows skipped: negative Time Spent."]


@pytest.mark.parametrize(("args", "words"), [
    (["--map", "client"], "write FIELD=COLUMN"),
    (["--map", "colour=Assignee"], "unknown field 'colour'"),
    (["--map", "client=Customer Name"], "--map client=Customer Name: no such column"),
    (["--today", "ceo"], "designs = ceo: choose from"),
    (["--engineers", "0"], "firm.engineers = 0"),
])
def test_bad_arguments_are_one_line(args, words, capsys):
    assert main(["calibrate", str(SAMPLE_CSV), *args]) == 2
    _, errors = capsys.readouterr()
    assert errors.count("\n") == 1 and words in errors


def test_a_missing_file_is_one_line(capsys):
    assert main(["calibrate", "no/such.csv"]) == 2
    assert "no/such.csv: cannot read the file" in capsys.readouterr().err


# --- the command ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def calibrate_once():
    """The command's calibration of one export, done once for the tests that read it in text and in JSON: its
    output formats are what they check, and a calibration with its back-test is the slowest step of this file."""
    from sim.calibration import pipeline

    done: dict[tuple, object] = {}
    calibrate = pipeline.calibrate

    def once(data, base, **kwargs):
        key = (bytes(data), dumps(base), repr(sorted((k, v) for k, v in kwargs.items() if k != "executor")))
        if key not in done:
            done[key] = calibrate(data, base, **kwargs)
        return done[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "calibrate", once)
        yield done


@pytest.mark.deep
@pytest.mark.xdist_group("calibrate-sample")  # with the JSON test on one worker, so one calibration serves both
def test_calibrate_prints_a_scenario_that_sim_run_loads(tmp_path, capsys, calibrate_once):
    """Deep tier: about 11 s, as it makes whole calibrations and their back-tests."""
    assert main(["calibrate", str(SAMPLE_CSV)]) == 0
    toml = capsys.readouterr().out
    assert toml.startswith("# Calibrated from Jira CSV export")
    path = tmp_path / "fitted.toml"
    path.write_text(toml)
    assert main(["run", str(path), "--designs", "none", "--reps", "2", "--weeks", "4", "--serial"]) == 0


@pytest.mark.deep
@pytest.mark.xdist_group("calibrate-sample")
def test_calibrate_json_has_the_scenario_the_record_and_the_backtest(capsys, default_scenario, calibrate_once):
    """Deep tier: about 1 s, as it makes whole calibrations and their back-tests."""
    assert main(["calibrate", str(SAMPLE_CSV), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"scenario", "observed", "warnings", "backtest"}
    assert set(out["observed"]) == {"tickets", "weeks", "throughput_per_week", "lead_time_days",
                                    "lead_time_p90_days", "on_time_rate", "open_at_end", "client_fix_share",
                                    "revised_share"}
    # one row per ticket: no reopening or send-back to count
    assert out["observed"]["client_fix_share"] is None and out["observed"]["revised_share"] is None
    export = read_export(SAMPLE_CSV.read_bytes(), "sample")
    assert out["observed"]["tickets"] == len(export.tickets)
    assert from_dict(out["scenario"]).firm.engineers == out["scenario"]["firm"]["engineers"]
    assert out["backtest"]["design"] == "none"


def test_the_sample_export_is_what_its_script_writes():
    assert SAMPLE_CSV.read_text(encoding="utf-8") == to_csv(generate(SAMPLE), SAMPLE, "jira")


@pytest.mark.deep
def test_linear_types_are_the_first_label_and_several_maps_follow_one_flag(tmp_path, capsys):
    """Deep tier: about 17 s, as it makes whole calibrations and their back-tests."""
    frame = pd.read_csv(pd.io.common.StringIO(to_csv(generate(SAMPLE), SAMPLE, "linear")), dtype=str,
                        keep_default_na=False)
    frame["Labels"] = frame["Labels"] + ", Frontend"
    frame["Customer"] = frame["Team"]
    path = tmp_path / "linear.csv"
    path.write_text(frame.to_csv(index=False))
    assert main(["calibrate", str(path), "--format", "json", "--serial", "--map", "client=Customer",
                 "assignee=Assignee"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["scenario"]["demand"]["work_types"]) == {"bug", "change_request", "project_work"}
    assert out["columns"]["client"] == "Customer" and out["format"] == "linear"


def test_jira_client_comes_from_the_first_client_column_that_is_filled():
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    frame.insert(1, "Component/s", frame["Organizations"])
    frame["Organizations"] = ""
    export = read_export(frame.to_csv(index=False).encode(), "x.csv")
    assert export.mapping["client"] == "Component/s"
    assert export.tickets["client"].nunique() == SAMPLE.clients


def test_an_export_from_another_process_around_the_clock_is_fitted_too(default_scenario):
    """Tickets opened at any hour, weekends included, resolved after exponential calendar times, due dates set
    by counting working days on the calendar: not the shape of our own generator."""
    rng = np.random.default_rng(3)
    weeks, clients, rate = 40, 25, 0.8
    deadline, effort, shares = {"Bug": 3, "Task": 7, "Story": 15}, {"Bug": 4, "Task": 10, "Story": 30}, \
        {"Bug": 0.5, "Task": 0.3, "Story": 0.2}
    n = rng.poisson(weeks * clients * rate)
    start = pd.Timestamp("2024-03-04")
    created = start + pd.to_timedelta(np.sort(rng.uniform(0, weeks * 7 * 86400, n)), unit="s")
    kinds = rng.choice(list(shares), n, p=list(shares.values()))
    spent = np.array([rng.exponential(effort[k]) for k in kinds])
    resolved = created + pd.to_timedelta([rng.exponential(deadline[k] * 1.1) for k in kinds], unit="D")
    is_open = np.asarray(resolved > start + pd.Timedelta(weeks=weeks))
    due = pd.to_datetime(np.busday_offset(created.values.astype("datetime64[D]"), [deadline[k] for k in kinds],
                                          roll="forward"))
    client, engineer = rng.integers(0, clients, n), rng.integers(0, 7, n)

    def jira(d: pd.Timestamp) -> str:
        return f"{d:%d/%b/%y} {d.hour % 12 or 12}:{d:%M %p}"

    frame = pd.DataFrame({
        "Issue Type": kinds, "Created": [jira(d) for d in created],
        "Resolved": ["" if o else jira(d) for d, o in zip(resolved, is_open, strict=True)],
        "Due Date": [f"{d:%d/%b/%y}" for d in due], "Assignee": [f"E{e}" for e in engineer],
        "Time Spent": ["" if o else str(int(e * 3600)) for e, o in zip(spent, is_open, strict=True)],
        "Customer": [f"C{c}" for c in client]})
    result = fit(read_export(frame.to_csv(index=False).encode(), "x.csv"), default_scenario)
    s = result.scenario
    assert s.demand.clients == np.unique(client).size and s.firm.engineers == np.unique(engineer[~is_open]).size
    assert s.demand.requests_per_client_per_week == pytest.approx(n / weeks / s.demand.clients, rel=0.01)
    done = ~is_open
    truth_on_time = np.mean(np.asarray(resolved[done].normalize() <= due[done]))
    assert result.observed["on_time_rate"] == pytest.approx(truth_on_time, abs=0.02)
    for kind in shares:
        wt = s.demand.work_types[slug(kind)]
        assert wt.share == pytest.approx(shares[kind], abs=0.03)
        assert wt.effort_hours == pytest.approx(effort[kind], rel=0.12)
        assert abs(wt.deadline_days - deadline[kind]) <= 1.0


def test_rare_types_beyond_twelve_become_one_type_other(default_scenario):
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    frame.loc[:39, "Issue Type"] = [f"Kind {i}" for i in range(40)]
    result = fit(read_export(frame.to_csv(index=False).encode(), "x.csv"), default_scenario)
    types = result.scenario.demand.work_types
    assert len(types) == 12 and "other" in types and {"bug", "change_request", "project_work"} <= set(types)
    assert any("43 ticket types" in w for w in result.warnings)


def test_messages_never_echo_a_huge_value(capsys):
    assert main(["calibrate", str(SAMPLE_CSV), "--map", "client=" + "x" * 100_000]) == 2
    assert len(capsys.readouterr().err) < 1_000
    assert main(["calibrate", "/dev/zero"]) == 2
    assert "zero: more than 50,000,000 bytes" in capsys.readouterr().err


def test_an_export_of_creation_dates_alone_fits_demand_and_skips_the_backtest(default_scenario, capsys, tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(to_csv(generate(SAMPLE), SAMPLE, "generic")))[["created", "client"]]
    path = tmp_path / "created.csv"
    path.write_text(frame.to_csv(index=False))
    assert main(["calibrate", str(path), "--format", "json", "--serial"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["observed"]["lead_time_days"] is None and out["observed"]["on_time_rate"] is None
    assert "backtest" not in out
    assert any("nothing to back-test against" in w for w in out["warnings"])
    assert any("No assignee column" in w for w in out["warnings"])
    assert out["scenario"]["firm"]["engineers"] == default_scenario.firm.engineers
    assert out["scenario"]["demand"]["clients"] == SAMPLE.clients


def test_clients_won_during_the_export_count_among_its_clients(default_scenario):
    won = Process(**{**BIG.__dict__, "new_clients_per_year": 6.0, "seed": 4})
    generated, _, result = fitted(won, "jira", default_scenario)
    assert generated.truth["clients_won"] > 0
    assert result.scenario.demand.clients == generated.truth["clients"] == BIG.clients + generated.truth["clients_won"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("tabs", [False, True], ids=["commas", "tabs"])
def test_an_export_saved_as_unicode_text_reads_as_the_same_tickets(encoding, tabs):
    """Excel's "Unicode text" is UTF-16 with a byte-order mark and tabs between the columns."""
    text = (JIRA_HEADER + jira_rows(30)).decode()
    if tabs:
        text = text.replace(",", "\t")
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")  # the codecs "utf-16" and "utf-32" write their own mark
    export = read_export((bom + text).encode(encoding), "t.txt")
    assert export.tickets.equals(read_export(JIRA_HEADER + jira_rows(30), "t.csv").tickets)


def test_utf16_without_its_mark_says_how_to_save_the_file():
    with pytest.raises(ExportError, match='UTF-16 text without the byte-order mark.*"CSV UTF-8'):
        read_export((JIRA_HEADER + jira_rows(30)).decode().encode("utf-16-le"), "t.csv")
