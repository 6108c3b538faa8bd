"""The one answer of a comparison: which design is best on an objective, whether that is sure over simulation noise,
which designs tie with it, in a sentence; and the same rule for each column of the key-figures table.

A best is "sure" (★) only when it is ahead of every other design beyond noise: the 95 % Student-t interval of the
paired difference, replication by replication on common random numbers (sim.stats.ties_with_best), lies above
zero against each. Otherwise the best and every design it is not ahead of are marked "tied", so the page, the table
and the report never crown a winner the numbers cannot tell apart.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.experiment import Results
from sim.objective import OBJECTIVES, Objective
from sim.robust import replication_scores
from sim.stats import CONFIDENCE, DEPENDS_ON_RUN_LENGTH, t_half_width, ties_with_best
from sim.wording import KPIS, design_labels, gap_size, money, plain

SURE, TIED = "★", "tied"

# Columns of the key-figures table that get marks: the outcomes a firm wants more (or less) of for their own sake.
# Not revenue and cost: each is half of profit, and the lowest cost (no hire) or the highest revenue is no virtue on
# its own. Not backlog growth: it tells whether a design keeps up (a growing backlog shows its delays as "not
# steady"); among designs that keep up, a backlog shrinking faster is noise around zero, not a better design.
MARKED_METRICS = ("throughput_per_week", "lead_time_days", "lead_time_p90_days", "on_time_rate",
                  "on_time_promised_rate", "profit", "clients_lost")

# The objective in a sentence: what it is "for", and how a gain in goodness (larger is better) reads.
OBJECTIVE_WORDS = {"profit": "profit", "lead_time": "mean lead time", "on_time": "on-time delivery"}


@dataclass(frozen=True)
class Answer:
    """`best` is a design code; `tied` the other designs not told apart from it; `marks` design -> ★, "tied" or
    ""; `sentence` the headline in Markdown, with designs in words."""

    best: str
    tied: tuple[str, ...]
    sure: bool
    marks: dict[str, str]
    sentence: str


def _marks(designs: list[str], best: str, tied: tuple[str, ...]) -> dict[str, str]:
    if len(designs) < 2:
        return dict.fromkeys(designs, "")
    if not tied:
        return {d: SURE if d == best else "" for d in designs}
    return {d: TIED if d == best or d in tied else "" for d in designs}


def _keeping_up(results: Results, metrics: list[str]) -> list[str]:
    """The designs whose figures on `metrics` are candidates: a design that is not keeping up has delays that say
    more about the run length than about the design (sim.stats.DEPENDS_ON_RUN_LENGTH)."""
    if not any(m in DEPENDS_ON_RUN_LENGTH for m in metrics):
        return results.designs
    trends = results.backlog_trends()
    return [d for d in results.designs if trends[d].keeping_up]


def column_marks(results: Results, metric: str) -> dict[str, str]:
    """Each design's mark in the key-figures column of `metric` (MARKED_METRICS; others get none), by the rule of
    the headline: ★ on a best ahead of every other design beyond noise, else "tied" on the best and all that tie."""
    marks = dict.fromkeys(results.designs, "")
    if metric not in MARKED_METRICS:
        return marks
    candidates = _keeping_up(results, [metric])
    if len(results.designs) < 2 or not candidates:
        return marks
    sign = 1.0 if KPIS[metric].higher_is_better else -1.0
    wide = results.summary.pivot(index="replication", columns="design", values=metric).sort_index()
    scores = {d: sign * wide[d].to_numpy(dtype=float) for d in candidates}
    if len(candidates) == 1:
        return {**marks, candidates[0]: SURE}  # the only design keeping up with its work
    return {**marks, **_marks(candidates, *ties_with_best(scores))}


def _gain(objective: Objective, x: float, baseline: str) -> str:
    """A difference of goodness from the baseline in words: '+$551k a year over **No coordinator**'."""
    if objective.single == "profit":
        return f"{money(x, signed=True)} a year over **{baseline}**"
    if objective.single == "lead_time":
        return f"mean lead time {abs(x):.2f} days {'shorter' if x >= 0 else 'longer'} than with **{baseline}**"
    if objective.single == "on_time":
        return f"{x * 100:+.1f} points on time against **{baseline}**"
    return f"{x:+.1f} on the weighted score against **{baseline}**"


def _objective_words(objective: Objective) -> str:
    if objective.single:
        return OBJECTIVE_WORDS[objective.single]
    mix = ", ".join(f"{OBJECTIVE_WORDS[k]} {100 * w:.0f} %" for k, w in objective.weights)
    return f"the weighted score ({mix})"


def _listed(names: list[str]) -> str:
    bold = [f"**{n}**" for n in names]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]


def default_baseline(designs: Sequence[str]) -> str:
    """Today's organisation, as Compare's baseline: `none` when compared, else the first design."""
    return "none" if "none" in designs else designs[0]


def headline(results: Results, objective: Objective, baseline: str | None = None) -> Answer:
    """The best design on the objective, with its gain over `baseline` (a design of the comparison, e.g. today's
    organisation) and how sure that is over simulation noise, as a sentence and as marks; a comparison that ran
    until its answer was clear also says how many replications that took and why it stopped."""
    answer = _headline(results, objective, baseline)
    stop = stopping_words(results)
    return dataclasses.replace(answer, sentence=f"{answer.sentence} {stop}") if stop else answer


def _headline(results: Results, objective: Objective, baseline: str | None) -> Answer:
    # a label comes from a file or a link: shown as the characters it is, inside the sentence's own Markdown
    labels = {d: plain(t) for d, t in design_labels({d: results.scenario.designs[d] for d in results.designs}).items()}
    metrics = [OBJECTIVES[name][0] for name, _ in objective.weights]
    candidates = _keeping_up(results, metrics)
    scores = replication_scores(results.summary, objective)
    words = _objective_words(objective)
    if len(results.designs) < 2:
        only = results.designs[0]
        return Answer(only, (), False, {only: ""}, f"Only **{labels[only]}** was run: pick another design to compare.")
    if not candidates:
        best, _ = ties_with_best(scores)
        return Answer(best, (), False, dict.fromkeys(results.designs, ""),
                      f"For {words}, no design keeps up with its work: every backlog grows through the run, so "
                      "delays depend on the run length and no design can be called best on them.")
    tied: tuple[str, ...]
    if len(candidates) == 1:
        best, tied = candidates[0], ()
    else:
        best, tied = ties_with_best({d: scores[d] for d in candidates})
    sure = not tied
    marks = {**dict.fromkeys(results.designs, ""), **_marks(candidates, best, tied),
             **({best: SURE} if len(candidates) == 1 else {})}
    over = ""
    if baseline is not None and baseline != best and baseline in scores:
        diff = scores[best] - scores[baseline][: scores[best].size]
        diff = diff[~np.isnan(diff)]
        half = t_half_width(diff)
        plus_minus = "" if math.isnan(half) else f" (± {gap_size(objective, half)})"
        over = f": {_gain(objective, float(diff.mean()), labels[baseline])}{plus_minus}"
    if sure:
        rest = ("every other design falls behind its work" if len(candidates) == 1 and len(results.designs) > 1
                else "ahead of every other design beyond simulation noise")
        return Answer(best, (), True, marks, f"For {words}, **{labels[best]}** is best{over}; {rest}.")
    means = {d: float(np.nanmean(scores[d])) for d in (best, *tied)}
    gap = max(means[best] - means[d] for d in tied)
    verb = "is" if len(tied) == 1 else "are"
    return Answer(best, tied, False, marks,
                  f"For {words}, **{labels[best]}** has the best mean{over}; {_listed([labels[d] for d in tied])} "
                  f"{verb} within {gap_size(objective, gap)}, not told apart from it over simulation noise"
                  f"{_tie_words(objective, scores, best, tied, _zone(results, objective))}.")


def _reach(scores: dict[str, np.ndarray], best: str, tied: tuple[str, ...], confidence: float = CONFIDENCE) -> float:
    """How large the gap between the best and a design tied with it could be: the far end of the paired
    difference's interval, the largest over the tied designs (inf when an interval is unknown)."""
    reach = 0.0
    for d in tied:
        diff = scores[best] - scores[d][: scores[best].size]
        diff = diff[~np.isnan(diff)]
        half = t_half_width(diff, confidence)
        reach = max(reach, math.inf if math.isnan(half) else abs(float(diff.mean())) + half)
    return reach


def _zone(results: Results, objective: Objective) -> float:
    """The smallest difference that matters: the one the comparison stopped on, else the objective's."""
    return results.stopping.zone if results.stopping else objective.indifference_zone


def _tie_words(objective: Objective, scores: dict[str, np.ndarray], best: str, tied: tuple[str, ...],
               zone: float) -> str:
    """A tie's two kinds: the designs are practically the same (every paired difference's 95 % interval inside
    the indifference zone, the gap too small to matter), or the runs are too few to tell (the gap could still be
    as large as the interval's far end)."""
    reach = _reach(scores, best, tied)
    if reach < zone:  # the advisor's rule (sim.advisor._sentence)
        either = "either will do" if len(tied) == 1 else "any of them will do"
        return f", and any difference is smaller than {gap_size(objective, zone)}: {either}"
    could = f"could be as large as {gap_size(objective, reach)}" if math.isfinite(reach) else "is not known"
    return f"; the difference {could}, so more replications would tell them apart"


# Why a comparison that adds replications until its answer is clear stopped (sim.sequential).
CLEAR, WITHIN_ZONE, CAP, NOT_KEEPING_UP, ONE_DESIGN = "clear", "within zone", "cap", "not keeping up", "one design"


def settled(results: Results, objective: Objective, zone: float, confidence: float = CONFIDENCE) -> str | None:
    """Whether more replications could change the answer, by the headline's own rule at `confidence`: CLEAR when
    the best is ahead of every other design beyond noise, WITHIN_ZONE when every design tied with it is within
    `zone` at the interval's far end, NOT_KEEPING_UP or ONE_DESIGN when replications cannot decide it; else None.
    At a stricter confidence than the headline's 95 %, CLEAR implies the headline's ★ and WITHIN_ZONE its "either
    will do": a wider interval clear of zero (or inside the zone) contains the narrower one."""
    if len(results.designs) < 2:
        return ONE_DESIGN
    metrics = [OBJECTIVES[name][0] for name, _ in objective.weights]
    candidates = _keeping_up(results, metrics)
    if not candidates:
        return NOT_KEEPING_UP
    if len(candidates) == 1:
        return CLEAR
    scores = replication_scores(results.summary, objective)
    best, tied = ties_with_best({d: scores[d] for d in candidates}, confidence)
    if not tied:
        return CLEAR
    return WITHIN_ZONE if _reach(scores, best, tied, confidence) < zone else None


def stopping_words(results: Results) -> str:
    """How many replications the answer needed and why the comparison stopped there, as a sentence (empty for a
    comparison of a fixed number)."""
    stop = results.stopping
    if stop is None:
        return ""
    objective = Objective.parse(stop.objective)
    n = f"{stop.replications} replications per design"
    added = (f" ({stop.first_stage}, then {stop.first_stage} more at a time)" if stop.replications > stop.first_stage
             else "")
    if stop.cap <= stop.first_stage:  # one look, the headline's own
        return f"Ran exactly {n}: max replications is not above replications, so none were added."
    if stop.reason == CAP:
        return (f"Stopped at the cap of {n} (max replications){added}, before the answer was clear at each "
                f"look's {100 * stop.confidence:.1f} %.")
    why = {
        CLEAR: f"once the best design was ahead of every other at {100 * stop.confidence:.1f} %, the stricter "
               "level of a test repeated after each batch",
        WITHIN_ZONE: f"every design not told apart from the best is within {gap_size(objective, stop.zone)} of it, the "
                     "smallest difference that matters",
        NOT_KEEPING_UP: "no design keeps up with its work, and more replications would not change that",
        ONE_DESIGN: "only one design is compared",
    }[stop.reason]
    return f"Stopped at {n}{added}: {why}."


__all__ = ["CAP", "CLEAR", "MARKED_METRICS", "NOT_KEEPING_UP", "ONE_DESIGN", "SURE", "TIED", "WITHIN_ZONE", "Answer",
           "column_marks", "default_baseline", "headline", "settled", "stopping_words"]
