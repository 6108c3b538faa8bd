"""Stage-date files (sim.calibration.formats): one row per ticket, then a column per workflow stage holding the date
the ticket entered it. They are read as the change logs they stand for, so a ticket is its row, it is created when
it entered the first stage and resolved when it entered the last (or a done one), and a stage named as waiting on
the client gives the waits, exactly as a change log's status would."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.calibration.fit import fit, ticket_waits
from sim.calibration.formats import STAGE_FILE, ExportError, read_export
from sim.scenario import load_scenario
from tests.conftest import ROOT

STAGES = ["Backlog", "In Progress", "Waiting for Customer", "Released"]
HOURS_PER_DAY = 8.0


def stage_file(tickets: int = 24, seed: int = 4) -> tuple[bytes, pd.DataFrame]:
    """Weekday dates only; every fifth ticket not yet released, every third one waited on the customer."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-03-04", periods=90)
    rows = []
    for i in range(tickets):
        start = int(rng.integers(0, 40))
        dates = np.cumsum([start, *rng.integers(0, 4, 3)])
        if i % 3:  # never waited: the waiting stage is left blank
            entered = {"Backlog": dates[0], "In Progress": dates[1], "Released": dates[3]}
        else:
            entered = dict(zip(STAGES, dates, strict=True))
        if i % 5 == 4:
            entered.pop("Released")
        rows.append({"ID": f"K-{i + 1}", "Link": f"https://tracker.example/K-{i + 1}", "Title": f"Request {i + 1}",
                     **{s: days[entered[s]].strftime("%Y-%m-%d") if s in entered else "" for s in STAGES},
                     "Customer": f"Customer {i % 5}"})
    frame = pd.DataFrame(rows)
    return frame.to_csv(index=False).encode(), frame


def test_each_row_is_a_ticket_created_at_its_first_stage_and_resolved_at_its_last():
    data, frame = stage_file()
    export = read_export(data, "stages.csv")
    assert export.format == STAGE_FILE and export.stages == tuple(STAGES)
    assert export.rows == len(frame) == len(export.tickets)
    tickets = export.tickets.set_index("id").loc[frame["ID"]]
    assert (tickets["created"].dt.strftime("%Y-%m-%d").to_numpy() == frame["Backlog"].to_numpy()).all()
    released = frame["Released"].replace("", None)
    assert (tickets["resolved"].isna().to_numpy() == released.isna().to_numpy()).all()
    done = released.notna().to_numpy()
    assert (tickets["resolved"][done].dt.strftime("%Y-%m-%d").to_numpy() == released[done].to_numpy()).all()
    assert set(tickets["client"]) == {f"Customer {k}" for k in range(5)}
    assert export.mapping == {"id": "ID", "client": "Customer"}  # the file's own columns: what a user maps
    assert (f"Read {len(frame)} rows as {len(frame)} tickets: a stage-date file of 'ID', a column per workflow stage "
            "(Backlog, In Progress, Waiting for Customer, Released) holding the date each ticket entered it; each "
            f"ticket resolved when it last entered Released; {int((~done).sum())} not there yet are open."
            ) in export.warnings


def test_the_lead_time_is_the_working_days_from_the_first_stage_to_the_last():
    data, frame = stage_file()
    result = fit(read_export(data, "stages.csv"), load_scenario(ROOT / "scenarios" / "default.toml"))
    done = frame[frame["Released"] != ""]
    lead = np.busday_count(done["Backlog"].to_numpy().astype("datetime64[D]"),
                           done["Released"].to_numpy().astype("datetime64[D]"))
    assert result.observed["lead_time_days"] == pytest.approx(lead.mean())
    assert result.observed["open_at_end"] == int((frame["Released"] == "").sum())


def test_a_stage_named_as_waiting_gives_each_tickets_wait_on_the_customer():
    data, frame = stage_file()
    export = read_export(data, "stages.csv", waiting=["Waiting for Customer"])
    waits = ticket_waits(export, HOURS_PER_DAY)
    done = frame[frame["Released"] != ""].set_index("ID")
    waited = done["Waiting for Customer"] != ""
    expected = np.where(waited, np.busday_count(done["Waiting for Customer"].replace("", "2024-01-01").to_numpy()
                                                .astype("datetime64[D]"),
                                                done["Released"].to_numpy().astype("datetime64[D]")), 0)
    assert waits.reindex(done.index).to_numpy() == pytest.approx(expected)
    assert (waits > 0).sum() == int((expected > 0).sum()) > 0


def test_done_names_the_stage_that_means_delivered():
    data, frame = stage_file()
    export = read_export(data, "stages.csv", done=["In Progress"])
    tickets = export.tickets.set_index("id").loc[frame["ID"]]
    # a ticket that went on to later stages has left "In Progress": it is open; one that stopped there is delivered
    last = frame.set_index("ID")[STAGES].replace("", None).apply(lambda row: row.last_valid_index(), axis=1)
    stopped = (last == "In Progress").to_numpy()
    assert stopped.any() and (~stopped).any()
    assert (tickets["resolved"].notna().to_numpy() == stopped).all()
    with pytest.raises(ExportError) as refused:
        read_export(data, "stages.csv", done=["Shipped"])
    (message,) = refused.value.problems
    assert "Backlog" in message and "Released" in message and "(Shipped)" in message


def test_a_generic_file_without_its_creation_column_is_no_stage_file():
    """Its date columns are fields of its own, so it keeps the message naming the missing creation column."""
    frame = pd.DataFrame({"resolved": ["2024-05-02"] * 25, "due": ["2024-05-03"] * 25,
                          "updated": ["2024-05-01"] * 25, "client": ["A"] * 25})
    with pytest.raises(ExportError) as refused:
        read_export(frame.to_csv(index=False).encode(), "t.csv")
    assert "no creation-date column" in refused.value.problems[0]


@pytest.mark.deep
def test_the_command_line_fits_a_stage_file_and_back_tests_it(tmp_path):
    """Deep tier: about 4 s, as it runs the command in a process of its own."""
    data, frame = stage_file(tickets=40)
    path = tmp_path / "stages.csv"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "sim", "calibrate", str(path), "--format", "json", "--waiting",
                           "Waiting for Customer"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["format"] == "stages" and out["observed"]["tickets"] == len(frame)
    assert out["backtest"]["verdict"] == ("far" if out["backtest"]["far_on"] else "close")
    assert any(code.startswith("demand.work_types.general.client_wait_share") for code in out["fitted"])
    # one date per stage: no moves back to read rework from, and the warning says why rather than "too few"
    assert any(w.startswith("A stage-date file holds the date each ticket entered each stage") for w in
               out["warnings"])
    assert out["observed"]["revised_share"] == 0.0 and not any("sent back" in w for w in out["warnings"])
    released = frame[frame["Released"] != ""]
    lead = np.busday_count(released["Backlog"].to_numpy().astype("datetime64[D]"),
                           released["Released"].to_numpy().astype("datetime64[D]"))
    assert out["observed"]["lead_time_days"] == pytest.approx(lead.mean(), abs=1e-6)


@pytest.mark.deep
def test_the_app_offers_a_stage_files_stages_as_the_statuses_the_last_one_delivered():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from tests.test_calibrate_changelog import calibrate_page_with
    from ui import calibration as views

    data, frame = stage_file()
    at = calibrate_page_with(data, {})
    assert not at.exception and not at.error
    assert any("recognised as a **stage-date file**" in m.value for m in at.markdown)
    done = at.multiselect(key="calibrate:map:done")
    assert done.label == views.DONE_LABEL and done.options == STAGES and done.value == ["Released"]
    waiting = at.multiselect(key="calibrate:map:waiting")
    assert waiting.options == STAGES[:-1] and waiting.value == []
    at = waiting.set_value(["Waiting for Customer"]).run()
    assert not at.exception and not at.error
    (preview,) = [e for e in at.expander if "usable tickets" in e.label]
    assert preview.label.endswith(f"({len(frame)} usable tickets)")
