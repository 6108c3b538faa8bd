"""The team's own history beside the fitted model (sim.calibration.history, the model's weeks from
sim.calibration.backtest.model_samples, the charts of ui.calibration and the Calibrate page): a six-ticket change log
built by hand, whose every figure is worked out below in working days, is read back exactly; the counts agree with
one another and with the fit's; the model's weeks are its requests counted one by one."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration import formats, history
from sim.calibration.backtest import model_samples, simulated_samples, with_values
from sim.calibration.fit import fit
from sim.calibration.formats import read_export
from sim.measure import measure
from sim.model import OPEN_STATES, simulate
from sim.scenario import load_scenario
from tests.conftest import ROOT
from tests.test_calibrate_changelog import calibrate_page_with, change_log
from ui import calibration as views

COLUMNS = {"id": "key", "status": "status", "changed": "changed", "client": "client"}
WAITING = ["Waiting on client"]
HOURS_PER_DAY = 8.0
# Monday 1 January 2024 is working day d0; every change at 9:00 is the start of its day, at 13:00 half of it gone,
# at 17:00 all of it. The export ends at its last change, T-4's Done on Friday 19 January (d14): weeks d0-d5,
# d5-d10 and d10-d14 (four days).
CHANGES = [
    ("T-1", "Open", "2024-01-01 09:00"), ("T-1", "In Progress", "2024-01-01 13:00"),
    ("T-1", "Done", "2024-01-02 09:00"),
    ("T-2", "Open", "2024-01-02 09:00"), ("T-2", "In Progress", "2024-01-03 09:00"),
    ("T-2", "Waiting on client", "2024-01-04 09:00"), ("T-2", "In Progress", "2024-01-08 09:00"),
    ("T-2", "Done", "2024-01-09 09:00"),
    ("T-3", "Open", "2024-01-03 09:00"), ("T-3", "In Progress", "2024-01-03 17:00"),
    ("T-3", "Done", "2024-01-05 13:00"), ("T-3", "Reopened", "2024-01-08 09:00"),  # open at the end
    ("T-4", "Open", "2024-01-08 09:00"), ("T-4", "In Progress", "2024-01-09 09:00"),
    ("T-4", "Done", "2024-01-19 09:00"),
    ("T-5", "Open", "2024-01-10 09:00"), ("T-5", "In Progress", "2024-01-11 09:00"),
    ("T-5", "Waiting on client", "2024-01-12 09:00"), ("T-5", "In Progress", "2024-01-17 09:00"),
    ("T-5", "Done", "2024-01-18 09:00"),
    ("T-6", "Open", "2024-01-15 09:00"), ("T-6", "In Progress", "2024-01-16 13:00"),  # open at the end
]


def log_bytes() -> bytes:
    rows = [f"{key},{status},{at},Acme\n" for key, status, at in reversed(CHANGES)]  # exports are not in order
    return ("key,status,changed,client\n" + "".join(rows)).encode()


@pytest.fixture
def log(monkeypatch) -> formats.Export:
    """The six tickets, read as the app reads a change log; too few to fit from, which is not what is tested here."""
    monkeypatch.setattr(formats, "MIN_TICKETS", 1)
    return read_export(log_bytes(), "log.csv", COLUMNS, waiting=WAITING)


def one_row_per_ticket(export: formats.Export) -> bytes:
    """The same tickets as a generic one-row-per-ticket export (created, resolved, client)."""
    t = export.tickets
    return t.assign(resolved=t["resolved"].dt.strftime("%Y-%m-%d %H:%M").fillna(""))[
        ["created", "resolved", "client"]].to_csv(index=False).encode()


def test_each_resolved_tickets_cycle_time_is_its_lead_time_in_working_days(log):
    points = history.cycle_points(log, HOURS_PER_DAY)
    assert list(points["id"]) == ["T-1", "T-2", "T-5", "T-4"]  # earliest resolved first; T-3 and T-6 are open
    assert list(points["resolved"]) == [pd.Timestamp(d) for d in ("2024-01-02 09:00", "2024-01-09 09:00",
                                                                  "2024-01-18 09:00", "2024-01-19 09:00")]
    assert list(points["lead_days"]) == [1.0, 5.0, 6.0, 9.0]  # d0-d1, d1-d6, d7-d13, d5-d14


def test_the_percentiles_are_the_50th_85th_and_95th_of_the_lead_times(log):
    leads = history.cycle_points(log, HOURS_PER_DAY)["lead_days"]
    # linear between the sorted 1, 5, 6, 9: ranks 1.5, 2.55 and 2.85
    assert history.percentiles(leads) == pytest.approx({50: 5.5, 85: 6 + 0.55 * 3, 95: 6 + 0.85 * 3})
    nothing = history.percentiles(np.zeros(0))
    assert list(nothing) == [50, 85, 95] and all(math.isnan(v) for v in nothing.values())


def test_each_week_counts_what_was_delivered_in_it_and_what_was_in_progress_at_its_end(log):
    flow = history.weekly_flow(log, HOURS_PER_DAY)
    assert flow.to_dict("list") == {"week": [1, 2, 3], "created": [3, 2, 1], "delivered": [1, 1, 2],
                                    "wip": [2, 3, 2], "days": [5.0, 5.0, 4.0]}
    t = log.tickets
    assert flow["delivered"].sum() == t["resolved"].notna().sum() == 4
    assert flow["wip"].iloc[-1] == t["resolved"].isna().sum() == 2  # T-3 and T-6, open at the end
    assert flow["created"].sum() == len(t)
    full = history.full_weeks(flow)
    assert list(full["week"]) == [1, 2]
    fitted = fit(log, load_scenario(ROOT / "scenarios" / "default.toml"))
    assert list(full["created"]) == list(fitted.weekly_arrivals)  # the fit's own weeks
    assert flow["wip"].iloc[-1] == fitted.observed["open_at_end"]


def test_the_time_in_each_status_is_its_mean_per_ticket_that_entered_it_in_workflow_order(log):
    times = history.time_in_status(log, HOURS_PER_DAY)
    assert times is not None
    assert list(times["status"]) == ["Open", "In Progress", "Waiting on client", "Reopened", "Done"]
    # Open: 0.5 + 1 + 1 + 1 + 1 + 1.5; In Progress: 0.5 + (1 + 1) + 1.5 + 8 + (1 + 1) + 2.5 (T-6 to the end);
    # waiting: 2 + 3; Reopened: T-3 from d5 to the end; Done: T-3's half day before it was reopened, the rest 0
    assert list(times["days"]) == pytest.approx([6 / 6, 16.5 / 6, 5 / 2, 9.0, 0.5 / 5])
    assert list(times["tickets"]) == [6, 6, 2, 1, 5]
    assert list(times["waiting"]) == [False, False, True, False, False]
    assert list(times["done"]) == [False, False, False, False, True]
    assert list(times["queue"]) == [True, False, False, False, False]
    kinds = views.status_frame(times)["kind"]
    assert list(kinds) == ["Waiting for the team", "Being worked on", "Waiting on the client", "Being worked on",
                           "Delivered"]


def test_a_one_row_per_ticket_export_has_no_time_in_status_and_the_same_history(log, monkeypatch):
    monkeypatch.setattr(formats, "MIN_TICKETS", 1)
    tickets = read_export(one_row_per_ticket(log), "tickets.csv")
    assert tickets.history is None and history.time_in_status(tickets, HOURS_PER_DAY) is None
    assert history.weekly_flow(tickets, HOURS_PER_DAY).equals(history.weekly_flow(log, HOURS_PER_DAY))
    assert list(history.cycle_points(tickets, HOURS_PER_DAY)["lead_days"]) == [1.0, 5.0, 6.0, 9.0]


def test_the_charts_frames_hold_the_firms_percentiles_the_models_85th_and_only_whole_weeks_of_flow(log):
    leads = history.cycle_points(log, HOURS_PER_DAY)["lead_days"].to_numpy()
    rules = views.percentile_frame(leads, np.array([2.0, 4.0, 6.0]))
    assert list(zip(rules["source"], rules["percentile"], strict=True)) == [
        (views.FIRM, 50), (views.FIRM, 85), (views.FIRM, 95), (views.MODEL, 85)]
    # 7.65 and 8.55 as the floats they are (a hair under) round down
    assert list(rules["label"]) == ["50 %: 5.5 days", "85 %: 7.6 days", "95 %: 8.5 days",
                                    "The model's 85 %: 5.4 days"]
    assert list(views.percentile_frame(leads, np.zeros(0))["source"]) == [views.FIRM] * 3  # the model delivered none
    cycle = views.cycle_chart(views.cycle_frame(history.cycle_points(log, HOURS_PER_DAY)), rules)
    from sim.report import svg

    drawn = svg(cycle, "cycle")  # as a report carries it: a ticket key often names the client, so none is in it
    assert "<svg" in drawn and not any(f"T-{i}" in drawn for i in range(1, 7))
    spec = cycle.to_dict()
    dots, lines, *labels = spec["layer"]
    assert dots["mark"]["type"] == "circle" and lines["mark"]["type"] == "rule" and len(labels) == 2
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 4]]  # the model's dashed
    flow = history.weekly_flow(log, HOURS_PER_DAY)
    delivered = views.throughput_frame(flow, np.array([1.5, 0.5, 2.0]))
    assert delivered[delivered["source"] == views.FIRM]["tickets"].tolist() == [1.0, 1.0]  # week 3 is four days
    wip = views.wip_frame(flow, np.array([1.0, 2.0, 2.5]))
    assert wip.groupby("source")["tickets"].apply(list).to_dict() == {views.FIRM: [2.0, 3.0, 2.0],
                                                                      views.MODEL: [1.0, 2.0, 2.5]}
    for chart in (views.throughput_chart(delivered), views.wip_chart(wip),
                  views.status_chart(views.status_frame(history.time_in_status(log, HOURS_PER_DAY)))):
        assert chart.to_dict()["title"]


def test_the_models_weeks_are_its_requests_counted_one_by_one():
    base = load_scenario(ROOT / "scenarios" / "default.toml")
    weeks, replications = 6, 2
    samples = model_samples(base, "none", weeks, replications)
    s = with_values(base, {}, weeks=weeks, replications=replications)
    hpw = s.firm.hours_per_week
    start = s.warmup_weeks * hpw
    ends = [start + hpw * (k + 1) for k in range(weeks)]
    delivered, wip, open_at_end = np.zeros(weeks), np.zeros(weeks), 0
    for rep in range(replications):
        run = simulate(s, "none", rep)
        for r in run.requests:
            if r.arrival < start:
                continue
            for k, end in enumerate(ends):
                if r.done <= end and (k == 0 or r.done > ends[k - 1]):
                    delivered[k] += 1
                if r.arrival <= end and not r.dropped and not r.done <= end:
                    wip[k] += 1
        open_at_end += sum(r.arrival >= start and r.state in OPEN_STATES for r in run.requests)
        summary, _, _ = measure(run)
        assert sum(r.arrival >= start and r.done <= ends[-1] for r in run.requests) == summary["delivered"]
    assert samples.delivered.tolist() == (delivered / replications).tolist()
    assert samples.wip.tolist() == (wip / replications).tolist()
    assert samples.delivered.sum() * replications == sum(measure(simulate(s, "none", rep))[0]["delivered"]
                                                         for rep in range(replications))
    assert samples.wip[-1] * replications == open_at_end > 0
    assert samples.leads.size == samples.delivered.sum() * replications
    leads, arrivals = simulated_samples(base, "none", weeks, replications)  # what it gave before, unchanged
    assert leads.tolist() == samples.leads.tolist() and arrivals.tolist() == samples.arrivals.tolist()


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]


HISTORY_TITLES = ["Cycle time of each resolved ticket", "Tickets delivered per week",
                  "Work in progress at the end of each week"]


def fitted(at):
    (fit_button,) = [b for b in at.button if b.label == "Fit and back-test"]
    return fit_button.click().run()


@pytest.mark.deep
def test_the_page_draws_the_history_beside_the_model_and_time_in_status_for_a_change_log():
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    data, _ = change_log()
    at = fitted(calibrate_page_with(data, {"id": "key", "status": "status", "changed": "changed"}))
    assert not at.exception and not at.error
    assert chart_titles(at) == ["Lead time: your firm and the model", "Tickets arriving per week", *HISTORY_TITLES,
                                "Time in each status"]
    assert "Your history beside the model" in [h.value for h in at.subheader]
    samples = at.session_state["calibrate.result"][2]
    assert samples.wip.size == samples.delivered.size == at.session_state["calibrate.result"][1].backtest.weeks


@pytest.mark.deep
def test_the_page_draws_no_time_in_status_for_a_one_row_per_ticket_export():
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    data, _ = change_log()
    export = read_export(data, "log.csv", {"id": "key", "status": "status", "changed": "changed"})
    at = fitted(calibrate_page_with(one_row_per_ticket(export), {}))
    assert not at.exception and not at.error
    assert chart_titles(at) == ["Lead time: your firm and the model", "Tickets arriving per week", *HISTORY_TITLES]
