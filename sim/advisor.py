"""Next-hire advisor: which affordable move (hires, process changes) serves an objective best, with confidence.

The moves within a yearly budget for new salaries are org designs added to today's staffing; every one of them
and today run with common random numbers (replication r of each sees the same clients and requests), and a
sequential ranking-and-selection procedure spends replications where the ranking is still in doubt.

Procedure: KN (Kim & Nelson 2001, "A fully sequential procedure for indifference-zone selection in simulation",
ACM TOMACS 11(3)), which is built for common random numbers: it estimates the variance of the *paired* difference
of every two candidates from a first stage of n0 replications, then adds replications to the candidates still in
contention and drops a candidate as soon as its mean falls below another's by more than the shrinking allowance
W_il(r) = max(0, delta / (2r) * (h^2 S_il^2 / delta^2 - r)), with h^2 = 2 eta (n0 - 1) and
eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2. When one candidate is left it is the best, or within the
indifference zone delta of the best, with probability at least 1 - alpha. Parameters (see `Procedure`): alpha 0.05,
n0 10 replications, a cap of 50 replications per candidate, delta per objective: $20,000 profit a year, 0.25 days
of mean lead time, 2 points of on-time rate, 1 for a weighted score (whose unit is one indifference zone, see
`Objective`). Each stage adds `stage_replications` replications to every candidate left and screens once;
screening less often than every replication keeps the guarantee (each pair's chance of a wrong elimination can
only fall). KN's allowance shrinks only as fast as delta / r, so two candidates far apart but very noisy can both
reach the cap; then the leader is compared with each other survivor by a one-sided paired t-test at level
alpha / (survivors - 1) (Bonferroni) and those it beats are dropped; if some are left besides the leader, they
cannot be told apart from it at this precision, and the advice says so. Today's organisation is a candidate like
the moves, and runs at every stage so that every option's difference to today is paired replication by replication.

sim_tools.ovs implements KN and KN++, but its KN looks up the variance of a pair with a wrong index when the
second candidate's index is below the first's, its KN++ uses the sum of the two variances rather than the variance
of the paired difference (which throws away what common random numbers gain), both draw one replication at a time
through an observer (nothing to hand a process pool or a cluster) and neither has a replication cap; so the same
procedure is written out here in a few lines.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment import run_replication
from sim.measure import yearly_salaries
from sim.parallel import bounded_map, stop_if_asked
from sim.scenario import OrgDesign, Scenario, ScenarioError, from_dict, short, shown
from sim.stats import BacklogTrend, backlog_trend, t_half_width

Progress = Callable[[int, int], None]

TODAY = "today"
TODAY_NAME = "today's organisation"

# name -> (summary metric, +1 if more is better else -1, words for a sentence, default indifference zone)
OBJECTIVES: dict[str, tuple[str, int, str, float]] = {
    "profit": ("profit", +1, "profit per year", 20_000.0),
    "lead_time": ("lead_time_days", -1, "days of mean lead time", 0.25),
    "on_time": ("on_time_rate", +1, "points of on-time rate", 0.02),
}
MIX_INDIFFERENCE = 1.0  # a weighted score counts indifference zones, so one of them is the smallest gap that matters

# Hires the advisor considers, by design key (their salaries: sim.measure.SALARY_OF). Coordinators are bounded so
# that a large budget stays a question about the next hires, not about every org chart money can buy.
HIRES = ("extra_engineers", "project_managers", "account_managers", "hybrids")
MAX_PER_ROLE = {"extra_engineers": 10, "project_managers": 2, "account_managers": 2, "hybrids": 2}
MAX_PEOPLE = 3  # people added in one move (a salesperson share counts as one): the next round of hiring
SALES_SHARES = (0.5, 1.0)
PROCESS_MOVES = ("standardised_work", "checkins")  # free: they cost engineer hours, not salaries
HIRE_WORDS = {"extra_engineers": ("engineer", "engineers"), "project_managers": ("project manager", "project managers"),
              "account_managers": ("account manager", "account managers"), "hybrids": ("hybrid PM/AM", "hybrid PM/AMs")}
PROCESS_WORDS = {"standardised_work": "standardised work", "checkins": "AM-PM check-ins"}
HIRE_KEYS = (*HIRES, "sales_share", *PROCESS_MOVES)


class NothingAffordable(ScenarioError):
    """The budget buys no hire and every free process change is already in place."""


@dataclass(frozen=True)
class Objective:
    """What the advisor maximises. One metric is judged in its own units (dollars, days, rate). A mix adds up each
    metric's improvement over today counted in that metric's indifference zone, times its weight: with equal
    weights, $20,000 more profit a year, a quarter day less mean lead time and 2 more points of on-time rate count
    the same. Fixed exchange rates rather than shares of today's values, because a firm's profit today can be
    near zero or negative, which would make "+10 % profit" meaningless.

    Build with `Objective.of("profit")`, `Objective.mix(profit=0.7, on_time=0.3)` or `Objective.parse(text)`.
    """

    weights: tuple[tuple[str, float], ...]

    @classmethod
    def of(cls, name: str) -> Objective:
        return cls.mix(**{name: 1.0})

    @classmethod
    def mix(cls, **weights: float) -> Objective:
        unknown = [k for k in weights if k not in OBJECTIVES]
        problems = [f"objective {short(k)}: unknown; choose from {', '.join(OBJECTIVES)}" for k in unknown[:3]]
        if len(unknown) > 3:
            problems.append(f"objective: {len(unknown) - 3:,} more unknown names")
        problems += [f"objective weight {k} = {shown(w)}: must be a positive number" for k, w in weights.items()
                     if k in OBJECTIVES and not (isinstance(w, (int, float)) and math.isfinite(w) and w > 0)]
        if not weights:
            problems.append(f"objective: name at least one of {', '.join(OBJECTIVES)}")
        if problems:
            raise ScenarioError(problems)
        # scaled by the largest first: 1e308 + 1e308 overflows to inf, and every weight would become 0
        top = max(float(w) for w in weights.values())
        scaled = {k: float(w) / top for k, w in weights.items()}
        total = sum(scaled.values())
        return cls(tuple((k, w / total) for k, w in scaled.items()))

    @classmethod
    def parse(cls, text: str) -> Objective:
        """`profit`, or a mix such as `profit:0.7,on_time:0.3` (weights are normalised to sum to 1)."""
        weights: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, weight = part.partition(":")
            try:
                weights[name.strip()] = float(weight) if weight else 1.0
            except ValueError:
                raise ScenarioError([f"objective {shown(part)}: write NAME or NAME:WEIGHT, e.g. profit:0.7,on_time:0.3"]
                                    ) from None
        return cls.mix(**weights)

    @property
    def single(self) -> str | None:
        return self.weights[0][0] if len(self.weights) == 1 else None

    @property
    def label(self) -> str:
        return self.single or ",".join(f"{k}:{w:g}" for k, w in self.weights)

    @property
    def indifference_zone(self) -> float:
        return OBJECTIVES[self.single][3] if self.single else MIX_INDIFFERENCE


@dataclass(frozen=True)
class Procedure:
    """Parameters of KN (see the module docstring); `indifference_zone=None` takes the objective's default."""

    alpha: float = 0.05
    first_stage: int = 10
    cap: int = 50
    stage_replications: int = 1
    indifference_zone: float | None = None

    def check(self) -> None:
        problems = []
        if not 0 < self.alpha < 1:
            problems.append(f"alpha = {self.alpha!r}: must be a number between 0 and 1")
        if not 2 <= self.first_stage <= 1000:
            problems.append(f"first_stage = {self.first_stage!r}: must be a whole number from 2 to 1000")
        if not self.first_stage <= self.cap <= 1000:
            problems.append(f"cap = {self.cap!r}: must be a whole number from first_stage ({self.first_stage}) to 1000")
        if not 1 <= self.stage_replications <= 100:
            problems.append(f"stage_replications = {self.stage_replications!r}: must be a whole number from 1 to 100")
        if self.indifference_zone is not None and not self.indifference_zone > 0:
            problems.append(f"indifference_zone = {self.indifference_zone!r}: must be a positive number")
        if problems:
            raise ScenarioError(problems)


@dataclass(frozen=True)
class Move:
    """A candidate: what is added to today's staffing (hires and process levers) and its yearly salaries, which is
    what the budget is stated in (the profit it runs on counts them with overheads, sim.measure.yearly_cost)."""

    hires: dict[str, Any]
    cost: float

    @property
    def name(self) -> str:
        """E.g. "+1 account manager and +0.5 salesperson with standardised work"; no comma, so names list well."""
        hires = [f"+{n} {one if n == 1 else many}" for key, (one, many) in HIRE_WORDS.items() if (n := self.hires[key])]
        if share := self.hires["sales_share"]:
            hires.append(f"+{share:g} salesperson")
        levers = " and ".join(PROCESS_WORDS[k] for k in PROCESS_MOVES if self.hires[k])
        if not hires:
            return levers or TODAY_NAME
        return " and ".join(hires) + (f" with {levers}" if levers else "")


@dataclass(frozen=True, eq=False)
class Advice:
    """The ranked options (best first, today among them), the sentence to show, and whether it is 95 % sure.

    `options` columns: rank, name, cost, objective_mean, objective_ci95, vs_today_mean, vs_today_ci95,
    better_than_today (replications in which the option beat today), replications, status, backlog_growth_mean,
        backlog_growth_ci95, keeping_up (sim.stats.BacklogTrend), then the hires (`HIRE_KEYS`). `scores` holds every
    replication's objective value (option, replication, objective) for charts; `trends` each option's backlog
    trend, in the order of `options`.
    """

    objective: Objective
    budget: float
    growth: float
    procedure: Procedure
    options: pd.DataFrame
    scores: pd.DataFrame
    recommendation: str
    confident: bool
    replications: int
    trends: tuple[BacklogTrend, ...] = ()

    def warnings(self, most: int = 5) -> list[str]:
        """The sentence for each of the `most` best options that are not keeping up with their work, then how many
        more there are (a table marks every one)."""
        warnings = [t.warning() for t in self.trends if not t.keeping_up]
        if len(warnings) <= most:
            return warnings
        return [*warnings[:most], f"{len(warnings) - most} more options are not keeping up either"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: objective, confident, recommendation and the options, best first."""
        return {
            "objective": self.objective.label,
            "confident": self.confident,
            "recommendation": self.recommendation,
            "options": [
                {
                    "name": row.name,
                    "hires": {k: _plain(getattr(row, k)) for k in HIRE_KEYS},
                    "cost": float(row.cost),
                    "objective": {"mean": _number(row.objective_mean), "ci95": _number(row.objective_ci95)},
                    "vs_today": {"mean": _number(row.vs_today_mean), "ci95": _number(row.vs_today_ci95)},
                    "replications": int(row.replications),
                    "backlog_growth_per_week": {"mean": _number(row.backlog_growth_mean),
                                                "ci95": _number(row.backlog_growth_ci95)},
                    "keeping_up": bool(row.keeping_up),
                }
                for row in self.options.itertuples(index=False)
            ],
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _number(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


# ---------------------------------------------------------------------------------------------------------------
# Candidates


def affordable_moves(scenario: Scenario, budget: float, today: OrgDesign | None = None) -> list[Move]:
    """Every combination of hires within the budget, each with and without the free process changes that are not
    in force today. Check-ins need an account manager and someone who plans (a PM or a hybrid) after the move:
    in the model they change only the deadlines an AM promises from the planners' view of capacity."""
    today = today or OrgDesign()
    in_force = today.process(scenario.process)
    levers = [k for k in PROCESS_MOVES if not getattr(in_force, k)]
    counts = [range(MAX_PER_ROLE[k] + 1) for k in HIRES]
    moves = []
    for numbers in itertools.product(*counts, (0.0, *SALES_SHARES)):
        hires = dict(zip((*HIRES, "sales_share"), numbers, strict=True))
        cost = yearly_salaries(scenario.economics, hires)
        if cost > budget or sum(numbers[:-1]) + (numbers[-1] > 0) > MAX_PEOPLE:
            continue
        after = _design(today, {**hires, **dict.fromkeys(PROCESS_MOVES, False)})
        for switched in itertools.product((False, True), repeat=len(levers)):
            lever = dict(zip(levers, switched, strict=True))
            if lever.get("checkins") and not (after.account_managers and after.project_managers + after.hybrids):
                continue
            move = Move({**hires, **dict.fromkeys(PROCESS_MOVES, False), **lever}, float(cost))
            if move.name != TODAY_NAME:
                moves.append(move)
    return moves


def _design(today: OrgDesign, hires: Mapping[str, Any]) -> OrgDesign:
    """Today's design with the move's hires added and its process levers switched on."""
    changes = {k: getattr(today, k) + hires[k] for k in (*HIRES, "sales_share")}
    changes.update({k: True for k in PROCESS_MOVES if hires[k]})
    return dataclasses.replace(today, **changes)


def _nothing_affordable(scenario: Scenario, budget: float) -> NothingAffordable:
    prices = {f"one {HIRE_WORDS[k][0]}": yearly_salaries(scenario.economics, {k: 1}) for k in HIRES}
    prices[f"a salesperson at {min(SALES_SHARES):g} time"] = yearly_salaries(scenario.economics,
                                                                             {"sales_share": min(SALES_SHARES)})
    cheapest = min(prices, key=prices.__getitem__)
    return NothingAffordable([
        f"A yearly budget of ${budget:,.0f} affords no move: the cheapest hire is {cheapest} at "
        f"${prices[cheapest]:,.0f} a year, and the free process changes are already in place or need an account "
        "manager and a project manager"
    ])


def _check_inputs(budget: float, growth: float) -> None:
    problems = []
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 <= budget < math.inf:
        problems.append(f"budget = {budget!r}: must be a yearly amount in dollars, 0 or more")
    if isinstance(growth, bool) or not isinstance(growth, (int, float)) or not -0.9 <= growth <= 5:
        problems.append(f"growth = {growth!r}: must be a number from -0.9 to 5 (0.3 = demand 30 % higher)")
    if problems:
        raise ScenarioError(problems)


def grown(scenario: Scenario, growth: float) -> Scenario:
    """The scenario with every client sending `growth` more requests a week (0.3 = +30 %), validated."""
    if growth == 0:
        return scenario
    data = scenario.to_dict()
    data["demand"]["requests_per_client_per_week"] *= 1 + growth
    return dataclasses.replace(scenario, demand=from_dict(data).demand)


# ---------------------------------------------------------------------------------------------------------------
# Replications


# Besides the objectives, what tells whether an option keeps up with its work (sim.stats.BacklogTrend).
TREND_METRICS = ("backlog_growth_per_week", "throughput_per_week")


def objective_metrics(scenario: Scenario, design: str, replication: int) -> dict[str, float]:
    """What a worker runs for the advisor: one replication, reduced to the objective metrics and the backlog trend
    (small to ship)."""
    summary = run_replication(scenario, design, replication)[0]
    return {metric: float(summary[metric]) for metric in (*(m for m, *_ in OBJECTIVES.values()), *TREND_METRICS)}


class _Runs:
    """Metric values per (design, replication), filled a stage at a time on the executor."""

    def __init__(self, scenario: Scenario, executor: Executor | None, progress: Progress | None, total: int,
                 should_stop: Callable[[], bool] | None = None):
        self.scenario, self.executor, self.progress, self.total = scenario, executor, progress, total
        self.should_stop = should_stop
        self.values: dict[tuple[str, int], dict[str, float]] = {}
        # a task carries only its own design: a hundred candidates would otherwise be pickled into every task
        self.alone = {name: dataclasses.replace(scenario, designs={name: d}) for name, d in scenario.designs.items()}

    def run(self, tasks: list[tuple[str, int]]) -> None:
        arguments = [(self.alone[d], d, r) for d, r in tasks]
        outputs: Iterable[dict[str, float]]
        if self.executor is None:
            outputs = (objective_metrics(*a) for a in arguments if not stop_if_asked(self.should_stop))
        else:
            outputs = bounded_map(self.executor, objective_metrics, arguments, should_stop=self.should_stop)
        for task, output in zip(tasks, outputs, strict=True):
            if any(math.isnan(output[m]) for m, *_ in OBJECTIVES.values()):
                raise ScenarioError([
                    f"weeks = {self.scenario.weeks}: a replication delivers no request at all, so lead time and "
                    "on-time rate are undefined; measure more weeks or lower the effort per request"
                ])
            self.values[task] = output
            if self.progress:
                self.progress(len(self.values), self.total)

    def metric(self, design: str, replications: int, metric: str) -> np.ndarray:
        return np.array([self.values[(design, r)][metric] for r in range(replications)])


def _scores(runs: _Runs, objective: Objective, design: str, n: int) -> np.ndarray:
    """The objective per replication in reporting units: the metric itself, or for a mix the weighted improvement
    over today in the same replication, in indifference zones (today scores 0 in every replication)."""
    if objective.single:
        return runs.metric(design, n, OBJECTIVES[objective.single][0])
    total = np.zeros(n)
    for name, weight in objective.weights:
        metric, sign, _, zone = OBJECTIVES[name]
        change = runs.metric(design, n, metric) - runs.metric(TODAY, n, metric)
        total += weight * sign * change / zone
    return total


# ---------------------------------------------------------------------------------------------------------------
# Selection


def advise(
    scenario: Scenario,
    budget: float,
    objective: Objective | str = "profit",
    growth: float = 0.0,
    *,
    today: str | None = None,
    procedure: Procedure = Procedure(),
    executor: Executor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Advice:
    """Rank the moves a yearly `budget` affords for `objective` at demand grown by `growth` (0 = this year's).

    `today` names a design of the scenario that is today's staffing (default: no coordinators, the scenario's
    process). `executor=None` runs in this process; any executor gives identical numbers. `progress(done, most)`
    is called as replications finish, `most` counting every candidate at the cap, so it usually ends early.
    When `should_stop()` turns true the ranking raises `sim.parallel.Stopped`, leaving no task queued.
    Raises NothingAffordable (a ScenarioError) when the budget buys nothing, ScenarioError for bad inputs.
    """
    objective = Objective.parse(objective) if isinstance(objective, str) else objective
    _check_inputs(budget, growth)
    procedure.check()
    if today is not None and today not in scenario.designs:
        raise ScenarioError([f"today = {today!r}: choose a design of the scenario: {', '.join(scenario.designs)}"])
    today_design = scenario.designs[today] if today else OrgDesign()
    moves = affordable_moves(scenario, budget, today_design)
    if not moves:
        raise _nothing_affordable(scenario, budget)
    candidates = [Move({k: False if k in PROCESS_MOVES else 0 for k in HIRE_KEYS}, 0.0), *moves]
    names = [TODAY] + [f"move-{i}" for i in range(1, len(candidates))]
    designs = {TODAY: today_design, **{n: _design(today_design, m.hires) for n, m in zip(names[1:], moves,
                                                                                            strict=True)}}
    evaluated = dataclasses.replace(grown(scenario, growth), designs=designs)
    runs = _Runs(evaluated, executor, progress, total=len(candidates) * procedure.cap, should_stop=should_stop)
    delta = procedure.indifference_zone or objective.indifference_zone
    k, n0 = len(candidates), procedure.first_stage

    runs.run([(d, r) for r in range(n0) for d in names])
    sign = OBJECTIVES[objective.single][1] if objective.single else 1

    def goodness(i: int, n: int) -> np.ndarray:  # larger is better
        return sign * _scores(runs, objective, names[i], n)

    def add(which: list[int], replications: range) -> None:
        # today runs every stage, in contention or not, so that every option's difference to today is paired
        runs.run([(names[i], rep) for rep in replications for i in sorted({0, *which})])

    chosen = select_best(k, goodness, add, procedure, delta)
    n_runs = {i: chosen.dropped_at.get(i, chosen.replications) for i in range(k)}
    n_runs[0] = chosen.replications
    return _report(objective, budget, growth, procedure, candidates, names, runs, n_runs, chosen)


@dataclass(frozen=True)
class Selection:
    """What KN decided: the candidates left (one if it is sure), when each other one was dropped, and the
    replications the candidates left received."""

    contenders: list[int]
    dropped_at: dict[int, int]
    replications: int

    @property
    def confident(self) -> bool:
        return len(self.contenders) == 1


def select_best(k: int, goodness: Callable[[int, int], np.ndarray], add: Callable[[list[int], range], None],
                procedure: Procedure, delta: float) -> Selection:
    """KN (module docstring) over candidates 0..k-1. `goodness(i, n)` gives candidate i's first n observations,
    larger is better, replication r of every candidate under common random numbers; `add(candidates, reps)` runs
    those replications of those candidates. The first stage must have been run before."""
    n0 = procedure.first_stage
    first = np.array([goodness(i, n0) for i in range(k)])
    pair_variance = np.var(first[:, None, :] - first[None, :, :], axis=2, ddof=1)
    eta = 0.5 * ((2 * procedure.alpha / max(k - 1, 1)) ** (-2 / (n0 - 1)) - 1)
    h2 = 2 * eta * (n0 - 1)

    def allowance(i: int, j: int, r: int) -> float:  # W_ij(r): how far i may trail j after r replications
        return max(0.0, delta / (2 * r) * (h2 * pair_variance[i, j] / delta**2 - r))

    contenders = list(range(k))
    dropped_at: dict[int, int] = {}
    r = n0
    while True:
        means = {i: goodness(i, r).mean() for i in contenders}
        survivors = [i for i in contenders
                     if not any(means[i] < means[j] - allowance(i, j, r) for j in contenders if j != i)]
        dropped_at.update({i: r for i in contenders if i not in survivors})
        contenders = survivors
        if len(contenders) == 1 or r >= procedure.cap:
            break
        more = range(r, min(r + procedure.stage_replications, procedure.cap))
        add(contenders, more)
        r = more[-1] + 1

    if len(contenders) > 1:  # the cap came first: which of the others is the leader surely better than?
        best = max(contenders, key=lambda i: goodness(i, r).mean())
        level = procedure.alpha / (len(contenders) - 1)
        beaten = [j for j in contenders if j != best and _surely_better(goodness(best, r) - goodness(j, r), level)]
        dropped_at.update(dict.fromkeys(beaten, r))
        contenders = [i for i in contenders if i not in beaten]
    return Selection(contenders, dropped_at, r)


def _paired_gap(values: np.ndarray, best: np.ndarray) -> tuple[float, float]:
    """Mean and 95 % half-width of an option minus the best, replication by replication, where both ran."""
    n = min(values.size, best.size)
    difference = values[:n] - best[:n]
    return float(difference.mean()), t_half_width(difference)


def _surely_better(differences: np.ndarray, alpha: float) -> bool:
    """One-sided paired t-test: is the mean difference above zero at level alpha?"""
    n = differences.size
    sd = differences.std(ddof=1)
    return sd == 0 and differences.mean() > 0 or bool(
        differences.mean() - stats.t.ppf(1 - alpha, n - 1) * sd / np.sqrt(n) > 0)


def _report(objective: Objective, budget: float, growth: float, procedure: Procedure, candidates: list[Move],
            names: list[str], runs: _Runs, n_runs: dict[int, int], chosen: Selection) -> Advice:
    sign = OBJECTIVES[objective.single][1] if objective.single else 1
    contenders, confident = chosen.contenders, chosen.confident
    scores = {i: _scores(runs, objective, names[i], n_runs[i]) for i in n_runs}
    today_scores = scores[0]
    rows = []
    trends: dict[int, BacklogTrend] = {}
    for i, move in enumerate(candidates):
        values, n = scores[i], n_runs[i]
        diff = values - today_scores[:n]
        rows.append({
            "name": move.name, "cost": move.cost,
            "objective_mean": float(values.mean()), "objective_ci95": t_half_width(values),
            "vs_today_mean": float(diff.mean()), "vs_today_ci95": t_half_width(diff) if i else 0.0,
            "better_than_today": int((sign * diff > 0).sum()), "replications": n,
            "status": ("chosen" if confident else "in contention") if i in contenders
            else f"dropped after {chosen.dropped_at[i]}" + ("; runs on as the reference" if i == 0 else ""),
            "_index": i, "_in_contention": i in contenders, **move.hires,
        })
        trend = backlog_trend(f'"{move.name}"', runs.metric(names[i], n, "backlog_growth_per_week"),
                              runs.metric(names[i], n, "throughput_per_week"), runs.scenario.weeks, kind="option")
        trends[i] = trend
        rows[-1].update(backlog_growth_mean=trend.growth_per_week, backlog_growth_ci95=trend.ci95,
                        keeping_up=trend.keeping_up)
    frame = pd.DataFrame(rows)
    frame["_goodness"] = sign * frame["objective_mean"]
    in_contention = frame[frame["_in_contention"]].sort_values(["_goodness", "cost"], ascending=[False, True],
                                                                kind="stable")
    # Options dropped early have means over fewer replications than the best, so their means alone can mislead
    # (a dropped option may show a higher mean than the best's, over its own replications). Each is compared with
    # the best on the replications both ran, and the dropped ones are ranked by that paired gap.
    best = scores[int(in_contention["_index"].iloc[0])]
    gaps = [_paired_gap(scores[i], best) for i in frame["_index"]]
    frame["vs_best_mean"], frame["vs_best_ci95"] = [g[0] for g in gaps], [g[1] for g in gaps]
    frame["_gap"] = sign * frame["vs_best_mean"]
    dropped = frame[~frame["_in_contention"]].sort_values(["_gap", "cost"], ascending=[False, True], kind="stable")
    frame = pd.concat([frame.loc[in_contention.index], dropped], ignore_index=True).drop(columns="_gap")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    order = frame["_index"].tolist()
    delta = procedure.indifference_zone or objective.indifference_zone
    sentence = _sentence(objective, budget, delta, candidates, scores, order, contenders, confident, sign)
    frame = frame.drop(columns=["_index", "_in_contention", "_goodness"])
    score_rows = [{"option": candidates[i].name, "replication": rep, "objective": float(v)}
                  for i in order for rep, v in enumerate(scores[i])]
    return Advice(objective, float(budget), float(growth), procedure, frame, pd.DataFrame(score_rows), sentence,
                  confident, sum(n_runs.values()), tuple(trends[i] for i in order))


def _sentence(objective: Objective, budget: float, delta: float, candidates: list[Move],
              scores: dict[int, np.ndarray], order: list[int], contenders: list[int], confident: bool,
              sign: int) -> str:
    top, runner = order[0], order[1]
    if not confident:
        tied = sorted(contenders, key=order.index)
        quoted = [f'"{candidates[i].name}"' for i in tied]
        n = min(len(scores[i]) for i in tied)
        return (f"{', '.join(quoted[:-1])} and {quoted[-1]} cannot be told apart at this budget after {n} "
                f"replications each; {quoted[0]} has the best mean.")
    n = min(len(scores[top]), len(scores[runner]))
    ahead = sign * (scores[top][:n] - scores[runner][:n])
    if _surely_better(ahead, 0.05):
        versus = f"better than {candidates[runner].name} in {int((ahead > 0).sum())} of {n} replications"
    else:  # KN's choice stands, but only up to the indifference zone
        close = f"{_amount(objective, delta, bare=True, zone=True)} {_metric_words(objective)}"
        versus = (f"{candidates[runner].name} comes within {close}, the smallest difference the advice tells "
                  "apart: either will do")
    if top == 0:
        return f"Keep {TODAY_NAME}: no move within ${budget:,.0f} a year does better; {versus}."
    diff = scores[top] - scores[0][: len(scores[top])]
    half = t_half_width(diff)
    return (f"{candidates[top].name[0].upper()}{candidates[top].name[1:]} first: {_amount(objective, diff.mean())} "
            f"{_metric_words(objective)}, 95 % interval {_amount(objective, diff.mean() - half, bare=True)} to "
            f"{_amount(objective, diff.mean() + half, bare=True)}, {versus}.")


def _metric_words(objective: Objective) -> str:
    if objective.single:
        return OBJECTIVES[objective.single][2]
    return "on the weighted score (" + ", ".join(f"{k} {100 * w:.0f} %" for k, w in objective.weights) + ")"


def _amount(objective: Objective, x: float, bare: bool = False, zone: bool = False) -> str:
    """A change in the objective's units: +$180k, -1.20 (days), +8.1 (points), +4.2 (weighted score)."""
    plus = "" if bare else "+"
    if objective.single == "profit":
        text = f"${abs(x) / 1000:,.0f}k" if not bare or zone else f"{abs(x) / 1000:,.0f}k"
        return ("-" if x < 0 else plus) + text
    if objective.single == "lead_time":
        return f"{x:{plus}.2f}"
    if objective.single == "on_time":
        return f"{100 * x:{plus}.1f}"
    return f"{x:{plus}.1f}"


__all__ = ["Advice", "Move", "NothingAffordable", "Objective", "Procedure", "advise", "affordable_moves", "grown",
           "objective_metrics"]
