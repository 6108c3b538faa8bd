"""The scenario: every parameter of the model, its default, its allowed range and its meaning.

Scenario files, share links and the app all speak this one schema, so it is the public contract: each field
carries its bounds and help text in its metadata, and one validator turns a nested dict (from TOML or a URL)
into a frozen Scenario or a list of problems that name the key, the value and what is allowed.
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from sim import dotted
from sim.problems import NO_VALUE, SHOWN_CHARS, Problem, ScenarioError, shown


def param(default: Any, help: str, *, min: float | None = None, max: float | None = None, **extra: Any) -> Any:
    """A dataclass field that documents itself: the help text and bounds drive validation, the app and MODEL.md."""
    meta = {"help": help, "min": min, "max": max, **extra}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: _copy(default), metadata=meta)
    return field(default=default, metadata=meta)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


@dataclass(frozen=True)
class Firm:
    engineers: int = param(12, "Engineers on the payroll today.", min=1, max=500)
    hours_per_week: float = param(40.0, "Working hours in a week; a working day is a fifth of it.", min=1, max=80)
    skills: dict[str, int] = param(
        {}, "Skill name = number of engineers with it; empty means everyone has the one skill 'general'.",
        min=0, max=500,
    )

    def resized(self, engineers: int) -> Firm:
        """The firm with `engineers` engineers, the one meaning of "engineers = N" (a link's `engineers=14`, the
        growth page's engineers lever): the skills keep today's mix, split by largest remainder, ties to the skill
        listed first; a firm without skills just changes its headcount."""
        today = sum(self.skills.values())
        if not self.skills or today == 0:
            return dataclasses.replace(self, engineers=engineers)
        exact = {name: engineers * count / today for name, count in self.skills.items()}
        split = {name: int(x) for name, x in exact.items()}
        for name in sorted(exact, key=lambda n: split[n] - exact[n])[: engineers - sum(split.values())]:
            split[name] += 1
        return dataclasses.replace(self, engineers=engineers, skills=split)


@dataclass(frozen=True)
class WorkType:
    share: float = param(1.0, "Share of requests of this type.", min=0, max=1)
    effort_hours: float = param(8.0, "Mean engineer hours to do one request of this type.", min=0.01, max=2000)
    effort_cv: float = param(1.0, "Coefficient of variation of effort; 1 is exponential, 0 is fixed.", min=0, max=4)
    deadline_days: float = param(5.0, "Working days the client asks for, from arrival to delivery.", min=0.1, max=365)
    skill: str = param("general", "Skill the request needs.")
    client_wait_share: float = param(
        0.0, "Share of requests of this type that wait on the client (an answer, an approval, their review) before "
        "they count as delivered; no engineer's hours are spent meanwhile.", min=0, max=1,
    )
    client_wait_days: float = param(
        0.0, "Mean working days a request that waits on the client waits, all its waits together.", min=0, max=365,
    )
    client_wait_cv: float = param(
        1.0, "Spread of those waits (coefficient of variation of a lognormal); 0 means every wait is the mean.",
        min=0, max=4,
    )


DEFAULT_WORK_TYPES = {"general": WorkType()}


@dataclass(frozen=True)
class Demand:
    clients: int = param(25, "Clients sending requests.", min=1, max=2000)
    requests_per_client_per_week: float = param(
        0.6, "Mean requests an average client sends per week (Poisson).", min=0.001, max=100
    )
    client_size_cv: float = param(
        0.3, "Spread of client sizes (coefficient of variation); 0 means identical clients.", min=0, max=3
    )
    growth_per_year: float = param(
        0.0, "Demand growth over a year, compounded continuously over the run (0.2 = +20 %).", min=-0.9, max=5
    )
    share_of_wallet: float = param(
        0.5, "Share of its clients' spend on this kind of work that the firm receives today (1 = it already does "
        "all of it); a client's wallet is its request rate divided by this, and good service grows the share.",
        min=0.01, max=1, grade="assumption", plausible=(0.3, 0.8),
    )
    prospects_per_year: float = param(
        6.0, "Prospects a year from the firm's own outbound effort and reputation, before referrals; each is won "
        "at the win rate.",
        min=0, max=2000, grade="assumption", plausible=(3.0, 12.0),
    )
    referrals_per_client_per_year: float = param(
        0.3, "Prospects a year that a fully satisfied client refers (a client refers in proportion to its "
        "satisfaction).",
        min=0, max=50, grade="assumption", plausible=(0.1, 0.6),
    )
    win_rate: float = param(
        0.25, "Share of prospects the firm wins as clients.", min=0, max=1, grade="rule of thumb",
        plausible=(0.2, 0.4),
    )
    client_attrition_per_year: float = param(
        0.13, "Share of clients a year who leave at neutral satisfaction (projects end, budgets move); the rate "
        "rises as satisfaction falls and drops as it rises.",
        min=0, max=5, grade="rule of thumb", plausible=(0.1, 0.2),
    )
    work_types: dict[str, WorkType] = param(DEFAULT_WORK_TYPES, "Kinds of requests; shares must sum to 1.")


@dataclass(frozen=True)
class Behaviour:
    all_mechanisms_off: bool = param(
        False,
        "Set every mechanism to its switched-off value (see MECHANISMS_OFF), whatever the file sets for it. For "
        "checks against queueing theory.",
    )
    context_switch_loss: list[float] = param(
        [0.0, 0.2, 0.4, 0.6, 0.75],
        "Share of an engineer's time lost while they have started and not finished work for 1, 2, 3, ... clients "
        "at once; the last value holds beyond; [0] switches it off.",
        min=0,
        max=0.95, grade="firm",
    )
    switch_setup_hours: float = param(
        0.25, "Hours to pick up the thread when an engineer's next piece of work is for another client than the last.",
        min=0, max=20, grade="assumption", plausible=(0.1, 0.5),
    )
    work_slice_hours: float = param(
        8.0,
        "Longest stretch an engineer works on one request before turning to more urgent waiting work (a working "
        "day); 0 means every request is done in one go.",
        # a slice of a millionth of an hour makes a million events an hour of work: shorter than a quarter hour
        # is not a way anyone works, and 0 already means "no slicing"
        min=0, max=400, zero_or_at_least=0.25, grade="assumption", plausible=(4.0, 16.0),
    )
    peer_help: bool = param(
        True, "Without a planner, an idle engineer takes a waiting request from a colleague with the same skill."
    )
    peer_help_threshold_hours: float = param(
        8.0, "How much longer (hours of waiting work) a colleague's queue must be before an idle engineer helps.",
        min=0, max=400, grade="assumption", plausible=(4.0, 16.0),
    )
    handoff_hours: float = param(
        0.5, "Hours to get to know a client's context when an engineer works for a client they do not know.",
        min=0, max=40, grade="assumption", plausible=(0.25, 1.0),
    )
    familiarity_weeks: float = param(
        8.0, "An engineer knows the clients they are the usual engineer of and those they worked for this many "
        "weeks back.", min=0, max=520, grade="assumption", plausible=(4.0, 26.0),
    )
    client_contact_hours: float = param(
        1.0, "Hours of intake and client talk per request, borne by whoever owns the client.", min=0, max=100,
        grade="assumption", plausible=(0.5, 2.0)
    )
    interruption_hours: float = param(
        0.5, "Hours of interruptions per request for the engineer who owns the client; an AM absorbs them.",
        min=0, max=100, grade="assumption", plausible=(0.25, 1.0),
    )
    clarity_without_am: float = param(
        0.7, "Probability that a request is understood right when engineers take it from the client.", min=0, max=1,
        grade="assumption", plausible=(0.55, 0.85)
    )
    clarity_with_am: float = param(
        0.9, "Probability that a request is understood right after an account manager clarified it.", min=0, max=1,
        grade="assumption", plausible=(0.8, 0.95)
    )
    rework_effort_share: float = param(
        0.5, "Extra effort, as a share of the request's effort, to redo a request built wrong; 0 switches rework off.",
        min=0, max=5, grade="assumption", plausible=(0.3, 0.8),
    )
    review_catch_rate: float = param(
        0.6, "Probability that a PM's review catches a wrong build before the client sees it.", min=0, max=1,
        grade="firm"
    )
    team_review_catch_rate: float = param(
        0.0, "Probability that the team's own review (a colleague's check, a review status) catches a wrong build "
        "before the client sees it, in every design; a PM's review catches a share of what it misses. 0 means only a "
        "PM reviews.", min=0, max=1, grade="assumption", plausible=(0.0, 0.5),
    )
    client_found_rework_factor: float = param(
        2.0, "How much more a fix costs when the client found the problem after delivery.", min=1, max=20,
        grade="assumption", plausible=(1.5, 4.0)
    )
    pm_hours_fixed: float = param(
        0.2, "Project-manager hours per request for planning and assignment, whatever its size.",
        min=0, max=100, grade="assumption", plausible=(0.1, 0.5),
    )
    pm_effort_share: float = param(
        0.04, "Project-manager hours per engineer hour of the request, for follow-up, review and status.",
        min=0, max=2, grade="assumption", plausible=(0.03, 0.1),
    )
    am_hours_fixed: float = param(
        0.3, "Account-manager hours per request for intake, clarification and negotiation, whatever its size.",
        min=0, max=100, grade="assumption", plausible=(0.25, 1.0),
    )
    am_effort_share: float = param(
        0.04, "Account-manager hours per engineer hour of the request, for updates and expectations.",
        min=0, max=2, grade="assumption", plausible=(0.02, 0.1),
    )
    skill_mismatch_factor: float = param(
        1.5, "How much slower an engineer works outside their skill; 1 switches it off.", min=1, max=10,
        grade="assumption", plausible=(1.2, 2.0)
    )
    hybrid_strength: float = param(
        0.6, "Strength of a hybrid's PM and AM effects relative to a specialist (1 = as good).", min=0, max=1,
        grade="assumption", plausible=(0.4, 0.8)
    )
    negotiation_buffer: float = param(
        1.25, "Safety factor an AM puts on the estimated completion time when negotiating a deadline.", min=1, max=5,
        grade="assumption", plausible=(1.1, 1.5)
    )
    churn: bool = param(True, "Whether a client's satisfaction sets how soon it leaves.")
    churn_sensitivity: float = param(
        3.0, "How steeply a client's rate of leaving rises as its satisfaction falls: the rate is multiplied by "
        "e^(sensitivity x (neutral - satisfaction)).",
        min=0, max=20, grade="assumption", plausible=(1.5, 5.0),
    )
    neutral_satisfaction: float = param(
        0.6, "Satisfaction at which a client keeps its share of wallet and leaves at the base rate; clients "
        "start here.",
        min=0.01, max=0.99, grade="assumption", plausible=(0.5, 0.75),
    )
    bad_experience_weight: float = param(
        2.0, "How much more a delivery worse than the client's current satisfaction moves it than a better one.",
        min=1, max=10, grade="assumption", plausible=(1.5, 3.0),
    )
    moderate_delay_share: float = param(
        0.5, "Longest delay, as a share of the time the client asked for, that being kept informed softens.",
        min=0, max=10, grade="assumption", plausible=(0.25, 1.0),
    )
    share_response: float = param(
        0.004, "Share of its room to move that a client's share of wallet moves per delivery at full (or no) "
        "satisfaction; 0 keeps every share fixed.",
        min=0, max=1, grade="soft", plausible=(0.002, 0.01),
    )
    account_growth_per_hour: float = param(
        0.002, "Share of a client's room to grow (1 - share of wallet) that one hour of account time closes, at "
        "full satisfaction; account managers, hybrids and sales spend their free hours this way.",
        min=0, max=1, grade="assumption", plausible=(0.0005, 0.005),
    )
    desk_bypass: bool = param(
        True, "A request waiting at a busy coordinator goes straight to an engineer, as without one, once it has "
        "waited the longest wait at the desk or its usual engineer is idle."
    )
    desk_bypass_hours: float = param(
        4.0, "Longest wait at a busy coordinator's desk before a request goes straight to an engineer.",
        min=0.1, max=400, grade="assumption", plausible=(1.0, 16.0),
    )
    satisfaction_memory: float = param(
        0.1, "Weight of the latest delivery in a client's satisfaction (exponential smoothing).", min=0.01, max=1,
        grade="assumption", plausible=(0.05, 0.2)
    )
    late_dissatisfaction: float = param(
        1.0, "Satisfaction lost on a late delivery (before any relief for being informed).", min=0, max=1,
        grade="assumption", plausible=(0.5, 1.0)
    )
    rework_dissatisfaction: float = param(
        0.3, "Satisfaction lost when the client found a wrong build.", min=0, max=1,
        grade="assumption", plausible=(0.15, 0.5)
    )
    informed_delay_relief: float = param(
        0.5, "Share of the lateness penalty spared when the client was kept informed of the delay.", min=0, max=1,
        grade="assumption", plausible=(0.25, 0.75)
    )
    standardised_cv_factor: float = param(
        0.7, "Effort variability kept with standardised work types and checklists (1 = no change).", min=0, max=1,
        grade="assumption", plausible=(0.5, 0.9)
    )
    standardised_rework_factor: float = param(
        0.7, "Share of wrong builds that remain with checklists (1 = no change).", min=0, max=1,
        grade="assumption", plausible=(0.5, 0.9)
    )
    standardised_overhead_hours: float = param(
        0.25, "Engineer hours per request to follow the checklist.", min=0, max=20,
        grade="assumption", plausible=(0.1, 0.5)
    )
    status_update_hours: float = param(
        0.25, "Hours per request to send clients status updates, borne by whoever owns the client.", min=0, max=20,
        grade="assumption", plausible=(0.1, 0.5)
    )
    checkin_hours_per_request: float = param(
        0.1, "Account-manager hours per request spent in AM-PM check-ins.", min=0, max=20,
        grade="assumption", plausible=(0.05, 0.25)
    )


@dataclass(frozen=True)
class Process:
    standardised_work: bool = param(False, "Standardised work types with checklists.")
    checkins: bool = param(False, "Regular AM-PM check-ins: promised deadlines follow the PMs' view of capacity.")
    status_updates: bool = param(False, "Clients get status updates, so a delay hurts satisfaction less.")


@dataclass(frozen=True)
class Salary:
    engineer: float = param(132_270.0, "Yearly salary of an engineer ($).", min=0, max=2_000_000, grade="firm")
    project_manager: float = param(
        100_750.0, "Yearly salary of a project manager ($).", min=0, max=2_000_000,
        grade="firm",
    )
    account_manager: float = param(
        95_000.0, "Yearly salary of an account manager ($).", min=0, max=2_000_000,
        grade="assumption", plausible=(80000.0, 110000.0),
    )
    hybrid: float = param(
        115_000.0, "Yearly salary of a hybrid PM/AM ($).", min=0, max=2_000_000,
        grade="assumption", plausible=(100000.0, 130000.0),
    )
    sales: float = param(
        110_000.0, "Yearly salary of a full-time salesperson ($).", min=0, max=2_000_000,
        grade="assumption", plausible=(90000.0, 130000.0),
    )


@dataclass(frozen=True)
class Economics:
    bill_rate: float = param(200.0, "Dollars billed per billable engineer hour.", min=0, max=5000, grade="soft")
    overhead_factor: float = param(
        1.4, "What a salary costs the firm, as a multiple of the salary (benefits and payroll taxes).",
        min=1, max=3, grade="firm",
    )
    late_discount: float = param(
        0.1, "Share of a late request's bill given back to the client.", min=0, max=1,
        grade="assumption", plausible=(0.0, 0.2),
    )
    salary: Salary = field(default_factory=Salary, metadata={"help": "Yearly salaries."})


PROCESS_KEYS = tuple(f.name for f in dataclasses.fields(Process))

# Each mechanism's switched-off value. With all of them (and one skill, exponential effort, identical clients) the
# model's special cases are textbook queues: `pm` is M/M/c and `none` is c x M/M/1 (MODEL.md, Validation).
MECHANISMS_OFF: dict[str, Any] = {
    "context_switch_loss": [0.0], "switch_setup_hours": 0.0, "work_slice_hours": 0.0, "peer_help": False,
    "handoff_hours": 0.0, "client_contact_hours": 0.0, "interruption_hours": 0.0, "rework_effort_share": 0.0,
    "pm_hours_fixed": 0.0, "pm_effort_share": 0.0, "am_hours_fixed": 0.0, "am_effort_share": 0.0,
    "skill_mismatch_factor": 1.0, "churn": False, "share_response": 0.0, "account_growth_per_hour": 0.0,
    "desk_bypass": False,
}
# Mechanisms outside [behaviour] that `all_mechanisms_off` also switches off.
MECHANISMS_OFF_ELSEWHERE: dict[str, dict[str, Any]] = {
    "demand": {"prospects_per_year": 0.0, "referrals_per_client_per_year": 0.0, "client_attrition_per_year": 0.0},
}


@dataclass(frozen=True)
class OrgDesign:
    project_managers: int = param(0, "Project managers in this design.", min=0, max=50)
    account_managers: int = param(0, "Account managers in this design.", min=0, max=50)
    hybrids: int = param(0, "Hybrid PM/AMs in this design.", min=0, max=50)
    sales_share: float = param(
        0.0, "Salesperson time spent growing accounts, in people (1 = one full-time salesperson).", min=0, max=5
    )
    extra_engineers: int = param(0, "Engineers hired on top of today's team.", min=0, max=500)
    standardised_work: bool | None = param(None, "Overrides [process] standardised_work for this design.")
    checkins: bool | None = param(None, "Overrides [process] checkins for this design.")
    status_updates: bool | None = param(None, "Overrides [process] status_updates for this design.")
    label: str = param(
        "", "Name shown in the app and report; empty means words from its name or hires (sim/wording.py)."
    )
    removed: bool | None = param(
        None, "true leaves this design out of the scenario: how a file or a link drops one of the standard designs, "
        "which every scenario has otherwise."
    )

    def process(self, base: Process) -> Process:
        """The process levers in force for this design: its own overrides on top of the scenario's."""
        overrides = {k: getattr(self, k) for k in PROCESS_KEYS if getattr(self, k) is not None}
        return dataclasses.replace(base, **overrides)


STANDARD_DESIGNS: dict[str, dict[str, Any]] = {
    "none": {},
    "pm": {"project_managers": 1},
    "am": {"account_managers": 1},
    "hybrid": {"hybrids": 1},
    "both": {"project_managers": 1, "account_managers": 1},
}


@dataclass(frozen=True)
class Scenario:
    name: str = param("Unnamed scenario", "Short name shown in the app.")
    description: str = param("", "What this scenario is about.")
    seed: int = param(42, "Seed of every random stream; same seed, same numbers.", min=0, max=2**32 - 1)
    weeks: int = param(52, "Weeks measured after the warm-up.", min=1, max=520)
    warmup_weeks: int = param(4, "Weeks simulated first and left out of the results.", min=0, max=104)
    replications: int = param(5, "Independent runs per design; intervals come from their spread. A comparison "
                              "starts with this many and adds as many again until its answer is clear.",
                              min=2, max=1000)
    max_replications: int = param(30, "Most replications per design a comparison adds up to when its best design "
                                  "is not yet clear (at or below replications: exactly replications).",
                                  min=2, max=1000)
    firm: Firm = field(default_factory=Firm, metadata={"help": "The team today."})
    demand: Demand = field(default_factory=Demand, metadata={"help": "Clients and their requests."})
    behaviour: Behaviour = field(default_factory=Behaviour, metadata={"help": "Mechanisms and their strengths."})
    process: Process = field(default_factory=Process, metadata={"help": "Process levers of the whole firm."})
    economics: Economics = field(default_factory=Economics, metadata={"help": "Money."})
    designs: dict[str, OrgDesign] = param(
        {name: OrgDesign(**v) for name, v in STANDARD_DESIGNS.items()}, "Org designs compared, by name."
    )
    uncertainty: dict[str, tuple[float, float]] | None = param(
        None, "Uncertain inputs: dotted path of a numeric parameter = [low, high]; unset means the model's "
        "default ranges (MODEL.md, Default ranges).", ranges=True,
    )

    @property
    def skills(self) -> dict[str, int]:
        """Engineers per skill, with the one-skill default filled in."""
        return dict(self.firm.skills) if self.firm.skills else {"general": self.firm.engineers}

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------------------------------------------------------
# Validation: nested dict -> dataclass, collecting every problem with its dotted key.

_SECTION_TYPES = (Firm, WorkType, Demand, Behaviour, Process, Salary, Economics, OrgDesign, Scenario)


def _describe(meta: dict[str, Any], kind: str) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    least = meta.get("zero_or_at_least")
    if least is not None and hi is not None:
        return f"0 (off) or {kind} from {_fmt(least)} to {_fmt(hi)}"
    if lo is not None and hi is not None:
        return f"{kind} from {_fmt(lo)} to {_fmt(hi)}"
    return kind


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# Limits on what a file, a link or an upload can ask of the validator, so a hostile one costs nothing: every table
# of named entries (designs, work types, skills, and any table added later) holds at most MAX_TABLE_ENTRIES, a
# value is echoed in a message as at most SHOWN_CHARS characters, and a scenario file is at most MAX_FILE_BYTES.
MAX_TABLE_ENTRIES = 50
MAX_LIST_ITEMS = 50
MAX_TEXT_CHARS = 2000
# Names and labels reach the CSV exports (a design's code in every row, its label in the growth sweep), and a
# spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV injection"): names start with a
# letter or a digit, and no text starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_MESSAGE = "must not start with =, +, -, @, a tab or a carriage return: a spreadsheet would run it as a formula"
MAX_FILE_BYTES = 1_000_000
MAX_UNKNOWN_SHOWN = 5

def short(name: Any) -> str:
    """A name (a key, a word of a link) as a message shows it: as written, cut to SHOWN_CHARS characters."""
    text = name if isinstance(name, str) else shown(name)
    return text if len(text) <= SHOWN_CHARS + 5 else f"{text[:SHOWN_CHARS]}..."


def _check_number(value: Any, kind: type, meta: dict, key: str, problems: list[Problem]) -> Any:
    word = "a whole number" if kind is int else "a number"
    path = key.partition("[")[0]  # an item of a list is a problem of the list's input
    subject = key if path != key else None
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int and ok_type and isinstance(value, float) and value.is_integer():
        value = int(value)
    not_finite = isinstance(value, float) and not math.isfinite(value)
    if not ok_type or (kind is int and not isinstance(value, int)) or not_finite:
        problems.append(Problem(path, value, f"must be {_describe(meta, word)}", subject))
        return None
    lo, hi = meta.get("min"), meta.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi) or _below_least(value, meta):
        problems.append(Problem(path, value, f"must be {_describe(meta, word)}", subject))
        return None
    return kind(value)


def _below_least(value: float, meta: Mapping[str, Any]) -> bool:
    """A value between 0 (off) and the least that makes sense (`zero_or_at_least`)."""
    least = meta.get("zero_or_at_least")
    return least is not None and 0 < value < least


def _check_value(value: Any, hint: Any, meta: dict, key: str, problems: list[Problem]) -> Any:
    origin = typing.get_origin(hint)
    if meta.get("ranges"):
        return _check_ranges(value, key, problems)
    if hint in _SECTION_TYPES:
        return _build(hint, value, key, problems)
    if origin in (types.UnionType, typing.Union):  # `bool | None`: a design's optional override
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _check_value(value, inner, meta, key, problems)
    if hint is bool:
        if not isinstance(value, bool):
            problems.append(Problem(key, value, "must be true or false"))
            return None
        return value
    if hint in (int, float):
        return _check_number(value, hint, meta, key, problems)
    if hint is str:
        if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
            problems.append(Problem(key, value, f"must be text of at most {MAX_TEXT_CHARS} characters"))
            return None
        if value.startswith(FORMULA_STARTS):
            problems.append(Problem(key, value, FORMULA_MESSAGE))
            return None
        return value
    if origin is list:
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST_ITEMS:
            problems.append(Problem(key, value, f"must be a list of 1 to {MAX_LIST_ITEMS} numbers"))
            return None
        items = [_check_number(v, float, meta, f"{key}[{i}]", problems) for i, v in enumerate(value)]
        return None if None in items else items
    if origin is dict:
        _, value_type = typing.get_args(hint)
        if not isinstance(value, dict):
            problems.append(Problem(key, value, "must be a table of name = value"))
            return None
        if len(value) > MAX_TABLE_ENTRIES:
            problems.append(Problem(key, NO_VALUE,
                                    f"{len(value):,} entries; a table holds at most {MAX_TABLE_ENTRIES}"))
            return None
        out = {}
        for name, item in value.items():
            if not _valid_name(name):
                problems.append(Problem(f"{key}.{short(name)}", NO_VALUE,
                                        "names must be 1 to 40 letters, digits, '_' or '-', the first a letter "
                                        "or a digit (a spreadsheet reads a cell starting with '-' as a formula)"))
                continue
            out[name] = _check_value(item, value_type, meta, f"{key}.{name}", problems)
        return out
    raise TypeError(f"unsupported field type {hint!r}")  # a programming error, not user input


# ---------------------------------------------------------------------------------------------------------------
# Uncertainty: ranges of numeric parameters, keyed by dotted path.

UNCERTAIN_SECTIONS = ("firm", "demand", "behaviour", "process", "economics", "designs")  # not the experiment settings
UNCERTAIN_GRADES = ("assumption", "soft")  # the grades whose `plausible` range is a default range


def numeric_field(path: str) -> tuple[type, dict[str, Any]] | None:
    """(int or float, metadata) of the single number at a dotted path of the schema, or None when the path names
    no number. Table entries (designs, work types, skills) take any name: whether the scenario has it is checked
    against the scenario itself."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] not in UNCERTAIN_SECTIONS or not all(map(_valid_name, parts)):
        return None
    found = dotted.field_at(path, Scenario)
    return (found.hint, dict(found.meta)) if found is not None and found.hint in (int, float) else None


def _check_ranges(value: Any, key: str, problems: list[Problem]) -> dict[str, tuple[float, float]] | None:
    if not isinstance(value, dict):
        problems.append(Problem(key, value, "must be a table of parameter = [low, high]"))
        return None
    flat = dotted.flatten(value)  # `behaviour.x = [..]` (unquoted, nested tables) and `"behaviour.x" = [..]` alike
    if len(flat) > MAX_TABLE_ENTRIES:
        problems.append(Problem(key, NO_VALUE, f"{len(flat):,} entries; a table holds at most {MAX_TABLE_ENTRIES}"))
        return None
    out: dict[str, tuple[float, float]] = {}
    ok = True
    for path, pair in flat.items():
        if pair == {}:  # a section whose every range was removed (an override of None) names no range
            continue
        where = f"{key}.{short(path)}"
        found = numeric_field(path)
        if found is None:
            problems.append(Problem(where, NO_VALUE, "not a numeric parameter; name one by its dotted path, e.g. "
                                    "behaviour.clarity_without_am (MODEL.md, Default ranges, lists the usual ones)"))
            ok = False
            continue
        kind, meta = found
        good = (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in pair))
        if not good:
            problems.append(Problem(where, pair, "must be [low, high], two numbers"))
            ok = False
            continue
        low, high = (float(x) for x in pair)
        lo, hi = meta.get("min"), meta.get("max")
        if low > high:
            problems.append(Problem(where, pair, "low must not be above high"))
            ok = False
        elif (lo is not None and low < lo) or (hi is not None and high > hi) or _below_least(low, meta):
            word = "whole numbers" if kind is int else "numbers"
            problems.append(Problem(where, pair, f"must lie within the parameter's allowed range, "
                                    f"{_describe(meta, word)}"))
            ok = False
        else:
            out[path] = (low, high)
    return out if ok else None


def value_at(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path; KeyError when a named entry (design, work type, skill) is missing."""
    node: Any = scenario
    for part in path.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif dataclasses.is_dataclass(node) and part in {f.name for f in dataclasses.fields(node)}:
            node = getattr(node, part)
        else:
            raise KeyError(path)
    return node


def default_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The model's default ranges: each field graded assumption or soft with a `plausible` range, widened to hold
    the scenario's own value (a range the value lies outside of would not describe this scenario)."""
    out: dict[str, tuple[float, float]] = {}
    # the sections' own fields: no entry of a table (a design, a work type) has a default range
    for f in dotted.walk(Scenario):
        if f.path.split(".")[0] not in UNCERTAIN_SECTIONS or dotted.ANY_NAME in f.path.split("."):
            continue
        if f.meta.get("grade") in UNCERTAIN_GRADES and f.meta.get("plausible") is not None:
            value = value_at(scenario, f.path)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            low, high = (float(x) for x in f.meta["plausible"])
            out[f.path] = (min(low, float(value)), max(high, float(value)))
    return out


def uncertain_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The ranges the robustness analysis uses: the scenario's [uncertainty] table, or the default ranges."""
    return dict(scenario.uncertainty) if scenario.uncertainty is not None else default_ranges(scenario)


def _valid_name(name: Any) -> bool:
    return isinstance(name, str) and 1 <= len(name) <= 40 and name[0].isalnum() \
        and all(c.isalnum() or c in "_-" for c in name)


def _build(cls: type, data: Any, path: str, problems: list[Problem]) -> Any:
    where = path or "the scenario"
    if not isinstance(data, dict):
        problems.append(Problem(path, data, "must be a table", subject=where))
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields), key=str)
    if unknown:
        problems.append(_unknown_keys(path, unknown, fields))
    values = {}
    for name, value in data.items():
        if name in fields:
            values[name] = _check_value(value, hints[name], dict(fields[name].metadata), _join(path, name), problems)
    if any(v is None and typing.get_origin(hints[k]) not in (types.UnionType, typing.Union) for k, v in values.items()):
        return None
    return cls(**values)


def _unknown_keys(path: str, unknown: list[Any], fields: Collection[str]) -> Problem:
    """One problem for all the unknown keys of a table: each named once (the first few), the allowed keys once."""
    names = [short(k) for k in unknown]
    allowed = f"allowed keys here are {', '.join(fields)}"
    if len(names) == 1:
        return Problem(_join(path, names[0]), NO_VALUE, f"unknown key; {allowed}")
    more = f" and {len(names) - MAX_UNKNOWN_SHOWN:,} more" if len(names) > MAX_UNKNOWN_SHOWN else ""
    listed = ", ".join(_join(path, n) for n in names[:MAX_UNKNOWN_SHOWN])
    return Problem(path, NO_VALUE, f"unknown keys; {allowed}", subject=f"{listed}{more}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else str(name)


# The problem of work-type shares that do not sum to 1: about every share at once, so about no single key.
SHARES_PATH = "demand.work_types.*.share"


def _check_consistency(s: Scenario, problems: list[Problem]) -> None:
    """Rules that span several keys."""
    if s.firm.skills and sum(s.firm.skills.values()) != s.firm.engineers:
        problems.append(Problem(
            "firm.skills", NO_VALUE, f"the engineers per skill must add up to firm.engineers "
            f"({s.firm.engineers}); they add up to {sum(s.firm.skills.values())}",
            subject=f"firm.skills = {s.firm.skills}",
        ))
    if not s.demand.work_types:
        problems.append(Problem("demand.work_types", NO_VALUE, "at least one work type is needed"))
    total = sum(w.share for w in s.demand.work_types.values())
    if s.demand.work_types and abs(total - 1) > 1e-6:
        # enough digits that a sum just off 1 (1.000001) never reads as "1"
        shares = ", ".join(f"{n} = {w.share:.12g}" for n, w in s.demand.work_types.items())
        problems.append(Problem(SHARES_PATH, NO_VALUE, f"shares must sum to 1; they sum to {total:.12g}",
                                subject=f"{SHARES_PATH} ({shares})"))
    skills = s.skills
    for name, wt in s.demand.work_types.items():
        if skills.get(wt.skill, 0) < 1:
            have = ", ".join(n for n, c in skills.items() if c > 0)
            problems.append(Problem(f"demand.work_types.{name}.skill", wt.skill,
                                    f"no engineer has this skill; skills with engineers: {have}"))
    if not s.designs:
        problems.append(Problem("designs", NO_VALUE, "at least one org design is needed"))
    for path in s.uncertainty or {}:
        try:
            value_at(s, path)
        except KeyError:
            problems.append(Problem(f"uncertainty.{path}", NO_VALUE, "the scenario has no such entry; name a "
                                    "design, work type or skill it has"))
    expected = expected_requests(s)
    if expected > MAX_REQUESTS_PER_RUN:
        problems.append(Problem(
            "demand", NO_VALUE, f"about {expected:,.0f} requests per run (clients x requests_per_client_per_week over "
            f"warmup_weeks + weeks, with growth); at most {MAX_REQUESTS_PER_RUN:,} are allowed: "
            "shorten the run or lower the demand"
        ))


MAX_REQUESTS_PER_RUN = 1_000_000  # about 20 s of simulation per replication: beyond this a run is a mistake


def expected_requests(s: Scenario) -> float:
    """Mean number of client requests in one run: the integral of the growing arrival rate over the horizon."""
    weeks = s.warmup_weeks + s.weeks
    per_week = s.demand.clients * s.demand.requests_per_client_per_week
    years = weeks / 52
    log_growth = math.log1p(s.demand.growth_per_year)
    if abs(log_growth) < 1e-12:
        today = per_week * weeks
    else:
        today = per_week * 52 * (math.exp(log_growth * years) - 1) / log_growth
    return today  # won clients only replace those gone, so the count never exceeds demand.clients


# Keys of earlier versions, read as their new equivalents so old files and links still open: old dotted path ->
# (new path, values the new keys need to keep the old meaning).
LEGACY_KEYS: dict[str, tuple[str, dict[str, Any]]] = {
    "behaviour.pm_hours_per_request": ("behaviour.pm_hours_fixed", {"behaviour.pm_effort_share": 0.0}),
    "behaviour.am_hours_per_request": ("behaviour.am_hours_fixed", {"behaviour.am_effort_share": 0.0}),
}


# Keys of model v2 that model v3 retired, with what replaces them: old files and links still open, and the note
# says why the value is no longer read.
RETIRED_KEYS: dict[str, str] = {
    "behaviour.upsell": "accounts now grow through account time (behaviour.account_growth_per_hour)",
    "behaviour.upsell_per_delivery": "accounts now grow through account time (behaviour.account_growth_per_hour)",
    "behaviour.sales_upsells_per_week": "a salesperson now spends account time (behaviour.account_growth_per_hour)",
    "behaviour.am_new_client_boost": "new clients now come from referrals by satisfied clients "
                                     "(demand.referrals_per_client_per_year) and outbound prospects",
    "behaviour.churn_threshold": "clients now leave at a rate set by their satisfaction "
                                 "(behaviour.churn_sensitivity)",
    "demand.new_clients_per_year": "new clients now come through a pipeline (demand.prospects_per_year, "
                                   "demand.win_rate and referrals)",
}


def retired_note(path: str) -> str:
    return f"{path} is no longer used and was left out: {RETIRED_KEYS[path]}"


def upgrade_legacy_keys(data: dict[str, Any]) -> list[str]:
    """Rewrite, in place, keys of earlier versions to their new equivalents, and drop retired ones; one note per
    key rewritten or dropped.

    A key set explicitly under its new name wins over the old one."""
    notes = []
    for path in RETIRED_KEYS:
        table_name, name = path.rsplit(".", 1)
        table = data.get(table_name)
        if isinstance(table, dict) and name in table:
            data[table_name] = {k: v for k, v in table.items() if k != name}
            notes.append(retired_note(path))
    uncertainty = data.get("uncertainty")
    if isinstance(uncertainty, dict):
        flat_retired = [p for p in RETIRED_KEYS if p in uncertainty]
        nested = [p for p in RETIRED_KEYS if isinstance(uncertainty.get(p.split(".")[0]), dict)
                  and p.split(".")[1] in uncertainty[p.split(".")[0]]]
        if flat_retired or nested:
            trimmed = {k: v for k, v in uncertainty.items() if k not in flat_retired}
            for p in nested:
                table_name, name = p.split(".")
                trimmed[table_name] = {k: v for k, v in trimmed[table_name].items() if k != name}
            data["uncertainty"] = trimmed
            notes.extend(f"uncertainty.{p}: {retired_note(p)}" for p in flat_retired + nested)
    for old, (new, keeps_meaning) in LEGACY_KEYS.items():
        old_table, old_name = old.rsplit(".", 1)
        table = data.get(old_table)
        if not isinstance(table, dict) or old_name not in table:
            continue
        table = data[old_table] = dict(table)
        value = table.pop(old_name)
        settings = {new: value, **keeps_meaning}
        for path in settings:
            table.setdefault(path.rsplit(".", 1)[1], settings[path])
        kept = ", ".join(f"{p} = {v!r}" for p, v in keeps_meaning.items())
        notes.append(f"{old} was renamed: read as {new} = {value!r} with {kept}, which keeps its old meaning")
    return notes


def _switch_mechanisms_off(data: dict[str, Any]) -> None:
    """`all_mechanisms_off`: every mechanism at its switched-off value, over whatever the file sets: a downloaded
    scenario lists every key, and the switch must still mean what it says."""
    behaviour = data.get("behaviour")
    if not (isinstance(behaviour, dict) and behaviour.get("all_mechanisms_off") is True):
        return
    data["behaviour"] = {**behaviour, **MECHANISMS_OFF}
    for table, values in MECHANISMS_OFF_ELSEWHERE.items():
        current = data.get(table, {})
        if isinstance(current, dict):
            data[table] = {**current, **values}


MAX_DEPTH = 8  # the deepest real value is 6 down: uncertainty.demand.work_types.NAME.share = [low, high]


def _too_deep(data: Any) -> str | None:
    """The first path nested more than MAX_DEPTH deep, found without recursion, so that the recursive code after it
    (validation, flattening, copying) never meets a structure that would exhaust Python's stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return short(path)
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in items)
    return None


def from_dict(data: dict[str, Any], notes: list[str] | None = None) -> Scenario:
    """Validate a nested dict (the TOML layout) on top of the defaults; raise ScenarioError listing every problem.

    Keys of earlier versions are read as their new equivalents; what was rewritten goes to `notes` if given."""
    if (deep := _too_deep(data)) is not None:
        raise ScenarioError([f"{deep}: tables or lists nested more than {MAX_DEPTH} deep; no value of a scenario "
                             "is nested that deep"])
    data = dict(data)
    rewritten = upgrade_legacy_keys(data)
    if notes is not None:
        notes.extend(rewritten)
    _switch_mechanisms_off(data)
    designs = data.get("designs")
    if isinstance(designs, dict):  # a file adds to or changes the standard designs rather than replacing them
        merged: dict[str, Any] = {k: dict(v) for k, v in STANDARD_DESIGNS.items()}
        for name, design in designs.items():
            merged[name] = {**merged.get(name, {}), **design} if isinstance(design, dict) else design
        data["designs"] = merged
    problems: list[Problem] = []
    scenario = _build(Scenario, data, "", problems)
    if scenario is not None and not problems and any(d.removed for d in scenario.designs.values()):
        scenario = dataclasses.replace(scenario, designs={n: d for n, d in scenario.designs.items() if not d.removed})
    if scenario is not None and not problems:
        _check_consistency(scenario, problems)
    if problems:
        raise ScenarioError(problems)
    return scenario


def switched_on(scenario: Scenario, **behaviour: Any) -> Scenario:
    """The scenario with these `[behaviour]` keys set on top of everything it has: how a check against theory
    switches one mechanism back on after `all_mechanisms_off` (which wins over any key in its own table)."""
    data = to_dict(scenario)
    data["behaviour"] = {**data["behaviour"], **behaviour, "all_mechanisms_off": False}
    return from_dict(data)


def to_dict(obj: Any) -> Any:
    """The nested-dict (TOML) form; design overrides left unset are omitted since TOML has no null. Ranges nest
    by their dotted path, as every other value does (`{"uncertainty": {"behaviour": {"x": [lo, hi]}}}`), so
    overrides and links address them like any other path; `dumps` writes them back as quoted dotted keys."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is not None:
                out[f.name] = _nest_ranges(value) if f.metadata.get("ranges") else to_dict(value)
        if isinstance(obj, Scenario):  # a standard design left out is written as removed, or reading adds it back
            for name in STANDARD_DESIGNS.keys() - obj.designs.keys():
                out["designs"][name] = {**to_dict(OrgDesign(**STANDARD_DESIGNS[name])), "removed": True}
        return out
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return list(obj)
    return obj


def read_file(path: str | Path) -> bytes:
    """A scenario file's bytes, at most MAX_FILE_BYTES of them: a folder, an unreadable file or an endless one
    (/dev/zero) is a ScenarioError naming the file, never a hang or a traceback."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ScenarioError([f"{path}: is a folder; give a scenario file (TOML), e.g. scenarios/default.toml"])
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from None
    check_size(len(data), str(path))
    return data


def check_size(size: int, source: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError([f"{source}: over {MAX_FILE_BYTES:,} bytes; a scenario file has at most "
                             f"{MAX_FILE_BYTES:,} (the presets are about 2,000)"])


def decode(data: bytes, source: str) -> str:
    """The text of a scenario file: UTF-8, with or without a byte-order mark. Anything else (UTF-16, Latin-1, a
    binary file) is a ScenarioError that says how to fix it."""
    check_size(len(data), source)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScenarioError([f"{source}: not a text file in UTF-8 (it is UTF-16 or UTF-32); save it as UTF-8"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{source}: not a text file in UTF-8 (byte 0x{data[exc.start]:02x} at position "
                             f"{exc.start:,}); a scenario file is TOML saved as UTF-8"]) from None
    if "\x00" in text:
        raise ScenarioError([f"{source}: not a text file (it holds NUL bytes); a scenario file is TOML saved as UTF-8"])
    return text


def load_scenario(path: str | Path, notes: list[str] | None = None) -> Scenario:
    """Read and validate a scenario file; problems come back as ScenarioError naming the file."""
    return loads(decode(read_file(path), str(path)), source=str(path), notes=notes)


def loads(text: str, source: str = "scenario", notes: list[str] | None = None) -> Scenario:
    """Parse and validate TOML text. What TOML's parser raises besides its own error (an integer over Python's
    4,300-digit limit, arrays or tables nested hundreds deep) is a ScenarioError too."""
    check_size(len(text), source)
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{source}: not valid TOML ({exc})"]) from None
    except RecursionError:
        raise ScenarioError([f"{source}: not a scenario file (arrays or tables nested too deep)"]) from None
    except ValueError:  # int(...) of a number with over 4,300 digits
        raise ScenarioError([f"{source}: not a scenario file (a whole number over 4,300 digits long; no value of a "
                             "scenario has more than 10)"]) from None
    return from_dict(data, notes)


def _nest_ranges(ranges: dict[str, tuple[float, float]]) -> dict[str, Any]:
    return dotted.unflatten({path: [low, high] for path, (low, high) in ranges.items()})


def dumps(scenario: Scenario) -> str:
    """The scenario as a TOML file in the same format as scenarios/*.toml; ranges as `"behaviour.x" = [lo, hi]`,
    one line each, as a person writes them."""
    data = to_dict(scenario)
    ranges = data.pop("uncertainty", None)
    text = tomli_w.dumps(data)
    if ranges is None:
        return text
    lines = [f'"{path}" = [{_toml_number(low)}, {_toml_number(high)}]'
             for path, (low, high) in (scenario.uncertainty or {}).items()]
    return text + "\n[uncertainty]\n" + "".join(f"{line}\n" for line in lines)


def _toml_number(x: float) -> str:
    return repr(float(x))
