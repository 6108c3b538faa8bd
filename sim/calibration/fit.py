"""Fitting a scenario to an export's tickets, and the firm's own record (`observed`) in the model's units.

Times become working-day positions: business days (Monday to Friday) counted from a fixed Monday, plus the share
of the office day (from 9:00, `hours_per_week / 5` hours long) already gone; before opening counts as the start of
the day, after closing as its end. So a ticket created at 16:00 and resolved at 10:00 the next working day took a
quarter of a working day, as the model's clock (working hours only) counts it. A due date without a time of day
gives the whole working days from the creation date to it as the deadline, and a ticket resolved by the end of
that day is on time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim import paths
from sim.calibration.formats import COMMAND_LINE, FIVE_DAYS, Controls, Export
from sim.calibration.rounds import MIN_ROUNDS, fit_rework, rounds
from sim.scenario import Scenario, WorkType, from_dict
from sim.stats import t_half_width
from sim.wording import fitted_words

OFFICE_OPENS_HOUR = 9.0
EPOCH = np.datetime64("2000-01-03")  # a Monday
DAYS_PER_WEEK = 5
WEEKS_PER_YEAR = 52
GROWTH_CONFIDENCE = 0.95
MAX_TYPES = 12  # more ticket types than this are mostly rare ones: the rest go into one type "other"
# A type whose effort comes from fewer tickets than this is said to be rough: with effort as varied as tickets are
# (a coefficient of variation about 1), the mean of 10 is within about 70 % of the true mean, 95 times in 100.
FEW_TICKETS = 10
OTHER_TYPES = "Other ticket types"  # that type in words


def working_days(times: pd.Series, hours_per_day: float, weekmask: str = FIVE_DAYS) -> np.ndarray:
    """Working-day position of each time (NaN for NaT): the team's working days since EPOCH plus the office day's
    share, in the model's days (a fifth of a working week), so a team that works `weekmask`'s days keeps its
    weekends and its weeks stay weeks."""
    values = pd.to_datetime(times)
    valid = values.notna().to_numpy()
    out = np.full(len(values), np.nan)
    if not valid.any():
        return out
    ts = values[valid]
    day = ts.dt.normalize().to_numpy().astype("datetime64[D]")
    hours = (ts - ts.dt.normalize()).dt.total_seconds().to_numpy() / 3600.0
    business = np.is_busday(day, weekmask=weekmask)
    whole = np.busday_count(EPOCH, day, weekmask=weekmask).astype(float)  # a day off counts as the next one's start
    share = np.clip((hours - OFFICE_OPENS_HOUR) / hours_per_day, 0.0, 1.0)
    share = np.where(business, share, 0.0)
    out[valid] = (whole + share) * model_days_per_day(weekmask)
    return out


def model_days_per_day(weekmask: str) -> float:
    """How many of the model's days (a fifth of its working week) one of the team's working days is."""
    return DAYS_PER_WEEK / weekmask.count("1")


def asked_days(created: pd.Series, due: pd.Series, hours_per_day: float, weekmask: str = FIVE_DAYS) -> np.ndarray:
    """Working days the client gave: from creation to the due time when the due date has one, else whole working
    days from the creation date to the due date (a ticket opened on Monday and due on Thursday was given 3), as a
    tracker's date-only due date is set by counting days on the calendar."""
    out = working_days(due, hours_per_day, weekmask) - working_days(created, hours_per_day, weekmask)
    date_only = (due == due.dt.normalize()).to_numpy() & due.notna().to_numpy()
    if date_only.any():
        start = created[date_only].dt.normalize().to_numpy().astype("datetime64[D]")
        end = due[date_only].to_numpy().astype("datetime64[D]")
        start = np.busday_offset(start, 0, roll="forward", weekmask=weekmask)  # opened on a day off: the next
        out[date_only] = np.busday_count(start, end, weekmask=weekmask) * model_days_per_day(weekmask)
    return out


def on_time(resolved: pd.Series, due: pd.Series) -> pd.Series:
    """Resolved on or before the due date: by the due time when it has one, else by the end of the due day (so a
    ticket closed on the Saturday after a Friday due date is late, though no working time passed)."""
    date_only = due == due.dt.normalize()
    return resolved.where(~date_only, resolved.dt.normalize()) <= due


def slug(name: str) -> str:
    """A work type's name from a ticket type: lower case, every run of other characters one '_'."""
    text = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")[:40]
    return text or "general"


@dataclass(frozen=True)
class Note:
    """A value fitted from the export: the scenario key it sets and its value (what files and JSON name), and where
    it came from in words; `subject` is what it belongs to in words (a ticket type as the export writes it). The
    words are made at the surfaces, so people never read the key."""

    path: str
    value: float
    reason: str  # words, with the file's own columns and values quoted
    subject: str = ""

    @property
    def code(self) -> str:
        """'demand.clients = 20: the distinct clients in 'Organizations'.', for JSON."""
        return f"{self.path} = {self.value:g}: {self.reason}."

    @property
    def words(self) -> str:
        """'Clients: 20, the distinct clients in 'Organizations'.', for the page and the command line's comments."""
        return fitted_words(self.path, self.value, self.reason, self.subject)


@dataclass
class Fit:
    """The fitted scenario, the firm's record, what each fitted value came from, and what could not be fitted."""

    scenario: Scenario
    observed: dict[str, float]
    notes: list[Note] = field(default_factory=list)  # what was fitted and from what
    warnings: list[str] = field(default_factory=list)
    lead_days: np.ndarray = field(default_factory=lambda: np.zeros(0))  # of each resolved ticket
    weekly_arrivals: np.ndarray = field(default_factory=lambda: np.zeros(0))  # tickets created per week


def _cv(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1) / np.mean(values)) if values.size > 1 and np.mean(values) > 0 else 0.0


def _round(x: float, digits: int = 3) -> float:
    """Fitted values to `digits` significant figures: what the data can tell, and short in a link."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits}g}")


# Each value the fit may have to clip to its schema bound, in words: what the export gives ("{value}" is the
# measured value), and what the clipped value does to the model's answers when the measured value lies above the
# bound and when below, so that the reader knows which way the answers lean.
CLIPPED: dict[str, tuple[str, str, str]] = {
    "requests_per_client_per_week": (
        "{value} requests per client a week",
        "demand is understated: the model's firm is less busy than yours, and its lead times and on-time rate look "
        "better than your record",
        "demand is overstated: the model's firm is busier than yours, and its lead times and on-time rate look "
        "worse than your record"),
    "client_size_cv": (
        "a spread of client sizes of {value}",
        "the model's clients are more alike than yours, and the load of your largest clients is understated",
        "the model's clients differ more than yours, and the load of your largest clients is overstated"),
    "growth_per_year": (
        "demand growth of {value} a year",
        "growth is understated: the model's demand grows more slowly than yours, and later weeks look easier than "
        "they will be",
        "the decline is understated: the model's demand falls more slowly than yours, and later weeks look busier "
        "than they will be"),
    "effort_hours": (
        "a mean effort of {value} hours a ticket",
        "effort is understated: the model's work is lighter than yours, and its lead times look shorter than your "
        "record",
        "effort is overstated: the model's work is heavier than yours, and its lead times look longer than your "
        "record"),
    "effort_cv": (
        "an effort variability of {value}",
        "effort varies less in the model than in the export, and the waits behind very large tickets are "
        "understated",
        "effort varies more in the model than in the export, and the waits behind very large tickets are "
        "overstated"),
    "deadline_days": (
        "a median deadline of {value} working days",
        "the model's deadlines are shorter than yours, and its on-time rate looks worse than your record",
        "the model's deadlines are longer than yours, and its on-time rate looks better than your record"),
    "client_wait_share": (
        "a share of {value} of tickets waiting on the client",
        "the model's clients keep it waiting less often than yours, and its lead times look shorter than your record",
        "the model's clients keep it waiting more often than yours, and its lead times look longer than your record"),
    "client_wait_days": (
        "a mean wait on the client of {value} working days",
        "the model's waits on the client are shorter than yours, and its lead times look shorter than your record",
        "the model's waits on the client are longer than yours, and its lead times look longer than your record"),
    "client_wait_cv": (
        "a spread of waits on the client of {value}",
        "the model's waits vary less than yours, and its longest lead times are understated",
        "the model's waits vary more than yours, and its longest lead times are overstated"),
}
# Without due dates, a type's deadline is the lead time (waits on the client aside) within which this share of its
# resolved tickets were done: the service level expectation flow-analytics tools set at the 85th percentile of the
# team's own cycle times. An assumption (MODEL.md, "Calibrating to a firm's record"): the clients' patience is not
# in the record, only that they kept sending at that service.
EXPECTED_PERCENTILE = 85
EXPECTED_PLAUSIBLE = (70, 95)
PERCENT_FIELDS = ("growth_per_year",)  # read as "+620%"


def _number(x: float, name: str) -> str:
    """A fitted value as a warning shows it: growth as a percentage, thousands with commas, else 3 figures."""
    if name in PERCENT_FIELDS:
        return f"{x:+.0%}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _clip(value: float, cls: type, name: str, warnings: list[str] | None = None, subject: str = "",
          digits: int = 3) -> float:
    """The value to `digits` significant figures, within the bounds of field `name` of `cls` (a section of the
    scenario). A value the bounds cut adds a warning to `warnings`: the model then answers for another firm than
    the export's, and the reader must know by how much and which way."""
    meta = paths.field_meta(name, cls)
    rounded = _round(value, digits)
    kept = _round(min(max(rounded, meta["min"]), meta["max"]), digits)
    if warnings is not None and kept != rounded:
        measured, above, below = CLIPPED[name]
        side, consequence = ("most", above) if rounded > kept else ("least", below)
        text = (f"the export gives {measured.format(value=_number(rounded, name))}; the model takes at {side} "
                f"{_number(kept, name)}, so {consequence}.")
        warnings.append(f"{subject}: {text}" if subject else text[:1].upper() + text[1:])
    return kept


def _shares(counts: pd.Series) -> dict[str, float]:
    """Shares to three decimals that sum to exactly one: the largest type takes what the others leave."""
    raw = counts / counts.sum()
    shares = {k: round(float(v), 3) for k, v in raw.items()}
    largest = raw.idxmax()
    shares[largest] = round(1.0 - sum(v for k, v in shares.items() if k != largest), 3)
    return shares


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Whole numbers in proportion to weights, summing to total, each kept at least one while total allows."""
    names = list(weights)
    raw = np.array([weights[n] for n in names], dtype=float)
    raw = raw / raw.sum() * total
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[i] += 1
    for i in range(len(names)):  # a skill with work must keep an engineer
        if counts[i] == 0 and counts.max() > 1:
            counts[i] += 1
            counts[int(np.argmax(counts))] -= 1
    return {n: int(c) for n, c in zip(names, counts, strict=True)}


def _growth(weekly: np.ndarray) -> tuple[float, float, bool]:
    """Yearly growth from the weekly counts' linear trend, relative to their mean; and whether the trend can be
    told from zero at 95 % (the slope's t-test)."""
    if weekly.size < 4 or weekly.mean() <= 0:
        return 0.0, 1.0, False
    res = stats.linregress(np.arange(weekly.size), weekly)
    per_week = res.slope / weekly.mean()
    growth = math.expm1(per_week * WEEKS_PER_YEAR)
    return growth, float(res.pvalue), bool(res.pvalue < 1 - GROWTH_CONFIDENCE)


def bursts(weekly: np.ndarray, trend: bool) -> tuple[float, float]:
    """How much more the weekly counts vary than Poisson chance would make them: the index of dispersion (variance
    over mean, about the linear trend when `trend`) and its chi-square test's p-value, (1, 1) when there are too few
    weeks to say. The model's requests arrive at each client's own rate, so a firm whose work comes in bursts has
    busier weeks than the model shows."""
    if weekly.size < 4 or weekly.mean() <= 0:
        return 1.0, 1.0
    x = np.arange(weekly.size)
    expected = np.polyval(np.polyfit(x, weekly, 1), x) if trend else np.full(weekly.size, weekly.mean())
    expected = np.maximum(expected, 1e-9)
    chi2 = float(np.sum((weekly - expected) ** 2 / expected))
    dof = weekly.size - (2 if trend else 1)
    return chi2 / dof, float(stats.chi2.sf(chi2, dof))


def _names(slugs: pd.Series, text: pd.Series) -> dict[str, str]:
    """Each slug's words: the text the export writes most often for it ("Change Request" for change_request), on
    one line and cut short, as it goes into messages and the scenario file's comments."""
    return {key: " ".join(str(values.mode().iloc[0]).split())[:40] for key, values in text.groupby(slugs)}


def _uncounted_team(export: Export, controls: Controls) -> tuple[str, str]:
    """Why the team cannot be counted from the distinct assignees of resolved tickets, and what would let it be
    (the reader's `controls`): the column that is missing, or the tickets that lack what the count needs."""
    mapping, t = export.mapping, export.tickets
    if "assignee" not in mapping:
        return "No assignee column, so the team cannot be counted", \
            f"{controls.engineers}, or {controls.column('assignee')}"
    if "resolved" not in mapping:
        return "No resolution-date column, so the team cannot be counted from who resolved tickets", \
            f"{controls.engineers}, or {controls.column('resolved')}"
    if t["resolved"].isna().all():
        return (f"No ticket has a date in '{mapping['resolved']}', so there are no resolved tickets to count the "
                "team from"), controls.engineers
    return f"No resolved ticket names anyone in '{mapping['assignee']}', so the team cannot be counted", \
        controls.engineers


def _days_by_ticket(export: Export, spans: pd.DataFrame, end: pd.Series, hours_per_day: float) -> pd.Series:
    """Working days of each span of a history from its start to `end` (never negative), summed by ticket id."""
    days = np.clip(working_days(end, hours_per_day, export.weekmask)
                   - working_days(spans["start"], hours_per_day, export.weekmask), 0.0, None)
    return pd.Series(days, index=spans.index).groupby(spans["id"]).sum()


def ticket_waits(export: Export, hours_per_day: float) -> pd.Series:
    """Working days each resolved ticket of a change log spent in the statuses named as waiting on the client, by
    ticket id (0 for one that never waited); empty without a history or without such statuses. A wait is counted up
    to the ticket's resolution; an open ticket's waits are not finished, so it is left out."""
    history, tickets = export.history, export.tickets
    if history is None or not history["waiting"].any():
        return pd.Series(dtype=float)
    resolved = tickets.loc[tickets["resolved"].notna()].set_index("id")["resolved"]
    spans = history[history["waiting"] & history["id"].isin(resolved.index)]
    end = spans["end"].fillna(spans["id"].map(resolved))
    end = end.where(end <= spans["id"].map(resolved), spans["id"].map(resolved))
    return _days_by_ticket(export, spans, end, hours_per_day).reindex(resolved.index, fill_value=0.0)


def open_waits(export: Export, hours_per_day: float) -> pd.DataFrame:
    """Working days each open ticket of a change log has spent waiting on the client by the end of the export, by
    id, for those that have waited at all; `going` when it is waiting still, so its wait is at least that long.
    Tickets whose waits run past the export are the long ones: leaving them out would fit waits too short."""
    history, tickets = export.history, export.tickets
    if history is None or not history["waiting"].any():
        return pd.DataFrame({"days": [], "going": []}, index=pd.Index([], name="id"))
    still_open = set(tickets.loc[tickets["resolved"].isna(), "id"])
    spans = history[history["waiting"] & history["id"].isin(still_open)]
    end_of_export = history["start"].max()
    out = pd.DataFrame({"days": _days_by_ticket(export, spans, spans["end"].fillna(end_of_export), hours_per_day),
                        "going": spans["end"].isna().groupby(spans["id"]).any()})
    return out[out["days"] > 0]


def lognormal_mean_and_cv(finished: np.ndarray, going: np.ndarray) -> tuple[float, float]:
    """Mean and cv of a lognormal fitted by maximum likelihood to waits `finished` and waits still `going` (right-
    censored: each at least as long as so far)."""
    shape, _, scale = stats.lognorm.fit(stats.CensoredData(uncensored=finished, right=going), floc=0)
    return float(scale * math.exp(shape**2 / 2)), float(math.sqrt(math.expm1(shape**2)))


@dataclass(frozen=True)
class ActiveTime:
    """From a change log: working hours each resolved ticket spent being worked on (in a status other than the one
    tickets are created in, a waiting one or a done one), by id; and how many tickets were being worked on at once,
    on 95 % of working days (sampled at midday)."""

    hours: pd.Series
    at_once_peak: float
    at_once_mean: float


def active_time(export: Export, hours_per_day: float) -> ActiveTime | None:
    """None without a history, or when no ticket was ever in a status of work (only created and done)."""
    history, tickets = export.history, export.tickets
    if history is None:
        return None
    spans = history[~history["waiting"] & ~history["done"] & ~history["queue"]]
    if spans.empty:
        return None
    resolved = tickets.loc[tickets["resolved"].notna()].set_index("id")["resolved"]
    mine = spans[spans["id"].isin(resolved.index)]
    limit = mine["id"].map(resolved)
    end = mine["end"].fillna(limit)
    end = end.where(end <= limit, limit)
    mask = export.weekmask
    hours = _days_by_ticket(export, mine, end, hours_per_day) * hours_per_day
    step = model_days_per_day(mask)  # one of the team's working days
    start_day = working_days(spans["start"], hours_per_day, mask) / step
    end_day = working_days(spans["end"], hours_per_day, mask) / step
    end_day = np.where(np.isnan(end_day), np.inf, end_day)
    first = math.floor(float(np.nanmin(working_days(tickets["created"], hours_per_day, mask) / step)))
    last = math.floor(float(np.nanmax(start_day)))
    midday = np.arange(first, last + 1) + 0.5
    at_once = ((start_day[None, :] <= midday[:, None]) & (midday[:, None] < end_day[None, :])).sum(axis=1)
    return ActiveTime(hours, float(np.percentile(at_once, 95)), float(at_once.mean()))


def _first_pass_hours(ids: pd.Series, active: ActiveTime | None, round_hours: pd.Series) -> np.ndarray:
    """The working hours the tickets `ids` spent being worked on, less those of their rounds (`round_hours` by
    id), for the model adds the rework of the rounds it is fitted to; empty without a history of work."""
    if active is None:
        return np.array([])
    ids = ids[ids.isin(active.hours.index)]
    return np.clip(ids.map(active.hours).to_numpy(float) - ids.map(round_hours).fillna(0.0).to_numpy(float), 0.0,
                   None)


def _waits(waited: np.ndarray, still_open: np.ndarray, going: np.ndarray, name: str, kept: WorkType,
           statuses: str, warnings: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    """A work type's waits on the client: from its resolved tickets' working days waited, and the days its open
    tickets have waited so far (`going` where the wait runs past the export). Without waits still going they are
    the waits' share, mean and spread; with some, the mean and spread are a lognormal's fitted to the finished
    waits and those going, each going one at least as long as so far."""
    if not waited.size:
        return {}, {}
    positive = waited[waited > 0]
    out = {"client_wait_share": (positive.size + still_open.size) / (waited.size + still_open.size)}
    sources = {"client_wait_share": f"the share of {waited.size} resolved tickets that spent time in {statuses}"}
    if still_open.size:
        sources["client_wait_share"] = (f"the share of {waited.size} resolved tickets and {still_open.size} open ones"
                                        f" that spent time in {statuses}")
    finished = np.concatenate([positive, still_open[~going]])
    if going.any() and finished.size >= 2:
        out["client_wait_days"], out["client_wait_cv"] = lognormal_mean_and_cv(finished, still_open[going])
        sources["client_wait_days"] = (f"the mean of a lognormal fitted to {finished.size} finished waits and "
                                       f"{int(going.sum())} still going at the end of the export, each of those at "
                                       "least as long as so far")
        sources["client_wait_cv"] = "the spread of that lognormal"
    elif finished.size:
        out["client_wait_days"] = float(finished.mean())
        sources["client_wait_days"] = f"the mean working days {finished.size} of them spent there"
        if finished.size >= 2:
            out["client_wait_cv"] = _cv(finished)
            sources["client_wait_cv"] = "the spread of those waits"
        else:
            out["client_wait_cv"] = kept.client_wait_cv
            warnings.append(f"{name}: one ticket waited on the client, too few for the spread of waits; "
                            f"{kept.client_wait_cv:g} is kept.")
    return out, sources


def span_hours(export: Export, hours_per_day: float) -> np.ndarray:
    """Working hours of each span of a change log's history, one still going counted to the export's end."""
    history = export.history
    assert history is not None
    end = history["end"].fillna(history["start"].max())
    return np.clip(working_days(end, hours_per_day, export.weekmask)
                   - working_days(history["start"], hours_per_day, export.weekmask), 0.0, None) * hours_per_day


def fit(export: Export, base: Scenario, engineers: int | None = None, source: str = "export",
        controls: Controls = COMMAND_LINE, today: str = "none") -> Fit:
    """A scenario whose demand, work types, team and (from a change log's revision rounds and reopenings) rework
    come from the tickets (the rest from `base`), and the firm's record over the span of the export; `today` is the
    design the firm has, through whose roles its rework is read; a warning's remedy names the reader's
    `controls`."""
    t = export.tickets
    hpd = base.firm.hours_per_week / DAYS_PER_WEEK
    notes: list[Note] = []
    warnings = list(export.warnings)
    created = working_days(t["created"], hpd, export.weekmask)
    resolved = working_days(t["resolved"], hpd, export.weekmask)
    due = asked_days(t["created"], t["due"], hpd, export.weekmask)
    start = float(np.nanmin(created))
    end = float(np.nanmax(np.concatenate([created, resolved[~np.isnan(resolved)]])))
    weeks = max((end - start) / DAYS_PER_WEEK, 1 / DAYS_PER_WEEK)
    n = len(t)

    # Demand
    demand = type(base.demand)
    clients_col = t["client"]
    if clients_col.notna().any():
        per_client = clients_col.dropna().value_counts()
        clients = int(per_client.size)
        missing = int(clients_col.isna().sum())
        if missing:
            warnings.append(f"{missing} tickets name no client; they count in the rate but not as a client.")
        mean = per_client.mean()
        var = per_client.var(ddof=1) if clients > 1 else 0.0
        spread = math.sqrt(max(var - mean, 0.0)) / mean  # Poisson noise taken out of the spread
        size_cv = _clip(spread, demand, "client_size_cv", warnings, digits=2)
        notes.append(Note("demand.clients", clients, f"the distinct clients in '{export.mapping['client']}'"))
        notes.append(Note("demand.client_size_cv", size_cv, "the spread of tickets per client, less what chance "
                          "alone gives"))
    else:
        clients = base.demand.clients
        size_cv = _clip(base.demand.client_size_cv, demand, "client_size_cv", digits=2)
        warnings.append(f"No client column; the base scenario's {clients} clients and the spread of their sizes are "
                        f"kept ({controls.column('client')}).")
    rate = _clip(n / weeks / clients, demand, "requests_per_client_per_week", warnings)
    notes.append(Note("demand.requests_per_client_per_week", rate, f"from {n} tickets over {weeks:.1f} working "
                      f"weeks and {clients} clients"))
    week_index = np.floor((created - start) / DAYS_PER_WEEK).astype(int)
    full_weeks = int(math.floor(weeks))
    weekly = np.bincount(week_index[week_index < full_weeks], minlength=full_weeks).astype(float)
    growth, pvalue, significant = _growth(weekly)
    if significant:
        growth = _clip(growth, demand, "growth_per_year", warnings, digits=2)
        notes.append(Note("demand.growth_per_year", growth, f"the trend of weekly tickets (p = {pvalue:.2g})"))
    else:
        warnings.append(f"Growth cannot be told from zero over {full_weeks} weeks (trend {growth:+.0%} a year, "
                        f"p = {pvalue:.2g}); growth per year is set to 0.")
        growth = 0.0
    dispersion, burst_p = bursts(weekly, significant)
    if burst_p < 1 - GROWTH_CONFIDENCE and dispersion > 1:
        warnings.append(f"Weekly tickets vary {dispersion:.1f} times as much as chance alone would make them "
                        f"(p = {burst_p:.2g}): your work comes in bursts, while the model's requests arrive at each "
                        "client's own steady rate, so its busiest weeks are calmer than yours and its queues in "
                        "them are understated.")

    # Team, and the time tickets spend being worked on
    active = active_time(export, hpd)
    found = rounds(export, span_hours(export, hpd)) if export.history is not None else None
    round_count = int(found.sent_back.sum() + found.reopened.sum()) if found is not None else 0
    fit_rounds = found is not None and round_count >= MIN_ROUNDS
    round_hours = (found.revision_hours.add(found.fix_hours, fill_value=0.0) if found is not None and fit_rounds
                   else pd.Series(dtype=float))
    resolvers = t.loc[t["resolved"].notna(), "assignee"].dropna()
    team_notes: list[Note] = []  # after the work types', as a reader goes from the work to the people
    if engineers is not None:
        team = engineers
        team_notes.append(Note("firm.engineers", team, "as given"))
    elif resolvers.size:
        team = int(resolvers.nunique())
        team_notes.append(Note("firm.engineers", team, "the distinct assignees of resolved tickets"))
    elif active is not None and active.at_once_peak >= 1:
        team = int(_clip(round(active.at_once_peak), type(base.firm), "engineers"))
        team_notes.append(Note("firm.engineers", team, f"inferred: on 95 % of working days at most {team} tickets "
                               "were being worked on at once"))
        warnings.append(f"The team was inferred as {team} from how many tickets were being worked on at once; a "
                        f"person who works on several tickets at a time counts as several ({controls.engineers}).")
    else:
        team = base.firm.engineers
        why, remedy = _uncounted_team(export, controls)
        warnings.append(f"{why}; the base scenario's {team} engineers are kept ({remedy}).")
    talk = base.behaviour.client_contact_hours + base.behaviour.interruption_hours
    share_of_a_person = min(1.0, team / active.at_once_peak) if active is not None and active.at_once_peak else 1.0

    # Work types
    waits, unfinished = ticket_waits(export, hpd), open_waits(export, hpd)
    statuses = ""
    t = t.assign(kind=t["type"].map(slug), created_day=created, resolved_day=resolved, asked_days=due,
                 wait_days=t["id"].map(waits) if len(waits) else np.nan,
                 open_wait_days=t["id"].map(unfinished["days"]), still_waiting=t["id"].map(unfinished["going"]))
    if len(waits) and export.history is not None:
        named = export.history.loc[export.history["waiting"], "status"].unique()
        statuses = " or ".join(f"“{s}”" for s in named)
        if going := int(unfinished["going"].sum()):
            warnings.append(f"{going} tickets are still waiting on the client at the end of the export; their waits "
                            "count as at least as long as so far, so the waits fitted are not cut short by the "
                            "export's end.")
    counts = t["kind"].value_counts()
    names = _names(t["kind"], t["type"])
    if counts.size > MAX_TYPES:
        kept_types = set(counts.index[: MAX_TYPES - 1])
        t["kind"] = t["kind"].where(t["kind"].isin(kept_types), "other")
        names["other"] = OTHER_TYPES
        warnings.append(f"{counts.size} ticket types; the {MAX_TYPES - 1} most common are kept and the other "
                        f"{counts.size - MAX_TYPES + 1} ({int(counts.iloc[MAX_TYPES - 1:].sum())} tickets) are "
                        f"one type, “{OTHER_TYPES}”.")
        counts = t["kind"].value_counts()
    shares = _shares(counts)
    mapped_skill = "skill" in export.mapping
    base_types = base.demand.work_types
    skills = base.skills
    main_skill = max(skills, key=skills.__getitem__)
    work_types: dict[str, dict[str, Any]] = {}
    for kind in counts.index:
        rows, name = t[t["kind"] == kind], names[kind]
        sources: dict[str, str] = {}  # field -> where its value came from
        kept = base_types.get(kind, base_types.get(next(iter(base_types)), WorkType()))
        done = rows[rows["resolved"].notna()]
        spent = done["effort_hours"].dropna().to_numpy()
        spent = spent[spent > 0]
        estimates = rows["estimate_hours"].dropna().to_numpy()
        estimates = estimates[estimates > 0]
        wt: dict[str, Any] = {"share": shares[kind]}
        basis: tuple[np.ndarray, str] | None = None  # what the effort's mean was taken over, in words
        if spent.size >= 2:
            basis = spent, "tickets with time spent"
            wt["effort_hours"], wt["effort_cv"] = spent.mean(), _cv(spent)
            sources["effort_hours"] = f"the mean time spent on {spent.size} resolved tickets"
            sources["effort_cv"] = "the spread of that time spent"
        elif (worked := _first_pass_hours(done["id"], active, round_hours)).size >= 2:
            hours = worked * share_of_a_person
            basis = hours, "tickets worked on"
            wt["effort_hours"] = max(hours.mean() - talk, 0.1 * hours.mean())
            wt["effort_cv"] = _cv(hours)
            shared = (f", times {share_of_a_person:.2g} for {team} people sharing the tickets worked on at once"
                      if share_of_a_person < 1 else "")
            sources["effort_hours"] = (f"inferred: the mean working hours {worked.size} resolved tickets spent being "
                                       "worked on (not in the status tickets are created in, waiting or done)"
                                       f"{shared}, less the {talk:g} hours of client talk and interruptions the "
                                       "model adds" + (", and less their revision rounds and fixes, which the model"
                                                       " adds as rework" if fit_rounds else ""))
            sources["effort_cv"] = "the spread of that time"
            warnings.append(f"{name}: no time spent logged; effort {wt['effort_hours']:.3g} hours inferred from the "
                            "time tickets spent being worked on.")
        elif estimates.size >= 2:
            basis = estimates, "estimates"
            wt["effort_hours"], wt["effort_cv"] = estimates.mean(), _cv(estimates)
            warnings.append(f"{name}: no time spent logged; effort {estimates.mean():.3g} hours from "
                            f"{estimates.size} estimates.")
        else:
            wt["effort_hours"], wt["effort_cv"] = kept.effort_hours, kept.effort_cv
            warnings.append(f"{name}: neither time spent nor estimates; the base scenario's effort "
                            f"({kept.effort_hours:g} hours, variability {kept.effort_cv:g}) is kept.")
        if basis is not None and basis[0].size < FEW_TICKETS and basis[0].mean() > 0:
            values, what = basis
            half = t_half_width(values) / values.mean()
            warnings.append(f"{name}: effort fitted from only {values.size} {what}, so it is rough: the 95 % "
                            f"interval of their mean is ± {half:.0%} of it. More of this type's history, or its "
                            "tickets mapped to a type with more, would make it firm.")
        asked = rows["asked_days"].dropna().to_numpy()
        asked = asked[asked > 0]
        if asked.size:
            wt["deadline_days"] = float(np.median(asked))
            sources["deadline_days"] = f"the median working days from creation to {asked.size} due dates"
        elif len(done):
            worked = (done["resolved_day"] - done["created_day"] - done["wait_days"].fillna(0.0)).to_numpy()
            wt["deadline_days"] = max(float(np.percentile(worked, EXPECTED_PERCENTILE)), 0.1)
            sources["deadline_days"] = (f"assumed: no due dates, so the working days within which "
                                        f"{EXPECTED_PERCENTILE} % of {len(done)} resolved tickets were done (waits on "
                                        "the client aside), the expectation your record sets")
            warnings.append(f"{name}: no due dates; the deadline is assumed to be {_round(wt['deadline_days'], 3):g} "
                            f"working days, within which {EXPECTED_PERCENTILE} % of resolved tickets were done "
                            f"(plausible: the {EXPECTED_PLAUSIBLE[0]}th to {EXPECTED_PLAUSIBLE[1]}th percentile).")
        else:
            wt["deadline_days"] = kept.deadline_days
            warnings.append(f"{name}: no due dates and no resolved ticket; the base scenario's deadline of "
                            f"{kept.deadline_days:g} working days is kept.")
        if len(waits):
            waiting_open = rows[rows["resolved"].isna() & rows["open_wait_days"].notna()]
            fitted_waits, wait_sources = _waits(done["wait_days"].fillna(0.0).to_numpy(),
                                                waiting_open["open_wait_days"].to_numpy(float),
                                                waiting_open["still_waiting"].to_numpy(bool), name, kept, statuses,
                                                warnings)
            wt.update(fitted_waits)
            sources.update(wait_sources)
        for key in ("client_wait_share", "client_wait_days", "client_wait_cv"):  # not fitted: the base's waits
            wt.setdefault(key, getattr(kept, key))
        if mapped_skill and rows["skill"].notna().any():
            wt["skill"] = slug(rows["skill"].mode().iloc[0])
        elif kind in base_types and base_types[kind].skill in skills:
            wt["skill"] = base_types[kind].skill
        else:
            wt["skill"] = main_skill
        for key in ("effort_hours", "effort_cv", "deadline_days", "client_wait_share", "client_wait_days",
                    "client_wait_cv"):
            wt[key] = _clip(float(wt[key]), WorkType, key, warnings, name)  # the base's own never clip
        notes += [Note(f"demand.work_types.{kind}.{key}", wt[key], reason, name) for key, reason in sources.items()]
        work_types[kind] = wt

    # Skills
    notes += team_notes
    needed = {wt["skill"] for wt in work_types.values()}
    if mapped_skill:
        by_person = t.dropna(subset=["assignee", "skill"]).groupby("assignee")["skill"].agg(
            lambda s: slug(s.mode().iloc[0]))
        weights = {s: float((by_person == s).sum()) or 0.5 for s in sorted(needed)}
    else:
        weights = {s: float(c) for s, c in skills.items() if s in needed} or {main_skill: 1.0}
    firm_skills = _largest_remainder(weights, team) if len(weights) > 1 or base.firm.skills else {}
    if firm_skills and any(v == 0 for v in firm_skills.values()):
        skill_names = _names(t["skill"].dropna().map(slug), t["skill"].dropna()) if mapped_skill else {}
        shown = ", ".join(skill_names.get(s, s.replace("_", " ")) for s in firm_skills)
        warnings.append(f"{team} engineers cannot cover the skills {shown}; one skill for everyone instead.")
        firm_skills = {}
    if not firm_skills:
        for wt in work_types.values():
            wt["skill"] = "general"
    # Rework, from the rounds of a change log
    behaviour: dict[str, float] = {}
    if found is not None and fit_rounds:
        delivered = t[t["resolved"].notna()]
        effort = pd.Series(delivered["kind"].map(lambda k: work_types[k]["effort_hours"]).to_numpy(float),
                           index=delivered["id"].to_numpy())
        rework = fit_rework(found, effort, share_of_a_person, base, today)
        behaviour = {key: _round(value) for key, value in rework.values.items()}
        notes += [Note(f"behaviour.{key}", value, rework.reasons[key]) for key, value in behaviour.items()]
        warnings += rework.warnings
    elif found is not None:
        b = base.behaviour
        why = ("A stage-date file holds the date each ticket entered each stage, not its moves back, so it shows no "
               "revision rounds or reopenings" if export.stages else
               f"{round_count} delivered tickets were sent back from a later stage of work to an earlier one or "
               "reopened, too few to read your rework from: either your work is right first time or your tracker "
               "does not record it")
        warnings.append(f"{why}. The model's assumptions are kept: {1 - b.clarity_without_am:.0%} of requests built "
                        f"wrong without an account manager, each costing {b.rework_effort_share:g} of its effort "
                        "again.")
    data = base.to_dict()
    data["behaviour"] = {**data["behaviour"], **behaviour}
    data["name"] = f"Calibrated: {source}"[:80]
    data["description"] = (f"Fitted to {n} tickets from {t['created'].min():%Y-%m-%d} to "
                           f"{t['created'].max():%Y-%m-%d} ({export.format.label}); the rest from {base.name}.")
    data["firm"] = {**data["firm"], "engineers": team, "skills": firm_skills}
    data["demand"] = {**data["demand"], "clients": clients, "requests_per_client_per_week": rate,
                      "client_size_cv": size_cv, "growth_per_year": growth, "work_types": work_types}
    scenario = from_dict(data)

    # The record
    done = t[t["resolved"].notna()]
    lead = (done["resolved_day"] - done["created_day"]).to_numpy()
    with_due = done[done["due"].notna()]
    open_at_end = int(t["resolved"].isna().sum())
    observed = {
        "tickets": n,
        "weeks": round(weeks, 2),
        "throughput_per_week": len(done) / weeks,
        "lead_time_days": float(lead.mean()) if lead.size else math.nan,
        "lead_time_p90_days": float(np.percentile(lead, 90)) if lead.size else math.nan,
        "on_time_rate": float(on_time(with_due["resolved"], with_due["due"]).mean()) if len(with_due)
        else math.nan,
        "open_at_end": open_at_end,
    }
    # a change log's: of the tickets delivered, those delivered, reopened and delivered again; and those sent back
    # from a later stage of work to an earlier one before they were delivered
    observed["client_fix_share"] = found.reopened_share if found is not None else math.nan
    observed["revised_share"] = found.revised_share if found is not None else math.nan
    if not len(with_due):
        warnings.append("No resolved ticket has a due date, so the on-time rate cannot be measured.")
    return Fit(scenario, observed, notes, warnings, lead, weekly)
