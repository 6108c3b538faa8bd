"""The accounting of one run: what the measured weeks (after the warm-up) show, as plain rows for tidy frames.

Request counts follow the requests that arrive in the measured weeks. Each of delivered, open_at_end and dropped is
counted on its own (delivery time, the request's state at the end, the drop flag), so a request the model lost or
counted twice breaks their sum. Throughput, revenue and hours follow what happens in those weeks, whenever
the request arrived.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.demand import WEEKS_PER_YEAR
from sim.model import CATEGORIES, OPEN_STATES, Run
from sim.scenario import Economics

METRICS = (
    "throughput_per_week", "wait_hours", "lead_time_days", "lead_time_p90_days", "on_time_rate",
    "on_time_promised_rate", "backlog_growth_per_week", "lead_time_drift_days", "engineer_utilization",
    "billable_utilization",
    "coordinator_utilization", "account_hours_per_week", "revenue", "cost", "profit", "clients_lost", "clients_won",
    "clients_at_end", "share_of_wallet", "satisfaction", "arrived", "delivered", "open_at_end", "dropped",
    "client_fix_share", "revised_share",
)


def _overlap(starts: np.ndarray, ends: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Hours of each interval [start, end) inside each window [lo, hi): shape (intervals, windows)."""
    return np.clip(np.minimum(ends[:, None], hi[None, :]) - np.maximum(starts[:, None], lo[None, :]), 0.0, None)


def spread_over_weeks(starts: np.ndarray, ends: np.ndarray, hours: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Hours of each category between consecutive edges, each block's hours spread evenly over its span.

    Integrates the piecewise-constant rate at which blocks accrue hours in one sorted pass, so the cost grows with
    the number of blocks, not blocks x weeks (a ten-year run would otherwise build a matrix of gigabytes).
    """
    categories = hours.shape[1]
    if starts.size == 0:
        return np.zeros((edges.size - 1, categories))
    rates = hours / np.maximum(ends - starts, 1e-12)[:, None]
    times = np.concatenate([starts, ends])
    order = np.argsort(times, kind="stable")
    times = times[order]
    rate_after = np.cumsum(np.concatenate([rates, -rates])[order], axis=0)
    accrued = np.vstack([np.zeros(categories), np.cumsum(rate_after[:-1] * np.diff(times)[:, None], axis=0)])
    at_edges = np.column_stack([np.interp(edges, times, accrued[:, c]) for c in range(categories)])
    return np.diff(at_edges, axis=0)


# Headcount keys (as in an org design) -> the salary each is paid.
SALARY_OF = {"engineers": "engineer", "extra_engineers": "engineer", "project_managers": "project_manager",
             "account_managers": "account_manager", "hybrids": "hybrid", "sales_share": "sales"}


def yearly_salaries(economics: Economics, headcount: Mapping[str, float]) -> float:
    """The salaries of these people a year: what a hiring budget is stated in. Keys are those of SALARY_OF. A role
    nobody holds is not looked up, so a run reads only the salaries it pays (sim.reads)."""
    return sum((count * getattr(economics.salary, SALARY_OF[role]) for role, count in headcount.items() if count),
               0.0)


def yearly_people_cost(economics: Economics, headcount: Mapping[str, float]) -> float:
    """What these people cost the firm a year: their salaries times `overhead_factor` (benefits and payroll
    taxes), the one place the model prices a person."""
    return yearly_salaries(economics, headcount) * economics.overhead_factor


def yearly_cost(run: Run) -> float:
    staffing = run.staffing
    return yearly_people_cost(run.scenario.economics, {
        "engineers": len(staffing.engineer_skills), "project_managers": staffing.project_managers,
        "account_managers": staffing.account_managers, "hybrids": staffing.hybrids,
        "sales_share": staffing.sales_share,
    })


def backlog_slope(backlog: np.ndarray) -> float:
    """Least-squares slope of a weekly backlog series (requests per week); NaN with fewer than two weeks."""
    backlog = np.asarray(backlog, dtype=float)
    if backlog.size < 2:
        return float("nan")
    weeks = np.arange(backlog.size, dtype=float)
    weeks -= weeks.mean()
    return float(np.dot(weeks, backlog - backlog.mean()) / np.dot(weeks, weeks))


def _drift(arrival: np.ndarray, done: np.ndarray, start: float, end: float, hours_per_day: float) -> float:
    """Mean lead time of the deliveries in the second half of the measured weeks less that of the first half's
    (whenever they arrived, so work still open at the end biases neither): a design whose lead time still grows
    through the run has figures that depend on the run length."""
    middle = (start + end) / 2
    first = (done >= start) & (done < middle)
    second = (done >= middle) & (done <= end)
    if not (first.any() and second.any()):
        return np.nan
    lead = (done - arrival) / hours_per_day
    return float(lead[second].mean() - lead[first].mean())


def measure(run: Run) -> tuple[dict, list[dict], list[dict]]:
    """Summary row, weekly rows and engineer-time rows of one run."""
    s = run.scenario
    hpw = s.firm.hours_per_week
    hours_per_day = hpw / 5
    start, end = s.measured_hours
    reqs = run.requests
    arrival = np.array([r.arrival for r in reqs])
    started = np.array([r.started for r in reqs])
    done = np.array([r.done for r in reqs])  # NaN while open
    deadline = np.array([r.deadline for r in reqs])  # in force: the client's ask or what an AM negotiated
    asked = np.array([r.asked_deadline for r in reqs])  # what the client asked for
    dropped = np.array([r.dropped for r in reqs], dtype=bool)
    saw_fix = np.array([r.client_saw_rework for r in reqs], dtype=bool)
    revised = np.array([r.revised for r in reqs], dtype=bool)
    state = np.array([r.state for r in reqs])
    billed = np.array([r.billed for r in reqs])

    measured = arrival >= start
    delivered = measured & (done <= end)  # NaN compares False: still open
    waited = measured & (started <= end)
    lead_days = (done[delivered] - arrival[delivered]) / hours_per_day
    done_in_window = (done >= start) & (done <= end)
    years = s.weeks / WEEKS_PER_YEAR

    engineers = len(run.staffing.engineer_skills)
    available = engineers * s.weeks * hpw
    blocks = run.work_block_table()
    b_start, b_end, b_hours = blocks[:, 0], blocks[:, 1], blocks[:, 2:]  # b_hours: (blocks, categories)
    week_lo = start + hpw * np.arange(s.weeks)
    week_hi = week_lo + hpw
    weekly_hours = spread_over_weeks(b_start, b_end, b_hours, np.append(week_lo, week_hi[-1]))  # (weeks, categories)
    hours_by_category = weekly_hours.sum(axis=0)
    busy = hours_by_category.sum()

    coordinators = run.staffing.project_managers + run.staffing.account_managers + run.staffing.hybrids
    coordinator_busy = 0.0
    if run.coordinator_blocks and coordinators:
        c = np.array(run.coordinator_blocks)
        coordinator_busy = _overlap(c[:, 0], c[:, 1], np.array([start]), np.array([end])).sum()

    revenue = billed[done_in_window].sum() / years
    cost = yearly_cost(run)
    left = np.array([c.left for c in run.clients])
    joined = np.array([c.joined for c in run.clients])
    staying = left > end
    account_hours = 0.0
    if run.account_blocks:  # account hours inside the measured weeks, each block's hours spread over its span
        a = np.array(run.account_blocks)
        span = np.maximum(a[:, 1] - a[:, 0], 1e-12)
        account_hours = float((a[:, 2] * _overlap(a[:, 0], a[:, 1], np.array([start]), np.array([end]))[:, 0]
                               / span).sum())
    summary = {
        "design": run.design,
        "replication": run.replication,
        "throughput_per_week": done_in_window.sum() / s.weeks,
        "wait_hours": float(np.mean(started[waited] - arrival[waited])) if waited.any() else np.nan,
        "lead_time_days": float(lead_days.mean()) if lead_days.size else np.nan,
        "lead_time_p90_days": float(np.percentile(lead_days, 90)) if lead_days.size else np.nan,
        "on_time_rate": float(np.mean(done[delivered] <= asked[delivered])) if delivered.any() else np.nan,
        "on_time_promised_rate": float(np.mean(done[delivered] <= deadline[delivered])) if delivered.any()
        else np.nan,
        "backlog_growth_per_week": np.nan,  # from the weekly backlog, below
        "lead_time_drift_days": _drift(arrival, done, start, end, hours_per_day),
        "engineer_utilization": busy / available,
        "billable_utilization": hours_by_category[CATEGORIES.index("billable_work")] / available,
        "coordinator_utilization": coordinator_busy / (coordinators * s.weeks * hpw) if coordinators else 0.0,
        "account_hours_per_week": account_hours / s.weeks,
        "revenue": revenue,
        "cost": cost,
        "profit": revenue - cost,
        "clients_lost": int(((left >= start) & (left <= end)).sum()),
        "clients_won": int(((joined >= start) & (joined <= end) & (joined > 0)).sum()),
        "clients_at_end": int(staying.sum()),
        "share_of_wallet": float(np.mean([c.share for c, stays in zip(run.clients, staying, strict=True) if stays]))
        if staying.any() else np.nan,
        "satisfaction": float(np.mean([c.satisfaction for c, stays in zip(run.clients, staying, strict=True)
                                       if stays])) if staying.any() else np.nan,
        "arrived": int(measured.sum()),
        "delivered": int(delivered.sum()),
        "open_at_end": int((measured & np.isin(state, OPEN_STATES)).sum()),
        "dropped": int((measured & dropped).sum()),
        # of the requests delivered, the share the client found wrong and had fixed first: a tracker's reopened
        # ticket (delivered, sent back, delivered again)
        "client_fix_share": float(np.mean(saw_fix[delivered])) if delivered.any() else np.nan,
        # of the requests delivered, the share a review caught built wrong and sent back before delivery: a
        # tracker's revision round (a ticket sent back from review to work)
        "revised_share": float(np.mean(revised[delivered])) if delivered.any() else np.nan,
    }

    week_ends = week_hi
    arrived_by = np.searchsorted(np.sort(arrival), week_ends, side="right")
    done_sorted = np.sort(done[~np.isnan(done)])
    done_by = np.searchsorted(done_sorted, week_ends, side="right")
    dropped_by = np.searchsorted(np.sort(arrival[dropped]), week_ends, side="right")
    done_week = np.floor((done - start) / hpw)
    weekly = [
        {
            "design": run.design,
            "replication": run.replication,
            "week": w + 1,
            "backlog": int(arrived_by[w] - done_by[w] - dropped_by[w]),
            "throughput": int(np.sum(done_week == w)),
            "utilization": float(weekly_hours[w].sum() / (engineers * hpw)),
            "revenue": float(billed[done_week == w].sum()),
        }
        for w in range(s.weeks)
    ]
    summary["backlog_growth_per_week"] = backlog_slope(np.array([row["backlog"] for row in weekly]))
    per_engineer_week = engineers * s.weeks
    time_use = [
        {"design": run.design, "replication": run.replication, "category": cat,
         "hours_per_engineer_week": float(hours / per_engineer_week)}
        for cat, hours in zip(CATEGORIES, hours_by_category, strict=True)
    ]
    time_use.append({"design": run.design, "replication": run.replication, "category": "idle",
                     "hours_per_engineer_week": float((available - busy) / per_engineer_week)})
    return summary, weekly, time_use
