"""How sure is the advice: robustness of the best design to what we do not know, not only to simulation noise.

The ± of a comparison covers the randomness of the simulation on *these* assumptions. Most behavioural defaults are
assumptions (MODEL.md), so this module moves them over their ranges (the scenario's `[uncertainty]` table, or the
model's default ranges) and asks whether the answer holds:

- *Tornado*: each uncertain input at its low and at its high end, the others at their values. For each end, which
  design is best and by how much the design best at the scenario's own values leads the best of the others (its
  margin; negative when another design wins there). The swing is how far the margin moves between the two ends,
  with its 95 % interval paired by replication: a swing within that interval is simulation noise, not the input.
  An input flips the answer only where another design leads beyond noise. The screen runs every input on few
  replications: at each end the best design all of them, the others the first, and the one nearest the best on it
  (the rival) the rest; the few inputs that could matter but are not yet clear rerun on more, for the best and the
  rivals only (`Settings.refine_replications`).
- *Monte Carlo*: every input at once, on a Latin hypercube of the ranges (`latin_hypercube`, scipy's draws, seeded
  from the scenario's seed). For each design, the share of samples in which it is best (designs within the objective's
  indifference zone of the sample's best split it evenly) and its expected
  regret: the objective lost against the best design of the same sample, with a Student-t 95 % interval over the
  samples. Each sample runs one replication of its own (sample n, replication n), the same for every design: the
  samples are then independent in their inputs and their noise alike, so the interval covers the simulation's noise
  too, which samples sharing replications would hide.

The values and the tornado's ends run replications 0..R-1, so every design and every end sees the same clients and
requests (common random numbers): a parameter with no effect has exactly zero swing, and two identical designs
tie in every sample. The runs go through any concurrent.futures.Executor, as `run_experiment`'s do. To stay fast
the analysis runs fewer replications and weeks than a full comparison (`Settings`); the scenario's warm-up holds.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment import Progress, check_designs
from sim.objective import OBJECTIVES, Objective
from sim.parallel import bounded_map, stop_if_asked
from sim.reads import WATCHED, reading
from sim.scenario import Scenario, ScenarioError, from_dict, numeric_field, uncertain_ranges, value_at
from sim.stats import t_half_width, ties_with_best
from sim.wording import gap_size


@dataclass(frozen=True)
class Settings:
    """How much the analysis runs: Monte Carlo samples (one replication each), the screen's replications at the
    values and at the tornado's ends (the best and each end's rival; the others run the first), and the measured
    weeks of every run; `weeks=None` keeps the scenario's. The defaults keep the default scenario's analysis to
    about 10 times the simulated weeks of one comparison (bench/README.md): the question is which design wins, which
    needs less precision than the figures themselves."""

    samples: int = 20
    replications: int = 2
    weeks: int | None = 20
    # the few tornado inputs that could matter but are within noise on `replications` rerun up to this many (for
    # the best design and its rival at each end only); no more than `replications` refines nothing
    refine_replications: int = 8

    def check(self) -> None:
        problems = []
        if not 2 <= self.samples <= 1000:
            problems.append(f"samples = {self.samples!r}: must be a whole number from 2 to 1000")
        if not 2 <= self.replications <= 100:
            problems.append(f"replications = {self.replications!r}: must be a whole number from 2 to 100")
        if not 2 <= self.refine_replications <= 100:
            problems.append(f"refine_replications = {self.refine_replications!r}: must be a whole number from 2 to "
                            "100")
        if self.weeks is not None and not 1 <= self.weeks <= 520:
            problems.append(f"weeks = {self.weeks!r}: must be a whole number from 1 to 520")
        if problems:
            raise ScenarioError(problems)


@dataclass(frozen=True, eq=False)
class Robustness:
    """The two analyses. `tornado` has one row per uncertain input (`TORNADO_COLUMNS`), those beyond noise first,
    each group largest swing first: parameter, value, low, high, best_at_low, best_at_high (ahead on the means),
    margin_at_value (on the row's own replications: `margin` unless refined), margin_at_low, margin_at_high (the
    lead of `best` over the best other design, in the objective's units, larger is better for `best`),
    lead_ci95_at_low, lead_ci95_at_high (the 95 % half-width of the winner's lead over `best` where another design
    is ahead on the means, else NaN), swing, swing_ci95 (its 95 % half-width, paired by replication), beyond_noise
    (|swing| larger than swing_ci95 and than the objective's indifference zone), flips (beyond noise, and at an end
    another design leads beyond noise) and replications (what the row's figures rest on: more where it was
    refined). `samples` has one row per Monte Carlo sample: the
    inputs, then each design's objective."""

    objective: Objective
    designs: list[str]
    settings: Settings
    best: str  # best at the scenario's own values
    runner_up: str
    margin: float  # best's lead over the runner-up at the scenario's own values
    probability_best: dict[str, float]
    expected_regret: dict[str, tuple[float, float]]  # design -> (mean, 95 % half-width)
    tornado: pd.DataFrame
    samples: pd.DataFrame

    @property
    def most_likely(self) -> str:
        return max(self.designs, key=lambda d: (self.probability_best[d], d == self.best))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of `python -m sim robust`."""
        return {
            "objective": self.objective.label,
            "samples": len(self.samples),
            "replications": self.settings.replications,
            "refine_replications": self.settings.refine_replications,
            "weeks": self.settings.weeks,
            "best_at_values": self.best,
            "probability_best": {d: round(p, 6) for d, p in self.probability_best.items()},
            "expected_regret": {d: {"mean": _number(m), "ci95": _number(h)}
                                for d, (m, h) in self.expected_regret.items()},
            "tornado": [
                {"parameter": r.parameter, "value": r.value, "low": r.low, "high": r.high,
                 "best_at_low": r.best_at_low, "best_at_high": r.best_at_high,
                 "margin_at_low": _number(r.margin_at_low), "margin_at_high": _number(r.margin_at_high),
                 "lead_ci95_at_low": _number(r.lead_ci95_at_low), "lead_ci95_at_high": _number(r.lead_ci95_at_high),
                 "swing": _number(r.swing), "swing_ci95": _number(r.swing_ci95),
                 "beyond_noise": bool(r.beyond_noise), "flips": bool(r.flips), "replications": int(r.replications)}
                for r in self.tornado.itertuples(index=False)
            ],
        }


def _number(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


# ---------------------------------------------------------------------------------------------------------------
# Variants of the scenario


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with numeric parameters set (whole numbers rounded), validated like a file."""
    data = scenario.to_dict()
    for path, value in values.items():
        kind, _ = numeric_field(path) or (float, {})
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = int(round(value)) if kind is int else float(value)
    try:
        return from_dict(data)
    except ScenarioError as exc:
        where = ", ".join(f"{p} at {v:g}" for p, v in values.items())
        raise ScenarioError([f"uncertainty ({where}): {p}" for p in exc.problems]) from None


def latin_hypercube(ranges: dict[str, tuple[float, float]], samples: int, seed: int) -> pd.DataFrame:
    """`samples` points spread over the ranges, one column per input: each input's range is cut into `samples`
    equal strata and each stratum is sampled once (McKay, Beckman & Conover 1979). The draws are those of
    `scipy.stats.qmc.LatinHypercube(d, seed=np.random.default_rng(seed)).random(samples)`, bit for bit
    (tests/test_robust.py holds them equal), written out in its five lines: importing scipy.stats cost half a
    second of every analysis, 5 % of the default one, while the pool waited for its first variants."""
    paths = list(ranges)
    if not paths:
        return pd.DataFrame(index=range(samples))
    # the child of default_rng(seed)'s seed sequence that LatinHypercube spawns and owns
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed).spawn(1)[0]))
    jitter = rng.uniform(size=(samples, len(paths)))
    strata = np.tile(np.arange(1, samples + 1), (len(paths), 1))
    for row in strata:
        rng.shuffle(row)
    unit = (strata.T - jitter) / samples
    lows = np.array([ranges[p][0] for p in paths])
    highs = np.array([ranges[p][1] for p in paths])
    return pd.DataFrame(lows + unit * (highs - lows), columns=paths)


def _variant_metrics(scenario: Scenario, design: str, replications: range,
                     watch: bool = False) -> tuple[list[dict[str, float]], frozenset[str] | None]:
    """What a worker runs: one design of one variant, the given replications (one task, not R, to ship less), and
    with `watch` the inputs those runs read (sim.reads)."""
    from sim.advisor import objective_metrics  # here, so a comparison scoring with this module skips the advisor

    read: set[str] | None = None
    if watch:
        scenario, read = reading(scenario)
    metrics = [objective_metrics(scenario, design, r) for r in replications]
    return metrics, None if read is None else frozenset(read)


def unread(path: str, read: frozenset[str]) -> bool:
    """Whether runs that read `read` cannot depend on the input at `path` (sim.reads): it is in a watched table
    and none of them read it."""
    return path.split(".", 1)[0] in WATCHED and path not in read


# ---------------------------------------------------------------------------------------------------------------
# Scores


def goodness(metrics: list[dict[str, float]], objective: Objective) -> float:
    """The objective over replications, larger is better: the metric's mean (negated for lead time), or for a mix
    the weighted sum of each metric in its indifference zones (MODEL.md, "The next-hire advisor"). Differences of
    goodness are in the objective's reporting units for a single metric (dollars, days, rate)."""
    total = 0.0
    for name, weight in objective.weights:
        metric, sign, _, zone = OBJECTIVES[name]
        mean = float(np.mean([m[metric] for m in metrics]))
        total += sign * mean * (weight if objective.single else weight / zone)
    return total


def _best_two(scores: dict[str, float]) -> tuple[str, str]:
    order = sorted(scores, key=lambda d: -scores[d])  # stable: the first design listed wins an exact tie
    return order[0], order[1]


def _lead(scores: dict[str, float], design: str) -> float:
    """How far `design` is ahead of the best other design (negative when behind)."""
    return scores[design] - max(v for d, v in scores.items() if d != design)


def probability_best(scores: np.ndarray, zone: float = 0.0) -> np.ndarray:
    """Share of samples (rows) in which each design (column) is best; the designs within `zone` (the objective's
    indifference zone, in goodness units) of a sample's top share it evenly: a lead smaller than the smallest
    difference that matters does not make a winner."""
    top = scores.max(axis=1, keepdims=True)
    winners = top - scores <= zone + 1e-9 * np.maximum(1.0, np.abs(top))
    return (winners / winners.sum(axis=1, keepdims=True)).mean(axis=0)


def regret(scores: np.ndarray) -> np.ndarray:
    """Objective lost in each sample against that sample's best design, >= 0."""
    return scores.max(axis=1, keepdims=True) - scores


# ---------------------------------------------------------------------------------------------------------------
# The analysis


def robustness(
    scenario: Scenario,
    designs: Sequence[str] | None = None,
    objective: Objective | str = "profit",
    settings: Settings = Settings(),
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Robustness:
    """Tornado and Monte Carlo over the scenario's uncertain inputs for `designs` (all by default, at least two).

    `executor=None` runs in this process; any executor gives identical numbers. `progress(done, total)` counts
    replications; when `should_stop()` turns true the run raises `sim.parallel.Stopped` and leaves nothing queued.
    Raises ScenarioError for bad inputs, naming them.
    """
    objective = Objective.parse(objective) if isinstance(objective, str) else objective
    settings.check()
    designs = check_designs(scenario, designs)
    if len(designs) < 2:
        raise ScenarioError([f"designs = {','.join(designs)}: name at least two designs to tell which is best"])
    changes: dict[str, Any] = {"replications": settings.replications}
    if settings.weeks is not None:
        changes["weeks"] = min(settings.weeks, scenario.weeks)
    base = dataclasses.replace(scenario, **changes)
    ranges = uncertain_ranges(scenario)
    values = {p: float(value_at(scenario, p)) for p in ranges}
    variants = _Variants(base, ranges, settings.samples if ranges else 1, scenario.seed)
    ends_of = [(1 + 2 * k, 2 + 2 * k) for k in range(len(ranges))]
    samples = range(1 + 2 * len(ranges), len(variants))

    screen, first = range(settings.replications), range(1)
    counter = _Counter(progress, screen_replications(len(ranges), len(samples), len(designs), settings))
    # the scenario's own values first, watched: a tornado end whose input a design's runs there never read would
    # make the same runs (sim.reads), so it takes them rather than simulate them again
    runs, reads = _run(variants, [(0, d, screen) for d in designs], objective, executor, counter, should_stop,
                       watch=True)
    at_values = {d: float(runs[0, d].mean()) for d in designs}
    best, runner_up = _best_two(at_values)
    same = {(v, d): (0, d) for k, path in enumerate(ranges) for v in ends_of[k] for d in designs
            if unread(path, reads[0, d])}
    # at a tornado end the best runs every replication of the screen, the others the first (the nearest of them,
    # the rival, gets the rest below); at each Monte Carlo sample every design runs that sample's own replication
    tasks = [(v, d, screen if d == best or len(designs) == 2 else first)
             for pair in ends_of for v in pair for d in designs if (v, d) not in same]
    tasks += [(i, d, range(n, n + 1)) for n, i in enumerate(samples) for d in designs]  # a replication of its own
    counter.total = counter.done + sum(len(reps) for *_, reps in tasks) + _rival_replications(ends_of, same, designs,
                                                                                           best, settings)
    runs.update(_run(variants, tasks, objective, executor, counter, should_stop)[0])
    runs.update({task: runs[at_value] for task, at_value in same.items()})
    rivals = {v: _rival(v, runs, designs, best) for pair in ends_of for v in pair}
    more = [(v, rival, range(runs[v, rival].size, settings.replications)) for v, rival in rivals.items()
            if runs[v, rival].size < settings.replications]
    counter.total = counter.done + sum(len(reps) for *_, reps in more)
    _extend(runs, _run(variants, more, objective, executor, counter, should_stop)[0])
    at_value = _end(0, runs, runner_up, best)  # at the values every design ran all: the rival is the runner-up
    ends = [(at_value, *(_end(v, runs, rivals[v], best) for v in pair)) for pair in ends_of]
    ends = _refine(ends, designs, best, settings, variants, objective, executor, counter, should_stop)
    tornado = _tornado(ranges, values, ends, best, designs, objective.indifference_zone)
    sample_scores = np.array([[float(runs[i, d].mean()) for d in designs] for i in samples])
    sign = 1.0 if not objective.single else float(OBJECTIVES[objective.single][1])
    frame = variants.draws.copy()
    for j, d in enumerate(designs):
        frame[d] = sign * sample_scores[:, j]  # back in the objective's own units (days of lead time, not negated)
    lost = regret(sample_scores)
    return Robustness(
        objective=objective, designs=designs, settings=settings, best=best, runner_up=runner_up,
        margin=_lead(at_values, best),
        probability_best=dict(zip(designs, map(float, probability_best(sample_scores, objective.indifference_zone)),
                                  strict=True)),
        expected_regret={d: (float(lost[:, j].mean()), _half_width(lost[:, j])) for j, d in enumerate(designs)},
        tornado=tornado, samples=frame,
    )


def _half_width(values: np.ndarray) -> float:
    """Student-t half-width; 0 when every sample agrees (a design never behind has no doubt about its regret)."""
    if values.size >= 2 and np.ptp(values) == 0:
        return 0.0
    return t_half_width(values)


class _Counter:
    """Replications done of those known so far. The total starts at the most the screen can run
    (`screen_replications`), and is set again when the runs at the scenario's values have shown what they read (the
    ends taken from them), when the screen has chosen each end's rival (the rest of its replications) and when the
    refinement is chosen: honest at each step, and `done` reaches it."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def add(self, replications: int) -> None:
        self.done += replications
        if self.progress:
            self.progress(self.done, self.total)


Runs = dict[tuple[int, str], np.ndarray]  # (variant, design) -> goodness replication by replication


Task = tuple[int, str, range]  # (variant, design, replications)


def _run(variants: _Variants, tasks: list[Task], objective: Objective, executor: Executor | None,
         counter: _Counter, should_stop: Callable[[], bool] | None,
         watch: bool = False) -> tuple[Runs, dict[tuple[int, str], frozenset[str]]]:
    """Each task's goodness per replication (`goodness([row])`, as `replication_scores`: goodness is linear in the
    means, so their mean is the goodness of all the replications), and with `watch` the inputs each task read. The
    variants are built as the tasks are handed out, so the pool runs the first while this process builds the rest."""
    # a task carries only its own design, as the advisor's do
    alone = ((dataclasses.replace(variants[i], designs={d: variants[i].designs[d]}), d, reps, watch)
             for i, d, reps in tasks)
    if executor is None:
        outputs: Any = (_variant_metrics(*a) for a in alone if not stop_if_asked(should_stop))
    else:
        outputs = bounded_map(executor, _variant_metrics, alone, should_stop=should_stop)
    used = [OBJECTIVES[name][0] for name, _ in objective.weights]
    runs: Runs = {}
    reads: dict[tuple[int, str], frozenset[str]] = {}
    for (i, d, reps), (metrics, read) in zip(tasks, outputs, strict=True):
        if read is not None:
            reads[i, d] = read
        if any(math.isnan(m[k]) for m in metrics for k in used):
            raise ScenarioError([
                f"weeks = {variants[i].weeks}: a replication delivers no request at all, so lead time and on-time "
                "rate are undefined; measure more weeks or lower the effort per request"
            ])
        runs[i, d] = np.array([goodness([m], objective) for m in metrics])
        counter.add(len(reps))
    return runs, reads


def _extend(runs: Runs, more: Runs) -> None:
    """Later replications of the same tasks, appended to the earlier ones."""
    for task, values in more.items():
        runs[task] = np.concatenate([runs[task], values])


class _Variants:
    """The scenario's variants by index, each built (and validated like a file) when first asked for: 0 at the
    scenario's values, 1 + 2k and 2 + 2k at the low and high end of the k-th uncertain input, then the Monte Carlo
    samples (`draws`, drawn when first needed)."""

    def __init__(self, base: Scenario, ranges: dict[str, tuple[float, float]], samples: int, seed: int):
        self.base, self.ranges, self.paths, self.samples, self.seed = base, ranges, list(ranges), samples, seed
        self.built: dict[int, Scenario] = {0: base}
        self._draws: pd.DataFrame | None = None

    def __len__(self) -> int:
        return 1 + 2 * len(self.paths) + self.samples

    @property
    def draws(self) -> pd.DataFrame:
        if self._draws is None:
            self._draws = latin_hypercube(self.ranges, self.samples, self.seed)
        return self._draws

    def __getitem__(self, i: int) -> Scenario:
        if i not in self.built:
            k, j = divmod(i - 1, 2)
            if k < len(self.paths):
                values = {self.paths[k]: self.ranges[self.paths[k]][j]}
            else:
                values = dict(self.draws.iloc[i - 1 - 2 * len(self.paths)])
            self.built[i] = with_values(self.base, values)
        return self.built[i]


def screen_replications(inputs: int, samples: int, designs: int, settings: Settings) -> int:
    """The most replications the screen runs, before the runs at the scenario's values show which ends they can
    stand for (sim.reads): every design all of the screen's replications at the values and at each sample; at each
    of the two ends of every input, the best all of them and each other design the first, then the rival (the
    nearest on it) the rest. With two designs the other is the rival, and runs them all at once."""
    r = settings.replications
    per_end = 2 * r if designs == 2 else r + (designs - 1) + (r - 1)
    return designs * r + 2 * inputs * per_end + samples * designs


def _rival_replications(ends_of: list[tuple[int, int]], same: dict[tuple[int, str], tuple[int, str]],
                        designs: list[str], best: str, settings: Settings) -> int:
    """The most the rivals' rest can add: the screen's other replications at each end where some design other than
    the best runs only the first."""
    if len(designs) == 2:
        return 0
    ran_first = [v for pair in ends_of for v in pair if any((v, d) not in same for d in designs if d != best)]
    return len(ran_first) * (settings.replications - 1)


def _rival(variant: int, runs: Runs, designs: list[str], best: str) -> str:
    """The design other than `best` ahead at a tornado end on the first replication, which every design ran there
    or took from its runs at the values (so taking them changes nothing, sim.reads); max keeps the first of equal
    ones. (At the scenario's values, where every design ran all of the screen's, the rival is the runner-up.)"""
    return max((d for d in designs if d != best), key=lambda d: float(runs[variant, d][0]))


@dataclass(frozen=True)
class _End:
    """One end of a tornado input: its variant, the best design other than `best` there (`_rival`), and the goodness
    of both replication by replication (the same replications: common random numbers)."""

    variant: int
    rival: str
    best: np.ndarray
    other: np.ndarray

    @property
    def margins(self) -> np.ndarray:
        """`best`'s lead over the rival, replication by replication."""
        return self.best - self.other


def _end(variant: int, runs: Runs, rival: str, best: str) -> _End:
    return _End(variant, rival, runs[variant, best], runs[variant, rival])


REFINED_INPUTS = 3  # at most this many tornado rows rerun on `Settings.refine_replications`


def _refine(ends: list[tuple[_End, ...]], designs: list[str], best: str, settings: Settings,
            variants: _Variants, objective: Objective, executor: Executor | None, counter: _Counter,
            should_stop: Callable[[], bool] | None) -> list[tuple[_End, ...]]:
    """The rows that could matter but are not clear on the screen, rerun on more replications for `best` and the
    rival at each end only: bounded (`REFINED_INPUTS` rows, 4 runs each, and the 2 at the scenario's values that
    every refined row shares, so that its bar starts from its own replications) and chosen from the screen's
    figures, so the same on any executor. Rows not refined keep their screen figures. Each entry of `ends` is
    (at the values, low end, high end)."""
    extra = range(settings.replications, settings.refine_replications)
    zone = objective.indifference_zone
    rows = [_row(pair, best, designs, zone) for pair in ends]
    chosen = sorted((k for k, row in enumerate(rows) if _unsettled(row, best, zone)), key=lambda k: -rows[k]["swing"])
    chosen = chosen[:REFINED_INPUTS] if extra else []
    if not chosen:
        return ends
    at_value = ends[chosen[0]][0]
    tasks = [(0, best, extra), (0, at_value.rival, extra)]
    tasks += [(end.variant, d, extra) for k in chosen for end in ends[k][1:] for d in (best, end.rival)]
    counter.total += len(tasks) * len(extra)
    more = _run(variants, tasks, objective, executor, counter, should_stop)[0]
    refined = list(ends)
    for k in chosen:
        refined[k] = tuple(dataclasses.replace(end, best=np.concatenate([end.best, more[end.variant, best]]),
                                               other=np.concatenate([end.other, more[end.variant, end.rival]]))
                           for end in ends[k])
    return refined


def rerun_replications(result: Robustness) -> int:
    """Replications the refinement added to the screen: 2 designs at both ends of each refined row, and the 2 at
    the scenario's values once (what `_refine` runs, read back from the rows' replications)."""
    s = result.settings
    refined = int((result.tornado["replications"] > s.replications).sum())
    return (4 * refined + 2) * (s.refine_replications - s.replications) if refined else 0


def _unsettled(row: dict[str, Any], best: str, zone: float) -> bool:
    """Whether more replications could change what the row says: its swing is not beyond noise (and not exactly
    zero in every replication, which under common random numbers it stays), or another design is ahead at an end
    on the means but not beyond noise; and the swing's interval reaches past the smallest difference that matters
    (one that stays within it cannot move the answer, however many replications follow)."""
    moved = row["swing"] > 0 or row["swing_ci95"] > 0
    ahead = row["best_at_low"] != best or row["best_at_high"] != best
    could_matter = not row["swing"] + row["swing_ci95"] <= zone  # NaN (one replication) could
    return could_matter and ((moved and not row["beyond_noise"]) or (ahead and not row["flips"]))


def _winner(best: str, end: _End, designs: list[str]) -> str:
    """Who is ahead at the end on the means; the first design listed wins an exact tie, as in `_best_two`."""
    margin = float(end.margins.mean())
    if margin != 0:
        return best if margin > 0 else end.rival
    return min(best, end.rival, key=designs.index)


def _row(ends: tuple[_End, ...], best: str, designs: list[str], zone: float) -> dict[str, Any]:
    """A tornado row's figures from (at the values, low end, high end): margins, who leads, the swing and their
    95 % intervals, paired by replication. The swing is beyond noise when it is larger than its interval and than
    `zone`, the objective's smallest difference that matters: a swing the replications are sure of but smaller than
    that cannot move the answer (the comparison and the advisor treat such a gap as a tie), so it is shown with the
    rows within noise."""
    at_value, *both = ends
    row: dict[str, Any] = {"margin_at_value": float(at_value.margins[:both[0].margins.size].mean())}
    flips = False
    for name, end in zip(("low", "high"), both, strict=True):
        winner, margin = _winner(best, end, designs), float(end.margins.mean())
        lead_ci95 = t_half_width(end.margins) if winner != best else math.nan
        row.update({f"best_at_{name}": winner, f"margin_at_{name}": margin, f"lead_ci95_at_{name}": lead_ci95})
        flips = flips or (winner != best and -margin > lead_ci95)
    swings = both[1].margins - both[0].margins
    swing, half = abs(float(swings.mean())), t_half_width(swings)
    beyond = swing > half and swing > zone
    row.update(swing=swing, swing_ci95=half, beyond_noise=beyond, flips=beyond and flips, replications=swings.size)
    return row


TORNADO_COLUMNS = ["parameter", "value", "low", "high", "best_at_low", "best_at_high", "margin_at_value",
                   "margin_at_low", "margin_at_high", "lead_ci95_at_low", "lead_ci95_at_high", "swing", "swing_ci95",
                   "beyond_noise", "flips", "replications"]


def _tornado(ranges: dict[str, tuple[float, float]], values: dict[str, float], ends: list[tuple[_End, ...]],
             best: str, designs: list[str], zone: float) -> pd.DataFrame:
    """Rows beyond noise first, then those within it, each largest swing first: no swing that noise could explain
    ranks above one it cannot."""
    rows = [{"parameter": path, "value": values[path], "low": low, "high": high, **_row(pair, best, designs, zone)}
            for (path, (low, high)), pair in zip(ranges.items(), ends, strict=True)]
    frame = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    frame["beyond_noise"] = frame["beyond_noise"].astype(bool)
    frame["flips"] = frame["flips"].astype(bool)
    by_swing = frame.sort_values("swing", ascending=False, kind="stable")
    return by_swing.sort_values("beyond_noise", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# In words


def crossing(row: Any, margin: float, end: str | None = None) -> float | None:
    """Where the best design's lead crosses zero along the tornado input, by linear interpolation between the low
    end, the scenario's value (where the lead is `margin`) and the high end; None when it stays ahead. `end` ("low"
    or "high") looks only between the value and that end."""
    points = [(row.low, row.margin_at_low), (row.value, margin), (row.high, row.margin_at_high)]
    segments = list(itertools.pairwise(points))
    for (x0, m0), (x1, m1) in {"low": segments[:1], "high": segments[1:]}.get(end or "", segments):
        if m0 > 0 >= m1 or m0 <= 0 < m1:
            return x0 if m1 == m0 else x0 + (x1 - x0) * m0 / (m0 - m1)
    return None


def deciding_input(result: Robustness) -> Any | None:
    """The tornado row the answer turns on: the largest swing among inputs beyond noise that flip it, else among
    inputs beyond noise, else (no input moves the answer beyond noise) the largest swing, whose `beyond_noise` is
    then false for the sentence to say so. None without uncertain inputs."""
    if result.tornado.empty:
        return None
    beyond = result.tornado[result.tornado["beyond_noise"]]
    flipping = beyond[beyond["flips"]]
    rows = next(r for r in (flipping, beyond, result.tornado) if not r.empty)
    return next(rows.itertuples(index=False))


def flipping_end(row: Any) -> str | None:
    """The end ("low", else "high") at which another design leads `best` beyond noise, for a row that flips."""
    if not row.flips:
        return None
    for end in ("low", "high"):
        margin, half = getattr(row, f"margin_at_{end}"), getattr(row, f"lead_ci95_at_{end}")
        if -margin > half:  # NaN where best leads there: never
            return end
    return None


def _value(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def sentence(result: Robustness, describe: Callable[[str], str] = str, name: Callable[[str], str] = str,
             share: bool = True) -> str:
    """E.g. "**hybrid** is best in 81 % of plausible cases; the answer turns on <input>: below 0.62, **pm**
    wins". `describe` turns a parameter's path into words, `name` a design's name; `share=False` leaves out the
    first part (for a page that has just said it in `sureness`)."""
    top = result.most_likely
    head = (f"**{name(top)}** is best in {100 * result.probability_best[top]:.0f} % of plausible cases "
            f"({len(result.samples)} samples of the ranges)")
    row = deciding_input(result)
    if row is None:
        tail = "no input is uncertain, so only simulation noise is left."
    elif not row.beyond_noise and row.swing > row.swing_ci95:  # sure, but too small to matter
        zone = result.objective.indifference_zone
        tail = (f"no input moves the answer beyond noise: the largest swing, of {describe(row.parameter)}, is smaller "
                f"than {gap_size(result.objective, zone)}, the smallest difference that matters.")
    elif not row.beyond_noise:
        tail = (f"no input moves the answer beyond noise: the largest swing, of {describe(row.parameter)}, is within "
                f"the simulation's noise on {row.replications} replications.")
    elif not row.flips:
        tail = (f"no single input flips **{name(result.best)}** beyond noise within its range; it leans most on "
                f"{describe(row.parameter)} ({_value(row.low)} to {_value(row.high)}).")
    else:
        end = flipping_end(row)
        where = crossing(row, row.margin_at_value, end)
        winner = getattr(row, f"best_at_{end}")
        if where is None:
            tail = f"the answer turns on {describe(row.parameter)}: at its ends **{name(winner)}** can win."
        else:
            side = "below" if end == "low" else "above"
            tail = f"the answer turns on {describe(row.parameter)}: {side} {_value(where)}, **{name(winner)}** wins."
    return f"{head}; {tail}" if share else tail[0].upper() + tail[1:]


def sureness(design: str, noise_sure: bool, probability: float, name: Callable[[str], str] = str) -> str:
    """Both kinds of sureness in plain words: over simulation noise on these assumptions, and over the plausible
    assumptions."""
    noise = ("clearly better on these assumptions (95 % over simulation noise)" if noise_sure
             else "not clearly better on these assumptions (within simulation noise)")
    return f"**{name(design)}** is {noise}; best in {100 * probability:.0f} % of plausible assumptions."


# ---------------------------------------------------------------------------------------------------------------
# The advisor's top options

TOP_OPTIONS = 2  # the recommended option and the runner-up


def renamed(result: Robustness, names: dict[str, str]) -> Robustness:
    """The result with designs renamed (the advisor's options run under short valid names)."""
    def n(d: str) -> str:
        return names.get(d, d)

    tornado = result.tornado.copy()
    for column in ("best_at_low", "best_at_high"):
        tornado[column] = tornado[column].map(n)
    return dataclasses.replace(
        result, designs=[n(d) for d in result.designs], best=n(result.best), runner_up=n(result.runner_up),
        probability_best={n(d): p for d, p in result.probability_best.items()},
        expected_regret={n(d): r for d, r in result.expected_regret.items()},
        tornado=tornado, samples=result.samples.rename(columns=names),
    )


def advice_robustness(
    scenario: Scenario,
    advice: Any,
    settings: Settings = Settings(),
    *,
    top: int = TOP_OPTIONS,
    executor: Executor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Robustness:
    """The advisor's `top` options (best first, from a `sim.advisor.Advice` ranked with today's staffing as the
    blank design) over the uncertain inputs, on the demand the advice ranked for; designs are named as the advice
    names its options."""
    from sim.advisor import grown, option_design

    rows = advice.options.head(top)
    keys = [f"option-{i}" for i in range(1, len(rows) + 1)]
    designs = {key: option_design(row) for key, row in zip(keys, rows.itertuples(index=False), strict=True)}
    evaluated = dataclasses.replace(grown(scenario, advice.growth), designs=designs)
    result = robustness(evaluated, keys, advice.objective, settings, executor=executor, progress=progress,
                        should_stop=should_stop)
    return renamed(result, dict(zip(keys, rows["name"], strict=True)))


def replication_scores(summary: pd.DataFrame, objective: Objective) -> dict[str, np.ndarray]:
    """Each design's goodness replication by replication (`Results.summary`), in replication order."""
    return {d: np.array([goodness([row], objective) for row in group.sort_values("replication").to_dict("records")])
            for d, group in summary.groupby("design", sort=False)}


def clearly_best(summary: pd.DataFrame, objective: Objective) -> tuple[str, bool]:
    """The best design of a comparison's replications (`Results.summary`) on the objective, and whether it is ahead
    of every other design beyond simulation noise (paired by replication, common random numbers: the rule of the
    headline, sim.answer)."""
    scores = replication_scores(summary, objective)
    best, tied = ties_with_best(scores)
    return best, len(scores) > 1 and not tied


__all__ = ["Robustness", "Settings", "advice_robustness", "clearly_best", "crossing", "deciding_input", "flipping_end",
           "goodness", "latin_hypercube", "probability_best", "regret", "renamed", "replication_scores",
           "rerun_replications", "robustness", "screen_replications", "sentence", "sureness", "with_values"]
