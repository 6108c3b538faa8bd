"""Revision rounds and reopenings read from a change log (sim.calibration.rounds): which tickets were sent back
and which reopened, by the workflow's order, and the hours of each round, exactly on a log built by hand; the
model's rework assumptions set from them through today's roles; and a service desk's log from a known process with
revision rounds and reopenings, recovered and back-tested."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibration.backtest import NOT_FROM_TIMING, candidates
from sim.calibration.fit import fit, span_hours
from sim.calibration.formats import read_export
from sim.calibration.rounds import MIN_ROUNDS, Rounds, fit_rework, rounds, status_order
from sim.scenario import load_scenario
from tests.conftest import ROOT
from tests.test_calibrate_waits import calibrate_json

COLUMNS = {"id": "key", "status": "status", "changed": "changed"}
WAITING = ["Waiting"]
DAY = "2024-01-0{}"  # Monday 1 to Friday 5 January 2024: working days, 9:00 to 17:00 at 8 hours a day

# Each ticket's statuses, with the day of January and the hour each was entered at.
TICKETS = {
    # review sends it back to work once: the round is 13:00 to 16:00 on day 2 in work (3 hours), then review again
    "sent": [("Open", 1, 9), ("In Progress", 1, 10), ("In Review", 2, 9), ("In Progress", 2, 13),
             ("In Review", 2, 16), ("Done", 3, 9)],
    # coming back from the client is the flow, not a revision
    "waited": [("Open", 1, 9), ("In Progress", 1, 10), ("Waiting", 1, 12), ("In Progress", 2, 9),
               ("In Review", 2, 12), ("Done", 2, 14)],
    # put down to the queue from the first stage of work, and taken again: not sent back
    "put down": [("Open", 1, 9), ("In Progress", 1, 10), ("Open", 1, 11), ("In Progress", 2, 9),
                 ("In Review", 2, 10), ("Done", 2, 11)],
    # delivered, reopened for 2 hours of work (4 in all, 2 of them in the queue), delivered again
    "reopened": [("Open", 1, 9), ("In Progress", 1, 10), ("In Review", 1, 12), ("Done", 1, 14), ("Open", 3, 9),
                 ("In Progress", 3, 11), ("Done", 3, 13)],
    # sent back, still open at the end: not a delivered ticket, so in neither count
    "open": [("Open", 1, 9), ("In Progress", 1, 10), ("In Review", 1, 12), ("In Progress", 1, 13)],
    # two send-backs in a row, review to work and approval to review: one round each, 1 + 2 hours of work
    "twice": [("Open", 1, 9), ("In Progress", 1, 10), ("In Review", 1, 11), ("In Progress", 1, 12),
              ("In Review", 1, 13), ("Approved", 1, 14), ("In Review", 4, 9), ("Approved", 4, 11), ("Done", 4, 12)],
}


PLAIN = 17  # tickets straight through, beside those above: an export needs 20 tickets to be read


def straight(day: int) -> list[tuple[str, int, int]]:
    """A ticket straight through on `day`: the plain ones fall on every weekday, so the week read is five days."""
    return [("Open", day, 9), ("In Progress", day, 10), ("In Review", day, 15), ("Done", day, 16)]


def hand_log(tickets: dict[str, list[tuple[str, int, int]]] = TICKETS) -> bytes:
    every = {**tickets, **{f"plain {i}": straight(i % 5 + 1) for i in range(PLAIN)}}
    rows = [{"key": key, "status": status, "changed": f"{DAY.format(day)} {hour:02d}:00"}
            for key, history in every.items() for status, day, hour in history]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).to_csv(index=False).encode()


def read(data: bytes):
    return read_export(data, "log.csv", COLUMNS, waiting=WAITING)


def test_the_workflow_is_the_order_tickets_usually_enter_their_statuses_in():
    order = status_order(read(hand_log()).history)
    assert list(order.index) == ["Open", "In Progress", "Waiting", "In Review", "Approved", "Done"]


def test_a_send_back_is_a_move_to_an_earlier_stage_of_work_before_delivery_and_a_reopening_one_after():
    export = read(hand_log())
    found = rounds(export, span_hours(export, 8.0))
    assert found is not None
    delivered = [k for k in TICKETS if k != "open"] + [f"plain {i}" for i in range(PLAIN)]
    assert sorted(found.sent_back.index) == sorted(delivered)
    assert sorted(found.sent_back[found.sent_back].index) == ["sent", "twice"]
    assert sorted(found.reopened[found.reopened].index) == ["reopened"]
    assert found.revision_hours.to_dict() == pytest.approx({"sent": 3.0, "twice": 3.0})
    assert found.fix_hours.to_dict() == pytest.approx({"reopened": 2.0})  # the queue's two hours are not work
    assert found.moves == {("In Review", "In Progress"): 2, ("Approved", "In Review"): 1}
    assert found.revised_share == pytest.approx(2 / len(delivered))
    assert found.reopened_share == pytest.approx(1 / len(delivered))


def test_a_status_held_for_no_time_is_no_stage_a_ticket_was_sent_back_from():
    """Two changes in the same minute come in the file's order: In Review and In Progress at 12:00 read either
    way, and neither is a send-back."""
    same_minute = {"quick": [("Open", 1, 9), ("In Progress", 1, 10), ("In Review", 1, 12), ("In Progress", 1, 12),
                             ("In Review", 1, 14), ("Done", 1, 15)],
                   **{k: TICKETS[k] for k in ("waited", "put down")}}
    export = read(hand_log(same_minute))
    found = rounds(export, span_hours(export, 8.0))
    assert found is not None and not found.sent_back.any()


def test_without_a_history_there_are_no_rounds():
    one_row = "created,resolved,type\n" + "2024-01-01,2024-01-02,Bug\n" * 20
    export = read_export(one_row.encode(), "tickets.csv")
    assert export.history is None and rounds(export, []) is None  # type: ignore[arg-type]


def rounds_of(sent: int, reopened: int, delivered: int, revision: float = 2.0, fix: float = 6.0) -> Rounds:
    ids = pd.Index([f"T-{i}" for i in range(delivered)])
    sent_back = pd.Series([i < sent for i in range(delivered)], index=ids)
    again = pd.Series([sent <= i < sent + reopened for i in range(delivered)], index=ids)
    return Rounds(sent_back, again, pd.Series(revision, index=ids[:sent]),
                  pd.Series(fix, index=ids[sent:sent + reopened]))


@pytest.fixture(scope="module")
def base():
    return load_scenario(ROOT / "scenarios" / "default.toml")


def test_without_a_pm_the_wrong_share_is_those_sent_back_or_reopened_and_the_team_caught_those_sent_back(base):
    """20 sent back and 10 reopened of 100: 30 % built wrong, two thirds caught before delivery; each round's
    2 hours of work against 10 hours of effort is a fifth, and each fix's 6 hours three times a round's."""
    found = rounds_of(sent=20, reopened=10, delivered=100)
    effort = pd.Series(10.0, index=found.sent_back.index)
    rework = fit_rework(found, effort, 1.0, base, "none")
    b = base.behaviour
    am_ratio = (1 - b.clarity_with_am) / (1 - b.clarity_without_am)
    assert rework.values == pytest.approx({
        "clarity_without_am": 0.7, "clarity_with_am": 1 - 0.3 * am_ratio, "team_review_catch_rate": 2 / 3,
        "rework_effort_share": 0.2, "client_found_rework_factor": 3.0})
    halved = fit_rework(found, effort, 0.5, base, "none").values  # two people share each ticket worked on
    assert halved["rework_effort_share"] == pytest.approx(0.1)
    assert halved["client_found_rework_factor"] == pytest.approx(3.0)


def test_a_firm_with_a_pm_or_an_am_today_is_not_credited_with_their_effect_twice(base):
    """With a PM today its review caught some of the 20 sent back: the team's own review is what is left,
    1 - (1 - 2/3) / (1 - 0.6). With an AM today the 30 % wrong is after its clarifying: without one, more."""
    found = rounds_of(sent=20, reopened=10, delivered=100)
    effort = pd.Series(10.0, index=found.sent_back.index)
    b = base.behaviour
    with_pm = fit_rework(found, effort, 1.0, base, "pm").values
    assert with_pm["team_review_catch_rate"] == pytest.approx(1 - (1 / 3) / (1 - b.review_catch_rate))
    assert with_pm["clarity_without_am"] == pytest.approx(0.7)
    am_ratio = (1 - b.clarity_with_am) / (1 - b.clarity_without_am)
    with_am = fit_rework(found, effort, 1.0, base, "am").values
    assert with_am["clarity_with_am"] == pytest.approx(0.7)
    assert with_am["clarity_without_am"] == pytest.approx(1 - 0.3 / am_ratio)
    assert with_am["team_review_catch_rate"] == pytest.approx(2 / 3)


def test_a_value_the_rounds_give_beyond_the_models_bounds_is_kept_within_them_and_said(base):
    """Rounds of 100 hours against 10 hours of effort: a rework of 10 times the effort, where the model allows 5."""
    found = rounds_of(sent=20, reopened=10, delivered=100, revision=100.0, fix=600.0)
    rework = fit_rework(found, pd.Series(10.0, index=found.sent_back.index), 1.0, base, "none")
    assert rework.values["rework_effort_share"] == 5.0
    assert rework.values["client_found_rework_factor"] == pytest.approx(60.0 / 5.0)  # against the share used
    assert rework.warnings == ["Your rounds give rework effort share 10, beyond what the model allows (0.01 to 5); "
                               "5 is used."]


def test_too_few_rounds_of_a_kind_leave_its_size_assumed(base):
    found = rounds_of(sent=MIN_ROUNDS - 1, reopened=MIN_ROUNDS + 1, delivered=100)
    values = fit_rework(found, pd.Series(10.0, index=found.sent_back.index), 1.0, base, "none").values
    assert "rework_effort_share" not in values
    assert values["client_found_rework_factor"] == pytest.approx(6.0 / 10.0 / base.behaviour.rework_effort_share)


def test_a_log_with_too_few_rounds_keeps_the_assumptions_and_says_so(base):
    export = read(hand_log())  # two sent back and one reopened: fewer than MIN_ROUNDS
    fitted = fit(export, base)
    assert fitted.scenario.behaviour == base.behaviour
    (warning,) = [w for w in fitted.warnings if "sent back" in w]
    assert warning.startswith("3 delivered tickets were sent back") and "assumptions are kept" in warning
    assert fitted.observed["revised_share"] == pytest.approx(2 / (5 + PLAIN))
    assert fitted.observed["client_fix_share"] == pytest.approx(1 / (5 + PLAIN))


def test_a_log_with_rounds_sets_the_rework_from_them_and_the_back_test_leaves_those_alone(base):
    many = {f"{key} {copy}": history for key, history in TICKETS.items() for copy in range(3)}
    export = read(hand_log(many))  # six sent back and three reopened of fifteen delivered and the plain ones
    fitted = fit(export, base)
    behaviour = fitted.scenario.behaviour
    assert behaviour.clarity_without_am == pytest.approx(1 - 9 / (15 + PLAIN), abs=1e-3)
    assert behaviour.team_review_catch_rate == pytest.approx(6 / 9, abs=1e-3)
    paths = {note.path for note in fitted.notes if note.path.startswith("behaviour.")}
    assert paths == {"behaviour.clarity_without_am", "behaviour.clarity_with_am",
                     "behaviour.team_review_catch_rate", "behaviour.rework_effort_share"}  # 3 reopened: too few
    assert "“In Review” to “In Progress” (6)" in next(n.reason for n in fitted.notes
                                                     if n.path == "behaviour.clarity_without_am")
    screened = {c.path for c in candidates(frozenset(paths))}
    assert not screened & paths and not screened & NOT_FROM_TIMING
    assert "behaviour.client_found_rework_factor" in screened
    assert "behaviour.team_review_catch_rate" not in {c.path for c in candidates()}


DESK = dict(revision_share=0.4, reopen_share=0.08)
DESK_COLUMNS = {"id": "Issue", "status": "Status", "changed": "Updated", "client": "Customer"}


def test_a_service_desks_revision_rounds_and_reopenings_are_recovered():
    """The desk's truth, known ticket by ticket: the shares within a ticket of it (a round of a few minutes may
    fall in one minute of the log), the rounds' hours to the minute, and the fixes' size against the rounds' as the
    process drew them."""
    from sim.calibration.synthetic import ServiceDesk, service_desk

    log, truth = service_desk(ServiceDesk(**DESK))
    export = read_export(log.encode(), "desk.csv", DESK_COLUMNS, waiting=["Waiting on client"])
    found = rounds(export, span_hours(export, 8.0))
    assert found is not None
    assert sorted(found.sent_back.index) == sorted(truth.delivered)
    assert truth.sent_back.mean() > 0.2 and truth.reopened.mean() > 0.05
    assert abs(int(found.sent_back.sum()) - int(truth.sent_back.sum())) <= 2
    assert int(found.reopened.sum()) == int(truth.reopened.sum())
    both = found.revision_hours.index.intersection(truth.revision_hours.index)
    assert len(both) >= truth.sent_back.sum() - 2
    assert (found.revision_hours[both] - truth.revision_hours[both]).abs().max() < 2 / 60  # to the minute
    assert found.fix_hours.sort_index().to_numpy() == pytest.approx(truth.fix_hours.sort_index().to_numpy(),
                                                                    abs=2 / 60)
    base = load_scenario(ROOT / "scenarios" / "default.toml")
    effort = pd.Series(10.0, index=found.sent_back.index)  # one type: every ticket the same fitted effort
    factor = fit_rework(found, effort, 1.0, base, "none").values["client_found_rework_factor"]
    assert factor == pytest.approx(truth.fix_hours.mean() / truth.revision_hours.mean(), rel=0.01)


@pytest.mark.deep
def test_a_service_desk_with_revision_rounds_back_tests_close_and_the_model_sends_back_as_many(tmp_path):
    """Read with --map and --waiting alone: the rework set from the rounds, the back-test close on every figure,
    and the model's own revision rounds and client-found fixes within two points of the record's.
    Deep tier: about 23 s, as it makes whole calibrations and their back-tests."""
    from sim.calibration.synthetic import ServiceDesk, service_desk

    log, _ = service_desk(ServiceDesk(**DESK))
    path = tmp_path / "desk.csv"
    path.write_text(log)
    out = calibrate_json(path, [f"{k}={v}" for k, v in DESK_COLUMNS.items()])
    assert out["backtest"]["verdict"] == "close", out["backtest"]
    fitted = {line.split(" = ")[0] for line in out["fitted"]}
    assert {"behaviour.clarity_without_am", "behaviour.team_review_catch_rate", "behaviour.rework_effort_share",
            "behaviour.client_found_rework_factor"} <= fitted
    assert not set(out["backtest"]["fitted"]) & fitted
    model, record = out["backtest"]["simulated"], out["observed"]
    for share in ("revised_share", "client_fix_share"):
        assert abs(model[share]["mean"] - record[share]) < 0.02 + model[share]["ci95"], share
