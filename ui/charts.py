"""Altair chart builders: each takes a tidy frame and returns a chart, so tests can read the spec, not pixels.

Every estimate is drawn with its 95 % interval (error bars or a band): an owner should see how sure a number is
before acting on it.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ui.labels import BEST, DROPPED, TIED

BAND_OPACITY = 0.2
BAR_OPACITY, PALE_OPACITY = 0.7, 0.2  # a figure that is not steady (sim.stats.DEPENDS_ON_RUN_LENGTH) is pale
# In lines: a chart's subtitle never wraps, and must fit a phone's screen.
PALE_NOTE = ["Pale: not steady, the design's backlog was still growing,", "so the figure depends on the run length."]


def _steadiness(frame: pd.DataFrame, title: str, opaque: float) -> tuple[alt.TitleParams | str, Any, list]:
    """Title, opacity and extra tooltip for a frame that may have a `steady` column: figures that are not steady
    are drawn pale, and the title says what pale means."""
    if "steady" not in frame or frame["steady"].all():
        return title, alt.value(opaque), []
    opacity = alt.condition("datum.steady", alt.value(opaque), alt.value(PALE_OPACITY))
    return alt.TitleParams(title, subtitle=PALE_NOTE), opacity, [alt.Tooltip("steady:N", title="Steady")]


def design_color(frame: pd.DataFrame, legend: bool = True) -> alt.Color:
    """Designs keep the scenario's order in the legend and the same colour on every chart of a page."""
    designs = list(dict.fromkeys(frame["design"]))
    return alt.Color("design:N", title="Design", sort=designs, scale=alt.Scale(domain=designs),
                     legend=alt.Legend() if legend else None)


def interval_chart(frame: pd.DataFrame, title: str, value_title: str, zero_line: bool = False,
                   value_format: str | None = None) -> alt.LayerChart:
    """One bar per design (mean) with an error bar (lo to hi); `zero_line` for differences against a baseline.
    Bars of figures that are not steady (a `steady` column) are pale."""
    title, opacity, steady_tip = _steadiness(frame, title, BAR_OPACITY)
    base = alt.Chart(frame, title=title).encode(
        y=alt.Y("design:N", title=None, sort=list(dict.fromkeys(frame["design"]))),
    )
    tooltip = [
        alt.Tooltip("design:N", title="Design"),
        alt.Tooltip("mean:Q", title=value_title, format=",.3~f"),
        alt.Tooltip("lo:Q", title="95 % interval from", format=",.3~f"),
        alt.Tooltip("hi:Q", title="95 % interval to", format=",.3~f"),
        *steady_tip,
    ]
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    bars = base.mark_bar().encode(
        x=alt.X("mean:Q", title=value_title, axis=axis), color=design_color(frame, legend=False), tooltip=tooltip,
        opacity=opacity,
    )
    errors = base.mark_errorbar(ticks=True).encode(x=alt.X("lo:Q", title=value_title), x2="hi:Q")
    layers = [bars, errors]
    if zero_line:
        layers.append(alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q"))
    return alt.layer(*layers)


def weekly_chart(frame: pd.DataFrame, title: str, value_title: str) -> alt.LayerChart:
    """A line per design over the measured weeks, with the 95 % band over replications."""
    base = alt.Chart(frame, title=title).encode(x=alt.X("week:Q", title="Week"), color=design_color(frame))
    band = base.mark_area(opacity=BAND_OPACITY).encode(y=alt.Y("lo:Q", title=value_title), y2="hi:Q")
    line = base.mark_line().encode(
        y=alt.Y("mean:Q", title=value_title),
        tooltip=["design:N", "week:Q", alt.Tooltip("mean:Q", title=value_title, format=",.1f")],
    )
    return alt.layer(band, line)


def time_use_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: where an engineer's week goes under each design."""
    return (
        alt.Chart(frame, title="Where engineers' hours go (hours per engineer per week)")
        .mark_bar()
        .encode(
            y=alt.Y("design:N", title=None, sort=list(dict.fromkeys(frame["design"]))),
            x=alt.X("hours_per_engineer_week:Q", title="Hours per engineer per week", stack="zero"),
            color=alt.Color(
                "activity:N", title="Activity",
                sort=list(frame.sort_values("order")["activity"].drop_duplicates()),
            ),
            order=alt.Order("order:Q"),
            tooltip=["design:N", "activity:N",
                     alt.Tooltip("hours_per_engineer_week:Q", title="Hours", format=".1f")],
        )
    )


def sweep_chart(frame: pd.DataFrame, title: str, lever_title: str, value_title: str,
                value_format: str | None = None) -> alt.LayerChart:
    """One line per design along the swept lever, with its 95 % band: where a design starts to break. Points of
    figures that are not steady (a `steady` column) are pale."""
    pale = frame[~frame["steady"]] if "steady" in frame else frame.iloc[:0]
    if not pale.empty:
        title = alt.TitleParams(title, subtitle=PALE_NOTE)
    base = alt.Chart(frame, title=title).encode(x=alt.X("lever:Q", title=lever_title), color=design_color(frame))
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    band = base.mark_area(opacity=BAND_OPACITY).encode(y=alt.Y("lo:Q", title=value_title, axis=axis), y2="hi:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("mean:Q", title=value_title, axis=axis),
        tooltip=["design:N", alt.Tooltip("lever:Q", title=lever_title),
                 alt.Tooltip("mean:Q", title=value_title, format=",.3~f")],
    )
    if pale.empty:
        return alt.layer(band, line)
    veil = alt.Chart(pale).mark_point(filled=True, size=90, color="white", opacity=1 - PALE_OPACITY).encode(
        x="lever:Q", y="mean:Q",
        tooltip=["design:N", alt.Tooltip("lever:Q", title=lever_title),
                 alt.Tooltip("mean:Q", title=value_title, format=",.3~f"), alt.Tooltip("steady:N", title="Steady")],
    )
    return alt.layer(band, line, veil)


# The best option stands out; options the advisor cannot tell from it are marked, the dropped ones recede.
VERDICT_COLORS = {BEST: "#2e7d32", TIED: "#ef6c00", DROPPED: "#9e9e9e"}


def ranking_chart(frame: pd.DataFrame, title: str, value_title: str, value_format: str | None = None
                  ) -> alt.LayerChart:
    """Each option's difference from today's organisation (point) with its 95 % interval (bar), best first, on a
    line at zero that is today. `frame` has rank, option, vs_today_mean, lo, hi, replications and verdict."""
    order = list(frame.sort_values("rank")["option"])
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    base = alt.Chart(frame, title=title).encode(
        # Option names in full where there is room, cut short on a phone rather than pushing the plot off screen.
        y=alt.Y("option:N", title=None, sort=order,
                axis=alt.Axis(labelLimit=alt.ExprRef("clamp(containerSize()[0] * 0.45, 120, 420)"))),
        color=alt.Color("verdict:N", title=None, scale=alt.Scale(domain=list(VERDICT_COLORS),
                                                                 range=list(VERDICT_COLORS.values())),
                        # one column: a row of three is wider than a phone
                        legend=alt.Legend(orient="bottom", columns=1)),
    )
    errors = base.mark_errorbar(ticks=True).encode(x=alt.X("lo:Q", title=value_title, axis=axis), x2="hi:Q")
    points = base.mark_point(filled=True, size=80).encode(
        x=alt.X("vs_today_mean:Q", title=value_title, axis=axis),
        tooltip=[
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("option:N", title="Option"),
            alt.Tooltip("vs_today_mean:Q", title=value_title, format=",.3~f"),
            alt.Tooltip("lo:Q", title="95 % interval from", format=",.3~f"),
            alt.Tooltip("hi:Q", title="95 % interval to", format=",.3~f"),
            alt.Tooltip("replications:Q", title="Replications"),
        ],
    )
    today = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
    return alt.layer(errors, points, today)


def tornado_chart(frame: pd.DataFrame, title: str, value_title: str, value_format: str | None = None) -> alt.LayerChart:
    """A bar per uncertain input and end, from the best design's lead at the scenario's values to its lead at that
    end; left of the dashed zero line another design wins. Inputs sorted by swing, largest on top."""
    order = list(dict.fromkeys(frame["parameter"]))
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    bars = alt.Chart(frame, title=title).mark_bar(opacity=0.8).encode(
        y=alt.Y("parameter:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
        x=alt.X("start:Q", title=value_title, axis=axis), x2="stop:Q",
        color=alt.Color("end:N", title="Input at its", sort=["low end", "high end"]),
        tooltip=[alt.Tooltip("parameter:N", title="Input"), alt.Tooltip("end:N", title="At its"),
                 alt.Tooltip("at:Q", title="Value", format=",.4~g"), alt.Tooltip("best:N", title="Best design"),
                 alt.Tooltip("stop:Q", title=value_title, format=",.3~f")],
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
    return alt.layer(bars, zero)
