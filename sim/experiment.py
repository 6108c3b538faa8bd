"""Experiments: many replications of many designs, run on any concurrent.futures.Executor, as tidy frames."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pandas as pd

from sim.measure import METRICS, measure
from sim.model import simulate
from sim.parallel import bounded_map, stop_if_asked
from sim.scenario import Scenario, ScenarioError, expected_requests, short
from sim.stats import BacklogTrend, backlog_trends, paired_differences, summarise


class Progress(Protocol):
    """What a long run says as it goes: `done` of `total` steps finished (replications of a comparison, of a
    ranking's options, of a robustness analysis's points). The app draws its bars from it; runs, rankings and
    robustness analyses all take this one type."""

    def __call__(self, done: int, total: int, /) -> None: ...


# Up to this many simulated weeks (designs x replications x (weeks + warm-up)) and this many requests in them, a run
# takes about as long as the default comparison in one process, and a process pool would cost more to start, feed
# and wait on than it saves: the CLI's default comparison (5 x 5 x 56 = 1,400 weeks, about 26,000 requests) ran
# 1.34x slower on a fresh pool than serially. Weeks alone would let a busy firm's few weeks (a link's 4 weeks of
# 100,000 requests each) run in the app's own process, one core for every user, past any stop between
# replications. The app and the CLI both decide by `quick_here`.
IN_PROCESS_WEEKS = 1_500
IN_PROCESS_REQUESTS = 30_000


def simulated_weeks(scenario: Scenario, designs: Sequence[str], replications: int | None = None) -> int:
    """Weeks a run simulates: designs x replications (the scenario's unless given, e.g. one stage's) x weeks."""
    reps = scenario.replications if replications is None else replications
    return len(designs) * reps * (scenario.weeks + scenario.warmup_weeks)


def quick_here(scenario: Scenario, weeks: float) -> bool:
    """Whether `weeks` simulated weeks of this scenario are quicker in this process than on a pool: at most
    IN_PROCESS_WEEKS of them, holding at most IN_PROCESS_REQUESTS requests at the scenario's mean rate."""
    per_week = expected_requests(scenario) / (scenario.weeks + scenario.warmup_weeks)
    return weeks <= IN_PROCESS_WEEKS and weeks * per_week <= IN_PROCESS_REQUESTS


def runs_in_process(scenario: Scenario, designs: Sequence[str] | None = None) -> bool:
    """Whether a run is small enough that this process does it faster than a pool (`quick_here`)."""
    return quick_here(scenario, simulated_weeks(scenario, check_designs(scenario, designs)))


def run_replication(scenario: Scenario, design: str, replication: int,
                    should_stop: Callable[[], bool] | None = None) -> tuple[dict, list[dict], list[dict]]:
    """What a worker runs: one design, one replication. Lives here, importable, so any process pool can call it.
    In this process, `should_stop` is asked after each simulated week (`sim.parallel.Stopped` when it says so)."""
    checkpoint = None if should_stop is None else functools.partial(stop_if_asked, should_stop)
    return measure(simulate(scenario, design, replication, checkpoint=checkpoint))


@dataclass(frozen=True)
class Stopping:
    """Why a comparison that added replications until its answer was clear (sim.sequential) stopped where it did:
    `reason` is one of sim.sequential's reasons, `replications` what each design ran, between `first_stage` (the
    scenario's replications) and `cap` (its max_replications); `zone` is the smallest difference that matters on
    the objective (`objective`, a label), in its units, and `confidence` the level of each look."""

    reason: str
    replications: int
    first_stage: int
    cap: int
    zone: float
    objective: str
    confidence: float


@dataclass(frozen=True)
class Results:
    """Tidy frames: `summary` one row per design and replication, `weekly` per week, `time_use` per category;
    `stopping` says how many replications a comparison that runs until its answer is clear needed, and why it
    stopped (None for a fixed number, the scenario's replications)."""

    scenario: Scenario
    summary: pd.DataFrame
    weekly: pd.DataFrame
    time_use: pd.DataFrame
    stopping: Stopping | None = None

    @classmethod
    def joined(cls, scenario: Scenario, parts: Sequence[Results]) -> Results:
        """Results of the same scenario run in parts (designs or replications apart), as one."""
        return cls(scenario, *(pd.concat([getattr(p, name) for p in parts], ignore_index=True)
                               for name in ("summary", "weekly", "time_use")))

    @property
    def designs(self) -> list[str]:
        return list(dict.fromkeys(self.summary["design"]))

    @property
    def replications(self) -> int:
        """Replications each design ran: the scenario's, or more when the comparison ran until its answer was
        clear."""
        return int(self.summary["replication"].nunique())

    def kpis(self, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
        """Mean and 95 % half-width per design and metric."""
        return summarise(self.summary, list(metrics))

    def backlog_trends(self) -> dict[str, BacklogTrend]:
        """Per design, whether its backlog was still growing over the measured weeks (sim.stats.BacklogTrend)."""
        return backlog_trends(self.summary, self.scenario.weeks)

    def versus(self, baseline: str, metrics: Sequence[str] = METRICS) -> pd.DataFrame:
        """Paired differences of every design against the baseline design."""
        return paired_differences(self.summary, baseline, list(metrics))


def check_designs(scenario: Scenario, designs: Sequence[str] | None) -> list[str]:
    designs = list(scenario.designs) if designs is None else list(designs)
    unknown = [d for d in designs if d not in scenario.designs]
    if unknown or not designs:
        raise ScenarioError([f"designs = {short(','.join(designs)) or '(none)'}: choose from "
                             f"{', '.join(scenario.designs)}"])
    return designs


def run_experiment(
    scenario: Scenario,
    designs: Sequence[str] | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    replications: Sequence[int] | None = None,
) -> Results:
    """Every design x replication of the scenario (`replications`, by default 0 .. scenario.replications - 1).
    `executor=None` runs in this process; results are identical either way, and a replication gives the same
    figures whichever others run beside it, because each replication seeds its own streams from (seed,
    replication).

    Tasks go to the executor a few at a time (`sim.parallel.bounded_map`); when `should_stop()` turns true the run
    raises `sim.parallel.Stopped` and leaves nothing queued."""
    designs = check_designs(scenario, designs)
    reps = range(scenario.replications) if replications is None else replications
    tasks = [(scenario, design, rep) for design in designs for rep in reps]
    outputs = []
    if executor is None:
        results: Iterator = (run_replication(*task, should_stop=should_stop) for task in tasks
                             if not stop_if_asked(should_stop))
    else:
        results = bounded_map(executor, run_replication, tasks, should_stop=should_stop)
    for i, output in enumerate(results):
        outputs.append(output)
        if progress:
            progress(i + 1, len(tasks))
    summary = pd.DataFrame([o[0] for o in outputs])
    weekly = pd.DataFrame([row for o in outputs for row in o[1]])
    time_use = pd.DataFrame([row for o in outputs for row in o[2]])
    return Results(scenario, summary, weekly, time_use)


def with_overrides(scenario: Scenario, *, replications: int | None = None, weeks: int | None = None,
                   seed: int | None = None, max_replications: int | None = None) -> Scenario:
    """The scenario with experiment settings changed (CLI flags), validated like a file would be."""
    from sim.scenario import from_dict

    flags = {"replications": replications, "weeks": weeks, "seed": seed, "max_replications": max_replications}
    changes: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    if not changes:
        return scenario
    from_dict({**scenario.to_dict(), **changes})  # raises ScenarioError naming the bad flag value
    return replace(scenario, **changes)
