"""What the clients ask for in one replication, drawn before the run so every design sees the same demand.

Each purpose has its own random stream spawned from (seed, replication) with numpy's SeedSequence. Because the
draws do not depend on the org design, replication i of every design sees the same clients, arrivals, efforts
and coin flips: common random numbers, so differences between designs are not noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Scenario

STREAMS = ("client_sizes", "arrivals", "work", "clarity", "review", "upsell", "sales", "prospects", "attrition")
WEEKS_PER_YEAR = 52


def random_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent generator per purpose; the order of STREAMS is part of the reproducibility contract."""
    root = np.random.SeedSequence(entropy=seed, spawn_key=(replication,))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, root.spawn(len(STREAMS)), strict=True)}


def gamma_with_cv(rng: np.random.Generator, mean: np.ndarray | float, cv: np.ndarray | float, size: int) -> np.ndarray:
    """Gamma draws with the given mean and coefficient of variation: cv 1 is exponential, cv 0 is the mean itself."""
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (size,))
    cv = np.broadcast_to(np.asarray(cv, dtype=float), (size,))
    out = mean.copy()
    varied = cv > 0
    shape = 1.0 / cv[varied] ** 2
    out[varied] = rng.gamma(shape, mean[varied] / shape)
    return out


@dataclass(frozen=True)
class RequestDraws:
    """Requests of one replication in arrival order, as parallel arrays (one entry per request)."""

    client_sizes: np.ndarray  # today's clients first, then every prospect
    client_leaves: np.ndarray  # when each client leaves whatever the service (attrition); inf if never
    prospect_hours: np.ndarray  # when each prospect could be won, in order
    prospect_draw: np.ndarray  # uniform draw deciding, with the design's account care, whether it is won
    arrival_hours: np.ndarray
    client: np.ndarray
    work_type: np.ndarray
    raw_effort: np.ndarray
    clarity_draw: np.ndarray
    review_draw: np.ndarray
    upsell_draw: np.ndarray


def growth_factor(hours: np.ndarray | float, growth_per_year: float, hours_per_week: float) -> np.ndarray | float:
    """Demand multiplier at a time: growth compounds continuously, (1 + g) ** years."""
    return (1.0 + growth_per_year) ** (np.asarray(hours) / (WEEKS_PER_YEAR * hours_per_week))


def draw_work(rng: np.random.Generator, scenario: Scenario, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Work type index and effort (before any process lever) of `size` requests."""
    types = list(scenario.demand.work_types.values())
    shares = np.array([t.share for t in types])
    kind = rng.choice(len(types), size=size, p=shares / shares.sum())
    means = np.array([t.effort_hours for t in types])[kind]
    cvs = np.array([t.effort_cv for t in types])[kind]
    return kind, gamma_with_cv(rng, means, cvs, size)


def draw_demand(scenario: Scenario, replication: int) -> tuple[RequestDraws, dict[str, np.random.Generator]]:
    """All base requests of one replication, plus the streams the run keeps drawing from (upsells, sales)."""
    rng = random_streams(scenario.seed, replication)
    d, hpw = scenario.demand, scenario.firm.hours_per_week
    sizes = gamma_with_cv(rng["client_sizes"], 1.0, d.client_size_cv, d.clients)
    sizes = sizes / sizes.mean()  # the firm's total demand is exactly what the scenario says

    horizon = (scenario.warmup_weeks + scenario.weeks) * hpw
    per_client_rate = d.requests_per_client_per_week / hpw  # requests per working hour of an average client
    peak = max(1.0, float(growth_factor(horizon, d.growth_per_year, hpw)))
    arrivals = rng["arrivals"]
    # Thinning (Lewis & Shedler 1979): a Poisson process at the peak rate, each point kept with rate(t) / peak.
    count = arrivals.poisson(d.clients * per_client_rate * peak * horizon)
    times = np.sort(arrivals.uniform(0.0, horizon, size=count))
    keep = arrivals.uniform(size=count) < growth_factor(times, d.growth_per_year, hpw) / peak
    times = times[keep]
    client = arrivals.choice(d.clients, size=times.size, p=sizes / sizes.sum())

    # Prospects the firm may win, at the base rate plus the largest referral boost; a design with less account care
    # wins a thinned subset of the same prospects, so designs still share their demand.
    prospects = rng["prospects"]
    prospect_rate = d.new_clients_per_year * (1.0 + scenario.behaviour.am_new_client_boost) / (WEEKS_PER_YEAR * hpw)
    k = prospects.poisson(prospect_rate * horizon)
    prospect_hours = np.sort(prospects.uniform(0.0, horizon, size=k))
    prospect_draw = prospects.uniform(size=k)
    prospect_sizes = gamma_with_cv(prospects, 1.0, d.client_size_cv, k)
    counts = prospects.poisson(per_client_rate * peak * prospect_sizes * (horizon - prospect_hours))
    owner = np.repeat(np.arange(k), counts)
    later = prospects.uniform(prospect_hours[owner], horizon)
    kept = prospects.uniform(size=later.size) < growth_factor(later, d.growth_per_year, hpw) / peak
    order = np.argsort(np.concatenate([times, later[kept]]), kind="stable")
    times = np.concatenate([times, later[kept]])[order]
    client = np.concatenate([client, d.clients + owner[kept]])[order]

    # Clients also leave whatever the service, after an exponential stay from the day they are won (today's clients
    # from the start): the same for every design, so their requests after that day are never sent.
    attrition = d.client_attrition_per_year / (WEEKS_PER_YEAR * hpw)
    joined = np.concatenate([np.zeros(d.clients), prospect_hours])
    leaves = joined + (rng["attrition"].exponential(1.0 / attrition, size=joined.size) if attrition > 0 else np.inf)
    stays = times < leaves[client]
    times, client = times[stays], client[stays]

    n = times.size
    kind, effort = draw_work(rng["work"], scenario, n)
    demand = RequestDraws(
        client_sizes=np.concatenate([sizes, prospect_sizes]),
        client_leaves=np.broadcast_to(leaves, joined.shape).astype(float),
        prospect_hours=prospect_hours,
        prospect_draw=prospect_draw,
        arrival_hours=times,
        client=client,
        work_type=kind,
        raw_effort=effort,
        clarity_draw=rng["clarity"].uniform(size=n),
        review_draw=rng["review"].uniform(size=n),
        upsell_draw=rng["upsell"].uniform(size=n),
    )
    return demand, rng
