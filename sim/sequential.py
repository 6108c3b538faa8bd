"""A comparison that adds replications until its answer is clear: the best design ahead of every other beyond
simulation noise, or every design it cannot be told apart from within the smallest difference that matters, or
the scenario's cap on replications.

The scenario's `replications` are the first stage; each later stage adds as many again to every design (paired:
replication r of every design sees the same clients and requests), up to `max_replications`. After each stage the
headline's own rule (sim.answer.settled) is asked whether more replications could change the answer. Looking
several times at 95 % would make a false "clear" likelier than 5 %, so each look is made at 95 % split over the
most looks the cap allows (Bonferroni): for the default 5 up to 30, six looks at 99.2 % each. A stricter look that
stops implies the headline's 95 % verdict, so the words that follow never contradict the stop. This is the
sequential rule Kim & Nelson's procedure (sim.kn, the advisor's) refines for many candidates; for the handful of
designs a comparison shows, every design runs every stage so that every figure in the tables has the same
replications.

Replication r gives the same figures whatever runs beside it, so a comparison run to 15 replications holds exactly
the 5 of a fixed comparison of 5, and a share link (which carries the first stage and the cap) reruns to the same
stop.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from sim.answer import CAP, settled
from sim.experiment import Progress, Results, Stopping, check_designs, run_experiment
from sim.objective import Objective
from sim.scenario import Scenario, ScenarioError
from sim.stats import CONFIDENCE

RunStage = Callable[[range], Results]  # replications -> every design's results on them


def cap_of(scenario: Scenario) -> int:
    """The most replications a design may run: the scenario's max_replications, never below its replications."""
    return max(scenario.replications, scenario.max_replications)


def stages(scenario: Scenario) -> list[range]:
    """The replications of each stage, the first stage first: as many as `replications` each, up to the cap."""
    first, cap = scenario.replications, cap_of(scenario)
    return [range(0, first)] + [range(n, min(n + first, cap)) for n in range(first, cap, first)]


def look_confidence(scenario: Scenario) -> float:
    """The confidence of each look: 95 % split over the most looks the stages allow."""
    return 1 - (1 - CONFIDENCE) / len(stages(scenario))


def run_until_clear(
    scenario: Scenario,
    designs: Sequence[str] | None = None,
    objective: Objective | str = "profit",
    zone: float | None = None,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    run_stage: RunStage | None = None,
) -> Results:
    """The comparison of `designs` on `objective`, stage by stage until its answer is clear (module docstring).
    `zone` is the smallest difference that matters in the objective's units (default: the objective's
    indifference zone, MODEL.md). `run_stage` runs one stage's replications of every design (default:
    `run_experiment` on `executor`); `progress(done, at_most)` counts replications done against the most the cap
    allows. Raises ScenarioError for a zone that is not a positive number."""
    objective = Objective.parse(objective) if isinstance(objective, str) else objective
    zone = objective.indifference_zone if zone is None else zone
    if not (isinstance(zone, (int, float)) and math.isfinite(zone) and zone > 0):
        raise ScenarioError([f"zone = {zone!r}: the smallest difference that matters must be a positive number"])
    designs = check_designs(scenario, designs)
    plan = stages(scenario)
    at_most = len(designs) * plan[-1].stop
    done_before = 0

    def stage_progress(done: int, total: int) -> None:
        if progress:
            progress(done_before + done, at_most)

    def default_stage(reps: range) -> Results:
        return run_experiment(scenario, designs, executor, stage_progress, should_stop, replications=reps)

    run = run_stage or default_stage
    confidence = look_confidence(scenario)
    parts: list[Results] = []
    for reps in plan:
        parts.append(run(reps))
        done_before += len(designs) * len(reps)
        results = Results.joined(scenario, parts)
        reason = settled(results, objective, zone, confidence)
        if reason is not None or reps is plan[-1]:
            stop = Stopping(reason or CAP, reps.stop, plan[0].stop, plan[-1].stop, float(zone), objective.label,
                            confidence)
            return dataclasses.replace(results, stopping=stop)
    raise AssertionError("the last stage always stops")  # pragma: no cover


__all__ = ["cap_of", "look_confidence", "run_until_clear", "stages"]
