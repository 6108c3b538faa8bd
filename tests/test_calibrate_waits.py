"""A change log from a known process with waits on the client and revision rounds (sim.calibration.synthetic): the
waits, the effort and the team are read back from the statuses exactly, and the fitted model reproduces the firm's
record on every figure; a waiting status the log does not have is refused in words naming the ones it has."""

from __future__ import annotations

import json
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


def test_the_fitted_waits_are_the_share_mean_and_spread_of_the_resolved_tickets(log):
    generated, data = log
    export = read_export(data, "log.csv", COLUMNS, waiting=WAITING)
    fitted = fit(export, load_scenario(ROOT / "scenarios" / "default.toml"))
    (wt,) = fitted.scenario.demand.work_types.values()
    waited = resolved_truth(generated)["wait"].to_numpy() / HOURS_PER_DAY
    positive = waited[waited > 0]
    assert wt.client_wait_share == pytest.approx(positive.size / waited.size, rel=5e-3)
    assert wt.client_wait_days == pytest.approx(positive.mean(), rel=5e-3)
    assert wt.client_wait_cv == pytest.approx(positive.std(ddof=1) / positive.mean(), rel=5e-3)
    paths = {note.path for note in fitted.notes}
    assert {"demand.work_types.general.client_wait_share", "demand.work_types.general.client_wait_days"} <= paths


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


@pytest.mark.slow
def test_the_cli_reproduces_the_firms_record_on_every_figure_from_the_change_log(log, tmp_path):
    _, data = log
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    maps = [f"{k}={v}" for k, v in COLUMNS.items()]
    done = subprocess.run([sys.executable, "-m", "sim", "calibrate", str(path), "--format", "json", "--map", *maps,
                           "--waiting", "Waiting on client"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["observed"]["tickets"] == len(generate(PROCESS).tickets)
    assert out["backtest"]["verdict"] == "close", out["backtest"]
    assert out["backtest"]["far_on"] == []
    assert any(code.startswith("demand.work_types.general.client_wait_days") for code in out["fitted"])


def test_the_app_offers_the_logs_statuses_as_waiting_none_chosen_to_start_as_on_the_command_line(log):
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
