"""KN ranking and selection (Kim & Nelson 2001, "A fully sequential procedure for indifference-zone selection in
simulation", ACM TOMACS 11(3)) on arrays of observations: no simulation here, so the procedure can be tested on
small constructed numbers and the advisor (`sim.advisor`) only says what a candidate and an observation are.

KN is built for common random numbers: it estimates the variance of the *paired* difference of every two
candidates from a first stage of n0 observations each, then adds observations to the candidates still in
contention and drops a candidate as soon as its mean falls below another's by more than the shrinking allowance
W_il(r) = max(0, delta / (2r) * (h^2 S_il^2 / delta^2 - r)), with h^2 = 2 eta (n0 - 1) and
eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2. When one candidate is left it is the best, or within the
indifference zone delta of the best, with probability at least 1 - alpha. Each stage adds `stage_replications`
observations to every candidate left and screens once; screening less often than every observation keeps the
guarantee (each pair's chance of a wrong elimination can only fall). KN's allowance shrinks only as fast as
delta / r, so two candidates far apart but very noisy can both reach the cap; then the leader is compared with each
other survivor by a one-sided paired t-test at level alpha / (survivors - 1) (Bonferroni) and those it beats are
dropped; the ones left besides the leader cannot be told apart from it at this precision.

sim_tools.ovs implements KN and KN++, but its KN looks up the variance of a pair with a wrong index when the
second candidate's index is below the first's, its KN++ uses the sum of the two variances rather than the variance
of the paired difference (which throws away what common random numbers gain), both draw one observation at a time
through an observer (nothing to hand a process pool or a cluster) and neither has a cap; so the procedure is
written out here in a few lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.scenario import ScenarioError
from sim.stats import t_quantile

Goodness = Callable[[int, int], np.ndarray]  # (candidate, n) -> its first n observations, larger is better
Add = Callable[[list[int], range], None]  # (candidates, replications) -> run them


@dataclass(frozen=True)
class Procedure:
    """Parameters of KN: error probability, first-stage size, cap per candidate, observations added per stage,
    and the indifference zone (`None`: the caller's default, e.g. the advisor's objective's)."""

    alpha: float = 0.05
    first_stage: int = 10
    cap: int = 50
    stage_replications: int = 1
    indifference_zone: float | None = None

    def check(self) -> None:
        """Every wrong parameter named at once, as a ScenarioError (a form or a command line set them)."""
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
class Selection:
    """What KN decided: the candidates left (one if it is sure), after how many observations each other one was
    dropped, and the observations the candidates left received."""

    contenders: list[int]
    dropped_at: dict[int, int]
    replications: int

    @property
    def confident(self) -> bool:
        return len(self.contenders) == 1


def h_squared(alpha: float, k: int, n0: int) -> float:
    """KN's constant h^2 = 2 eta (n0 - 1) for k candidates and a first stage of n0."""
    eta = 0.5 * ((2 * alpha / max(k - 1, 1)) ** (-2 / (n0 - 1)) - 1)
    return 2 * eta * (n0 - 1)


def allowance(h2: float, pair_variance: float, delta: float, r: int) -> float:
    """W(r): how far a candidate may trail another after r observations before it is dropped."""
    return max(0.0, delta / (2 * r) * (h2 * pair_variance / delta**2 - r))


def select_best(k: int, goodness: Goodness, add: Add, procedure: Procedure, delta: float) -> Selection:
    """KN over candidates 0..k-1. `goodness(i, n)` gives candidate i's first n observations, larger is better,
    observation r of every candidate under common random numbers; `add(candidates, reps)` runs those observations
    of those candidates. The first stage must have been run before."""
    n0 = procedure.first_stage
    first = np.array([goodness(i, n0) for i in range(k)])
    pair_variance = np.var(first[:, None, :] - first[None, :, :], axis=2, ddof=1)
    h2 = h_squared(procedure.alpha, k, n0)

    contenders = list(range(k))
    dropped_at: dict[int, int] = {}
    r = n0
    while True:
        means = {i: goodness(i, r).mean() for i in contenders}
        survivors = [i for i in contenders
                     if not any(means[i] < means[j] - allowance(h2, pair_variance[i, j], delta, r)
                                for j in contenders if j != i)]
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
        beaten = [j for j in contenders if j != best and surely_better(goodness(best, r) - goodness(j, r), level)]
        dropped_at.update(dict.fromkeys(beaten, r))
        contenders = [i for i in contenders if i not in beaten]
    return Selection(contenders, dropped_at, r)


def surely_better(differences: np.ndarray, alpha: float) -> bool:
    """One-sided paired t-test: is the mean difference above zero at level alpha? (A one-sided level alpha is the
    lower end of a two-sided interval of confidence 1 - 2 alpha.)"""
    n = differences.size
    mean, sd = float(differences.mean()), float(differences.std(ddof=1))
    if sd == 0:
        return mean > 0
    return mean - t_quantile(1 - 2 * alpha, n - 1) * sd / np.sqrt(n) > 0


__all__ = ["Procedure", "Selection", "allowance", "h_squared", "select_best", "surely_better"]
