"""What the Calibrate page shows, as tidy frames and Altair charts (no Streamlit here, so tests read them directly):
the firm's record beside the model's, the two distributions behind them, and the firm's own history (cycle times,
throughput and work in progress week by week, time in each status) beside the model's run."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from sim.calibration import history
from sim.calibration.backtest import BESIDE, COMPARED, SHARES, ModelSamples
from sim.calibration.fit import DAYS_PER_WEEK
from sim.calibration.formats import Controls
from sim.calibration.history import full_weeks, percentiles
from sim.calibration.pipeline import Calibration
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
OTHER_LABELS = {"open_at_end": "Open at the end",
                "client_fix_share": "Reopened (the model: fixed after the client found it wrong)",
                "revised_share": "Sent back before delivery (the model: a review caught it built wrong)"}
ONLY_WHEN_RECORDED = BESIDE  # a change log's figures: no row at all for an export without them


def _label(metric: str) -> str:
    return KPIS[metric].label if metric in KPIS else OTHER_LABELS.get(metric, metric)


def comparison_table(observed: dict[str, float], after: dict[str, dict[str, float]],
                     before: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """One row per compared figure, and per figure set beside them that the record gives (BESIDE, not judged): the
    firm's value, the model's mean ± half-width (before fitting too, when the fit changed something)."""
    def cell(sim: dict[str, float], share: bool) -> str:
        mean, half = sim["mean"], sim["ci95"]
        if not math.isfinite(mean):
            return "n/a"
        if share:
            return f"{mean:.0%} ± {half * 100:.0f} pts" if math.isfinite(half) else f"{mean:.0%}"
        return f"{mean:,.1f} ± {half:,.1f}" if math.isfinite(half) else f"{mean:,.1f}"

    rows = []
    for metric in (*COMPARED, *BESIDE):
        if metric in ONLY_WHEN_RECORDED and not math.isfinite(observed.get(metric, math.nan)):
            continue
        share = metric in SHARES
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


def weekly_frame(firm: np.ndarray, model: np.ndarray) -> pd.DataFrame:
    """Tickets per week, the firm's and the model's (its mean over replications): arrived, delivered or open."""
    return pd.concat([pd.DataFrame({"source": source, "week": np.arange(1, len(v) + 1), "tickets": v})
                      for source, v in ((FIRM, firm), (MODEL, model))], ignore_index=True)


arrivals_frame = weekly_frame


def throughput_frame(flow: pd.DataFrame, model: np.ndarray) -> pd.DataFrame:
    """Tickets delivered per week: the firm's over the weeks its export covers whole (sim.calibration.history
    .weekly_flow), the model's per measured week."""
    return weekly_frame(full_weeks(flow)["delivered"].to_numpy(dtype=float), model)


def wip_frame(flow: pd.DataFrame, model: np.ndarray) -> pd.DataFrame:
    """Work in progress at the end of each week, the firm's and the model's: its last point is the work open at
    the end that the back-test compares."""
    return weekly_frame(flow["wip"].to_numpy(dtype=float), model)


def cycle_frame(points: pd.DataFrame) -> pd.DataFrame:
    """The firm's resolved tickets (sim.calibration.history.cycle_points) as the scatter's points, without their
    ids: the chart goes into a report that is sent on, and a ticket key often names the client."""
    return points.assign(source=FIRM)[["source", "resolved", "lead_days"]]


def percentile_frame(firm: np.ndarray, model: np.ndarray) -> pd.DataFrame:
    """The scatter's rules: the firm's 50th, 85th and 95th percentile lead times, and the model's 85th (the level a
    team promises at), each with its label; a percentile of no ticket (the model delivered none) is left out."""
    rows = [{"source": FIRM, "percentile": p, "days": v, "label": f"{p} %: {v:.1f} days"}
            for p, v in percentiles(firm).items()]
    rows += [{"source": MODEL, "percentile": p, "days": v, "label": f"The model's {p} %: {v:.1f} days"}
             for p, v in percentiles(model, (85,)).items()]
    frame = pd.DataFrame(rows, columns=["source", "percentile", "days", "label"])
    return frame[np.isfinite(frame["days"].to_numpy(dtype=float))].reset_index(drop=True)


STATUS_KINDS = {"queue": "Waiting for the team", "work": "Being worked on", "waiting": "Waiting on the client",
                "done": "Delivered"}
STATUS_COLOURS = ["#bab0ac", "#f58518", "#e45756", "#54a24b"]  # in STATUS_KINDS' order; being worked on: FIRM's


def status_frame(times: pd.DataFrame) -> pd.DataFrame:
    """Time in each status (sim.calibration.history.time_in_status), workflow order kept, with what each status
    means in words."""
    kind = np.select([times["done"], times["waiting"], times["queue"]], ["done", "waiting", "queue"], "work")
    return times.assign(kind=[STATUS_KINDS[k] for k in kind])[["status", "days", "tickets", "kind"]]


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


def _weekly_chart(frame: pd.DataFrame, title: str, tickets: str) -> alt.Chart:
    """A weekly_frame as one line each for the firm and the model."""
    return alt.Chart(frame, title=title).mark_line(point=True).encode(
        x=alt.X("week:Q", title="Week of the export"), y=alt.Y("tickets:Q", title=tickets), color=_colour(),
        tooltip=["source:N", "week:Q", alt.Tooltip("tickets:Q", format=".1f")],
    )


def arrivals_chart(frame: pd.DataFrame) -> alt.Chart:
    """Tickets per week, the firm's and the model's, one line each."""
    return _weekly_chart(frame, "Tickets arriving per week", "Tickets")


def throughput_chart(frame: pd.DataFrame) -> alt.Chart:
    """Tickets delivered per week, the firm's and the model's: whether the model keeps the firm's pace."""
    return _weekly_chart(frame, "Tickets delivered per week", "Tickets delivered")


def wip_chart(frame: pd.DataFrame) -> alt.Chart:
    """Work in progress at each week's end, the firm's and the model's: a line that climbs is a backlog building."""
    return _weekly_chart(frame, "Work in progress at the end of each week", "Open tickets")


def cycle_chart(points: pd.DataFrame, rules: pd.DataFrame) -> alt.LayerChart:
    """Each resolved ticket's lead time by when it was resolved, with the firm's 50/85/95 % lines and the model's
    85 % as a dashed line in its colour: the spread a mean hides, and whether the model's promise is the firm's."""
    dots = alt.Chart(points).mark_circle(size=28, opacity=0.55).encode(
        x=alt.X("resolved:T", title="Resolved"), y=alt.Y("lead_days:Q", title="Lead time (working days)"),
        color=_colour(), tooltip=[alt.Tooltip("resolved:T", format="%Y-%m-%d"),
                                  alt.Tooltip("lead_days:Q", title="working days", format=".1f")])
    dash = alt.StrokeDash("source:N", legend=None, scale=alt.Scale(domain=[FIRM, MODEL], range=[[1, 0], [6, 4]]))
    lines = alt.Chart(rules).mark_rule(strokeWidth=1.5).encode(y="days:Q", color=_colour(), strokeDash=dash,
                                                               tooltip=["label:N"])
    # The firm's labels at the left end of their lines, the model's at the right, so two close lines stay readable.
    text = alt.Chart(rules).encode(y="days:Q", text="label:N", color=_colour())
    firm = text.transform_filter(alt.datum.source == FIRM).mark_text(align="left", baseline="bottom", dx=3,
                                                                     dy=-2).encode(x=alt.value(0))
    model = text.transform_filter(alt.datum.source == MODEL).mark_text(align="right", baseline="bottom", dx=-3,
                                                                       dy=-2).encode(x=alt.value("width"))
    return alt.LayerChart(layer=[dots, lines, firm, model], title="Cycle time of each resolved ticket")


def status_chart(frame: pd.DataFrame) -> alt.Chart:
    """Time in each status as horizontal bars in workflow order, coloured by what the status means: where a
    ticket's days go."""
    return alt.Chart(frame, title="Time in each status").mark_bar().encode(
        y=alt.Y("status:N", sort=list(frame["status"]), title=None),
        x=alt.X("days:Q", title="Mean working days, per ticket that entered it"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(STATUS_KINDS.values()),
                                                              range=STATUS_COLOURS)),
        tooltip=["status:N", "kind:N", alt.Tooltip("days:Q", title="working days", format=".1f"),
                 alt.Tooltip("tickets:Q", title="tickets")],
    )


def screen_table(screen: list[dict]) -> pd.DataFrame:
    """The back-test's screen, largest effect first: each assumption's plausible range and what going from its
    low end to its high end does to lead time and on-time."""
    return pd.DataFrame([{
        "Assumption": key_words(row["path"]), "Plausible range": f"{row['low']:g} to {row['high']:g}",
        "Lead time, low to high (days)": f"{row['lead_time_change']:+.2f}",
        "On time, low to high (points)": f"{row['on_time_change'] * 100:+.1f}",
    } for row in screen])


def history_charts(result: Calibration, samples: ModelSamples) -> list[tuple[str, alt.Chart | alt.LayerChart]]:
    """The team's own history beside the model's run, as (key, chart): cycle times with their percentiles,
    deliveries and work in progress week by week, and, from a change log, where the days go status by status. The
    page draws them, and the report of a scenario used from this fit carries them."""
    hours_per_day = result.fit.scenario.firm.hours_per_week / DAYS_PER_WEEK
    points = history.cycle_points(result.export, hours_per_day)
    flow = history.weekly_flow(result.export, hours_per_day)
    charts: list[tuple[str, alt.Chart | alt.LayerChart]] = [
        ("cycle", cycle_chart(cycle_frame(points), percentile_frame(points["lead_days"].to_numpy(), samples.leads))),
        ("throughput", throughput_chart(throughput_frame(flow, samples.delivered))),
        ("wip", wip_chart(wip_frame(flow, samples.wip))),
    ]
    times = history.time_in_status(result.export, hours_per_day)
    if times is not None and len(times):
        charts.append(("status", status_chart(status_frame(times))))
    return charts
