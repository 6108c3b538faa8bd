"""Words for what people read: each figure's name and unit, money and intervals, and org designs by name.

Codes stay in files and links, where they are stable keys; the app, the CLI's prose and the report show these
words. A scenario may name a design itself (`[designs.NAME] label = "..."`); otherwise the standard codes read as
the roles they add and any other design as the words of its hires.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.scenario import PROCESS_KEYS, STANDARD_DESIGNS, OrgDesign

if TYPE_CHECKING:
    from sim.objective import Objective


@dataclass(frozen=True)
class MetricLabel:
    label: str
    short: str  # a table column: the table must fit a laptop screen with profit in view
    unit: str  # "count", "days", "share", "money", "rate" (a change per week, of either sign)
    higher_is_better: bool


# The KPIs of the comparison, in the order the owner reads them.
KPIS: dict[str, MetricLabel] = {
    "throughput_per_week": MetricLabel("Throughput (requests per week)", "Requests/week", "count", True),
    "lead_time_days": MetricLabel("Mean lead time (days)", "Lead time (days)", "days", False),
    "lead_time_p90_days": MetricLabel("Days within which 9 in 10 requests are done", "9 in 10 done within (days)",
                                      "days", False),
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
# Under charts of each design's own interval: why bars that overlap can still be told apart (issue: error bars that
# overlap beside a sentence that says "beyond noise").
OVERLAP_NOTE = ("Each error bar is that design's own 95 % interval. The designs run on the same simulated clients "
                "and requests, so two whose bars overlap can still differ beyond simulation noise: the marks and the "
                "answer judge the paired difference, replication by replication, which the charts of differences "
                "show.")

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


def gap_size(objective: Objective, x: float) -> str:
    """A gap or a 95 % half-width in the objective's unit and the precision of the headline's gains (sim.answer),
    without sign: '$20k', '0.10 days', '1.2 points'."""
    if objective.single == "profit":
        return money(abs(x))
    if objective.single == "lead_time":
        return f"{abs(x):.2f} days"
    if objective.single == "on_time":
        return f"{abs(x) * 100:.1f} points"
    return f"{abs(x):.1f}"


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


# The standard designs by code, in the words a partner uses.
STANDARD_LABELS: dict[str, str] = {
    "none": "No coordinator",
    "pm": "Project manager",
    "am": "Account manager",
    "hybrid": "Hybrid PM/AM",
    "both": "PM + AM",
}

# Each hire of a design, singular and plural.
HIRE_WORDS: dict[str, tuple[str, str]] = {
    "extra_engineers": ("engineer", "engineers"),
    "project_managers": ("project manager", "project managers"),
    "account_managers": ("account manager", "account managers"),
    "hybrids": ("hybrid PM/AM", "hybrid PM/AMs"),
}
SALESPERSON = "salesperson"  # a share of one is a design's `sales_share`
PROCESS_WORDS: dict[str, str] = {
    "standardised_work": "standardised work",
    "checkins": "AM-PM check-ins",
    "status_updates": "status updates",
}
NO_COORDINATOR = "no coordinator: engineers deal with clients themselves"


def weeks_words(n: int) -> str:
    """A count of weeks as a sentence says it: "1 week", "6 weeks" (a link may set a single week of warm-up)."""
    return f"{n} week" if n == 1 else f"{n} weeks"


def _count(n: float, one: str, many: str) -> str:
    if n == 1:
        return f"an {one}" if one[0] in "aeiou" else f"a {one}"
    return f"{n:g} {many}"


def describe_design(design: OrgDesign) -> str:
    """The hires a design adds, in words: 'a project manager and an account manager'."""
    parts = []
    for key in ("project_managers", "account_managers", "hybrids"):
        if n := getattr(design, key):
            parts.append(_count(n, *HIRE_WORDS[key]))
    if design.sales_share:
        parts.append(f"a {SALESPERSON} at {design.sales_share * 100:.0f} %")
    if design.extra_engineers:
        parts.append(_count(design.extra_engineers, "extra engineer", "extra engineers"))
    if not parts:
        return NO_COORDINATOR
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def hires_after_label(design: OrgDesign) -> str:
    """What a design adds, to follow its label: "No coordinator: engineers deal with clients themselves", not "No
    coordinator: no coordinator: ..."."""
    return describe_design(design).removeprefix("no coordinator: ")


def _process_words(design: OrgDesign) -> str:
    """' with standardised work, without status updates' for a design's own process overrides."""
    on = [PROCESS_WORDS[k] for k in PROCESS_KEYS if getattr(design, k) is True]
    off = [PROCESS_WORDS[k] for k in PROCESS_KEYS if getattr(design, k) is False]
    words = (f" with {' and '.join(on)}" if on else "") + (f" without {' or '.join(off)}" if off else "")
    return words


def _is_standard(name: str, design: OrgDesign) -> bool:
    """A standard code whose hires and process are what the code says (a `pm` with two PMs is not 'Project
    manager')."""
    return name in STANDARD_DESIGNS and design == OrgDesign(label=design.label, **STANDARD_DESIGNS[name])


def _hire_words(design: OrgDesign) -> str:
    """A design's hires as a short label: 'Project manager + 2 engineers', 'Salesperson at 50 %'."""
    parts = []
    for key in ("project_managers", "account_managers", "hybrids"):
        if n := getattr(design, key):
            one, many = HIRE_WORDS[key]
            parts.append(one if n == 1 else f"{n:g} {many}")
    if design.sales_share:
        parts.append(f"{SALESPERSON} at {design.sales_share * 100:.0f} %")
    if n := design.extra_engineers:
        parts.append(f"{n:g} extra {HIRE_WORDS['extra_engineers'][n != 1]}")
    words = " + ".join(parts) if parts else "no coordinator"
    return words[:1].upper() + words[1:]


def design_label(name: str, design: OrgDesign) -> str:
    """What people read for a design: its own label if the scenario sets one, the standard words for a standard
    code, else the words of its hires ('2 project managers with standardised work')."""
    if design.label.strip():
        return " ".join(design.label.split())
    if _is_standard(name, design):
        return STANDARD_LABELS[name]
    return _hire_words(design) + _process_words(design)


def design_labels(designs: Mapping[str, OrgDesign]) -> dict[str, str]:
    """Every design's label, each one distinct: two designs that would read the same (two with the same hires, or
    the same label set twice) get their code added, so a chart's legend never merges two designs."""
    labels = {name: design_label(name, design) for name, design in designs.items()}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {name: f"{label} ({name})" if seen[label] > 1 else label for name, label in labels.items()}


# ---------------------------------------------------------------------------------------------------------------
# A scenario key in words, for the pages: read from the key itself, so keys the model adds get words by themselves.

# Parts of keys that are abbreviations or code: how they read in a sentence.
KEY_PARTS = {"am": "AM", "pm": "PM", "ams": "AMs", "pms": "PMs", "cv": "variability", "checkins": "check-ins"}


def key_words(key: str) -> str:
    """The last part of a dotted scenario key in words, capitalised: 'behaviour.clarity_without_am' ->
    'Clarity without AM'."""
    text = " ".join(KEY_PARTS.get(w, w) for w in key.rsplit(".", 1)[-1].split("_"))
    return text[:1].upper() + text[1:]


def in_sentence(words: str) -> str:
    """Words that begin a label, for inside a sentence: the first letter in lower case unless its word is an
    abbreviation ('Clarity without AM' -> 'clarity without AM', 'AM effort share' stays)."""
    first = words.split(" ", 1)[0]
    return words if first[:2].isupper() else words[:1].lower() + words[1:]


def fitted_words(path: str, value: float, reason: str, subject: str = "") -> str:
    """A value fitted to a ticket export, in words: 'Clients: 20, the distinct clients in 'Organizations'.', or
    with what it belongs to, 'Bug, effort hours: 2.9, the mean time spent on 40 resolved tickets.'"""
    name = f"{subject}, {in_sentence(key_words(path))}" if subject else key_words(path)
    return f"{name}: {value:g}, {reason}."


def help_clause(help_text: str) -> str:
    """A parameter's help text cut to its first clause, for a sentence: 'Probability that a request is understood
    right when engineers take it from the client'."""
    return help_text.split(";")[0].split(". ")[0].rstrip(".")


def parameter_words(key: str) -> str:
    """A scenario input in words: its help text's first clause, with any key it names in words, else its key's
    own words."""
    from sim.paths import field_meta

    try:
        text = field_meta(key).get("help", "")
    except KeyError:
        text = ""
    return without_keys(help_clause(text)) or key_words(key)


def without_keys(text: str) -> str:
    """Text (a parameter's help) with the scenario keys it names put in words: 'fewer clients than
    demand.clients' -> 'fewer clients than “Clients”', '[process] status_updates' -> '“Status updates”'."""
    text = re.sub(r"\[[a-z_]+\] ([a-z_]+)", lambda m: f"“{key_words(m.group(1))}”", text)
    return re.sub(r"\b(?:firm|demand|behaviour|process|economics|designs|uncertainty)(?:\.[a-z_]+)+\b",
                  lambda m: f"“{key_words(m.group(0))}”", text)


# ---------------------------------------------------------------------------------------------------------------
# The next-hire advisor's moves: what a move adds to today's staffing, in the same words as the designs above.

TODAY_NAME = "today's organisation"  # the advisor's option of hiring nobody and changing nothing


def move_name(hires: Mapping[str, object]) -> str:
    """A move of the advisor in words, e.g. "+1 account manager and +0.5 salesperson with standardised work": the
    roles added (`HIRE_WORDS` keys and `sales_share`), then the process changes switched on (`PROCESS_WORDS`
    keys). No comma, so that names list well in a sentence."""
    added = [f"+{n:g} {one if n == 1 else many}" for key, (one, many) in HIRE_WORDS.items()
             if (n := hires.get(key, 0))]
    if share := hires.get("sales_share", 0):
        added.append(f"+{share:g} {SALESPERSON}")
    levers = " and ".join(words for key, words in PROCESS_WORDS.items() if hires.get(key))
    if not added:
        return levers or TODAY_NAME
    return " and ".join(added) + (f" with {levers}" if levers else "")


__all__ = ["AXIS_FORMAT", "BEST", "HIRE_WORDS", "KPIS", "NOT_STEADY", "OVERLAP_NOTE", "PROCESS_WORDS", "SALESPERSON",
           "STANDARD_LABELS", "TIED", "TIME_USE", "TODAY_NAME", "WORD_JOINER", "WORSE", "MetricLabel",
           "describe_design", "design_label", "design_labels", "figure", "gap_size", "hires_after_label", "interval",
           "money", "move_name", "plain"]


# An explanation's objective in words: the figure after a gain ("+$40k of profit a year"), its unit, and the axis
# of the waterfall chart (a positive gain is better).
EXPLAINED_OBJECTIVES: dict[str, tuple[str, str, str]] = {
    "profit": ("of profit a year", "money", "Profit a year"),
    "lead_time": ("days of mean lead time saved", "days", "Mean lead time saved (days)"),
    "on_time": ("of on-time rate", "share", "On-time rate"),
}


def gain_words(value: float, half_width: float, objective: str) -> str:
    """"+$120k ± $40k": a gain (positive is better) and its 95 % half-width in the objective's unit."""
    unit = EXPLAINED_OBJECTIVES[objective][1]
    return f"{figure(value, unit, signed=True)} ± {interval(half_width, unit)}"


def range_words(parameter: str) -> str:
    """An input's plausible range, "0.8 to 0.95", or "" when it has none."""
    from sim.paths import plausible_range

    found = plausible_range(parameter)
    return f"{found[0]:g} to {found[1]:g}" if found else ""


CARRIED = "rests on one assumption"  # the words that mark the sentence said beside the answer


EXPLANATION_HEADER = ("What carries the gain", "Source", "Contribution (± 95 %)")


def far_fit_sentence(figures: str) -> str:
    """Beside an answer on a scenario calibrated from a back-test that was far, naming the figures it missed
    ("mean lead time and throughput"): the pages and the report say the same."""
    return (f"This scenario was calibrated to your tracker, and the model does not reproduce its record: the "
            f"back-test is far on {figures}. Read these answers with that in mind")
