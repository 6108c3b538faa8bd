"""A change log from a known process with waits on the client and revision rounds (sim.calibration.synthetic): the
waits, the effort and the team are read back from the statuses exactly, and the fitted model reproduces the firm's
record on every figure; a waiting status the log does not have is refused in words naming the ones it has."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.calibration.fit import active_time, fit, ticket_waits
from sim.calibration.formats import ExportError, read_export
from sim.calibration.synthetic import Process, generate, to_change_log
from sim.scenario import load_scenario
from tests.conftest import ROOT

COLUMNS = {"id": "Key", "status": "Status", "changed": "changed", "client": "Client"}
WAITING = ["Waiting on client"]
PROCESS = Process(engineers=4, weeks=40, clients=20, requests_per_client_per_week=0.5, wait_share=0.4, wait_days=4.0,
                  wait_cv=0.8, seed=5)
HOURS_PER_DAY = 8.0


@pytest.fixture(scope="module")
def log():
    generated = generate(PROCESS)
    return generated, to_change_log(generated, PROCESS).encode()


def resolved_truth(generated) -> pd.DataFrame:
    t = generated.tickets.assign(id=[f"SRV-{k + 1}" for k in range(len(generated.tickets))])
    return t[t["resolved"].notna()].set_index("id")


def test_the_log_is_read_as_its_distinct_tickets(log):
    generated, data = log
    export = read_export(data, "log.csv", COLUMNS, waiting=WAITING)
    rows = pd.read_csv(pd.io.common.BytesIO(data))
    assert len(export.tickets) == rows["Key"].nunique() == len(generated.tickets)
    assert export.tickets["resolved"].notna().sum() == generated.tickets["resolved"].notna().sum()


def test_each_tickets_wait_on_the_client_is_read_from_the_statuses_named_waiting(log):
    generated, data = log
    export = read_export(data, "log.csv", COLUMNS, waiting=WAITING)
    truth = resolved_truth(generated)
    waits = ticket_waits(export, HOURS_PER_DAY)
    assert set(waits.index) == set(truth.index)
    assert (waits > 0).sum() == (truth["wait"] > 0).sum() > 50
    minute = 1 / 60 / HOURS_PER_DAY
    assert np.abs(waits.reindex(truth.index).to_numpy() - truth["wait"].to_numpy() / HOURS_PER_DAY).max() <= minute


def truth_of_the_waits(generated) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From the truth, in working days: each resolved ticket's wait (0 for none), and the waits of the open tickets
    that have waited by the last change of the log, with whether each is going still."""
    t = generated.tickets
    events = np.concatenate([t[c].to_numpy() for c in ("arrival", "start1", "end1", "start2", "resolved")]
                            + [(t["end1"] + t["wait"]).to_numpy()])
    end = np.nanmax(events[events <= PROCESS.weeks * 5 * HOURS_PER_DAY])
    resolved = t[t["resolved"].notna()]
    still = t[t["resolved"].isna() & (t["end1"] <= end) & (t["wait"] > 0)]
    so_far = np.minimum(still["wait"], end - still["end1"]).to_numpy() / HOURS_PER_DAY
    return resolved["wait"].to_numpy() / HOURS_PER_DAY, so_far, (still["end1"] + still["wait"] > end).to_numpy()


def censored_lognormal(finished: np.ndarray, going: np.ndarray) -> tuple[float, float]:
    """Mean and cv of the lognormal of largest likelihood, a wait still going counting as at least so long."""
    from scipy import optimize
    from scipy.stats import norm

    def minus_log_likelihood(theta: np.ndarray) -> float:
        mu, sigma = theta[0], math.exp(theta[1])
        z = (np.log(finished) - mu) / sigma
        return -float(np.sum(norm.logpdf(z) - math.log(sigma) - np.log(finished))
                      + np.sum(norm.logsf((np.log(going) - mu) / sigma)))

    start = np.array([np.log(finished).mean(), math.log(np.log(finished).std())])
    mu, log_sigma = optimize.minimize(minus_log_likelihood, start, method="Nelder-Mead",
                                      options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000}).x
    sigma = math.exp(log_sigma)
    return math.exp(mu + sigma**2 / 2), math.sqrt(math.expm1(sigma**2))


def test_the_fitted_waits_count_the_open_tickets_and_the_waits_still_going_at_the_end(log):
    """The share counts the open tickets that waited; the mean and spread are the censored lognormal's, since the
    waits running past the export are the long ones: the resolved tickets' waits alone are shorter."""
    generated, data = log
    export = read_export(data, "log.csv", COLUMNS, waiting=WAITING)
    fitted = fit(export, load_scenario(ROOT / "scenarios" / "default.toml"))
    (wt,) = fitted.scenario.demand.work_types.values()
    resolved, so_far, going = truth_of_the_waits(generated)
    assert going.sum() >= 3 and (~going).sum() >= 1  # the case has both kinds of open waits
    positive = resolved[resolved > 0]
    assert wt.client_wait_share == pytest.approx((positive.size + so_far.size) / (resolved.size + so_far.size),
                                                 rel=5e-3)
    mean, cv = censored_lognormal(np.concatenate([positive, so_far[~going]]), so_far[going])
    assert wt.client_wait_days == pytest.approx(mean, rel=5e-3)
    assert wt.client_wait_cv == pytest.approx(cv, rel=5e-3)
    assert wt.client_wait_days > positive.mean()
    paths = {note.path for note in fitted.notes}
    assert {"demand.work_types.general.client_wait_share", "demand.work_types.general.client_wait_days"} <= paths
    assert any(w.startswith(f"{int(going.sum())} tickets are still waiting on the client at the end of the export")
               for w in fitted.warnings)


def test_with_no_wait_going_at_the_end_the_waits_are_the_sample_share_mean_and_spread():
    """A log cut where no ticket is waiting: the finished waits' own mean and spread, no distribution assumed."""
    generated = generate(PROCESS)
    t = generated.tickets
    kept = t["resolved"].notna() | t["end1"].isna() | (t["wait"] == 0)  # no open ticket that waited
    generated = type(generated)(t[kept].reset_index(drop=True), generated.truth)
    export = read_export(to_change_log(generated, PROCESS).encode(), "log.csv", COLUMNS, waiting=WAITING)
    (wt,) = fit(export, load_scenario(ROOT / "scenarios" / "default.toml")).scenario.demand.work_types.values()
    waited = generated.tickets.loc[generated.tickets["resolved"].notna(), "wait"].to_numpy() / HOURS_PER_DAY
    positive = waited[waited > 0]
    assert wt.client_wait_share == pytest.approx(positive.size / waited.size, rel=5e-3)
    assert wt.client_wait_days == pytest.approx(positive.mean(), rel=5e-3)
    assert wt.client_wait_cv == pytest.approx(positive.std(ddof=1) / positive.mean(), rel=5e-3)


def test_without_effort_or_assignees_the_team_and_the_effort_come_from_the_time_in_work(log):
    """One engineer works one ticket at a time here, so the tickets in work at once peak at the team, and the
    hours in work are the work itself (the logged effort and the unlogged talk)."""
    generated, data = log
    export = read_export(data, "log.csv", COLUMNS, waiting=WAITING)
    base = load_scenario(ROOT / "scenarios" / "default.toml")
    active = active_time(export, HOURS_PER_DAY)
    assert active is not None and round(active.at_once_peak) == PROCESS.engineers
    fitted = fit(export, base)
    assert fitted.scenario.firm.engineers == PROCESS.engineers
    truth = resolved_truth(generated)
    work = truth["effort"].to_numpy() * (1 + PROCESS.unlogged_share)
    talk = base.behaviour.client_contact_hours + base.behaviour.interruption_hours
    (wt,) = fitted.scenario.demand.work_types.values()
    assert wt.effort_hours == pytest.approx(work.mean() - talk, rel=5e-3)
    assert wt.effort_cv == pytest.approx(work.std(ddof=1) / work.mean(), rel=5e-3)
    assert any("inferred" in w and "engineers" in w for w in fitted.warnings)


def test_a_waiting_status_the_log_does_not_have_is_refused_naming_those_it_has(log):
    _, data = log
    with pytest.raises(ExportError) as refused:
        read_export(data, "log.csv", COLUMNS, waiting=["Pending"])
    (message,) = refused.value.problems
    assert message.startswith("log.csv: no status in column 'Status' means waiting on the client (Pending); its "
                              "statuses are ")
    assert "Waiting on client" in message and "In Progress" in message
    assert message.endswith("name the statuses that mean waiting on the client with --waiting S1,S2")


def test_a_one_row_per_ticket_export_says_no_waits_were_fitted():
    generated = generate(Process(weeks=10))
    from sim.calibration.synthetic import to_csv

    export = read_export(to_csv(generated, Process(weeks=10), "generic").encode(), "t.csv", waiting=WAITING)
    assert any("this export has one row per ticket, so no waits were fitted" in w for w in export.warnings)


def calibrate_json(path, maps: list[str], waiting: str = "Waiting on client") -> dict:
    """`sim calibrate` run as a user runs it, with --map and --waiting alone; its JSON."""
    done = subprocess.run([sys.executable, "-m", "sim", "calibrate", str(path), "--format", "json", "--map", *maps,
                           "--waiting", waiting], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.deep
def test_the_cli_reproduces_the_firms_record_on_every_figure_from_the_change_log(log, tmp_path):
    """Deep tier: about 12 s, as it runs the command in a process of its own."""
    _, data = log
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    out = calibrate_json(path, [f"{k}={v}" for k, v in COLUMNS.items()])
    assert out["observed"]["tickets"] == len(generate(PROCESS).tickets)
    assert out["backtest"]["verdict"] == "close", out["backtest"]
    assert out["backtest"]["far_on"] == []
    assert any(code.startswith("demand.work_types.general.client_wait_days") for code in out["fitted"])


@pytest.mark.deep
def test_the_app_offers_the_logs_statuses_as_waiting_none_chosen_to_start_as_on_the_command_line(log):
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    from tests.test_calibrate_changelog import calibrate_page_with
    from ui import calibration as views

    _, data = log
    at = calibrate_page_with(data, COLUMNS)
    assert not at.exception and not at.error
    waiting = at.multiselect(key="calibrate:map:waiting")
    assert waiting.label == views.WAITING_LABEL and waiting.value == []
    assert sorted(waiting.options) == ["In Progress", "Open", "Waiting on client"]  # Done means delivered
    at = waiting.set_value(["Waiting on client"]).run()
    assert not at.error and not at.exception
    (preview,) = [e for e in at.expander if "usable tickets" in e.label]
    assert preview.label.endswith(f"({len(generate(PROCESS).tickets)} usable tickets)")


def as_jira_writes_it(rows: pd.DataFrame) -> pd.DataFrame:
    """The same log as another tracker writes it: the status only on rows that changed it (blank on other fields'
    rows), dates as Jira writes them, and the ticket's id in a column of another name."""
    out = rows.assign(Status=rows["Status"].where(rows["Field"] == "Status", ""))
    for column in ("Created", "Updated"):
        out[column] = pd.to_datetime(out[column]).map(lambda t: f"{t:%d/%b/%y} {t.hour % 12 or 12}:{t:%M %p}")
    return out.rename(columns={"Issue": "Ticket ID"})


@pytest.mark.deep
@pytest.mark.parametrize("written", ["status on every row", "status only where it changed"])
def test_a_service_desks_long_workflow_log_is_its_tickets_and_back_tests_close_on_every_figure(tmp_path, written):
    """The shape of a real service team's export: about 37 rows per ticket, most of them other fields' changes;
    seven statuses, of which only one is waiting on the client; no effort, assignee or due date; tickets still
    waiting on the client when the export ends. Read with --map and --waiting alone, as a user would; written
    with the status on every row, or only on the rows that changed it (Jira's dates, the created column named).
    Deep tier: about 68 s, as it makes whole calibrations and their back-tests."""
    from sim.calibration.synthetic import ServiceDesk, service_desk_log

    rows = pd.read_csv(pd.io.common.StringIO(service_desk_log(ServiceDesk())), dtype=str, keep_default_na=False)
    assert len(rows) > 30 * rows["Issue"].nunique() and rows["Status"].nunique() == 7
    statuses = rows[rows["Field"] == "Status"].assign(at=pd.to_datetime(rows["Updated"]))
    last = statuses.sort_values("at", kind="stable").groupby("Issue")["Status"].last()
    maps = ["id=Issue", "status=Status", "changed=Updated", "client=Customer"]
    if written == "status only where it changed":
        rows, maps = as_jira_writes_it(rows), ["id=Ticket ID", "status=Status", "changed=Updated",
                                               "client=Customer", "created=Created"]
    path = tmp_path / "desk.csv"
    rows.to_csv(path, index=False)
    out = calibrate_json(path, maps)
    assert out["observed"]["tickets"] == len(last)
    assert out["observed"]["open_at_end"] == int((last != "Done").sum())
    assert out["backtest"]["far_on"] == [] and out["backtest"]["verdict"] == "close", out["backtest"]
    assert any("still waiting on the client at the end of the export" in w for w in out["warnings"])
    assert any("no due dates; the deadline is assumed" in w for w in out["warnings"])
