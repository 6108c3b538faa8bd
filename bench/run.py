"""How fast the model runs, against references timed in the same run (`make bench`).

The machine is shared and noisy, so no figure here is judged alone: our model's cost per request is divided by the
cost of SimPy and Ciw on the same M/M/c queue, timed in the same process, round after round, best of each. The
default comparison's wall time is also given in units of the textbook SimPy loop, so it can be compared across
machines and days. bench/README.md explains each figure and records what was measured.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import math
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script (`python bench/run.py`), the repository root is not on the path
    sys.path.insert(0, str(ROOT))

import ciw  # noqa: E402
import numpy as np  # noqa: E402

from bench.bare import (  # noqa: E402
    CLIENTS,
    HOURS_PER_WEEK,
    LOAD,
    SEED,
    SERVERS,
    SERVICE_HOURS,
    WARMUP_WEEKS,
    WEEKS,
    arrival_rate,
    exponential_draws,
    horizon_hours,
    simpy_pull,
    simpy_textbook,
)
from sim import parallel  # noqa: E402
from sim.experiment import run_experiment  # noqa: E402
from sim.measure import measure  # noqa: E402
from sim.model import Run, simulate  # noqa: E402
from sim.scenario import Scenario, dumps, from_dict, load_scenario  # noqa: E402
from sim.stats import t_half_width  # noqa: E402

# The performance targets.
TARGET_VS_SIMPY = 3.0  # our cost per request at most 3x the textbook SimPy loop's
TARGET_VS_CIW = 1.0  # and below Ciw's
TARGET_COMPARISON_SECONDS = 2.0  # the default comparison, 5 designs x replications x 52 weeks
# Goals of issue 13, in the same units.
GOAL_NONE_VS_SIMPY = 1.2  # design `none` per request, every mechanism on, at most 1.2x the textbook loop (issue 21)
GOAL_COORDINATED_VS_SIMPY = 1.5  # every coordinated design at most 1.5x
GOAL_SIZE_GROWTH = 1.5  # cost per request from 12 to 400 engineers within 1.5x
GOAL_CLI_VS_BARE = 1.2  # the whole CLI on the M/M/8 workload at most 1.2x a bare SimPy loop, start-up included
SIZES = (12, 50, 200, 400)
MEMORY_WEEKS, MEMORY_REPLICATIONS = 500, 20
SECTIONS = ("queue", "designs", "sizes", "cli", "memory", "comparison")
WAIT_BATCHES = 20  # batch means for the interval of a mean wait (waits of neighbouring requests are correlated)

RESULTS_DIR = ROOT / "bench" / "results"


def mmc_scenario(weeks: int = WEEKS) -> Scenario:
    """A scenario in which design `pm` is exactly an M/M/c queue: one skill, exponential effort, Poisson arrivals,
    a pooled queue served first come first served (one deadline for all), and every mechanism switched off."""
    return from_dict({
        "name": f"M/M/{SERVERS} at load {LOAD}",
        "seed": SEED,
        "weeks": weeks,
        "warmup_weeks": WARMUP_WEEKS,
        "replications": 2,
        "firm": {"engineers": SERVERS, "hours_per_week": HOURS_PER_WEEK},
        "demand": {
            "clients": CLIENTS,
            "requests_per_client_per_week": arrival_rate() * HOURS_PER_WEEK / CLIENTS,
            "client_size_cv": 0.0,
            "growth_per_year": 0.0,
            "work_types": {"request": {"share": 1.0, "effort_hours": SERVICE_HOURS, "effort_cv": 1.0,
                                       "deadline_days": 365}},
        },
        "behaviour": {"all_mechanisms_off": True},
    })


def erlang_c_wait(arrival_rate: float, service_hours: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C): W_q = P_W * S / (c - A), offered load A = lambda * S."""
    a = arrival_rate * service_hours
    queued = a**servers / math.factorial(servers) * servers / (servers - a)
    p_wait = queued / (sum(a**k / math.factorial(k) for k in range(servers)) + queued)
    return p_wait * service_hours / (servers - a)


@dataclass
class Timing:
    """One contestant on the M/M/c workload: best wall time, requests it simulated, mean wait after warm-up."""

    name: str
    seconds: float
    requests: int
    wait_hours: float
    wait_ci95: float

    @property
    def us_per_request(self) -> float:
        return self.seconds / self.requests * 1e6


def batch_mean(waits: np.ndarray) -> tuple[float, float]:
    """Mean wait and the 95 % half-width of batch means, in arrival order."""
    return float(waits.mean()), t_half_width(np.array([b.mean() for b in np.array_split(waits, WAIT_BATCHES)]))


def ciw_mmc(weeks: int, seed: int) -> tuple[int, list]:
    """Ciw's M/M/c, as its README builds one: requests that arrived, and Ciw's records."""
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate())],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / SERVICE_HOURS)],
        number_of_servers=[SERVERS],
    )
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon_hours(weeks))
    arrived = simulation.nodes[0].number_of_individuals - 1  # the arrival node has drawn the next one already
    return arrived, simulation.get_all_records()


def ciw_waits(records: list) -> np.ndarray:
    """Waits of the customers that arrived after the warm-up, in arrival order (not timed: only for the check)."""
    warmup = WARMUP_WEEKS * HOURS_PER_WEEK
    return np.array([r.waiting_time for r in sorted(records, key=lambda r: r.arrival_date) if r.arrival_date >= warmup])


def our_waits(run: Run) -> np.ndarray:
    """Waits (arrival to first work) of the requests that arrived after the warm-up and were started."""
    start = run.scenario.warmup_weeks * run.scenario.firm.hours_per_week
    return np.array([r.started - r.arrival for r in run.requests if r.arrival >= start and not math.isnan(r.started)])


def best_of(rounds: list[dict[str, float]], name: str) -> float:
    return min(r[name] for r in rounds)


def time_queue(weeks: int, repeats: int) -> dict[str, Timing]:
    """Every contestant once per round, rounds repeated, best CPU time of each: interleaving spreads the machine's
    changing load evenly over the contestants, and CPU time leaves out the waits a shared machine adds."""
    scenario = mmc_scenario(weeks)
    references: dict[str, Callable[[int, int], tuple[int, Any]]] = {
        "SimPy textbook loop": simpy_textbook, "SimPy pull loop": simpy_pull, "Ciw": ciw_mmc,
    }
    waits_of: dict[str, Callable[[Any], np.ndarray]] = {"Ciw": ciw_waits}
    rounds: list[dict[str, float]] = []
    outputs: dict[str, tuple[int, Any]] = {}
    for _ in range(repeats):
        seconds: dict[str, float] = {}
        t0 = time.process_time()
        run = simulate(scenario, "pm", 0)
        t1 = time.process_time()
        summary = measure(run)[0]
        t2 = time.process_time()
        seconds["simulate"], seconds["measure"] = t1 - t0, t2 - t1
        for name, contestant in references.items():
            t0 = time.process_time()
            outputs[name] = contestant(weeks, SEED)
            seconds[name] = time.process_time() - t0
        rounds.append(seconds)

    requests = len(run.requests)
    wait, ci = batch_mean(our_waits(run))
    if not math.isclose(wait, summary["wait_hours"], rel_tol=1e-9):
        raise RuntimeError(f"the benchmark's wait {wait} disagrees with measure's wait_hours {summary['wait_hours']}")
    timings = {
        "simulate": Timing("our model: simulate", best_of(rounds, "simulate"), requests, wait, ci),
        "measure": Timing("our model: measure", best_of(rounds, "measure"), requests, wait, ci),
        "replication": Timing("our model: simulate + measure",
                              min(r["simulate"] + r["measure"] for r in rounds), requests, wait, ci),
    }
    for name, (arrived, output) in outputs.items():
        waits = waits_of.get(name, np.asarray)(output)
        timings[name] = Timing(name, best_of(rounds, name), arrived, *batch_mean(waits))
    return timings


# -- every design with every mechanism on ------------------------------------------------------------------------


def mechanisms_on(scenario: Scenario) -> Scenario:
    """The scenario with the process levers on too (checklists, check-ins, status updates), so every mechanism of
    the model runs: the behaviour's defaults already switch every other one on."""
    data = scenario.to_dict()
    data["process"] = {"standardised_work": True, "checkins": True, "status_updates": True}
    return from_dict(data)


def cpu_per_request(action: Callable[[], int]) -> float:
    """CPU seconds of this process per request the action reports having simulated (not wall time: the machine is
    shared, and CPU time is what the model costs)."""
    t0 = time.process_time()
    requests = action()
    return (time.process_time() - t0) / requests


def _ours(scenario: Scenario, design: str) -> Callable[[], int]:
    def action() -> int:
        return sum(len(simulate(scenario, design, rep).requests) for rep in range(scenario.replications))
    return action


def time_designs(weeks: int, replications: int, repeats: int) -> dict[str, Any]:
    """CPU µs per request of `simulate` for every design of scenarios/default.toml with every mechanism on, and of
    the textbook SimPy loop and Ciw on M/M/8 in the same rounds; best round of each."""
    scenario = mechanisms_on(load_scenario(ROOT / "scenarios" / "default.toml")).replace(
        weeks=weeks, replications=replications)
    contestants: dict[str, Callable[[], int]] = {d: _ours(scenario, d) for d in scenario.designs}
    contestants["SimPy textbook loop"] = lambda: simpy_textbook(weeks, SEED)[0]
    contestants["Ciw"] = lambda: ciw_mmc(weeks, SEED)[0]
    best = {name: math.inf for name in contestants}
    for _ in range(repeats):
        for name, action in contestants.items():
            best[name] = min(best[name], cpu_per_request(action) * 1e6)
    simpy_us, ciw_us = best.pop("SimPy textbook loop"), best.pop("Ciw")
    return {"weeks": weeks, "replications": replications, "simpy_us": simpy_us, "ciw_us": ciw_us,
            "designs": {d: {"us_per_request": us, "vs_simpy": us / simpy_us, "vs_ciw": us / ciw_us}
                        for d, us in best.items()}}


# -- cost per request against firm size --------------------------------------------------------------------------


def sized(scenario: Scenario, engineers: int) -> Scenario:
    """The firm grown to `engineers`, each skill group and the clients in proportion, so each engineer faces the
    same demand; the coordinators stay as the designs say (one PM, one AM, ...), as in the issue's measurement."""
    data = scenario.to_dict()
    factor = engineers / scenario.firm.engineers
    skills = data["firm"].get("skills") or {}
    if skills:
        counts = {k: max(1, round(v * factor)) for k, v in skills.items()}
        largest = max(counts, key=counts.__getitem__)
        counts[largest] += engineers - sum(counts.values())
        data["firm"]["skills"] = counts
    data["firm"]["engineers"] = engineers
    data["demand"]["clients"] = max(1, round(scenario.demand.clients * factor))
    return from_dict(data)


def time_sizes(weeks: int, repeats: int) -> dict[str, Any]:
    """CPU µs per request of `simulate`, two replications of each design, for firms of SIZES engineers."""
    base = mechanisms_on(load_scenario(ROOT / "scenarios" / "default.toml")).replace(weeks=weeks, replications=2)
    table: dict[str, dict[str, float]] = {d: {} for d in base.designs}
    for engineers in SIZES:
        scenario = sized(base, engineers)
        for design in scenario.designs:
            table[design][str(engineers)] = min(cpu_per_request(_ours(scenario, design)) for _ in range(repeats)) * 1e6
    growth = {d: max(row.values()) / row[str(SIZES[0])] for d, row in table.items()}
    return {"weeks": weeks, "sizes": list(SIZES), "us_per_request": table, "growth": growth}


# -- the whole command line against a bare SimPy loop, start-up included -----------------------------------------

# Runs a command and prints its wall time, CPU time and peak RSS. Linux counts into a process's peak RSS the memory
# of the process it was started from (fork, then exec), so the command must start from this small interpreter,
# not from the benchmark, which holds hundreds of MiB by then.
MEASURE_CHILD = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_kib": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}))
"""


def _child_cpu(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one child process run to its end."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", MEASURE_CHILD, *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return figures["wall"], figures["cpu"], figures["rss_kib"]


def time_cli(weeks: int, repeats: int) -> dict[str, Any]:
    """`python -m sim run --serial` on the M/M/8 scenario (design pm, two replications) against a fresh interpreter
    running the bare textbook SimPy loop over the same queue and horizon; best of `repeats` each, CPU and wall.
    Serial, as the bare loop is: a pool's workers are the forkserver's children, not the command's, so their CPU
    time would not be counted and the command would look cheaper than it is."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mmc.toml"
        path.write_text(dumps(mmc_scenario(weeks)), encoding="utf-8")
        cli = [sys.executable, "-m", "sim", "run", str(path), "--designs", "pm", "--reps", "2", "--serial"]
        bare = [sys.executable, str(ROOT / "bench" / "bare.py"), str(weeks), "2"]
        runs: dict[str, list[tuple[float, float, int]]] = {"cli": [], "bare": []}
        for _ in range(repeats):
            runs["cli"].append(_child_cpu(cli))
            runs["bare"].append(_child_cpu(bare))
    out: dict[str, Any] = {"weeks": weeks, "requests": 2 * len(exponential_draws(weeks, SEED)[0])}
    for name, rows in runs.items():
        out[name] = {"wall_seconds": min(r[0] for r in rows), "cpu_seconds": min(r[1] for r in rows)}
    out["cpu_ratio"] = out["cli"]["cpu_seconds"] / out["bare"]["cpu_seconds"]
    out["wall_ratio"] = out["cli"]["wall_seconds"] / out["bare"]["wall_seconds"]
    return out


# -- memory ------------------------------------------------------------------------------------------------------


def peak_memory(weeks: int = MEMORY_WEEKS, replications: int = MEMORY_REPLICATIONS) -> dict[str, Any]:
    """Peak RSS of `python -m sim run` on scenarios/default.toml, design `both`, weeks x replications, serial."""
    command = [sys.executable, "-m", "sim", "run", "scenarios/default.toml", "--designs", "both", "--weeks",
               str(weeks), "--reps", str(replications), "--serial", "--format", "csv"]
    wall, cpu, rss_kib = _child_cpu(command)
    baseline = _child_cpu([sys.executable, "-c", "import sim.cli"])[2]
    return {"weeks": weeks, "replications": replications, "design": "both", "peak_rss_mib": rss_kib / 1024,
            "import_rss_mib": baseline / 1024, "wall_seconds": wall, "cpu_seconds": cpu}


@dataclass
class Comparison:
    """Wall time of the default comparison: serial, on a process pool started for it, on a pool already up."""

    runs: int
    requests: int
    serial_seconds: float
    pool_cold_seconds: float
    pool_warm_seconds: float
    import_seconds: float
    workers: int


# A fresh interpreter, as a user's first run meets it: import the model, then time one comparison on the shared
# pool, which starts the forkserver and its workers. `-c` leaves no main module for the forkserver to preload.
COLD_RUN = """
import json, time
t0 = time.perf_counter()
from sim.experiment import run_experiment
from sim.parallel import local_pool
from sim.scenario import load_scenario
scenario = load_scenario("scenarios/default.toml")
t1 = time.perf_counter()
run_experiment(scenario, executor=local_pool())
print(json.dumps({"imports": t1 - t0, "cold": time.perf_counter() - t1}))
"""


def time_cold_pool() -> tuple[float, float]:
    """Import time and pool-start-plus-run time of the default comparison in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", COLD_RUN], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["imports"], figures["cold"]


def time_default_comparison(repeats: int) -> Comparison:
    """scenarios/default.toml as the app and the CLI run it, best of `repeats` each (the cold pool at most 3
    times: each costs a fresh interpreter)."""
    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    colds = [time_cold_pool() for _ in range(min(repeats, 3))]
    results = run_experiment(scenario, executor=parallel.local_pool())  # starts this process's pool
    warm, serial = math.inf, math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_experiment(scenario, executor=parallel.local_pool())
        warm = min(warm, time.perf_counter() - t0)
        t0 = time.perf_counter()
        run_experiment(scenario)
        serial = min(serial, time.perf_counter() - t0)
    return Comparison(
        runs=len(results.summary),
        requests=int(results.summary["arrived"].sum()),
        serial_seconds=serial,
        pool_cold_seconds=min(c[1] for c in colds),
        pool_warm_seconds=warm,
        import_seconds=min(c[0] for c in colds),
        workers=os.cpu_count() or 1,  # local_pool's default: one worker per core
    )


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def report(timings: dict[str, Timing], comparison: Comparison | None, weeks: int) -> dict:
    """Print the figures and return them as one record."""
    ours, textbook, ciw_t, whole = timings["simulate"], timings["SimPy textbook loop"], timings["Ciw"], \
        timings["replication"]
    erlang = erlang_c_wait(arrival_rate(), SERVICE_HOURS, SERVERS)
    print(f"M/M/{SERVERS} at load {LOAD}, mean service {SERVICE_HOURS * 60:g} min, {WARMUP_WEEKS} + {weeks} weeks "
          f"of {HOURS_PER_WEEK:g} h: {ours.requests:,} requests; best of the rounds")
    print(f"{'':32}{'µs/request':>11}{'/ SimPy loop':>13}{'/ Ciw':>7}{'mean wait (min)':>17}{'± 95 %':>8}")
    for key, t in timings.items():
        wait = "" if key == "measure" else f"{t.wait_hours * 60:17.3f}{t.wait_ci95 * 60:8.3f}"
        print(f"{t.name:32}{t.us_per_request:11.2f}{t.us_per_request / textbook.us_per_request:13.2f}"
              f"{t.us_per_request / ciw_t.us_per_request:7.2f}{wait}")
    print(f"{'Erlang C formula':32}{'':31}{erlang * 60:17.3f}")
    vs_simpy = ours.us_per_request / textbook.us_per_request
    vs_ciw = ours.us_per_request / ciw_t.us_per_request
    print(f"target: simulate within {TARGET_VS_SIMPY:g}x of the SimPy textbook loop: {vs_simpy:.2f}x, "
          f"{verdict(vs_simpy <= TARGET_VS_SIMPY)}")
    print(f"target: simulate faster than Ciw: {vs_ciw:.2f}x, {verdict(vs_ciw < TARGET_VS_CIW)} "
          f"(simulate + measure: {whole.us_per_request / ciw_t.us_per_request:.2f}x)")
    off = [t.name for k, t in timings.items() if k != "measure" and abs(t.wait_hours - erlang) > t.wait_ci95]
    print("sanity: every mean wait is within its 95 % interval of Erlang C" if not off
          else f"sanity: mean wait outside its 95 % interval of Erlang C: {', '.join(off)}")

    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "workload": {"servers": SERVERS, "load": LOAD, "service_hours": SERVICE_HOURS, "weeks": weeks,
                     "warmup_weeks": WARMUP_WEEKS, "erlang_c_wait_hours": erlang},
        "queue": {k: {**asdict(t), "us_per_request": t.us_per_request} for k, t in timings.items()},
        "ratios": {"simulate_vs_simpy": vs_simpy, "simulate_vs_ciw": vs_ciw,
                   "replication_vs_ciw": whole.us_per_request / ciw_t.us_per_request},
    }
    if comparison is not None:
        c = comparison
        unit = textbook.seconds / textbook.requests  # the reference: one request of the textbook SimPy loop
        print(f"\ndefault comparison: {c.runs} runs (designs x replications), {c.requests:,} requests after "
              f"warm-up, pool of {c.workers} workers")
        target = f"target {TARGET_COMPARISON_SECONDS:g} s"
        print(f"{'':32}{'seconds':>9}{'/ SimPy loop request':>22}{target:>12}")
        for label, seconds in (("serial", c.serial_seconds), ("pool, cold (fresh interpreter)", c.pool_cold_seconds),
                               ("pool, warm", c.pool_warm_seconds)):
            print(f"{label:32}{seconds:9.2f}{seconds / unit:22,.0f}{verdict(seconds < TARGET_COMPARISON_SECONDS):>12}")
        print(f"{'(importing sim first, apart)':32}{c.import_seconds:9.2f}{c.import_seconds / unit:22,.0f}")
        record["default_comparison"] = {**asdict(c), "seconds_per_simpy_request": unit}
    record["load_average"] = os.getloadavg()
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return record


def time_in_collector(action: Callable[[], Any]) -> tuple[float, float]:
    """Wall time of an action and the part of it spent in Python's cyclic garbage collector, which cProfile does
    not show: a run that keeps many objects alive pays for the collector walking them again and again."""
    collecting = [0.0, 0.0]  # start of the current collection, total so far

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            collecting[1] += time.perf_counter() - collecting[0]

    gc.callbacks.append(watch)
    try:
        t0 = time.perf_counter()
        action()
        return time.perf_counter() - t0, collecting[1]
    finally:
        gc.callbacks.remove(watch)


def profile(weeks: int, top: int = 15) -> None:
    """Where simulate and measure spend their time on the M/M/c workload, by own time."""
    scenario = mmc_scenario(weeks)
    print()
    for label, action in (("our model: simulate", lambda: simulate(scenario, "pm", 0)),
                          ("SimPy textbook loop", lambda: simpy_textbook(weeks, SEED)),
                          ("Ciw", lambda: ciw_mmc(weeks, SEED))):
        gc.collect()
        total, collector = time_in_collector(action)
        print(f"{label}: {total:.2f} s, of which {collector:.2f} s ({collector / total:.0%}) in the garbage collector")
    for label, statement in (("simulate", "run = simulate(scenario, 'pm', 0)"), ("measure", "measure(run)")):
        profiler = cProfile.Profile()
        namespace = {"simulate": simulate, "measure": measure, "scenario": scenario}
        if label == "measure":
            namespace["run"] = simulate(scenario, "pm", 0)
        profiler.runctx(statement, namespace, namespace)
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"\n--- {label}: functions by own time ---")
        stats.sort_stats("tottime").print_stats(top)
        print(f"--- {label}: the model's functions by cumulative time ---")
        stats.sort_stats("cumulative").print_stats(r"(model|measure|demand)\.py", top)


def report_designs(designs: dict[str, Any]) -> None:
    print(f"\nevery design, every mechanism on (scenarios/default.toml with the process levers on, "
          f"{designs['replications']} replications x {designs['weeks']} + {WARMUP_WEEKS} weeks); CPU per request, "
          f"best round")
    print(f"{'':24}{'µs/request':>11}{'/ SimPy loop':>13}{'/ Ciw':>7}{'goal':>9}")
    for design, row in designs["designs"].items():
        goal = GOAL_NONE_VS_SIMPY if design == "none" else GOAL_COORDINATED_VS_SIMPY
        print(f"{design:24}{row['us_per_request']:11.2f}{row['vs_simpy']:13.2f}{row['vs_ciw']:7.2f}"
              f"{f'<= {goal:g}x':>9} {verdict(row['vs_simpy'] <= goal)}")
    simpy_us, ciw_us = designs["simpy_us"], designs["ciw_us"]
    print(f"{'SimPy textbook loop':24}{simpy_us:11.2f}{1:13.2f}{simpy_us / ciw_us:7.2f}")
    print(f"{'Ciw':24}{ciw_us:11.2f}{ciw_us / simpy_us:13.2f}{1:7.2f}")


def report_sizes(sizes: dict[str, Any]) -> None:
    print(f"\ncost per request against firm size (clients in proportion, 2 replications x {sizes['weeks']} weeks); "
          "CPU µs per request")
    print(f"{'':10}" + "".join(f"{f'{n} eng.':>10}" for n in sizes["sizes"]) + f"{'max / 12':>10}")
    for design, row in sizes["us_per_request"].items():
        growth = sizes["growth"][design]
        print(f"{design:10}" + "".join(f"{row[str(n)]:10.2f}" for n in sizes["sizes"])
              + f"{growth:10.2f} {verdict(growth <= GOAL_SIZE_GROWTH)}")


def report_cli(cli: dict[str, Any]) -> None:
    print(f"\n`python -m sim run --serial` on M/M/{SERVERS} ({cli['weeks']} weeks, design pm, 2 replications, about "
          f"{cli['requests']:,} requests) against a bare SimPy loop in a fresh interpreter, start-up included")
    for name in ("cli", "bare"):
        print(f"{name:24}{cli[name]['cpu_seconds']:8.2f} s CPU{cli[name]['wall_seconds']:8.2f} s wall")
    print(f"ratio: CPU {cli['cpu_ratio']:.2f}x, wall {cli['wall_ratio']:.2f}x; goal <= {GOAL_CLI_VS_BARE:g}x: "
          f"{verdict(cli['cpu_ratio'] <= GOAL_CLI_VS_BARE)}")


def report_memory(memory: dict[str, Any]) -> None:
    print(f"\npeak RSS of `python -m sim run scenarios/default.toml --designs both --weeks {memory['weeks']} --reps "
          f"{memory['replications']} --serial`: {memory['peak_rss_mib']:.0f} MiB (importing sim.cli alone: "
          f"{memory['import_rss_mib']:.0f} MiB); {memory['wall_seconds']:.1f} s wall")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="rounds; each figure is the best round (default 5)")
    parser.add_argument("--weeks", type=int, default=WEEKS,
                        help=f"measured weeks of every run but the memory one (default {WEEKS})")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, from {','.join(SECTIONS)} (default: all)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile tables of simulate and measure")
    parser.add_argument("--no-save", action="store_true", help="do not write the figures to bench/results/")
    args = parser.parse_args(argv)
    sections = [x.strip() for x in args.sections.split(",") if x.strip()]
    if args.repeats < 1 or args.weeks < 1:
        parser.error("--repeats and --weeks must be at least 1")
    if not sections or set(sections) - set(SECTIONS):
        parser.error(f"--sections takes names from {','.join(SECTIONS)}")

    # the M/M/c queue always runs: every other section is read against its references
    timings = time_queue(args.weeks, args.repeats)
    comparison = time_default_comparison(args.repeats) if "comparison" in sections else None
    record = report(timings, comparison, args.weeks)
    if "designs" in sections:
        record["designs"] = time_designs(args.weeks, 4, args.repeats)
        report_designs(record["designs"])
    if "sizes" in sections:
        record["sizes"] = time_sizes(args.weeks, min(args.repeats, 2))
        report_sizes(record["sizes"])
    if "cli" in sections:
        record["cli"] = time_cli(args.weeks, min(args.repeats, 3))
        report_cli(record["cli"])
    if "memory" in sections:
        record["memory"] = peak_memory()
        report_memory(record["memory"])
    if not args.no_save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(record, indent=2), encoding="utf-8")
        print(f"saved {path.relative_to(ROOT)}")
    if args.profile:
        profile(args.weeks)
    return record


if __name__ == "__main__":
    main()
