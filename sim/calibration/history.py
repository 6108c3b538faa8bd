"""The team's own history as the Calibrate page draws it beside the fitted model: each resolved ticket's cycle time,
the tickets delivered and the work in progress week by week, and, from a change log, the time spent in each status.

Every figure is in the fit's own units (sim.calibration.fit): working days, and weeks of DAYS_PER_WEEK working
days from the export's first ticket, so what the pictures show is what the model was fitted to and judged on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.calibration.fit import DAYS_PER_WEEK, working_days
from sim.calibration.formats import Export

PERCENTILES = (50, 85, 95)


def _days(export: Export, times: pd.Series, hours_per_day: float) -> np.ndarray:
    """Working-day positions of `export`'s times in the team's own working week, as `fit` reads the same export."""
    return working_days(times, hours_per_day, export.weekmask)


def cycle_points(export: Export, hours_per_day: float) -> pd.DataFrame:
    """One row per resolved ticket, earliest resolved first: its id, when it was resolved, and its lead time in
    working days (resolved less created, as `fit` measures it), so the scatter shows the same numbers the back-test
    compares."""
    t = export.tickets
    done = t[t["resolved"].notna()]
    lead = _days(export, done["resolved"], hours_per_day) - _days(export, done["created"], hours_per_day)
    points = pd.DataFrame({"id": done["id"].to_numpy(), "resolved": done["resolved"].to_numpy(), "lead_days": lead})
    return points.sort_values(["resolved", "id"], kind="stable").reset_index(drop=True)


def percentiles(leads: Sequence[float] | np.ndarray, levels: Sequence[int] = PERCENTILES) -> dict[int, float]:
    """{50: x, 85: y, 95: z}: how long half, most and nearly all tickets took (NaN each with none), the lines a
    team reads its service level from ("85 % of tickets in y days")."""
    values = np.asarray(leads, dtype=float)
    values = values[np.isfinite(values)]
    return {p: float(np.percentile(values, p)) if values.size else math.nan for p in levels}


def weekly_flow(export: Export, hours_per_day: float) -> pd.DataFrame:
    """Per week of the export, week 1 starting at its first ticket's creation (as `fit` counts its weekly
    arrivals): the tickets created and delivered (resolved) in it, the work in progress at its end (created and not
    yet resolved by then), and the working days of the export it covers. The last week ends at the export's end
    (its latest creation or resolution) and may be short, so its WIP is the work open at the end; the flows of a
    short week are not a week's."""
    t = export.tickets
    created = _days(export, t["created"], hours_per_day)
    resolved = _days(export, t["resolved"], hours_per_day)
    start = float(np.nanmin(created))
    end = float(np.nanmax(np.concatenate([created, resolved[~np.isnan(resolved)]])))
    weeks = max(math.ceil((end - start) / DAYS_PER_WEEK - 1e-9), 1)

    def week_of(days: np.ndarray) -> np.ndarray:
        return np.clip(np.floor((days - start) / DAYS_PER_WEEK), 0, weeks - 1).astype(int)

    made = np.bincount(week_of(created), minlength=weeks)
    delivered = np.bincount(week_of(resolved[~np.isnan(resolved)]), minlength=weeks)
    # A ticket is resolved after it is created (read_export skips the others), so what is open at a week's end is
    # what was created by then less what was resolved by then.
    wip = np.cumsum(made) - np.cumsum(delivered)
    covered = np.clip(end - start - DAYS_PER_WEEK * np.arange(weeks), 0.0, DAYS_PER_WEEK)
    return pd.DataFrame({"week": np.arange(1, weeks + 1), "created": made, "delivered": delivered, "wip": wip,
                         "days": covered})


def full_weeks(flow: pd.DataFrame) -> pd.DataFrame:
    """The weeks of `weekly_flow` the export covers whole: a flow (tickets a week) of a short last week reads as a
    slow week when it is only a short one."""
    return flow[flow["days"] >= DAYS_PER_WEEK - 1e-9]


def time_in_status(export: Export, hours_per_day: float) -> pd.DataFrame | None:
    """From a change log (None otherwise), per status in workflow order: the mean working days a ticket spent in
    it, over the tickets that entered it, and their number; whether it means waiting on the client, delivered, or
    waiting for the team (the status tickets are created in). Where the days go is what a team changes to deliver
    sooner, and the waits are the part no hire shortens.

    A resolved ticket's time counts up to its resolution (the time after it is no cycle time), an open ticket's up
    to the export's last change. The workflow order is each status's median first entry after its tickets'
    creation."""
    history = export.history
    if history is None:
        return None
    tickets = export.tickets.set_index("id")
    created, resolved = history["id"].map(tickets["created"]), history["id"].map(tickets["resolved"])
    end = history["end"].fillna(resolved).fillna(history["start"].max())
    end = end.where(resolved.isna() | (end <= resolved), resolved)
    start_day = _days(export, history["start"], hours_per_day)
    spans = history.assign(
        days=np.clip(_days(export, end, hours_per_day) - start_day, 0.0, None),
        entered=start_day - _days(export, created, hours_per_day))
    per_ticket = spans.groupby(["status", "id"], sort=False).agg(days=("days", "sum"), entered=("entered", "min"))
    by_status = per_ticket.groupby(level="status", sort=False).agg(
        days=("days", "mean"), tickets=("days", "size"), entered=("entered", "median"))
    kinds = spans.groupby("status", sort=False)[["waiting", "done", "queue"]].any()
    out = by_status.join(kinds).reset_index()
    out = out.assign(first_seen=np.arange(len(out))).sort_values(["entered", "first_seen"], kind="stable")
    return out[["status", "days", "tickets", "waiting", "done", "queue"]].reset_index(drop=True)
