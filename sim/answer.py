"""The one answer of a comparison: which design is best on an objective, whether that is sure over simulation noise,
which designs tie with it, in a sentence; and the same rule for each column of the key-figures table.

A best is "sure" (★) only when it is ahead of every other design beyond noise: the 95 % Student-t interval of the
paired difference, replication by replication on common random numbers (sim.stats.ties_with_best), lies above
zero against each. Otherwise the best and every design it is not ahead of are marked "tied", so the page, the table
and the report never crown a winner the numbers cannot tell apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.advisor import OBJECTIVES, Objective
from sim.experiment import Results
from sim.robust import replication_scores
from sim.stats import DEPENDS_ON_RUN_LENGTH, t_half_width, ties_with_best
from sim.wording import KPIS, design_labels, money, plain

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


def _size(objective: Objective, x: float) -> str:
    """A gap or a 95 % half-width in the objective's unit and the precision of `_gain`, without sign: '$20k',
    '0.10 days', '1.2 points'."""
    if objective.single == "profit":
        return money(abs(x))
    if objective.single == "lead_time":
        return f"{abs(x):.2f} days"
    if objective.single == "on_time":
        return f"{abs(x) * 100:.1f} points"
    return f"{abs(x):.1f}"


def _objective_words(objective: Objective) -> str:
    if objective.single:
        return OBJECTIVE_WORDS[objective.single]
    mix = ", ".join(f"{OBJECTIVE_WORDS[k]} {100 * w:.0f} %" for k, w in objective.weights)
    return f"the weighted score ({mix})"


def _listed(names: list[str]) -> str:
    bold = [f"**{n}**" for n in names]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]


def headline(results: Results, objective: Objective, baseline: str | None = None) -> Answer:
    """The best design on the objective, with its gain over `baseline` (a design of the comparison, e.g. today's
    organisation) and how sure that is over simulation noise, as a sentence and as marks."""
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
        plus_minus = "" if math.isnan(half) else f" (± {_size(objective, half)})"
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
                  f"{verb} within {_size(objective, gap)}, not told apart from it over simulation noise"
                  f"{_tie_words(objective, scores, best, tied)}.")


def _tie_words(objective: Objective, scores: dict[str, np.ndarray], best: str, tied: tuple[str, ...]) -> str:
    """A tie's two kinds: the designs are practically the same (every paired difference's 95 % interval inside
    the objective's indifference zone, the gap too small to matter), or the runs are too few to tell (the gap could
    still be as large as the interval's far end)."""
    reach = 0.0
    for d in tied:
        diff = scores[best] - scores[d][: scores[best].size]
        diff = diff[~np.isnan(diff)]
        half = t_half_width(diff)
        reach = max(reach, math.inf if math.isnan(half) else abs(float(diff.mean())) + half)
    zone = objective.indifference_zone
    if reach < zone:  # the advisor's rule (sim.advisor._sentence)
        either = "either will do" if len(tied) == 1 else "any of them will do"
        return f", and any difference is smaller than {_size(objective, zone)}: {either}"
    could = f"could be as large as {_size(objective, reach)}" if math.isfinite(reach) else "is not known"
    return f"; the difference {could}, so more replications would tell them apart"


__all__ = ["MARKED_METRICS", "SURE", "TIED", "Answer", "column_marks", "headline"]
