"""Words and number formats the app shows: metrics, designs, engineer-time categories, money."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.scenario import OrgDesign
from sim.wording import describe_hires


@dataclass(frozen=True)
class MetricLabel:
    label: str
    short: str  # a table column: the table must fit a laptop screen with profit in view
    unit: str  # "count", "days", "share", "money", "rate" (a change per week, of either sign)
    higher_is_better: bool


# What would make Markdown of text from a link or a file: links and images ([ ] !), HTML (< >), emphasis and
# strike-through (* ~, and _ at a word's edge: an underscore inside a word never emphasises, so
# demand.requests_per_client stays readable), code (`), headings, tables and quotes (# | >), maths ($), Streamlit's
# colour and icon directives (:red[...], which need [ ]) and the backslash itself. Each gets a backslash.
_MARKDOWN = re.compile(r"[\\`*\[\]<>!#|~$]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# Bare addresses that GitHub-flavoured Markdown turns into links after parsing, escapes or not: http://, https://,
# www. and e-mail addresses. An invisible word joiner (U+2060) inside each breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """Text from a link, a file or a form, to put inside the app's own Markdown (a warning, a caption) so that it
    shows as the characters it is: no link, image, heading or formatting of its own, on one line. A shared link
    could otherwise plant a "log in again" link in the app's warning, or an image from another site that the
    viewer's browser would fetch."""
    one_line = " ".join(str(text).split())
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(0), one_line)
    return _AUTOLINK.sub(WORD_JOINER, escaped)


# The KPIs of the comparison, in the order the owner reads them.
KPIS: dict[str, MetricLabel] = {
    "throughput_per_week": MetricLabel("Throughput (requests per week)", "Requests/week", "count", True),
    "lead_time_days": MetricLabel("Mean lead time (days)", "Lead time (days)", "days", False),
    "lead_time_p90_days": MetricLabel("90 % of requests done within (days)", "90 % within (days)", "days", False),
    "on_time_rate": MetricLabel("On-time rate (by the deadline the client asked for)", "On time", "share", True),
    "on_time_promised_rate": MetricLabel("On-time rate (by the deadline promised to the client)", "On time as promised",
                                         "share", True),
    "revenue": MetricLabel("Revenue ($ per year)", "Revenue/year", "money", True),
    "cost": MetricLabel("Staff cost, salaries with overheads ($ per year)", "Cost/year", "money", False),
    "profit": MetricLabel("Profit ($ per year)", "Profit/year", "money", True),
    "clients_lost": MetricLabel("Clients lost during the run", "Clients lost", "count", False),
    "backlog_growth_per_week": MetricLabel("Backlog growth (open requests more each week)", "Backlog growth/week",
                                           "rate", False),
}

# How a figure that depends on the run length reads instead of a number (sim.stats.DEPENDS_ON_RUN_LENGTH).
NOT_STEADY = "not steady"

# d3 formats for chart axes, by unit: $1.2M rather than 1,200,000, 80% rather than 0.8.
AXIS_FORMAT = {"money": "$~s", "share": ".0%", "days": ",.0f", "count": ",.3~f", "rate": ",.2~f"}

TIME_USE: dict[str, str] = {
    "billable_work": "Billable work",
    "rework": "Rework",
    "communication": "Client communication",
    "handoff": "Getting to know a client",
    "context_switch": "Context-switch loss",
    "skill_mismatch": "Working outside their skill",
    "overhead": "Checklists",
    "idle": "Idle",
}

# How an option of the advisor stands against the best on the replications every option ran (sim.advisor: best
# mean, paired 95 % interval covering zero, or not), in the words of the ranking table, its chart and its banner.
BEST, TIED, WORSE = "Best", "Tied with the best", "Worse"


def money(x: float, signed: bool = False) -> str:
    """$310k, $1.24M, -$45k: an owner reads thousands, not cents."""
    if math.isnan(x):
        return "n/a"
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    x = abs(x)
    if x >= 1e6:
        return f"{sign}${x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{sign}${x / 1e3:.0f}k"
    return f"{sign}${x:.0f}"


def figure(x: float, unit: str, signed: bool = False) -> str:
    """A KPI value in its unit; shares as percent (differences of shares as percentage points)."""
    if math.isnan(x):
        return "n/a"
    if unit == "money":
        return money(x, signed)
    plus = "+" if signed else ""
    if unit == "rate":  # a backlog that grows or shrinks: the sign is the news
        return f"{x:+,.2f}"
    if unit == "share":
        return f"{x * 100:{plus}.1f} pts" if signed else f"{x * 100:.0f} %"
    return f"{x:{plus},.1f}"


def interval(half_width: float, unit: str) -> str:
    if math.isnan(half_width):
        return "n/a"
    if unit == "share":
        return f"{half_width * 100:.0f} pts"
    return figure(half_width, unit)


def describe_design(design: OrgDesign) -> str:
    """The hires a design adds, in words: 'a project manager and an account manager' (sim.wording)."""
    return describe_hires(design)
