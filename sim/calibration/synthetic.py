"""Ticket exports from a known process, written as Jira, Zendesk, Linear or the generic CSV would write them: the
sample in scenarios/samples/ and the tests' ground truth come from here.

The process is deliberately not Orgsim's model: Poisson arrivals over working hours from clients of gamma-spread
sizes, gamma efforts per ticket type; each client has one engineer, who takes the waiting ticket due first
(non-preemptive earliest-due-date, one ticket at a time) and logs only part of the time it takes (the rest is
talk and switching). Working hours map to office hours 9:00 to 9:00 + a working day, Monday to Friday, as
`sim.calibration.fit` reads them back.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

START = np.datetime64("2024-01-01")  # a Monday


@dataclass(frozen=True)
class TicketType:
    name: str  # as the tracker shows it, e.g. "Change Request"
    share: float
    effort_hours: float
    effort_cv: float
    deadline_days: float


@dataclass(frozen=True)
class Process:
    """The truth a generated export comes from."""

    clients: int = 20
    requests_per_client_per_week: float = 0.5
    client_size_cv: float = 0.4
    new_clients_per_year: float = 0.0  # won during the export, each sending like an average client from then on
    weeks: int = 26
    engineers: int = 4
    hours_per_day: float = 8.0
    unlogged_share: float = 0.3  # time on a ticket beyond the time logged (talk, switching), as a share of it
    # Waits on the client: a share of tickets, once WORK_BEFORE_REVIEW of their work is done, wait for the
    # client's review (lognormal, mean and spread in working days), then go back to the engineer's queue for a
    # last pass: a revision round. The engineer works on other tickets meanwhile.
    wait_share: float = 0.0
    wait_days: float = 0.0
    wait_cv: float = 1.0
    types: tuple[TicketType, ...] = (
        TicketType("Bug", 0.5, 3.0, 1.0, 2.0),
        TicketType("Change Request", 0.35, 10.0, 0.8, 8.0),
        TicketType("Project Work", 0.15, 40.0, 0.6, 25.0),
    )
    seed: int = 7


WORK_BEFORE_REVIEW = 0.7


@dataclass
class Generated:
    """The tickets in working hours (one row each) and the record computed from them directly."""

    tickets: pd.DataFrame
    truth: dict[str, float] = field(default_factory=dict)


def _gamma(rng: np.random.Generator, mean: np.ndarray, cv: np.ndarray) -> np.ndarray:
    shape = 1.0 / np.maximum(cv, 1e-9) ** 2
    return rng.gamma(shape, mean / shape)


def _serve(arrival: np.ndarray, due_at: np.ndarray, work: np.ndarray, horizon: float) -> np.ndarray:
    """Finish times of one engineer taking the waiting ticket due first; NaN for what is open at the horizon."""
    done = np.full(arrival.size, np.nan)
    waiting: list[tuple[float, int]] = []
    clock, i = 0.0, 0
    while i < arrival.size or waiting:
        if not waiting:
            clock = max(clock, arrival[i])
        while i < arrival.size and arrival[i] <= clock:
            heapq.heappush(waiting, (due_at[i], i))
            i += 1
        if clock >= horizon:
            break
        _, j = heapq.heappop(waiting)
        clock += work[j]
        if clock <= horizon:
            done[j] = clock
    return done


def _serve_with_review(arrival: np.ndarray, due_at: np.ndarray, work: np.ndarray, wait: np.ndarray,
                       horizon: float, extra: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """One engineer taking the ready ticket due first: a ticket that waits on the client is worked in two passes
    around the wait, and re-enters the queue when the client answers; its second pass takes `extra` hours more (a
    revision round). Start and end of each pass, NaN when not reached by the horizon."""
    n = arrival.size
    extra = np.zeros(n) if extra is None else extra
    start1, end1, start2, done = (np.full(n, np.nan) for _ in range(4))
    first = np.where(wait > 0, WORK_BEFORE_REVIEW * work, work)
    ready: list[tuple[float, int, int]] = []  # (due, ticket, pass)
    answers: list[tuple[float, int]] = []  # (the client's answer, ticket)
    clock, i = 0.0, 0
    while True:
        while i < n and arrival[i] <= clock:
            heapq.heappush(ready, (due_at[i], i, 1))
            i += 1
        while answers and answers[0][0] <= clock:
            _, j = heapq.heappop(answers)
            heapq.heappush(ready, (due_at[j], j, 2))
        if not ready:
            clock = min(arrival[i] if i < n else math.inf, answers[0][0] if answers else math.inf)
            if not math.isfinite(clock) or clock >= horizon:
                break
            continue
        if clock >= horizon:
            break
        _, j, stage = heapq.heappop(ready)
        if stage == 1:
            start1[j], clock = clock, clock + first[j]
            if clock > horizon:
                break
            end1[j] = clock
            if wait[j] > 0:
                heapq.heappush(answers, (clock + wait[j], j))
            else:
                done[j] = clock
        else:
            start2[j], clock = clock, clock + work[j] - first[j] + extra[j]
            if clock > horizon:
                break
            done[j] = clock
    return start1, end1, start2, done


def generate(process: Process = Process()) -> Generated:
    """Draw the tickets, serve them, and compute the firm's record from the truth (no dates involved)."""
    rng = np.random.default_rng(process.seed)
    hpd, p = process.hours_per_day, process
    horizon = p.weeks * 5 * hpd
    sizes = _gamma(rng, np.ones(p.clients), np.full(p.clients, p.client_size_cv))
    sizes /= sizes.sum()
    count = rng.poisson(p.clients * p.requests_per_client_per_week * p.weeks)
    arrival = rng.uniform(0, horizon, count)
    client = rng.choice(p.clients, size=count, p=sizes)
    won = np.sort(rng.uniform(0, horizon, rng.poisson(p.new_clients_per_year * p.weeks / 52)))
    for j, start in enumerate(won):
        sent = rng.poisson(p.requests_per_client_per_week * (horizon - start) / (5 * hpd))
        arrival = np.append(arrival, rng.uniform(start, horizon, sent))
        client = np.append(client, np.full(sent, p.clients + j))
    order = np.argsort(arrival, kind="stable")
    arrival, client = arrival[order], client[order]
    count = arrival.size
    kind = rng.choice(len(p.types), size=count, p=np.array([t.share for t in p.types]))
    effort = _gamma(rng, np.array([t.effort_hours for t in p.types])[kind],
                    np.array([t.effort_cv for t in p.types])[kind])
    due_at = arrival + np.array([t.deadline_days for t in p.types])[kind] * hpd
    due_day = np.floor(due_at / hpd)  # the tracker keeps the date; the deadline is that day's end
    resolved = np.full(count, np.nan)
    # each client has its engineer, as in a firm without coordinators
    owner = np.arange(p.clients + won.size) % p.engineers
    assignee = owner[client]
    work = effort * (1.0 + p.unlogged_share)
    passes = {name: np.full(count, np.nan) for name in ("start1", "end1", "start2")}
    wait = np.zeros(count)
    if p.wait_share > 0:  # from a generator of its own, so a process without waits draws what it always drew
        wait_rng = np.random.default_rng([p.seed, 1])
        sigma = math.sqrt(math.log1p(p.wait_cv**2))
        lognormal = p.wait_days * hpd * np.exp(sigma * wait_rng.standard_normal(count) - sigma**2 / 2)
        wait = np.where(wait_rng.uniform(size=count) < p.wait_share, lognormal, 0.0)
    for eng in range(p.engineers):
        mine = np.flatnonzero(assignee == eng)
        if p.wait_share > 0:
            s1, e1, s2, resolved[mine] = _serve_with_review(arrival[mine], due_at[mine], work[mine], wait[mine],
                                                             horizon)
            for name, values in zip(passes, (s1, e1, s2), strict=True):
                passes[name][mine] = values
        else:
            resolved[mine] = _serve(arrival[mine], due_at[mine], work[mine], horizon)
    done = ~np.isnan(resolved)
    lead = (resolved[done] - arrival[done]) / hpd
    tickets = pd.DataFrame({"arrival": arrival, "resolved": resolved, "due_day": due_day, "client": client,
                            "kind": kind, "effort": effort, "assignee": assignee, "wait": wait, **passes})
    truth = {
        "tickets": count, "clients": int(np.unique(client).size), "clients_won": int(won.size),
        "engineers": int(np.unique(assignee[done]).size),
        "lead_time_days": float(lead.mean()), "open_at_end": int((~done).sum()),
        "on_time_rate": float(np.mean(resolved[done] <= (due_day[done] + 1) * hpd)),
        "throughput_per_week": float(done.sum() / p.weeks),
        "lead_time_p90_days": float(np.percentile(lead, 90)),
    }
    return Generated(tickets, truth)


def _clock(hours: np.ndarray, hpd: float) -> pd.Series:
    """Working hours since START as office-hours date-times, to the minute."""
    day = np.floor(hours / hpd)
    dates = np.busday_offset(START, day.astype(int), roll="forward")
    minutes = np.round((hours - day * hpd) * 60 + 9 * 60)
    return pd.Series(pd.to_datetime(dates) + pd.to_timedelta(minutes, unit="m"))


def _jira_time(ts: pd.Series) -> pd.Series:
    return ts.map(lambda d: "" if pd.isna(d) else f"{d:%d/%b/%y} {d.hour % 12 or 12}:{d:%M %p}")


def to_csv(generated: Generated, process: Process = Process(), fmt: str = "jira") -> str:
    """The tickets as a tracker exports them: `jira`, `zendesk`, `linear` or `generic`."""
    t, hpd = generated.tickets, process.hours_per_day
    created = _clock(t["arrival"].to_numpy(), hpd)
    resolved = _clock(np.nan_to_num(t["resolved"].to_numpy()), hpd).where(t["resolved"].notna().to_numpy())
    due = pd.Series(pd.to_datetime(np.busday_offset(START, t["due_day"].to_numpy().astype(int), roll="forward")))
    done = t["resolved"].notna().to_numpy()
    type_name = np.array([tt.name for tt in process.types])[t["kind"].to_numpy()]
    client = [f"Client {c + 1:02d}" for c in t["client"]]
    assignee = np.where(t["assignee"] >= 0, [f"Engineer {chr(65 + a % 26)}{a // 26 or ''}" for a in t["assignee"]],
                        "")
    seconds = np.where(done, np.round(t["effort"].to_numpy() * 60) * 60, np.nan)
    estimate = np.array([tt.effort_hours for tt in process.types])[t["kind"].to_numpy()]
    n = len(t)
    if fmt == "jira":
        columns = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Assignee", "Created", "Resolved",
                   "Due Date", "Original Estimate", "Time Spent", "Labels", "Labels", "Organizations"]
        rows = zip([f"Request {i + 1}" for i in range(n)], [f"SUP-{i + 1}" for i in range(n)],
                   [str(10000 + i) for i in range(n)], type_name, np.where(done, "Done", "In Progress"), assignee,
                   _jira_time(created), _jira_time(resolved), due.map(lambda d: f"{d:%d/%b/%y}"),
                   (estimate * 3600).astype(int), pd.Series(seconds).map(lambda s: "" if np.isnan(s) else int(s)),
                   np.where(t["kind"] == 0, "urgent", ""), ["client-work"] * n, client, strict=True)
    elif fmt == "zendesk":
        columns = ["Id", "Subject", "Status", "Ticket type", "Created at", "Solved at", "Due date", "Organization",
                   "Assignee", "Total time spent (sec)"]
        iso = "%Y-%m-%d %H:%M:%S"
        rows = zip(range(1, n + 1), [f"Request {i + 1}" for i in range(n)], np.where(done, "Solved", "Open"),
                   type_name, created.dt.strftime(iso), resolved.dt.strftime(iso).fillna(""),
                   due.dt.strftime("%Y-%m-%d"), client, assignee,
                   pd.Series(seconds).map(lambda s: "" if np.isnan(s) else int(s)), strict=True)
    elif fmt == "linear":
        columns = ["ID", "Title", "Status", "Labels", "Team", "Assignee", "Estimate", "Created", "Completed",
                   "Due Date"]
        iso = "%Y-%m-%dT%H:%M:%S.000Z"
        rows = zip([f"ENG-{i + 1}" for i in range(n)], [f"Request {i + 1}" for i in range(n)],
                   np.where(done, "Done", "In Progress"), type_name, client, assignee, estimate,
                   created.dt.strftime(iso), resolved.dt.strftime(iso).fillna(""), due.dt.strftime("%Y-%m-%d"),
                   strict=True)
    elif fmt == "generic":
        columns = ["created", "resolved", "type", "client", "effort_hours", "due", "assignee"]
        iso = "%Y-%m-%d %H:%M"
        rows = zip(created.dt.strftime(iso), resolved.dt.strftime(iso).fillna(""), type_name, client,
                   pd.Series(seconds / 3600).map(lambda h: "" if np.isnan(h) else f"{h:.3f}"),
                   due.dt.strftime("%Y-%m-%d"), assignee, strict=True)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return pd.DataFrame(list(rows), columns=columns).to_csv(index=False)


def to_change_log(generated: Generated, process: Process) -> str:
    """The tickets as a tracker's status history: one row per change (key, created, changed, status, client), in
    no particular order; every status a ticket entered by the end of the export: Open when created, In Progress
    for each pass, Waiting on client between the passes until the client answers (then Open again), Done when
    resolved. An assignee change at the start of the work is a row of its own that keeps the status it had."""
    t, hpd = generated.tickets, process.hours_per_day
    horizon = process.weeks * 5 * hpd
    rows = []
    for k, ticket in enumerate(t.itertuples()):
        key, client = f"SRV-{k + 1}", f"Client {ticket.client + 1:02d}"
        changes = [(ticket.arrival, "Open", ""), (ticket.start1, "In Progress", ""),
                   (ticket.start1, "In Progress", "assignee")]
        if ticket.wait > 0:
            changes += [(ticket.end1, "Waiting on client", ""), (ticket.end1 + ticket.wait, "Open", ""),
                        (ticket.start2, "In Progress", "")]
        changes.append((ticket.resolved, "Done", ""))
        for hour, status, field_changed in changes:
            if math.isfinite(hour) and hour <= horizon:
                rows.append((key, ticket.arrival, hour, status, field_changed or "status", client))
    frame = pd.DataFrame(rows, columns=["Key", "created", "changed", "Status", "Field", "Client"])
    for column in ("created", "changed"):
        frame[column] = _clock(frame[column].to_numpy(), hpd).dt.strftime("%Y-%m-%d %H:%M").to_numpy()
    return frame.sample(frac=1.0, random_state=process.seed).to_csv(index=False)


@dataclass(frozen=True)
class ServiceDesk:
    """A team whose tracker keeps a long workflow: a ticket is triaged (Open), waits for its engineer (Assigned),
    is worked (In Progress), reviewed in-house (Report Under Review), may wait on the client (Waiting on client),
    comes back for a last pass (Assigned, In Progress), is approved (Approved) and is closed by an administrator
    (Done). Each ticket goes to an engineer at random, who takes the ready ticket due first; triage, review and
    closing take nobody's working hours here. Besides the status changes, each ticket has about `field_changes`
    rows of other fields, each showing the status of its time.

    Revision rounds: of the tickets that waited, a share `revision_share` is reviewed again after its last pass
    and sent back (Report Under Review, then In Progress) for `rework_share` of its work more, in that pass, before
    it is approved. Reopenings: a share `reopen_share` of the tickets closed is reopened by the client (In
    Progress) `reopen_days` after closing, fixed at once in `fix_factor` times a revision round's work, and closed
    again."""

    clients: int = 10
    tickets_per_week: float = 12.9
    weeks: int = 42
    engineers: int = 6
    effort_hours: float = 14.0
    effort_cv: float = 0.9
    wait_share: float = 0.75
    wait_days: float = 14.0
    wait_cv: float = 1.2
    triage_days: float = 1.5
    review_days: float = 2.0
    closing_days: float = 2.0
    field_changes: float = 30.0
    hours_per_day: float = 8.0
    seed: int = 1
    revision_share: float = 0.0
    rework_share: float = 0.5
    reopen_share: float = 0.0
    reopen_days: float = 2.0
    fix_factor: float = 2.0


REVIEW_AGAIN_HOURS = 0.25  # a second review's look, before the ticket is sent back


@dataclass(frozen=True)
class DeskTruth:
    """What the desk did, by ticket key: whether it was sent back before its first delivery, or reopened after it
    (each of the tickets closed by the export's end, at last); the working hours of each round's work."""

    delivered: pd.Index
    sent_back: pd.Series
    reopened: pd.Series
    revision_hours: pd.Series
    fix_hours: pd.Series


def service_desk_log(desk: ServiceDesk) -> str:
    """The desk's change log as a CSV: Issue, Created, Updated, Status, Field, Customer, rows in no order."""
    return service_desk(desk)[0]


def service_desk(desk: ServiceDesk) -> tuple[str, DeskTruth]:
    """The desk's change log, and the truth of its revision rounds and reopenings."""
    rng, hpd = np.random.default_rng(desk.seed), desk.hours_per_day
    horizon = desk.weeks * 5 * hpd
    sizes = _gamma(rng, np.ones(desk.clients), np.full(desk.clients, 0.7))
    n = rng.poisson(desk.tickets_per_week * desk.weeks)
    arrival = np.sort(rng.uniform(0, horizon, n))
    client = rng.choice(desk.clients, n, p=sizes / sizes.sum())
    work = _gamma(rng, np.full(n, desk.effort_hours), np.full(n, desk.effort_cv))
    sigma = math.sqrt(math.log1p(desk.wait_cv**2))
    lognormal = desk.wait_days * hpd * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
    wait = np.where(rng.uniform(size=n) < desk.wait_share, lognormal, 0.0)
    triage, review, closing = (rng.exponential(days * hpd, n) for days in (desk.triage_days, desk.review_days,
                                                                           desk.closing_days))
    owner = rng.integers(0, desk.engineers, n)
    # from a generator of its own, so a desk without rounds draws what it always drew
    rounds_rng = np.random.default_rng([desk.seed, 2])
    revised = (wait > 0) & (rounds_rng.uniform(size=n) < desk.revision_share)
    rework = np.where(revised, desk.rework_share * work, 0.0)
    reopens = rounds_rng.uniform(size=n) < desk.reopen_share
    reopen_after = rounds_rng.exponential(desk.reopen_days * hpd, n)
    fix = desk.fix_factor * desk.rework_share * work
    start1, end1, start2, done = (np.full(n, np.nan) for _ in range(4))
    for engineer in range(desk.engineers):
        mine = np.flatnonzero(owner == engineer)
        away = np.where(wait[mine] > 0, review[mine] + wait[mine], 0.0)  # in review, then with the client
        start1[mine], end1[mine], start2[mine], done[mine] = _serve_with_review(
            arrival[mine] + triage[mine], arrival[mine] + 20 * hpd, work[mine], away, horizon, rework[mine])
    rows = []
    truth: dict[str, tuple[bool, bool, float, float]] = {}
    for k in range(n):
        key, customer = f"PT-{k + 1}", f"Customer {client[k] + 1}"
        changes = [(arrival[k], "Open"), (arrival[k] + triage[k], "Assigned"), (start1[k], "In Progress")]
        if wait[k] > 0:
            back = end1[k] + review[k] + wait[k]
            changes += [(end1[k], "Report Under Review"), (end1[k] + review[k], "Waiting on client"),
                        (back, "Assigned"), (start2[k], "In Progress")]
        look = min(REVIEW_AGAIN_HOURS, rework[k] / 2)
        if revised[k]:
            reviewed = done[k] - rework[k]
            changes += [(reviewed, "Report Under Review"), (reviewed + look, "In Progress")]
        closed = done[k] + closing[k]
        changes += [(done[k], "Approved"), (closed, "Done")]
        if reopens[k]:
            changes += [(closed + reopen_after[k], "In Progress"), (closed + reopen_after[k] + fix[k], "Done")]
        changes = [(hour, status) for hour, status in changes if math.isfinite(hour) and hour <= horizon]
        if changes[-1][1] == "Done":
            again = reopens[k] and len([s for _, s in changes if s == "Done"]) == 2
            truth[key] = (bool(revised[k]), bool(again), rework[k] - look if revised[k] else 0.0,
                          fix[k] if again else 0.0)
        last = min(horizon, changes[-1][0] + hpd)
        for hour in np.sort(rng.uniform(arrival[k], last, rng.poisson(desk.field_changes))):
            status = [s for h, s in changes if h <= hour][-1]
            rows.append((key, arrival[k], hour, status, "Comment", customer))
        rows += [(key, arrival[k], hour, status, "Status", customer) for hour, status in changes]
    frame = pd.DataFrame(rows, columns=["Issue", "Created", "Updated", "Status", "Field", "Customer"])
    for column in ("Created", "Updated"):
        frame[column] = _clock(frame[column].to_numpy(), hpd).dt.strftime("%Y-%m-%d %H:%M").to_numpy()
    known = pd.DataFrame.from_dict(truth, orient="index", columns=["sent_back", "reopened", "revision", "fix"])
    return frame.sample(frac=1.0, random_state=desk.seed).to_csv(index=False), DeskTruth(
        known.index, known["sent_back"], known["reopened"], known.loc[known["sent_back"], "revision"],
        known.loc[known["reopened"], "fix"])


# The firm of scenarios/samples/jira_sample.csv: a year, 6 engineers who each look after their own clients.
SAMPLE = Process(engineers=6, weeks=52, seed=2024)
