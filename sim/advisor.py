"""Next-hire advisor: which affordable move (hires, process changes) serves an objective best, with confidence.

The moves within a yearly budget for new salaries are org designs added to today's staffing; every one of them
and today run with common random numbers (replication r of each sees the same clients and requests), and a
sequential ranking-and-selection procedure spends replications where the ranking is still in doubt.

Procedure: KN (`sim.kn`, Kim & Nelson 2001), built for common random numbers: it drops a candidate as soon as
its mean falls below another's by more than a shrinking allowance, and when one is left it is the best, or within
the indifference zone delta of the best, with probability at least 1 - alpha. Parameters (see `sim.kn.Procedure`):
alpha 0.05, n0 10 replications, a cap of 50 replications per candidate, delta per objective: $20,000 profit a
year, 0.25 days of mean lead time, 2 points of on-time rate, 1 for a weighted score (whose unit is one indifference
zone, see `Objective`). Today's organisation is a candidate like the moves, and runs at every stage so that every
option's difference to today is paired replication by replication.

What is shown is what KN's choice rests on. KN stops after R replications of the candidates left; they and today
show means and paired differences over replications 0..R-1. An option KN dropped earlier is shown on the
replications it ran, paired with the best on those: its gap to the best is the mean of its paired differences, and
its mean is the best's mean plus that gap (the best as a control variate). Its own plain mean could sit above the
best's, since replications differ in demand for every option alike and common random numbers pair that away only
over common replications. A dropped option that is not clearly behind the best on its replications (its paired 95 %
interval reaches zero) runs on to R like the others, so every option shown on fewer is worse beyond noise. Ranks
follow the means; the best is the best mean of those on R, an option whose paired 95 % interval against the best
covers zero is tied with it, any other is worse; the advice is sure only when no option is tied.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment import Progress, run_replication
from sim.kn import Procedure, Selection, select_best
from sim.measure import yearly_salaries
from sim.objective import OBJECTIVES, Objective
from sim.parallel import bounded_map, result_of, stop_if_asked, window_for
from sim.scenario import OrgDesign, Scenario, ScenarioError, from_dict
from sim.stats import BacklogTrend, backlog_trend, t_half_width, ties_with_best
from sim.wording import HIRE_WORDS, SALESPERSON, TODAY_NAME, move_name

TODAY = "today"


# Hires the advisor considers, by design key (their salaries: sim.measure.SALARY_OF). Coordinators are bounded so
# that a large budget stays a question about the next hires, not about every org chart money can buy.
HIRES = ("extra_engineers", "project_managers", "account_managers", "hybrids")
MAX_PER_ROLE = {"extra_engineers": 10, "project_managers": 2, "account_managers": 2, "hybrids": 2}
MAX_PEOPLE = 3  # people added in one move (a salesperson share counts as one): the next round of hiring
SALES_SHARES = (0.5, 1.0)
PROCESS_MOVES = ("standardised_work", "checkins")  # free: they cost engineer hours, not salaries
HIRE_KEYS = (*HIRES, "sales_share", *PROCESS_MOVES)


class NothingAffordable(ScenarioError):
    """The budget buys no hire and every free process change is already in place."""


@dataclass(frozen=True)
class Move:
    """A candidate: what is added to today's staffing (hires and process levers) and its yearly salaries, which is
    what the budget is stated in (the profit it runs on counts them with overheads, sim.measure.yearly_cost)."""

    hires: dict[str, Any]
    cost: float

    @property
    def name(self) -> str:
        """E.g. "+1 account manager and +0.5 salesperson with standardised work" (sim.wording.move_name)."""
        return move_name(self.hires)


@dataclass(frozen=True, eq=False)
class Advice:
    """The ranked options (best first, today among them), the sentence to show, and whether it is sure: the best
    ahead of every other option beyond simulation noise (no paired 95 % interval against it covers zero).

    `options` columns: rank, name, cost, objective_mean, objective_ci95, vs_today_mean, vs_today_ci95,
    vs_best_mean, vs_best_ci95 (paired with the best), better_than_today (replications in which the option beat
    today), replications (what the row rests on: the best's, or fewer for an option dropped early), status (BEST,
    TIED or WORSE), dropped_after (the replication count at which KN dropped it, 0 if it never did),
    backlog_growth_mean, backlog_growth_ci95, keeping_up (sim.stats.BacklogTrend), then the hires (`HIRE_KEYS`).
    `scores` holds every replication's objective value (option, replication, objective) for charts; `trends` each
    option's backlog trend, in the order of `options`.
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
    decided_after: int = 0  # replications KN ran before it stopped; `replications` adds those run on after it

    def warnings(self, most: int = 5) -> list[str]:
        """The sentence for each of the `most` best options that are not keeping up with their work, then how many
        more there are (a table marks every one)."""
        warnings = [t.warning() for t in self.trends if not t.keeping_up]
        if len(warnings) <= most:
            return warnings
        return [*warnings[:most], f"{len(warnings) - most} more options are not keeping up either"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: objective, confident, recommendation and the options, best first, each on the same
        replications."""
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
                    "vs_best": {"mean": _number(row.vs_best_mean), "ci95": _number(row.vs_best_ci95)},
                    "status": row.status,
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


def option_design(option: Any) -> OrgDesign:
    """A row of `Advice.options` as a design: its hires and levers added to today's staffing (the blank design)."""
    return _design(OrgDesign(), {k: _plain(getattr(option, k)) for k in HIRE_KEYS})


def advice_pair(scenario: Scenario, advice: Advice) -> tuple[Scenario, str, str]:
    """What Next hire explains: its best option against today (or, when today is best, against the runner-up), as
    a scenario of those two designs at the demand the advice ranked for, each labelled as the advice names it."""
    rows = list(advice.options.itertuples(index=False))
    if len(rows) < 2:
        raise ScenarioError(["budget: the advice ranked one option; an explanation compares two"])
    best = rows[0]
    against = next((r for r in rows[1:] if r.name == TODAY_NAME), rows[1])
    designs = {key: dataclasses.replace(option_design(row), label=str(row.name)[:1].upper() + str(row.name)[1:])
               for key, row in (("best", best), ("against", against))}
    return dataclasses.replace(grown(scenario, advice.growth), designs=designs), "best", "against"


def _nothing_affordable(scenario: Scenario, budget: float) -> NothingAffordable:
    prices = {f"one {HIRE_WORDS[k][0]}": yearly_salaries(scenario.economics, {k: 1}) for k in HIRES}
    prices[f"a {SALESPERSON} at {min(SALES_SHARES):g} time"] = yearly_salaries(scenario.economics,
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
TREND_METRICS = ("backlog_growth_per_week", "throughput_per_week", "lead_time_drift_days", "lead_time_days")


def objective_metrics(scenario: Scenario, design: str, replication: int) -> dict[str, float]:
    """What a worker runs for the advisor: one replication, reduced to the objective metrics and the backlog trend
    (small to ship)."""
    summary = run_replication(scenario, design, replication)[0]
    return {metric: float(summary[metric]) for metric in (*(m for m, *_ in OBJECTIVES.values()), *TREND_METRICS)}


class _Runs:
    """Metric values per (design, replication), filled a stage at a time on the executor. A stage of KN runs the
    few options left, today among them: three tasks on two workers leave one idle half the time, so a small stage
    starts the next stage's likely tasks once its own are queued (`then`), and the next stage takes those it asks
    for and cancels the rest. The values are the same either way, since a replication is the same wherever and
    whenever it runs; what was started ahead and not asked for is neither counted nor kept."""

    def __init__(self, scenario: Scenario, executor: Executor | None, progress: Progress | None, total: int,
                 should_stop: Callable[[], bool] | None = None):
        self.scenario, self.executor, self.progress, self.total = scenario, executor, progress, total
        self.should_stop = should_stop
        self.values: dict[tuple[str, int], dict[str, float]] = {}
        # a task carries only its own design: a hundred candidates would otherwise be pickled into every task
        self.alone = {name: dataclasses.replace(scenario, designs={name: d}) for name, d in scenario.designs.items()}
        self.ahead: dict[tuple[str, int], Future] = {}  # tasks started before a stage asked for them

    def run(self, tasks: list[tuple[str, int]], then: Iterable[tuple[str, int]] = ()) -> None:
        ahead, self.ahead = self.ahead, {}
        if self.executor is None or len(tasks) > window_for(self.executor):
            for future in ahead.values():
                future.cancel()
            arguments = [(self.alone[d], d, r) for d, r in tasks]
            if self.executor is None:
                outputs: Iterable[dict[str, float]] = (objective_metrics(*a) for a in arguments
                                                       if not stop_if_asked(self.should_stop))
            else:
                outputs = bounded_map(self.executor, objective_metrics, arguments, should_stop=self.should_stop)
            self._record(tasks, outputs)
            return
        futures = [ahead.pop(task) if task in ahead else self._start(task) for task in tasks]
        for future in ahead.values():
            future.cancel()
        self.ahead = {task: self._start(task) for task in then if task not in self.values and task not in tasks}
        try:
            self._record(tasks, (result_of(future, self.should_stop) for future in futures))
        except BaseException:  # stopped, or a bad run: leave nothing queued
            for future in (*futures, *self.ahead.values()):
                future.cancel()
            self.ahead = {}
            raise

    def settle(self) -> None:
        """Cancel what was started ahead and not asked for: the procedure has stopped."""
        for future in self.ahead.values():
            future.cancel()
        self.ahead = {}

    def _start(self, task: tuple[str, int]) -> Future:
        assert self.executor is not None
        design, replication = task
        return self.executor.submit(objective_metrics, self.alone[design], design, replication)

    def _record(self, tasks: list[tuple[str, int]], outputs: Iterable[dict[str, float]]) -> None:
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
        options = sorted({0, *which})
        likely = range(replications.stop, min(replications.stop + len(replications), procedure.cap))
        runs.run([(names[i], rep) for rep in replications for i in options],
                 then=[(names[i], rep) for rep in likely for i in options])

    chosen = select_best(k, goodness, add, procedure, delta)
    runs.settle()
    decided_after = len(runs.values)

    def run_on(which: list[int], start: int) -> None:
        runs.run([(names[i], rep) for rep in range(start, chosen.replications) for i in which])

    own = shown_replications(chosen, goodness, run_on, [m.cost for m in candidates])
    return _report(objective, budget, growth, procedure, candidates, names, runs, chosen, own, decided_after)


def _best_of(full: list[int], goodness: Callable[[int, int], np.ndarray], n: int,
             costs: list[float]) -> tuple[int, set[int]]:
    """The best of the options on all `n` replications and those tied with it (sim.stats.ties_with_best, the app's
    one rule): the best mean, equal means the cheaper first, then in the order built."""
    values = {i: goodness(i, n) for i in full}
    order = sorted(full, key=lambda i: (-values[i].mean(), costs[i], i))
    best, tied = ties_with_best({str(i): values[i] for i in order})
    return int(best), {int(i) for i in tied}


def clearly_behind(values: np.ndarray, best: np.ndarray) -> bool:
    """Whether an option's replications (larger is better) trail the best's first ones beyond noise: the paired
    95 % interval of its gap lies below zero, the converse of `ties_with_best`'s tie."""
    gap = values - best[: values.size]
    half = t_half_width(gap)
    return not math.isnan(half) and gap.mean() + half < 0


def shown_replications(chosen: Selection, goodness: Callable[[int, int], np.ndarray],
                       run_on: Callable[[list[int], int], None], costs: list[float]) -> dict[int, int]:
    """The replications each option's figures rest on (module docstring): the options KN kept and today (which runs
    every stage) on all R of `chosen`; an option KN dropped on the replications it ran, unless it is not clearly
    behind the best on them, when `run_on(options, n)` runs those options from their n-th replication to R. An
    option run on can become the best, so the check is repeated until every option shown on fewer is clearly behind
    the best of those shown on all R."""
    n = chosen.replications
    own = {i: n for i in range(len(costs))}
    own.update({i: at for i, at in chosen.dropped_at.items() if i != 0})
    while True:
        best, _ = _best_of([i for i in own if own[i] == n], goodness, n, costs)
        leader = goodness(best, n)
        unclear = [i for i in own if own[i] < n and not clearly_behind(goodness(i, own[i]), leader)]
        if not unclear:
            return own
        for at in sorted({own[i] for i in unclear}):
            run_on([i for i in unclear if own[i] == at], at)
        own.update(dict.fromkeys(unclear, n))


BEST, TIED, WORSE = "best", "tied", "worse"  # an option's status, from the figures shown (module docstring)


def _report(objective: Objective, budget: float, growth: float, procedure: Procedure, candidates: list[Move],
            names: list[str], runs: _Runs, chosen: Selection, own: dict[int, int], decided_after: int) -> Advice:
    sign = OBJECTIVES[objective.single][1] if objective.single else 1
    n = chosen.replications
    scores = [_scores(runs, objective, name, own[i]) for i, name in enumerate(names)]
    best, tied = _best_of([i for i in own if own[i] == n], lambda i, m: sign * scores[i][:m], n,
                          [c.cost for c in candidates])
    shown = {i: _shown(scores[i], scores[best], scores[0]) for i in range(len(candidates))}
    # best mean first; equal means (a lever that changes nothing) the cheaper first, then in the order built
    order = sorted(range(len(candidates)), key=lambda i: (-sign * shown[i]["objective_mean"], candidates[i].cost, i))
    order = [best, *(i for i in order if i != best)]  # the same one unless two means differ in the last bit
    rows = []
    trends: dict[int, BacklogTrend] = {}
    for i in order:
        move, values, m = candidates[i], scores[i], own[i]
        figures = shown[i]
        if i == best:
            figures.update(vs_best_mean=0.0, vs_best_ci95=0.0)
        if i == 0:
            figures.update(vs_today_ci95=0.0)
        status = BEST if i == best else TIED if i in tied or (m < n and not clearly_behind(
            sign * values, sign * scores[best])) else WORSE
        trend = backlog_trend(f'"{move.name}"', runs.metric(names[i], m, "backlog_growth_per_week"),
                              runs.metric(names[i], m, "throughput_per_week"), runs.scenario.weeks, kind="option",
                              drift=runs.metric(names[i], m, "lead_time_drift_days"),
                              lead_days=runs.metric(names[i], m, "lead_time_days"))
        trends[i] = trend
        rows.append({
            "name": move.name, "cost": move.cost, **figures,
            "better_than_today": int((sign * (values - scores[0][:m]) > 0).sum()), "replications": m,
            "status": status, "dropped_after": chosen.dropped_at.get(i, 0),
            "backlog_growth_mean": trend.growth_per_week, "backlog_growth_ci95": trend.ci95,
            "keeping_up": trend.keeping_up, **move.hires,
        })
    frame = pd.DataFrame(rows)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    confident = not (frame["status"] == TIED).any()
    delta = procedure.indifference_zone or objective.indifference_zone
    sentence = _sentence(objective, budget, delta, frame, confident)
    score_rows = [{"option": candidates[i].name, "replication": rep, "objective": float(v)}
                  for i in order for rep, v in enumerate(scores[i])]
    return Advice(objective, float(budget), float(growth), procedure, frame, pd.DataFrame(score_rows), sentence,
                  confident, len(runs.values), tuple(trends[i] for i in order), decided_after)


def _shown(values: np.ndarray, best: np.ndarray, today: np.ndarray) -> dict[str, float]:
    """An option's figures in the objective's units (module docstring). On the best's replications they are plain
    means and paired differences. On fewer, each is the best's figure over all its replications plus the option's
    paired gap to the best over the ones it ran (the best as a control variate, so that replications with more
    demand for every option do not lift it above the best); each interval adds the two half-widths, which bounds
    the half-width of the sum whatever their correlation."""
    if values.size == best.size:
        diff, gap = values - today, values - best
        return {"objective_mean": float(values.mean()), "objective_ci95": t_half_width(values),
                "vs_today_mean": float(diff.mean()), "vs_today_ci95": t_half_width(diff),
                "vs_best_mean": float(gap.mean()), "vs_best_ci95": t_half_width(gap)}
    gap = values - best[: values.size]
    gap_mean, gap_half = float(gap.mean()), t_half_width(gap)
    lead = best - today
    return {"objective_mean": float(best.mean()) + gap_mean, "objective_ci95": t_half_width(best) + gap_half,
            "vs_today_mean": float(lead.mean()) + gap_mean, "vs_today_ci95": _half_or_zero(lead) + gap_half,
            "vs_best_mean": gap_mean, "vs_best_ci95": gap_half}


def _half_or_zero(values: np.ndarray) -> float:
    """The half-width, 0 for a difference that is 0 in every replication (today against itself)."""
    return 0.0 if not values.any() else t_half_width(values)


def _listed(names: list[str], most: int = 3) -> str:
    """'"a"', '"a" and "b"', '"a", "b", "c" and 2 more'."""
    quoted = [f'"{name}"' for name in names[:most]]
    if len(names) > most:
        return f"{', '.join(quoted)} and {len(names) - most} more"
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _sentence(objective: Objective, budget: float, delta: float, frame: pd.DataFrame, confident: bool) -> str:
    """The advice in one sentence, from the same figures as the table: sure only when no option is tied."""
    top, n, words = frame.iloc[0], int(frame["replications"].iloc[0]), _metric_words(objective)

    def by(gap: float, half: float) -> str:
        return (f"{_amount(objective, abs(gap), bare=True, zone=True)} {_metric_words(objective, again=True)} "
                f"(± {_amount(objective, half, bare=True, zone=True)})")

    over_today = "" if top["name"] == TODAY_NAME else (
        f"{_amount(objective, top.vs_today_mean)} {words} over {TODAY_NAME}, 95 % interval "
        f"{_amount(objective, top.vs_today_mean - top.vs_today_ci95, bare=True)} to "
        f"{_amount(objective, top.vs_today_mean + top.vs_today_ci95, bare=True)}")
    name = f"{top['name'][:1].upper()}{top['name'][1:]}"
    if confident:
        if len(frame) == 1:
            return f"{name}: the only option."
        runner = frame.iloc[1]
        ahead = (f"the closest, {runner['name']}, by {by(runner.vs_best_mean, runner.vs_best_ci95)}, over the same "
                 f"{n} replications")
        if top["name"] == TODAY_NAME:
            return (f"Keep {TODAY_NAME}: every move within ${budget:,.0f} a year does worse beyond simulation noise; "
                    f"{ahead}.")
        return f"{name} first: {over_today}; ahead of every other option beyond simulation noise, {ahead}."
    tied = frame[frame["status"] == TIED]
    verb = "is" if len(tied) == 1 else "are"
    start = f"{name} has the best mean" + (f", {over_today}" if over_today else "")
    sentence = (f"{start}; but {_listed(list(tied['name']))} {verb} within simulation noise of it after the same {n} "
                "replications, so the advice cannot tell which is best")
    if ((tied["vs_best_mean"].abs() + tied["vs_best_ci95"]) < delta).all():
        close = f"{_amount(objective, delta, bare=True, zone=True)} {_metric_words(objective, again=True)}"
        sentence += (f"; they differ by less than {close}, the smallest difference the advice tells apart, so "
                     "either will do")
    return sentence + "."


def _metric_words(objective: Objective, again: bool = False) -> str:
    """The objective's unit in words; a mix names its weights the first time (`again=False`) only."""
    if objective.single:
        return OBJECTIVES[objective.single][2]
    if again:
        return "on the weighted score"
    weights = ", ".join(f"{k.replace('_', ' ')} {100 * w:.0f} %" for k, w in objective.weights)
    return f"on the weighted score ({weights})"


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


__all__ = ["BEST", "TIED", "TODAY_NAME", "WORSE", "Advice", "Move", "NothingAffordable", "Objective", "Procedure",
           "Selection", "advise", "affordable_moves", "grown", "objective_metrics", "select_best"]
