"""Altair chart builders: each takes a tidy frame and returns a chart, so tests can read the spec, not pixels.

Every estimate is drawn with its 95 % interval (error bars or a band): an owner should see how sure a number is
before acting on it.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from sim.wording import BEST, TIED, WORSE

BAND_OPACITY = 0.2
BAR_OPACITY, PALE_OPACITY = 0.7, 0.2  # a figure that is not steady (sim.stats.DEPENDS_ON_RUN_LENGTH) is pale
# In lines: a chart's subtitle never wraps, and must fit a phone's screen.
PALE_NOTE = ["Pale: not steady, the design's backlog was still growing,", "so the figure depends on the run length."]
# A tornado row within noise (sim.robust: its swing no larger than its 95 % interval, or than the objective's
# indifference zone) is pale, as the words say.
NOISE_NOTE = ["Pale: within noise, the swing is no larger than its",
              "95 % interval, or than the smallest gap that matters."]
TORNADO_OPACITY = 0.8


# What `alt.layer` gives: a layered chart, or a faceted one when every layer shares a facet encoding.
Layered = alt.LayerChart | alt.FacetChart


def _steadiness(frame: pd.DataFrame, title: str, opaque: float) -> tuple[alt.TitleParams | str, Any, list]:
    """Title, opacity and extra tooltip for a frame that may have a `steady` column: figures that are not steady
    are drawn pale, and the title says what pale means."""
    return _paled(frame, title, opaque, "steady", PALE_NOTE, "Steady")


def _paled(frame: pd.DataFrame, title: str, opaque: float, column: str, note: list[str],
           tip: str) -> tuple[alt.TitleParams | str, Any, list]:
    """Title, opacity and extra tooltip for a frame whose boolean `column` is false where a figure is drawn pale;
    the title says what pale means only when something is."""
    if column not in frame or frame[column].all():
        return title, alt.value(opaque), []
    opacity = alt.condition(f"datum.{column}", alt.value(opaque), alt.value(PALE_OPACITY))
    return alt.TitleParams(title, subtitle=note), opacity, [alt.Tooltip(f"{column}:N", title=tip)]


# One colour per design on every chart, keyed by code: the standard designs always wear the same one, other designs
# take the next free colour in the scenario's order (design_palette). Mid-tone colours only, legible on the light and
# the dark theme alike (none near white or near black); lines are thick and carry point markers.
DESIGN_COLORS = {"none": "#8c8c8c", "pm": "#4c8fd6", "am": "#f28e2b", "hybrid": "#3aa655", "both": "#a86cc1"}
EXTRA_COLORS = ("#e15759", "#17a9b8", "#b8a21a", "#d6619e", "#a0785a", "#6f7fd8", "#5fae9a", "#d97c4a")
LINE_WIDTH, POINT_SIZE = 3, 50


def design_palette(designs: list[str]) -> dict[str, str]:
    """Each design's colour: the fixed one of a standard code, else the next unused extra colour in `designs`'
    order (the scenario's), cycling when more designs than colours."""
    palette = {d: DESIGN_COLORS[d] for d in designs if d in DESIGN_COLORS}
    free = [c for c in EXTRA_COLORS if c not in palette.values()] or list(EXTRA_COLORS)
    for i, d in enumerate(d for d in designs if d not in DESIGN_COLORS):
        palette[d] = free[i % len(free)]
    return palette


def design_field(frame: pd.DataFrame) -> str:
    """The column that names designs on a chart: their words when the frame has them (sim.tables.name_designs)."""
    return "design_label" if "design_label" in frame else "design"


# A legend in one row where it fits, one entry a line on a phone (a chart narrower than 560 px): a row of five
# design names is wider than a phone's screen.
PHONE_COLUMNS = alt.ExprRef("containerSize()[0] < 560 ? 1 : 0")


def design_color(frame: pd.DataFrame, legend: bool = True) -> alt.Color:
    """Designs keep the scenario's order in the legend and their own colour on every chart of every page: the
    scale's domain is the words shown, its range the colours of their codes."""
    named = frame.drop_duplicates("design")
    field = design_field(frame)
    domain = list(named[field])
    colors = list(named["design_color"]) if "design_color" in named else [
        design_palette(list(named["design"]))[d] for d in named["design"]]
    # Below the chart, one name a line so a phone shows every name whole; full-strength symbols whatever the
    # layer's opacity (a band's pale fill would make the key unreadable).
    key = alt.Legend(orient="bottom", columns=PHONE_COLUMNS, labelLimit=320, symbolOpacity=1,
                     symbolStrokeWidth=LINE_WIDTH, symbolType="circle")
    return alt.Color(f"{field}:N", title="Design", sort=domain, scale=alt.Scale(domain=domain, range=colors),
                     legend=key if legend else None)


def count_axis(title: str) -> alt.Axis:
    """An axis of whole things (clients, engineers, requests): no 18.5 clients."""
    return alt.Axis(title=title, format="d", tickMinStep=1, tickCount=10)  # ten at most: 0 to 60 is not 31 ticks


def interval_chart(frame: pd.DataFrame, title: str, value_title: str, zero_line: bool = False,
                   value_format: str | None = None) -> Layered:
    """One bar per design (mean) with an error bar (lo to hi); `zero_line` for differences against a baseline.
    Bars of figures that are not steady (a `steady` column) are pale."""
    shown, opacity, steady_tip = _steadiness(frame, title, BAR_OPACITY)
    field = design_field(frame)
    base = alt.Chart(frame, title=shown).encode(
        y=alt.Y(f"{field}:N", title=None, sort=list(dict.fromkeys(frame[field])), axis=alt.Axis(labelLimit=240)),
    )
    tooltip = [
        alt.Tooltip(f"{field}:N", title="Design"),
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


# A line chart's plot is this tall, its key and axes added around it. Left to Streamlit's full-width charts (a
# fixed 350 px box that the plot, its key and its titles must all fit), a key of five designs below the lines
# squashed the plot flat.
LINE_PLOT_HEIGHT = 220


def plot_sized(chart: Layered) -> Layered:
    """The chart with a plot LINE_PLOT_HEIGHT tall and as wide as its box, the box growing to hold the key."""
    return chart.properties(height=LINE_PLOT_HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def weekly_chart(frame: pd.DataFrame, title: str, value_title: str, counts: bool = False) -> Layered:
    """A line per design over the measured weeks, with the 95 % band over replications; `counts` for a measure of
    whole requests (integer ticks)."""
    field = design_field(frame)
    week = alt.X("week:Q", title="Week", axis=count_axis("Week"))
    base = alt.Chart(frame, title=title).encode(x=week, color=design_color(frame))
    value_axis = count_axis(value_title) if counts else alt.Axis(title=value_title)
    # The band keeps the base's colour, legend included: a layer with `legend=None` drops the whole chart's legend.
    band = base.mark_area(opacity=BAND_OPACITY).encode(y=alt.Y("lo:Q", title=value_title, axis=value_axis), y2="hi:Q")
    line = base.mark_line(strokeWidth=LINE_WIDTH, point=alt.OverlayMarkDef(size=POINT_SIZE)).encode(
        y=alt.Y("mean:Q", title=value_title, axis=value_axis),
        tooltip=[alt.Tooltip(f"{field}:N", title="Design"), "week:Q",
                 alt.Tooltip("mean:Q", title=value_title, format=",.1f")],
    )
    return plot_sized(alt.layer(band, line))


def time_use_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: where an engineer's week goes under each design. The key sits below, one activity a line on a
    phone, so the bars keep the chart's width (beside them, a phone's chart was a third bars)."""
    field = design_field(frame)
    # eight activities: four a row on a laptop (one row ran past a 1400 px window), one a line on a phone
    key = alt.Legend(orient="bottom", columns=alt.ExprRef("containerSize()[0] < 560 ? 1 : 4"), labelLimit=320)
    return (
        alt.Chart(frame, title=alt.TitleParams("Where engineers' hours go", subtitle="hours per engineer per week"))
        .mark_bar()
        .encode(
            y=alt.Y(f"{field}:N", title=None, sort=list(dict.fromkeys(frame[field])), axis=alt.Axis(labelLimit=240)),
            x=alt.X("hours_per_engineer_week:Q", title="Hours per engineer per week", stack="zero"),
            color=alt.Color(
                "activity:N", title="Activity",
                sort=list(frame.sort_values("order")["activity"].drop_duplicates()), legend=key,
            ),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip(f"{field}:N", title="Design"), "activity:N",
                     alt.Tooltip("hours_per_engineer_week:Q", title="Hours", format=".1f")],
        )
    )


def sweep_chart(frame: pd.DataFrame, title: str, lever_title: str, value_title: str,
                value_format: str | None = None, whole_lever: bool = False) -> Layered:
    """One line per design along the swept lever, with its 95 % band: where a design starts to break. Points of
    figures that are not steady (a `steady` column) are pale; `whole_lever` for a lever of whole things (clients,
    engineers), whose axis then has integer ticks."""
    field = design_field(frame)
    pale = frame[~frame["steady"]] if "steady" in frame else frame.iloc[:0]
    shown: alt.TitleParams | str = alt.TitleParams(title, subtitle=PALE_NOTE) if not pale.empty else title
    lever_axis = count_axis(lever_title) if whole_lever else alt.Axis(title=lever_title)
    base = alt.Chart(frame, title=shown).encode(x=alt.X("lever:Q", title=lever_title, axis=lever_axis),
                                                color=design_color(frame))
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    band = base.mark_area(opacity=BAND_OPACITY).encode(y=alt.Y("lo:Q", title=value_title, axis=axis), y2="hi:Q")
    tooltip = [alt.Tooltip(f"{field}:N", title="Design"), alt.Tooltip("lever:Q", title=lever_title),
               alt.Tooltip("mean:Q", title=value_title, format=",.3~f")]
    line = base.mark_line(strokeWidth=LINE_WIDTH).encode(y=alt.Y("mean:Q", title=value_title, axis=axis))
    # Points in the design's own colour; a figure that is not steady is a pale point (not a white veil, which
    # would glare on the dark theme).
    opacity = alt.condition("datum.steady", alt.value(1.0), alt.value(PALE_OPACITY)) if not pale.empty \
        else alt.value(1.0)
    points = base.mark_point(filled=True, size=POINT_SIZE * 1.5).encode(
        y=alt.Y("mean:Q", title=value_title, axis=axis), opacity=opacity,
        tooltip=[*tooltip, alt.Tooltip("steady:N", title="Steady")] if not pale.empty else tooltip,
    )
    return plot_sized(alt.layer(band, line, points))


# An option's name on two lines on a phone, broken at the last space within its first WRAP_AT characters: in one
# line the names of combined moves ("+0.5 salesperson with standardised work") were cut short.
WRAP_AT = 26
RANKING_ROW = 30  # px an option's row takes: room for its name on two lines
_BREAK = f"lastindexof(substring(datum.label, 0, {WRAP_AT}), ' ')"
_WRAPS = f"containerSize()[0] < 560 && length(datum.label) > {WRAP_AT} && {_BREAK} > 0"
PHONE_WRAP = f"{_WRAPS} ? [substring(datum.label, 0, {_BREAK}), substring(datum.label, {_BREAK} + 1)] : datum.label"
# A name on two lines sits on its row's middle: its first line above the middle, the second below.
WRAPPED_BASELINE = {"condition": {"test": _WRAPS, "value": "bottom"}, "value": "middle"}

# The best option stands out; options the advisor cannot tell from it are marked, the dropped ones recede.
VERDICT_COLORS = {BEST: "#2e7d32", TIED: "#ef6c00", WORSE: "#9e9e9e"}


def ranking_chart(frame: pd.DataFrame, title: str, value_title: str, value_format: str | None = None
                  ) -> Layered:
    """Each option's difference from today's organisation (point) with its 95 % interval (bar), best first, on a
    line at zero that is today. `frame` has rank, option, vs_today_mean, lo, hi, replications and verdict."""
    order = list(frame.sort_values("rank")["option"])
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    shown = [v for v in VERDICT_COLORS if v in set(frame["verdict"])]  # no "Tied" in the key when nothing is tied
    base = alt.Chart(frame, title=title).encode(
        # Option names in full where there is room; on a phone on two lines, each cut short only past its width,
        # rather than pushing the plot off screen.
        y=alt.Y("option:N", title=None, sort=order,
                axis=alt.Axis(labelLimit=alt.ExprRef("clamp(containerSize()[0] * 0.45, 120, 420)"),
                              labelExpr=PHONE_WRAP, labelOverlap=False, labelBaseline=WRAPPED_BASELINE)),
        color=alt.Color("verdict:N", title="Against the best", scale=alt.Scale(domain=shown,
                                                                 range=[VERDICT_COLORS[v] for v in shown]),
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
    return alt.layer(errors, points, today).properties(height=alt.Step(RANKING_ROW))


def tornado_chart(frame: pd.DataFrame, title: str, value_title: str, value_format: str | None = None) -> Layered:
    """A bar per uncertain input and end, from the best design's lead at the scenario's values to its lead at that
    end; left of the dashed zero line another design wins. Inputs beyond noise first, then those within it, drawn
    pale; each group largest swing first. The tooltip gives the swing and its 95 % interval."""
    order = list(dict.fromkeys(frame["parameter"]))
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    shown, opacity, noise_tip = _paled(frame, title, TORNADO_OPACITY, "beyond_noise", NOISE_NOTE, "Beyond noise")
    bars = alt.Chart(frame, title=shown).mark_bar().encode(
        y=alt.Y("parameter:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
        x=alt.X("start:Q", title=value_title, axis=axis), x2="stop:Q",
        color=alt.Color("end:N", title="Input at its", sort=["low end", "high end"]),
        opacity=opacity,
        tooltip=[alt.Tooltip("parameter:N", title="Input"), alt.Tooltip("end:N", title="At its"),
                 alt.Tooltip("at:Q", title="Value", format=",.4~g"), alt.Tooltip("best:N", title="Best design"),
                 alt.Tooltip("stop:Q", title=value_title, format=",.3~f"),
                 alt.Tooltip("swing:Q", title="Swing", format=",.3~f"),
                 alt.Tooltip("swing_ci95:Q", title="Swing ± (95 %)", format=",.3~f"), *noise_tip],
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
    return alt.layer(bars, zero)


def waterfall_chart(frame: pd.DataFrame, title: str, value_title: str, value_format: str | None = None) -> Layered:
    """A gain built up bar by bar: each contribution from where the previous one ended, then the total from zero.
    Frame columns: `row` (words, in order), `start`, `stop`, `grade` (written on the bar's row, so that colour is
    not the only sign of it) and `kind` (gain, loss or total)."""
    order = list(frame["row"])
    axis = alt.Axis(format=value_format) if value_format else alt.Axis()
    base = alt.Chart(frame, title=title).encode(y=alt.Y("row:N", title=None, sort=order,
                                                        axis=alt.Axis(labelLimit=300)))
    bars = base.mark_bar(opacity=0.85).encode(
        x=alt.X("start:Q", title=value_title, axis=axis), x2="stop:Q",
        color=alt.Color("kind:N", title="Bar", sort=["adds to the gain", "takes from it", "total"],
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("row:N", title="What"), alt.Tooltip("grade:N", title="Source"),
                 alt.Tooltip("value:Q", title=value_title, format=",.3~f"),
                 alt.Tooltip("ci95:Q", title="± (95 %)", format=",.3~f")],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("right:Q"), text=alt.Text("grade:N"))
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
    return alt.layer(bars, labels, zero)
