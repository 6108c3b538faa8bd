"""Random streams and the draws of demand: who the clients are, and what each candidate request of a client is.

Each client draws from streams of its own, spawned from (seed, replication, the client's key) with numpy's
SeedSequence, and only its own events consume them, in order. A client's k-th candidate request is therefore the
same request under every design (the same time, work type, effort and coin flips), whether or not the design's
service has earned it: common random numbers survive demand that answers to service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.random.bit_generator import ISeedSequence

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
POOL_SIZE = 4  # numpy's SeedSequence's default pool, in 32-bit words


def random_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent generator per firm-level purpose."""
    root = np.random.SeedSequence(entropy=seed, spawn_key=(replication,))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, root.spawn(len(STREAMS)), strict=True)}


def client_streams(seed: int, replication: int, key: tuple[int, ...],
                   names: tuple[str, ...] = CLIENT_STREAMS) -> dict[str, np.random.Generator]:
    """A client's own generators, those of `names` only. `key` names the client the same way under every design:
    (1, i) for today's client i, (2, k) for the k-th outbound prospect, a referrer's key plus (j,) for its j-th
    referral. Each is the child SeedSequence(seed, (replication, *key)).spawn() would give for its place in
    CLIENT_STREAMS, built directly, so a stream a run never draws from costs nothing."""
    return {name: np.random.Generator(np.random.PCG64(cast(np.random.SeedSequence, _PCG64Seed(seed_sequence(
        seed, (replication, *key, CLIENT_STREAMS.index(name))))))) for name in names}  # PCG64 takes any seed sequence


def seed_sequence(seed: int, spawn_key: tuple[int, ...]) -> np.random.SeedSequence:
    """The SeedSequence(entropy=seed, spawn_key=spawn_key) of numpy (pinned), handed the 32-bit words it hashes
    rather than the numbers: it would turn each number into an array of its own, which costs more than the hash.
    The words are numpy's own assembly: the seed's words padded with zeros to the pool's size, then each key
    number's. Only the state it generates is the same (its own `spawn_key` is empty): a client's streams are built
    directly, never spawned from these."""
    words = _words(seed)
    key_words = [word for number in spawn_key for word in _words(number)]
    if key_words and len(words) < POOL_SIZE:
        words += [0] * (POOL_SIZE - len(words))
    return np.random.SeedSequence(np.array(words + key_words, dtype=np.uint32))


class _PCG64Seed(ISeedSequence):
    """What PCG64 asks of a seed sequence, its four 64-bit words, worked out from the sequence's pool as numpy's
    `generate_state` does (numpy is pinned), in plain integers: numpy's own runs through numpy scalars under an
    error-state context, which cost more than the hash. `tests/test_demand_draws.py` holds the two equal."""

    __slots__ = ("_state",)

    def __init__(self, sequence: np.random.SeedSequence) -> None:
        hash_const, words = _INIT_B, []
        pool = sequence.pool.tolist()
        for i in range(8):
            value = pool[i % POOL_SIZE] ^ hash_const
            hash_const = (hash_const * _MULT_B) & _MASK32
            value = (value * hash_const) & _MASK32
            words.append(value ^ (value >> 16))
        self._state = np.array(words, dtype=np.uint32).view(np.uint64)

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("only PCG64's seed of four 64-bit words is kept")
        return self._state


_INIT_B, _MULT_B, _MASK32 = 0x8B51F9DD, 0x58F38DED, 0xFFFFFFFF  # numpy's SeedSequence output hash


def _words(number: int) -> list[int]:
    """A non-negative integer as numpy's SeedSequence reads it: 32-bit words, least significant first."""
    if number < 0:
        raise ValueError(f"a seed or key must not be negative, not {number}")
    words = [number & 0xFFFFFFFF]
    while number := number >> 32:
        words.append(number & 0xFFFFFFFF)
    return words


def gamma_with_cv(rng: np.random.Generator, mean: np.ndarray | float, cv: np.ndarray | float, size: int) -> np.ndarray:
    """Gamma draws with the given mean and coefficient of variation: cv 1 is exponential, cv 0 is the mean itself."""
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (size,))
    cv = np.broadcast_to(np.asarray(cv, dtype=float), (size,))
    out = mean.copy()
    varied = cv > 0
    shape = 1.0 / cv[varied] ** 2
    out[varied] = rng.gamma(shape, mean[varied] / shape)
    return out


def one_gamma_with_cv(rng: np.random.Generator, mean: float, cv: float) -> float:
    """One draw of `gamma_with_cv`, the same number from the same stream, without the arrays (a referral or a
    prospect draws one size at a time)."""
    if cv <= 0:
        return mean
    shape = 1.0 / cv**2
    return float(rng.gamma(shape, mean / shape))


def growth_factor(hours: np.ndarray | float, growth_per_year: float, hours_per_week: float) -> np.ndarray | float:
    """Demand multiplier at a time: growth compounds continuously, (1 + g) ** years."""
    return (1.0 + growth_per_year) ** (np.asarray(hours) / (WEEKS_PER_YEAR * hours_per_week))


def peak_growth(scenario: Scenario) -> float:
    """The largest growth factor over the run: candidate requests are drawn at this rate and thinned."""
    horizon = scenario.measured_hours[1]
    return max(1.0, float(growth_factor(horizon, scenario.demand.growth_per_year, scenario.firm.hours_per_week)))


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

    def extend(self, more: Candidates) -> None:
        """The candidates of `more` after these."""
        for name in self.__slots__:
            getattr(self, name).extend(getattr(more, name))

    def forget(self, count: int) -> None:
        """Drop the first `count` candidates, once they are decided."""
        for name in self.__slots__:
            del getattr(self, name)[:count]


class CandidateDraws:
    """How a scenario's candidate requests are drawn, a block at a time: the work types' tables worked out once per
    run rather than once per block (a block is drawn every 16 requests or so, and small numpy calls cost more than
    the draws). The arithmetic and the order of the draws are numpy's own (`Generator.choice` and
    `gamma_with_cv`), so the candidates are the same numbers."""

    def __init__(self, scenario: Scenario) -> None:
        types = list(scenario.demand.work_types.values())
        shares = np.array([t.share for t in types])
        cdf = (shares / shares.sum()).cumsum()  # as Generator.choice(p=...) builds it
        cdf /= cdf[-1]
        self.cdf = cdf
        means = np.array([t.effort_hours for t in types])
        cvs = np.array([t.effort_cv for t in types])
        self.means = means
        self.all_varied = bool((cvs > 0).all())
        self.varied = cvs > 0
        with np.errstate(divide="ignore"):
            shapes = 1.0 / cvs**2
        self.shapes = shapes
        self.scales = means / shapes
        hours_per_day = scenario.firm.hours_per_week / 5
        self.waits = any(t.client_wait_share > 0 and t.client_wait_days > 0 for t in types)
        self.wait_share = np.array([t.client_wait_share for t in types])
        self.wait_mean = np.array([t.client_wait_days * hours_per_day for t in types])
        self.wait_sigma = np.sqrt(np.log1p(np.array([t.client_wait_cv for t in types]) ** 2))

    def work(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Work type index and effort (before any process lever) of `size` requests."""
        kind = self.cdf.searchsorted(rng.random(size), side="right")
        # numpy's gamma(shape, scale) is scale x standard_gamma(shape), draw for draw; the array form checks both
        # arrays' constraints, which costs more than the 32 draws.
        if self.all_varied:
            return kind, rng.standard_gamma(self.shapes[kind]) * self.scales[kind]
        effort = self.means[kind]
        varied = self.varied[kind]
        effort[varied] = rng.standard_gamma(self.shapes[kind][varied]) * self.scales[kind][varied]
        return kind, effort

    def client_waits(self, rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
        """Hours each candidate would wait on the client: with its type's `client_wait_share`, a lognormal wait of
        mean `client_wait_days` and spread `client_wait_cv`; two draws per candidate whatever its type, so a type's
        waits never shift another's."""
        waits_draw = rng.uniform(size=kind.size)
        normal = rng.standard_normal(size=kind.size)
        sigma = self.wait_sigma[kind]
        return np.where(waits_draw < self.wait_share[kind],
                        self.wait_mean[kind] * np.exp(sigma * normal - sigma**2 / 2), 0.0)

    def block(self, rng: np.random.Generator, wait_rng: np.random.Generator | None = None) -> Candidates:
        """A block of candidates: each has every draw it could need, whether or not it is accepted, so acceptance
        in one design never shifts the draws of the next candidate in another. Their waits on the client come from
        the client's own `wait_rng`, drawn only when some type waits, so a firm whose clients never keep it waiting
        makes exactly the draws it always made."""
        gaps = rng.exponential(1.0, size=BLOCK)
        accept = rng.random(BLOCK)  # uniform on [0, 1) is 0 + 1 x random(), the same numbers for less
        kind, effort = self.work(rng, BLOCK)
        clarity = rng.random(BLOCK)
        review = rng.random(BLOCK)
        waits = (self.client_waits(wait_rng, kind).tolist() if wait_rng is not None and self.waits
                 else [0.0] * BLOCK)
        return Candidates(gaps.tolist(), accept.tolist(), kind.tolist(), effort.tolist(), clarity.tolist(),
                          review.tolist(), waits)
