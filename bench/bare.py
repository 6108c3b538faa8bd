"""The M/M/8 workload of the benchmarks and the bare SimPy loops that serve as references (`bench/run.py`).

Imports only SimPy and numpy, so that run as a script (`python bench/bare.py WEEKS REPLICATIONS`) it is what a
user writing the loop by hand would run: the reference the whole command line is held against, start-up included.
"""

from __future__ import annotations

import sys
from collections import deque

import numpy as np
import simpy

# The workload: M/M/8 at load 0.8. Requests are short (7.5 minutes) and frequent (51.2 an hour) so that the
# product's own horizon, 4 warm-up weeks + 52 weeks of 40 hours, holds about 115,000 requests.
SERVERS = 8
LOAD = 0.8
SERVICE_HOURS = 0.125
HOURS_PER_WEEK = 40.0
WARMUP_WEEKS = 4
WEEKS = 52
CLIENTS = 128  # identical clients; only their total rate matters to an M/M/c queue
SEED = 2026


def arrival_rate() -> float:
    """Requests per hour that load SERVERS servers to LOAD."""
    return LOAD * SERVERS / SERVICE_HOURS


def horizon_hours(weeks: int) -> float:
    return (WARMUP_WEEKS + weeks) * HOURS_PER_WEEK


def exponential_draws(weeks: int, seed: int) -> tuple[list[float], list[float]]:
    """Arrival times up to the horizon and service times, drawn in numpy blocks as our model draws its demand."""
    rng = np.random.default_rng(seed)
    horizon = horizon_hours(weeks)
    count = rng.poisson(arrival_rate() * horizon)
    arrivals = np.sort(rng.uniform(0.0, horizon, size=count))  # a Poisson process: uniform points, sorted
    return arrivals.tolist(), rng.exponential(SERVICE_HOURS, size=count).tolist()


def simpy_textbook(weeks: int, seed: int) -> tuple[int, np.ndarray]:
    """The textbook SimPy M/M/c: one process per customer contending for a Resource of c servers (6 events per
    customer: arrival, process start, request, service, release, process end)."""
    arrivals, services = exponential_draws(weeks, seed)
    warmup = WARMUP_WEEKS * HOURS_PER_WEEK
    waits: list[float] = []
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)

    def customer(arrival: float, service: float):
        with servers.request() as turn:
            yield turn
            if arrival >= warmup:
                waits.append(env.now - arrival)
            yield env.timeout(service)

    def source():
        for arrival, service in zip(arrivals, services, strict=True):
            yield env.timeout(arrival - env.now)
            env.process(customer(arrival, service))

    env.process(source())
    env.run(until=horizon_hours(weeks))
    return len(arrivals), np.array(waits)


def simpy_pull(weeks: int, seed: int) -> tuple[int, np.ndarray]:
    """SimPy with servers as long-lived processes pulling from a shared queue; a server waits on an event only
    when the queue is empty. About 2.5 events per request instead of the textbook's 6: the design that schedules
    the fewest events, shown as the floor an engine of this shape can reach."""
    arrivals, services = exponential_draws(weeks, seed)
    warmup = WARMUP_WEEKS * HOURS_PER_WEEK
    waits: list[float] = []
    env = simpy.Environment()
    queue: deque[tuple[float, float]] = deque()
    idle: list[simpy.Event] = []

    def server():
        while True:
            if queue:
                arrival, service = queue.popleft()
            else:
                wake = env.event()
                idle.append(wake)
                arrival, service = yield wake
            if arrival >= warmup:
                waits.append(env.now - arrival)
            yield env.timeout(service)

    def source():
        for arrival, service in zip(arrivals, services, strict=True):
            yield env.timeout(arrival - env.now)
            if idle:
                idle.pop().succeed((arrival, service))
            else:
                queue.append((arrival, service))

    for _ in range(SERVERS):
        env.process(server())
    env.process(source())
    env.run(until=horizon_hours(weeks))
    return len(arrivals), np.array(waits)


def main(weeks: int = WEEKS, replications: int = 1) -> None:
    """Draw the requests, run the textbook loop over them, print how many and their mean wait in queue, for each
    replication (seeds SEED, SEED + 1, ...)."""
    for rep in range(replications):
        requests, waits = simpy_textbook(weeks, SEED + rep)
        print(f"{requests} requests, mean wait {waits.mean() * 60:.3f} min")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
