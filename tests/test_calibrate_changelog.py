"""A change log (one row per status change of a ticket, as trackers export histories) is read as one ticket per id:
created at its first date, resolved when it last entered a done status, open when it ends elsewhere. Built here
from a known process with waits on the client and reopened tickets, and read back exactly."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.calibration.formats import DONE_STATUSES, ExportError, read_export
from tests.conftest import ROOT

COLUMNS = {"id": "key", "status": "status", "changed": "changed"}


def change_log(tickets: int = 40, seed: int = 1, done: str = "Done") -> tuple[bytes, list[tuple]]:
    """Rows in shuffled order, and each ticket's true (created, resolved or NaT). Each waits on the client once.
    Every fifth ticket is reopened after delivery; every tenth is then delivered again, the others stay open."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for i in range(tickets):
        created = pd.Timestamp("2024-01-01 09:00") + pd.Timedelta(hours=int(rng.integers(0, 2000)))
        history, at = [("Open", created)], created
        for status in ("In Progress", "Waiting on client", "In Progress", done):
            at += pd.Timedelta(hours=int(rng.integers(2, 80)))
            history.append((status, at))
        delivered = at
        if i % 5 == 0:  # reopened after delivery
            at += pd.Timedelta(hours=6)
            history.append(("Reopened", at))
            if i % 10 == 0:  # and delivered again
                at += pd.Timedelta(hours=6)
                history.append(("Closed" if done == "Done" else done, at))
                delivered = at
            else:
                delivered = pd.NaT
        rows += [{"key": f"T-{i}", "status": s, "changed": t.isoformat(), "client": f"client {i % 4}"}
                 for s, t in history]
        truth.append((created, delivered))
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=seed)  # exports are not always in order
    return frame.to_csv(index=False).encode(), truth


def pairs(tickets: pd.DataFrame) -> list[tuple]:
    return sorted(zip(tickets["created"], tickets["resolved"], strict=True), key=lambda p: (p[0], str(p[1])))


def test_a_change_log_is_one_ticket_per_id_created_first_resolved_when_it_last_entered_done():
    data, truth = change_log()
    export = read_export(data, "log.csv", COLUMNS)
    assert len(export.tickets) == 40 == export.tickets.shape[0]
    assert export.rows == sum(1 for _ in data.splitlines()) - 1  # every change row was read
    assert pairs(export.tickets) == sorted(truth, key=lambda p: (p[0], str(p[1])))
    open_tickets = sum(pd.isna(r) for _, r in truth)
    assert open_tickets == 4  # reopened and not delivered again: tickets 5, 15, 25, 35
    (note,) = [w for w in export.warnings if w.startswith("Read ")]
    assert note == (f"Read {export.rows:,} rows as 40 tickets: a change log of 'key', each ticket resolved when it "
                    f"last entered Done, Resolved, Closed or Completed; {open_tickets} ending in another status "
                    "are open.")
    assert set(export.tickets["client"]) == {f"client {k}" for k in range(4)}


def test_the_statuses_that_mean_delivered_can_be_named_and_a_log_without_one_says_which_it_has():
    data, truth = change_log(done="Approved")
    with pytest.raises(ExportError) as refused:
        read_export(data, "log.csv", COLUMNS)
    message = refused.value.problems[0]
    assert message.startswith("log.csv: no status in column 'status' means delivered (Done, Resolved, Closed, "
                              "Completed); its statuses are ")
    assert "Approved" in message and "Waiting on client" in message
    assert message.endswith("name the statuses that mean delivered with --done S1,S2")
    export = read_export(data, "log.csv", COLUMNS, done=["approved"])  # compared without case
    assert pairs(export.tickets) == sorted(truth, key=lambda p: (p[0], str(p[1])))


def test_a_one_row_per_ticket_export_with_ids_is_not_taken_for_a_change_log():
    data, _ = change_log()
    rows = pd.read_csv(pd.io.common.BytesIO(data))
    last = rows.sort_values("changed").groupby("key").tail(1).rename(columns={"changed": "created"})
    export = read_export(last.to_csv(index=False).encode(), "tickets.csv", {"id": "key"})
    assert len(export.tickets) == 40 and not [w for w in export.warnings if w.startswith("Read ")]
    assert DONE_STATUSES == ("Done", "Resolved", "Closed", "Completed")


@pytest.mark.deep
def test_the_command_line_reads_a_change_log_with_map_and_done(tmp_path):
    """Deep tier: about 3 s, as it runs the command in a process of its own."""
    data, truth = change_log(tickets=30, done="Approved")
    path = tmp_path / "history.csv"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "sim", "calibrate", str(path), "--map", "id=key", "status=status",
                           "changed=changed", "--done", "Approved", "--format", "json", "--serial"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["observed"]["tickets"] == 30
    assert any(w.startswith(f"Read {len(data.splitlines()) - 1:,} rows as 30 tickets") for w in out["warnings"])


def calibrate_page_with(data: bytes, columns: dict[str, str]):
    """The Calibrate page with `data` uploaded and its columns picked, run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = {"weeks": 6, "replications": 2}
    at.run()
    at = at.switch_page("pages/calibrate.py").run()
    at = at.file_uploader(key="calibrate.upload").upload("history.csv", data, "text/csv").run()
    for field, column in columns.items():
        at.selectbox(key=f"calibrate:map:{field}").set_value(column)
    return at.run()


@pytest.mark.deep
def test_the_app_reads_a_change_log_once_its_columns_are_named_and_offers_its_statuses_as_delivered():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    from ui import calibration as views

    data, _ = change_log(done="Approved")
    at = calibrate_page_with(data, COLUMNS)
    assert not at.exception
    done = at.multiselect(key="calibrate:map:done")
    assert done.label == views.DONE_LABEL and done.value == []  # no status the trackers' usual names match
    assert sorted(done.options) == ["Approved", "In Progress", "Open", "Reopened", "Waiting on client"]
    (error,) = at.error
    assert error.value.endswith("pick them in “Statuses that mean delivered”")
    at = done.set_value(["Approved"]).run()
    assert not at.error and not at.exception
    (preview,) = [e for e in at.expander if "usable tickets" in e.label]
    assert preview.label.endswith("(40 usable tickets)")


def test_reopened_tickets_are_counted_and_set_beside_the_models_client_found_fixes_not_judged():
    """Every fifth ticket of the log left Done for Reopened: eight of forty, four of them delivered again. A move
    from one done status to another (Done to Closed) is no reopening. The record's share is of the tickets
    delivered; the back-test's table sets it beside the model's fixes, and the verdict does not judge it."""
    from sim.calibration import backtest as bt
    from sim.calibration.fit import fit, span_hours
    from sim.calibration.rounds import rounds
    from sim.scenario import load_scenario
    from ui import calibration as views

    def reopened_of(export):
        found = rounds(export, span_hours(export, 8.0))
        assert found is not None
        return sorted(found.reopened[found.reopened].index)

    data, truth = change_log()
    export = read_export(data, "log.csv", COLUMNS)
    assert reopened_of(export) == ["T-0", "T-10", "T-20", "T-30"]  # of the delivered: reopened, delivered again
    observed = fit(export, load_scenario(ROOT / "scenarios" / "default.toml")).observed
    resolved = sum(not pd.isna(r) for _, r in truth)
    assert observed["client_fix_share"] == pytest.approx(4 / resolved)
    closed_only = data.replace(b"Reopened", b"Closed")  # Done then Closed: still delivered, never reopened
    assert reopened_of(read_export(closed_only, "log.csv", COLUMNS)) == []
    assert "client_fix_share" not in bt.COMPARED and "client_fix_share" in bt.BESIDE
    model = {m: {"mean": 0.5, "ci95": 0.01} for m in (*bt.COMPARED, *bt.BESIDE)}
    rows = views.comparison_table(observed, model)["Figure"].tolist()
    assert rows[-2:] == ["Reopened (the model: fixed after the client found it wrong)",
                         "Sent back before delivery (the model: a review caught it built wrong)"]
    one_row = {**observed, "client_fix_share": float("nan"), "revised_share": float("nan")}
    assert len(views.comparison_table(one_row, model)) == len(bt.COMPARED)


def with_category(data: bytes) -> bytes:
    """The log with Jira's "Status Category" beside each row's status: Approved is in the done category."""
    frame = pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False)
    frame["Status Category"] = np.where(frame["status"] == "Approved", "Done",
                                        np.where(frame["status"] == "Open", "To Do", "In Progress"))
    return frame.to_csv(index=False).encode()


def test_a_status_the_trackers_done_category_holds_means_delivered_unless_done_names_others():
    """"Approved" is no usual done name, but the export puts it in the done category, as Jira's Status Category
    does; the command line and the app's picker both start from it, and --done still decides."""
    from sim.calibration.formats import read_export_done

    data, truth = change_log(done="Approved")
    with pytest.raises(ExportError):  # without the category, no status means delivered
        read_export(data, "log.csv", COLUMNS)
    categorised = with_category(data)
    export = read_export(categorised, "log.csv", COLUMNS)
    assert pairs(export.tickets) == sorted(truth, key=lambda p: (p[0], str(p[1])))
    assert any("each ticket resolved when it last entered Done, Resolved, Closed, Completed or Approved" in w
               for w in export.warnings)
    assert read_export_done(categorised, "log.csv", "status") == [*DONE_STATUSES, "Approved"]
    named = read_export(categorised, "log.csv", COLUMNS, done=["In Progress"])  # --done decides
    assert named.tickets["resolved"].isna().all()  # every ticket left In Progress


@pytest.mark.deep
def test_the_app_marks_the_done_categorys_statuses_as_delivered_to_start_with():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    data, _ = change_log(done="Approved")
    at = calibrate_page_with(with_category(data), COLUMNS)
    assert not at.exception and not at.error
    assert at.multiselect(key="calibrate:map:done").value == ["Approved"]


def test_a_row_of_another_fields_change_with_its_status_blank_keeps_the_status_before_it():
    """Trackers leave the status blank on a row that changed another field: a comment a day after delivery neither
    reopens the ticket nor moves when it was resolved."""
    data, truth = change_log()
    frame = pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False)
    last = frame.assign(at=pd.to_datetime(frame["changed"])).sort_values("at").groupby("key").tail(1)
    comments = last.assign(status="", changed=(pd.to_datetime(last["changed"]) + pd.Timedelta(days=1)).map(
        lambda t: t.isoformat()))
    commented = pd.concat([frame, comments.drop(columns="at")]).to_csv(index=False).encode()
    export = read_export(commented, "log.csv", COLUMNS)
    assert pairs(export.tickets) == sorted(truth, key=lambda p: (p[0], str(p[1])))
    assert int(export.tickets["resolved"].isna().sum()) == sum(pd.isna(r) for _, r in truth) == 4


def test_a_delivery_goes_last_among_a_tickets_rows_of_the_same_minute():
    """A row that shows the status of the minute before (a field changed as the ticket was closed), written after
    the delivery in the file, does not reopen the ticket."""
    data, truth = change_log()
    frame = pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False)
    closing = frame[frame["status"].isin(["Done", "Closed"])]
    same_minute = closing.assign(status="In Progress")  # the snapshot of the minute before, in the same minute
    tied = pd.concat([frame, same_minute]).to_csv(index=False).encode()  # after the delivery in the file
    export = read_export(tied, "log.csv", COLUMNS)
    assert pairs(export.tickets) == sorted(truth, key=lambda p: (p[0], str(p[1])))
