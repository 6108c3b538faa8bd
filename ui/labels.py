"""Words and number formats the app shows: metrics, designs, engineer-time categories, money."""

from __future__ import annotations

# Figures and designs in words live in sim.wording (the report and the CLI use them too); pages take them from here.
from sim.wording import KPIS as KPIS
from sim.wording import MetricLabel as MetricLabel
from sim.wording import describe_design as describe_design
from sim.wording import design_label as design_label
from sim.wording import design_labels as design_labels
from sim.wording import figure as figure
from sim.wording import hires_after_label as hires_after_label
from sim.wording import interval as interval
from sim.wording import money as money
from sim.wording import plain as plain

# How a figure that depends on the run length reads instead of a number (sim.stats.DEPENDS_ON_RUN_LENGTH).
NOT_STEADY = "not steady"

# d3 formats for chart axes, by unit: $1.2M rather than 1,200,000, 80% rather than 0.8. Days keep one decimal where
# the ticks need it (",.0f" printed ticks 0.5 apart as "-2 -2 -1 -1 0").
AXIS_FORMAT = {"money": "$~s", "share": ".0%", "days": ",.1~f", "count": ",.3~f", "rate": ",.2~f"}

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
BEST, TIED, WORSE = "Best", "Tied", "Worse"  # short: the table must fit a laptop screen
