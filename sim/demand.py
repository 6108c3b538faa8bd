"""Random streams and the draws of demand: who the clients are, and what each candidate request of a client is.

Each client draws from streams of its own, spawned from (seed, replication, the client's key) with numpy's
SeedSequence, and only its own events consume them, in order. A client's k-th candidate request is therefore the
same request under every design (the same time, work type, effort and coin flips), whether or not the design's
service has earned it: common random numbers survive demand that answers to service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Scenario

# Firm-level streams: the sizes of today's clients and the outbound prospects. The order is part of the
# reproducibility contract.
STREAMS = ("client_sizes", "outbound")
# A client's own streams: its candidate requests, its candidate referrals, its departure threshold, and its waits
# (appended last: SeedSequence children are numbered, so the first three streams are what they always were).
CLIENT_STREAMS = ("requests", "referrals", "departure", "waits")
WEEKS_PER_YEAR = 52
# Candidate requests are drawn this many at a time from a client's stream: fewer calls into numpy, the same
# sequence whatever happens in the run.
BLOCK = 32


def random_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent generator per firm-level purpose."""
    root = np.random.SeedSequence(entropy=seed, spawn_key=(replication,))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, root.spawn(len(STREAMS)), strict=True)}


def client_streams(seed: int, replication: int, key: tuple[int, ...]) -> dict[str, np.random.Generator]:
    """A client's own generators. `key` names the client the same way under every design: (1, i) for today's
    client i, (2, k) for the k-th outbound prospect, a referrer's key plus (j,) for its j-th referral."""
    root = np.random.SeedSequence(entropy=seed, spawn_key=(replication, *key))
    children = root.spawn(len(CLIENT_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(CLIENT_STREAMS, children, strict=True)}


def gamma_with_cv(rng: np.random.Generator, mean: np.ndarray | float, cv: np.ndarray | float, size: int) -> np.ndarray:
    """Gamma draws with the given mean and coefficient of variation: cv 1 is exponential, cv 0 is the mean itself."""
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (size,))
    cv = np.broadcast_to(np.asarray(cv, dtype=float), (size,))
    out = mean.copy()
    varied = cv > 0
    shape = 1.0 / cv[varied] ** 2
    out[varied] = rng.gamma(shape, mean[varied] / shape)
    return out


def growth_factor(hours: np.ndarray | float, growth_per_year: float, hours_per_week: float) -> np.ndarray | float:
    """Demand multiplier at a time: growth compounds continuously, (1 + g) ** years."""
    return (1.0 + growth_per_year) ** (np.asarray(hours) / (WEEKS_PER_YEAR * hours_per_week))


def peak_growth(scenario: Scenario) -> float:
    """The largest growth factor over the run: candidate requests are drawn at this rate and thinned."""
    horizon = (scenario.warmup_weeks + scenario.weeks) * scenario.firm.hours_per_week
    return max(1.0, float(growth_factor(horizon, scenario.demand.growth_per_year, scenario.firm.hours_per_week)))


def draw_work(rng: np.random.Generator, scenario: Scenario, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Work type index and effort (before any process lever) of `size` requests."""
    types = list(scenario.demand.work_types.values())
    shares = np.array([t.share for t in types])
    kind = rng.choice(len(types), size=size, p=shares / shares.sum())
    means = np.array([t.effort_hours for t in types])[kind]
    cvs = np.array([t.effort_cv for t in types])[kind]
    return kind, gamma_with_cv(rng, means, cvs, size)


def todays_client_sizes(scenario: Scenario, replication: int) -> np.ndarray:
    """Sizes of today's clients, mean exactly 1, so the firm's demand today is exactly what the scenario says."""
    d = scenario.demand
    sizes = gamma_with_cv(random_streams(scenario.seed, replication)["client_sizes"], 1.0, d.client_size_cv,
                          d.clients)
    return sizes / sizes.mean()


@dataclass(slots=True)
class Candidates:
    """The next BLOCK candidate requests of one client, as plain lists (one entry per candidate)."""

    gaps: list[float]  # hours since the previous candidate, at the client's highest possible rate (unit rate)
    accept: list[float]
    kind: list[int]
    effort: list[float]
    clarity: list[float]
    review: list[float]
    wait: list[float]  # hours the request will wait on the client, 0 for most


def waits_on_the_client(scenario: Scenario) -> bool:
    return any(t.client_wait_share > 0 and t.client_wait_days > 0 for t in scenario.demand.work_types.values())


def draw_waits(rng: np.random.Generator, scenario: Scenario, kind: np.ndarray) -> np.ndarray:
    """Hours each candidate would wait on the client: with its type's `client_wait_share`, a lognormal wait of
    mean `client_wait_days` and spread `client_wait_cv`; two draws per candidate whatever its type, so a type's
    waits never shift another's."""
    types = list(scenario.demand.work_types.values())
    hours_per_day = scenario.firm.hours_per_week / 5
    waits_draw = rng.uniform(size=kind.size)
    normal = rng.standard_normal(size=kind.size)
    share = np.array([t.client_wait_share for t in types])[kind]
    mean = np.array([t.client_wait_days * hours_per_day for t in types])[kind]
    sigma = np.sqrt(np.log1p(np.array([t.client_wait_cv for t in types])[kind] ** 2))
    return np.where(waits_draw < share, mean * np.exp(sigma * normal - sigma**2 / 2), 0.0)


def draw_candidates(rng: np.random.Generator, scenario: Scenario,
                    wait_rng: np.random.Generator | None = None) -> Candidates:
    """A block of candidates: each has every draw it could need, whether or not it is accepted, so acceptance in
    one design never shifts the draws of the next candidate in another. Their waits on the client come from the
    client's own `wait_rng`, drawn only when some type waits, so a firm whose clients never keep it waiting makes
    exactly the draws it always made."""
    gaps = rng.exponential(1.0, size=BLOCK)
    accept = rng.uniform(size=BLOCK)
    kind, effort = draw_work(rng, scenario, BLOCK)
    clarity = rng.uniform(size=BLOCK)
    review = rng.uniform(size=BLOCK)
    waits = (draw_waits(wait_rng, scenario, kind) if wait_rng is not None and waits_on_the_client(scenario)
             else np.zeros(BLOCK))
    return Candidates(gaps.tolist(), accept.tolist(), kind.tolist(), effort.tolist(), clarity.tolist(),
                      review.tolist(), waits.tolist())
