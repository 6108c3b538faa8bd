"""The scenario's schema: every parameter of the model, its default, its allowed range and its meaning.

Each section is a frozen dataclass whose fields carry their bounds, help text, grade and plausible range in their
metadata (`param`); the validator (sim.validation), the app's form, share links and the documentation tables
(sim.reference) all read them from here. Also the schema's fixed tables (the standard designs, the process levers,
each mechanism's switched-off value), the rule for the names of table entries, and the nested-dict (TOML) form of a
scenario, `to_dict`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sim import dotted


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

    @property
    def measured_hours(self) -> tuple[float, float]:
        """When the measured weeks start and when the run ends, in simulated hours from its start: the warm-up is
        left out of every figure, and nothing happens after the end."""
        hours = self.firm.hours_per_week
        return self.warmup_weeks * hours, (self.warmup_weeks + self.weeks) * hours

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)


# The dataclasses of the schema's sections: a field of one of these types is a table of its own.
SECTION_TYPES = (Firm, WorkType, Demand, Behaviour, Process, Salary, Economics, OrgDesign, Scenario)


def valid_name(name: Any) -> bool:
    """Whether a table entry (a design, a work type, a skill) may have this name: 1 to 40 letters, digits, '_' or
    '-', the first a letter or a digit."""
    return isinstance(name, str) and 1 <= len(name) <= 40 and name[0].isalnum() \
        and all(c.isalnum() or c in "_-" for c in name)


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


def _nest_ranges(ranges: dict[str, tuple[float, float]]) -> dict[str, Any]:
    return dotted.unflatten({path: [low, high] for path, (low, high) in ranges.items()})
