"""What the Calibrate page shows, as tidy frames and Altair charts (no Streamlit here, so tests read them directly):
the firm's record beside the model's, and the two distributions behind them."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from sim.calibration.backtest import COMPARED
from sim.calibration.formats import Controls
from sim.wording import key_words
from ui.labels import KPIS

FIRM, MODEL, MODEL_BEFORE = "Your firm", "The model", "The model before fitting"
# The page's pickers (one per field, under "Columns") and its engineers box: what its messages tell a user to set.
COLUMNS_HEADING = "Columns"
FIELD_LABELS = {
    "created": "Created", "resolved": "Resolved", "due": "Due date", "type": "Ticket type", "client": "Client",
    "effort_hours": "Time spent", "estimate_hours": "Estimate", "assignee": "Assignee", "skill": "Skill",
    "id": "Ticket id (repeated: a change log)", "status": "Status after the change", "changed": "Changed at",
}
ENGINEERS_LABEL = "Engineers today"
DONE_LABEL = "Statuses that mean delivered"
WAITING_LABEL = "Statuses that mean waiting on the client"
CONTROLS = Controls(column=lambda name: f"pick the column in “{FIELD_LABELS[name]}” under {COLUMNS_HEADING}",
                    engineers=f"set “{ENGINEERS_LABEL}”", done=f"pick them in “{DONE_LABEL}”",
                    waiting=f"pick them in “{WAITING_LABEL}”, or none")
LEAD_BINS = 20
OTHER_LABELS = {"open_at_end": "Open at the end"}


def _label(metric: str) -> str:
    return KPIS[metric].label if metric in KPIS else OTHER_LABELS.get(metric, metric)


def comparison_table(observed: dict[str, float], after: dict[str, dict[str, float]],
                     before: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """One row per compared figure: the firm's value, the model's mean ± half-width (before fitting too, when the
    fit changed something)."""
    def cell(sim: dict[str, float], share: bool) -> str:
        mean, half = sim["mean"], sim["ci95"]
        if not math.isfinite(mean):
            return "n/a"
        if share:
            return f"{mean:.0%} ± {half * 100:.0f} pts" if math.isfinite(half) else f"{mean:.0%}"
        return f"{mean:,.1f} ± {half:,.1f}" if math.isfinite(half) else f"{mean:,.1f}"

    rows = []
    for metric in COMPARED:
        share = metric == "on_time_rate"
        value = observed.get(metric, math.nan)
        firm = "n/a" if not math.isfinite(value) else (f"{value:.0%}" if share else f"{value:,.1f}")
        row = {"Figure": _label(metric), FIRM: firm, MODEL: cell(after[metric], share)}
        if before is not None:
            row[MODEL_BEFORE] = cell(before[metric], share)
        rows.append(row)
    return pd.DataFrame(rows)


def lead_time_frame(firm: np.ndarray, model: np.ndarray) -> pd.DataFrame:
    """Share of tickets per lead-time bin, for the firm and the model, on the same bins up to the 95th percentile
    of both (the last bin holds everything beyond), so a few stuck tickets do not squeeze the rest into one bar."""
    both = np.concatenate([firm, model])
    top = float(np.percentile(both, 95)) if both.size else 1.0
    edges = np.linspace(0.0, max(top, 1e-9), LEAD_BINS + 1)
    rows = []
    for source, values in ((FIRM, firm), (MODEL, model)):
        counts, _ = np.histogram(np.clip(values, 0, top), bins=edges)
        shares = counts / counts.sum() if counts.sum() else counts.astype(float)
        rows += [{"source": source, "from": lo, "to": hi, "share": float(s)}
                 for lo, hi, s in zip(edges[:-1], edges[1:], shares, strict=True)]
    return pd.DataFrame(rows)


def arrivals_frame(firm: np.ndarray, model: np.ndarray) -> pd.DataFrame:
    """Tickets arrived per week, the firm's and the model's (its mean over replications)."""
    return pd.concat([pd.DataFrame({"source": source, "week": np.arange(1, len(v) + 1), "tickets": v})
                      for source, v in ((FIRM, firm), (MODEL, model))], ignore_index=True)


def _colour() -> alt.Color:
    return alt.Color("source:N", title=None, sort=[FIRM, MODEL],
                     scale=alt.Scale(domain=[FIRM, MODEL], range=["#f58518", "#4c78a8"]))


def lead_time_chart(frame: pd.DataFrame) -> alt.Chart:
    """The two lead-time distributions as overlaid, see-through bars per bin."""
    return alt.Chart(frame, title="Lead time: your firm and the model").mark_bar(opacity=0.5).encode(
        x=alt.X("from:Q", bin="binned", title="Lead time (working days)"), x2="to:Q",
        y=alt.Y("share:Q", title="Share of tickets", axis=alt.Axis(format=".0%"), stack=None), color=_colour(),
        tooltip=["source:N", alt.Tooltip("from:Q", format=".1f"), alt.Tooltip("to:Q", format=".1f"),
                 alt.Tooltip("share:Q", format=".1%")],
    )


def arrivals_chart(frame: pd.DataFrame) -> alt.Chart:
    """Tickets per week, the firm's and the model's, one line each."""
    return alt.Chart(frame, title="Tickets arriving per week").mark_line(point=True).encode(
        x=alt.X("week:Q", title="Week of the export"), y=alt.Y("tickets:Q", title="Tickets"), color=_colour(),
        tooltip=["source:N", "week:Q", alt.Tooltip("tickets:Q", format=".1f")],
    )


def screen_table(screen: list[dict]) -> pd.DataFrame:
    """The back-test's screen, largest effect first: each assumption's plausible range and what going from its
    low end to its high end does to lead time and on-time."""
    return pd.DataFrame([{
        "Assumption": key_words(row["path"]), "Plausible range": f"{row['low']:g} to {row['high']:g}",
        "Lead time, low to high (days)": f"{row['lead_time_change']:+.2f}",
        "On time, low to high (points)": f"{row['on_time_change'] * 100:+.1f}",
    } for row in screen])
