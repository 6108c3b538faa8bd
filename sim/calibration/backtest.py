"""The back-test: the fitted scenario's today design simulated over the export's span, side by side with the
firm's record, a verdict of how close, and the graded behaviour assumptions that would close the gap.

Which assumptions: every field of Behaviour graded "assumption" with a plausible range (read from the schema, so
new ones join by themselves), screened one at a time at the two ends of their range for how much they move lead
time and on-time; the one or two that move them most are then fitted by a bounded grid search within their
range. Every run uses the scenario's seed, so all of them see the same demand (common random numbers) and the
differences are the assumptions', not chance's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import paths
from sim.experiment import run_experiment
from sim.parallel import bounded_map
from sim.scenario import Behaviour, Scenario, expected_requests, from_dict
from sim.wording import design_label, in_sentence, key_words

COMPARED = ("throughput_per_week", "lead_time_days", "lead_time_p90_days", "on_time_rate", "open_at_end")
# Set beside the record, not judged: a change log's shares of delivered tickets that were reopened and that were
# sent back before delivery, against the model's shares fixed after the client found them wrong and caught by a
# review. Trackers record a client's objection as a reopening only sometimes (often it comes while the ticket waits
# on the client), so they are a check for the reader, not figures the model must reproduce; when the rounds set the
# rework (sim.calibration.rounds) they agree by construction, which checks the reading.
BESIDE = ("client_fix_share", "revised_share")
SHARES = ("on_time_rate", "client_fix_share", "revised_share")  # in points, not as a share of the record's figure
BACKTEST_REPLICATIONS = 10
SEARCH_REPLICATIONS = 5
SEARCH_WEEKS = 52  # the screen and the fit run at most this long: a year shows a backlog that builds up
FITTED_AT_MOST = 2
FINALISTS = 3  # the grid points of smallest loss on the short runs that are run in full, the best of them kept
GRID_1D, GRID_2D = 9, 5
ON_TIME_POINT = 0.01
# Read from a change log's revision rounds (sim.calibration.rounds), never fitted to timing: a team's own review
# moves lead time as clearer requests do, and only the rounds tell them apart.
NOT_FROM_TIMING = frozenset({"behaviour.team_review_catch_rate"})
# A run of fewer requests than this (all its replications) is quicker in this process than sent to a pool.
POOL_REQUESTS = 50_000
# The back-test's request rate is matched to the export's tickets to this share, in at most this many runs.
ARRIVALS_WITHIN, ARRIVAL_ROUNDS = 0.02, 4
# The verdict's practical tolerance on each figure the record gives: the model's mean within this share of the
# record's value (points for the on-time rate), and for the work open at the end at least a week's deliveries of the
# record, since a handful of open tickets is one busy Friday. The model's own interval earns no credit: a wide
# interval is a model that cannot say, not one that agrees. "close" only when every figure is within its tolerance.
TOLERANCES = {"throughput_per_week": 0.15, "lead_time_days": 0.25, "lead_time_p90_days": 0.35,
              "open_at_end": 0.35, "on_time_rate": 0.10}
FIGURE_WORDS = {"throughput_per_week": "throughput", "lead_time_days": "mean lead time",
                "lead_time_p90_days": "90th-percentile lead time", "open_at_end": "work open at the end",
                "on_time_rate": "on-time rate"}
UNMEASURED = 100.0  # a figure the model cannot give, in the loss: as far as ten tolerances
VERDICT_WORDS = {"close": "close to", "far": "far from"}  # "the model is ..."
# In place of the model's figures when it delivered no request that arrived in the back-test.
NOTHING_DELIVERED = ("the model delivered none of the requests that arrived in the back-test, so it has no lead time "
                     "to set beside yours: its firm is overwhelmed, or the back-test is too short for a request to "
                     "finish")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Candidate:
    """A behaviour assumption that may be fitted: its dotted path and plausible range."""

    path: str
    low: float
    high: float
    help: str


def candidates(kept: frozenset[str] = frozenset()) -> list[Candidate]:
    """Behaviour fields graded "assumption" that carry a plausible range and a single number as value, but for
    those `kept` (set from the firm's record) and those only the record can tell (NOT_FROM_TIMING)."""
    out = []
    for f in paths.walk(Behaviour):
        plausible = f.meta.get("plausible")
        if f.meta.get("grade") != "assumption" or not plausible or f.hint is not float:
            continue
        if f"behaviour.{f.path}" in kept or f"behaviour.{f.path}" in NOT_FROM_TIMING:
            continue
        out.append(Candidate(f"behaviour.{f.path}", float(plausible[0]), float(plausible[1]), f.meta.get("help", "")))
    return out


def with_values(scenario: Scenario, values: dict[str, float], **top: Any) -> Scenario:
    """The scenario with behaviour values (by dotted path) and top-level settings changed, validated."""
    data = scenario.to_dict()
    data.update(top)
    behaviour = dict(data.get("behaviour", {}))
    for path, value in values.items():
        behaviour[path.split(".", 1)[1]] = value
    data["behaviour"] = behaviour
    return from_dict(data)


def figures(scenario: Scenario, design: str, executor: Executor | None = None) -> dict[str, dict[str, float]]:
    """The model's side of the record (mean and 95 % half-width over the replications), counted as an export
    counts: of the requests that arrived in the measured weeks, as a ticket is in the export when it was created
    in its span. Throughput is their deliveries a week (a request from before the span is no ticket of the
    export's), and `arrived` their number."""
    kpis = run_experiment(scenario, [design], executor=executor if _big(scenario) else None).kpis(
        [*COMPARED, *BESIDE, "arrived", "delivered"])
    out = {row.metric: {"mean": float(row.mean), "ci95": float(row.ci95)} for row in kpis.itertuples()}
    delivered = out.pop("delivered")
    out["throughput_per_week"] = {k: v / scenario.weeks for k, v in delivered.items()}
    return out


@dataclass(frozen=True)
class Matched:
    """The back-test's request rate: the export's, or the one at which the model's clients send what the export's
    clients sent; `at_export_rate` is what they send at the export's rate (None when it already matched)."""

    figures: dict[str, dict[str, float]]
    rate: float
    at_export_rate: float | None
    target: float


def _big(scenario: Scenario) -> bool:
    return expected_requests(scenario) * scenario.replications > POOL_REQUESTS


def figures_of(scenarios: list[Scenario], design: str, executor: Executor | None = None
               ) -> Iterator[dict[str, dict[str, float]]]:
    """`figures` of each scenario, in order: one whole run per task on `executor` when the runs are small (the
    screen's and the grid's), as a small run's replications are not worth a task each; a large run spreads its own
    replications instead. The same numbers either way: every run is seeded by its scenario."""
    if executor is None or any(_big(s) for s in scenarios):
        for scenario in scenarios:
            yield figures(scenario, design, executor)
    else:
        yield from bounded_map(executor, figures, [(scenario, design) for scenario in scenarios])


def matched_rate(scenario: Scenario, observed: dict[str, float], design: str,
                 executor: Executor | None = None) -> Matched:
    """`scenario` with the request rate at which its clients, judging the service `design` gives them, send as
    many requests over the back-test as the export has tickets (to ARRIVALS_WITHIN, in at most ARRIVAL_ROUNDS
    runs), and the figures of its last run. Clients served late send less and leave, and good service grows their
    share and brings referrals: the export's rate is what its clients sent after that response, not before it.
    A record that does not count its tickets keeps the rate."""
    rate = scenario.demand.requests_per_client_per_week
    if not math.isfinite(observed.get("tickets", math.nan)) or observed.get("weeks", 0) <= 0:
        return Matched(figures(scenario, design, executor), rate, None, math.nan)
    target = observed["tickets"] * scenario.weeks / observed["weeks"]
    bounds = paths.field_meta("requests_per_client_per_week", type(scenario.demand))
    current, first = scenario, None
    for round_ in range(ARRIVAL_ROUNDS):
        result = figures(current, design, executor)
        arrived = result["arrived"]["mean"]
        first = arrived if first is None else first
        if round_ == ARRIVAL_ROUNDS - 1 or arrived <= 0 or abs(arrived - target) <= ARRIVALS_WITHIN * target:
            break
        rate = current.demand.requests_per_client_per_week * target / arrived
        rate = float(f"{min(max(rate, bounds['min']), bounds['max']):.3g}")
        if rate == current.demand.requests_per_client_per_week:
            break
        current = with_rate(current, rate)
    return Matched(result, current.demand.requests_per_client_per_week,
                   None if current is scenario else first, target)


def with_rate(scenario: Scenario, rate: float) -> Scenario:
    """The scenario with its clients' request rate at share of wallet one, before growth, changed."""
    data = scenario.to_dict()
    data["demand"] = {**data["demand"], "requests_per_client_per_week": rate}
    return from_dict(data)


def allowed_gap(metric: str, observed: dict[str, float]) -> float:
    """How far the model's mean may be from the record's figure and still be close (TOLERANCES): a share of the
    figure, points for the on-time rate, and for the work open at the end at least a week's deliveries."""
    obs = observed[metric]
    if metric == "on_time_rate":
        return TOLERANCES[metric]
    if metric == "open_at_end":
        return max(TOLERANCES[metric] * obs, observed.get("throughput_per_week", 0.0), 1.0)
    return TOLERANCES[metric] * abs(obs) or TOLERANCES[metric]


def judged(simulated: dict[str, dict[str, float]], observed: dict[str, float]) -> list[str]:
    """The figures (COMPARED's order) the record gives and the model measures."""
    return [m for m in COMPARED if m in simulated and math.isfinite(observed.get(m, math.nan))]


def loss(simulated: dict[str, dict[str, float]], observed: dict[str, float]) -> float:
    """The gap to close, in the verdict's own terms: the sum over the figures judged of (gap / its tolerance)², so
    the search narrows what the verdict judges, and a figure at its tolerance weighs 1 whichever it is; a figure
    the model cannot give (it delivered nothing) weighs UNMEASURED."""
    total = 0.0
    for metric in judged(simulated, observed):
        mean = simulated[metric]["mean"]
        gap = (mean - observed[metric]) / allowed_gap(metric, observed)
        total += gap**2 if math.isfinite(mean) else UNMEASURED
    return total


def far_on(simulated: dict[str, dict[str, float]], observed: dict[str, float]) -> list[str]:
    """The figures (COMPARED's order) on which the model's mean is beyond its tolerance of the record (TOLERANCES);
    a figure the record does not give is not judged, one the model cannot give (it delivered nothing) is far."""
    return [m for m in judged(simulated, observed)
            if not math.isfinite(mean := simulated[m]["mean"]) or abs(mean - observed[m]) > allowed_gap(m, observed)]


def verdict(simulated: dict[str, dict[str, float]], observed: dict[str, float]) -> str:
    """"close" when every figure of the record is within its tolerance (`far_on` is empty), else "far". A model
    that delivered nothing beside a firm that did is far on lead time: it has nothing to set beside the record."""
    return "far" if far_on(simulated, observed) else "close"


def far_words(metrics: list[str]) -> str:
    """"mean lead time and work open at the end"."""
    words = [FIGURE_WORDS[m] for m in metrics]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def delivered(simulated: dict[str, dict[str, float]]) -> bool:
    """Whether the model delivered any request that arrived in the back-test's weeks: without one it has no lead
    time (NaN), which must read as words, not as a number."""
    return math.isfinite(simulated["lead_time_days"]["mean"])


def sentence(simulated: dict[str, dict[str, float]], observed: dict[str, float]) -> str:
    """"Your firm today: 6.1 days, 78 % on time; the model: 5.8 ± 0.4 days, 80 ± 3 %.", or NOTHING_DELIVERED in
    place of the model's figures when it delivered no request."""
    lead, on = simulated["lead_time_days"], simulated["on_time_rate"]
    firm_on = f", {observed['on_time_rate'] * 100:.0f} % on time" if math.isfinite(observed["on_time_rate"]) else ""
    if not delivered(simulated):
        return f"Your firm today: {observed['lead_time_days']:.1f} days{firm_on}; {NOTHING_DELIVERED}."
    model_on = f", {_mean(on['mean'] * 100, on['ci95'] * 100, '.0f')} %" if math.isfinite(on["mean"]) else ""
    return (f"Your firm today: {observed['lead_time_days']:.1f} days{firm_on}; the model: "
            f"{_mean(lead['mean'], lead['ci95'], '.1f')} days{model_on}.")


def _mean(mean: float, half: float, spec: str) -> str:
    """"5.8 ± 0.4", or "5.8" alone when there is no interval (a figure only one replication measured)."""
    return f"{mean:{spec}} ± {half:{spec}}" if math.isfinite(half) else f"{mean:{spec}}"


@dataclass(frozen=True)
class Demand:
    """The back-test's request rate (per client a week, at share of wallet one): the export's, and the one at which
    the model's clients send the export's tickets, with what they sent at the export's rate (None when that
    already matched) and the tickets aimed at."""

    export_rate: float
    rate: float
    arrived_at_export_rate: float | None
    target: float

    @property
    def changed(self) -> bool:
        return self.rate != self.export_rate


@dataclass
class Backtest:
    """Today's design against the record, before and after fitting the assumptions that close the gap."""

    design: str
    weeks: int
    observed: dict[str, float]
    before: dict[str, dict[str, float]]
    after: dict[str, dict[str, float]]
    fitted: dict[str, float]  # path -> fitted value (empty when none helped)
    screen: list[dict[str, Any]] = field(default_factory=list)  # each candidate's effect, largest first
    scenario: Scenario | None = None  # the scenario with the fitted values
    demand: Demand | None = None  # the request rate that sends the export's tickets

    @property
    def verdict(self) -> str:
        return verdict(self.after, self.observed)

    @property
    def far_on(self) -> list[str]:
        return far_on(self.after, self.observed)

    @property
    def verdict_words(self) -> str:
        """"close to your record", or "far from your record on mean lead time and throughput"."""
        if self.verdict == "close":
            return "close to your record"
        return f"far from your record on {far_words(self.far_on)}"

    @property
    def sentence(self) -> str:
        return sentence(self.after, self.observed)

    def to_dict(self) -> dict[str, Any]:
        def clean(x: float) -> float | None:
            return None if not math.isfinite(x) else round(float(x), 6)

        def side(sim: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
            return {m: {k: clean(v) for k, v in d.items()} for m, d in sim.items()}

        return {"design": self.design, "weeks": self.weeks, "verdict": self.verdict, "far_on": self.far_on,
                "summary": self.sentence,
                "simulated": side(self.after), "before_fit": side(self.before), "fitted": self.fitted,
                "screen": [{k: (clean(v) if isinstance(v, float) else v) for k, v in row.items()}
                           for row in self.screen]}


def backtest_weeks(observed: dict[str, float]) -> int:
    return int(min(max(round(observed["weeks"]), 1), 520))


def backtest(scenario: Scenario, observed: dict[str, float], design: str = "none", *, fit_assumptions: bool = True,
             executor: Executor | None = None, progress: Progress | None = None,
             kept: frozenset[str] = frozenset()) -> Backtest:
    """Simulate `design` over the export's span; screen and fit the behaviour assumptions but those `kept` (unless
    the model delivered nothing); simulate again. `executor` takes the runs of more than POOL_REQUESTS requests; smaller
    ones run here."""
    say = progress or (lambda _text: None)
    weeks = backtest_weeks(observed)
    full = dict(weeks=weeks, replications=BACKTEST_REPLICATIONS)
    say(f"Simulating {design_label(design, scenario.designs[design])} over {weeks} weeks")
    export_rate = scenario.demand.requests_per_client_per_week
    matched = matched_rate(with_values(scenario, {}, **full), observed, design, executor)
    scenario = with_rate(scenario, matched.rate)
    before = matched.figures
    base_loss = loss(before, observed)
    quick = dict(weeks=min(weeks, SEARCH_WEEKS), replications=SEARCH_REPLICATIONS)
    screen: list[dict[str, Any]] = []
    fitted: dict[str, float] = {}
    finalists: list[dict[str, float]] = []
    rate = matched.rate
    # A model that delivered nothing has no lead time for an assumption to move (each end of each range would
    # read as no effect), so the screen is skipped rather than run for a table of blanks.
    if fit_assumptions and base_loss > 0 and delivered(before):
        found = candidates(kept)
        runs = figures_of([with_values(scenario, {cand.path: x}, **quick) for cand in found
                           for x in (cand.low, cand.high)], design, executor)
        for i, cand in enumerate(found):
            say(f"Screening assumptions ({i + 1} of {len(found)})")
            ends = [next(runs), next(runs)]
            d_lead = ends[1]["lead_time_days"]["mean"] - ends[0]["lead_time_days"]["mean"]
            d_on = ends[1]["on_time_rate"]["mean"] - ends[0]["on_time_rate"]["mean"]
            rel = d_lead / observed["lead_time_days"] if observed["lead_time_days"] > 0 else 0.0
            effect = math.hypot(np.nan_to_num(rel), np.nan_to_num(d_on))
            screen.append({"path": cand.path, "low": cand.low, "high": cand.high, "lead_time_change": d_lead,
                           "on_time_change": d_on, "effect": effect})
        screen.sort(key=lambda r: -r["effect"])
        movers = [r for r in screen if r["effect"] >= ON_TIME_POINT][:FITTED_AT_MOST]
        if movers:
            ranked = _ranked(scenario, observed, design, movers, quick, executor, say)
            finalists = [values for values in ranked[:FINALISTS] if values]
    after = before
    # The short runs rank the grid; the best few are run in full, each with its rate matched, and the one closest
    # on the full runs is kept, if it narrows the gap at all: short runs can mislead, full ones decide.
    best_loss = base_loss
    for i, values in enumerate(finalists):
        say(f"Simulating again with the fitted assumptions ({i + 1} of {len(finalists)})")
        refitted = matched_rate(with_values(scenario, values, **full), observed, design, executor)
        if (value := loss(refitted.figures, observed)) < best_loss:
            fitted, after, best_loss, rate = values, refitted.figures, value, refitted.rate
    if fitted:
        scenario = with_rate(scenario, rate)
    final = with_values(scenario, fitted) if fitted else scenario
    demand = Demand(export_rate, final.demand.requests_per_client_per_week, matched.at_export_rate, matched.target)
    return Backtest(design, weeks, observed, before, after, fitted, screen, final, demand)


def _search(scenario: Scenario, observed: dict[str, float], design: str, movers: list[dict[str, Any]],
            quick: dict[str, int], executor: Executor | None, say: Progress) -> dict[str, float]:
    """The grid point with the smallest loss (the scenario's own values included), within the plausible ranges;
    empty when that is the scenario's own."""
    ranked = _ranked(scenario, observed, design, movers, quick, executor, say)
    return ranked[0] if ranked and ranked[0] != {} else {}


def _ranked(scenario: Scenario, observed: dict[str, float], design: str, movers: list[dict[str, Any]],
            quick: dict[str, int], executor: Executor | None, say: Progress) -> list[dict[str, float]]:
    """The grid points within the plausible ranges (the scenario's own values included, as {}), smallest loss
    first on the quick runs, ties in the grid's order; values to 3 significant figures."""
    steps = GRID_1D if len(movers) == 1 else GRID_2D
    axes = []
    for m in movers:
        current = _current(scenario, m["path"])
        axes.append(sorted({*np.linspace(m["low"], m["high"], steps).round(4).tolist(), current}))
    points = [{m["path"]: float(v) for m, v in zip(movers, point, strict=True)}
              for point in itertools.product(*axes)]
    runs = figures_of([with_values(scenario, values, **quick) for values in points], design, executor)
    scored = []
    for i, values in enumerate(points):
        say(f"Fitting {' and '.join(in_sentence(key_words(m['path'])) for m in movers)} ({i + 1} of {len(points)})")
        scored.append((loss(next(runs), observed), i, values))
    scored.sort(key=lambda x: (x[0], x[1]))
    out: list[dict[str, float]] = []
    for _, _, values in scored:
        own = all(abs(v - _current(scenario, p)) < 1e-12 for p, v in values.items())
        out.append({} if own else {p: float(f"{v:.3g}") for p, v in values.items()})
    return out


def _current(scenario: Scenario, path: str) -> float:
    return float(getattr(scenario.behaviour, path.split(".", 1)[1]))


@dataclass(frozen=True)
class ModelSamples:
    """What the model's run gives to set beside the firm's history, counted as an export counts (the requests that
    arrived in the measured weeks, as a ticket is in the export when it was created in its span): lead time in
    working days of every request delivered, and per measured week (mean over the replications) the requests that
    arrived, those delivered, and the work in progress at the week's end."""

    leads: np.ndarray
    arrivals: np.ndarray
    delivered: np.ndarray
    wip: np.ndarray


def model_samples(scenario: Scenario, design: str, weeks: int, replications: int = 2) -> ModelSamples:
    """The model's side of the Calibrate page's pictures from `replications` runs of `design` over `weeks`. A
    request is delivered in the week its work is done, and in progress at a week's end when it arrived by then and
    is neither done nor dropped by then, so a week's WIP is what sim.measure counts open at the end had the run
    stopped there."""
    from sim.model import simulate  # the run's requests themselves, which run_experiment sums up

    s = with_values(scenario, {}, weeks=weeks, replications=max(replications, 2))
    hpw = s.firm.hours_per_week
    start, end = s.measured_hours
    week_ends = start + hpw * np.arange(1, s.weeks + 1)
    leads = []
    arrivals, delivered, wip = np.zeros(s.weeks), np.zeros(s.weeks), np.zeros(s.weeks)
    for rep in range(replications):
        requests = simulate(s, design, rep).requests
        arrival = np.array([r.arrival for r in requests])
        done = np.array([r.done for r in requests], dtype=float)
        dropped = np.array([r.dropped for r in requests], dtype=bool)
        measured = arrival >= start
        finished = measured & (done <= end)
        leads.append((done[finished] - arrival[finished]) / (hpw / 5))
        arrived_week = np.floor((arrival[measured] - start) / hpw).astype(int)
        arrivals += np.bincount(arrived_week[arrived_week < s.weeks], minlength=s.weeks)
        delivered += np.bincount(np.searchsorted(week_ends, done[finished]), minlength=s.weeks)  # (end - 1 week, end]
        arrived_by = np.searchsorted(np.sort(arrival[measured & ~dropped]), week_ends, side="right")
        done_by = np.searchsorted(np.sort(done[finished & ~dropped]), week_ends, side="right")
        wip += arrived_by - done_by
    return ModelSamples(np.concatenate(leads) if leads else np.zeros(0), arrivals / replications,
                        delivered / replications, wip / replications)


def simulated_samples(scenario: Scenario, design: str, weeks: int, replications: int = 2) -> tuple[np.ndarray,
                                                                                                    np.ndarray]:
    """Lead time in working days of every request delivered, and requests arrived per week (mean over the
    replications), in the measured weeks: the distributions the page sets beside the firm's own."""
    samples = model_samples(scenario, design, weeks, replications)
    return samples.leads, samples.arrivals
