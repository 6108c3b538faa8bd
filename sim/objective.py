"""What "best" means: an objective (profit, lead time, on-time rate, or a weighted mix of them), the summary metric
each reads, which way is better, and the smallest difference that matters on it (its indifference zone). The
advisor ranks on it, the headline and a comparison's stopping rule judge on it, and the robustness analysis scores
on it; it lives here, apart from all of them, so that a comparison on the command line loads none of the advisor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.scenario import ScenarioError, short, shown

# name -> (summary metric, +1 if more is better else -1, words for a sentence, default indifference zone)
OBJECTIVES: dict[str, tuple[str, int, str, float]] = {
    "profit": ("profit", +1, "profit per year", 20_000.0),
    "lead_time": ("lead_time_days", -1, "days of mean lead time", 0.25),
    "on_time": ("on_time_rate", +1, "points of on-time rate", 0.02),
}
MIX_INDIFFERENCE = 1.0  # a weighted score counts indifference zones, so one of them is the smallest gap that matters


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


__all__ = ["MIX_INDIFFERENCE", "OBJECTIVES", "Objective"]
