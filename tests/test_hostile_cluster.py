"""A shared pool and a hostile cluster: runs feed the pool a few tasks at a time and stop when asked, leaving
nothing queued; a SIM_DASK_SCHEDULER that never speaks Dask, or answers garbage, is one line that blames the
cluster, within the connection timeout."""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pytest

from sim.advisor import advise
from sim.experiment import run_experiment
from sim.measure import measure
from sim.model import simulate
from sim.parallel import ClusterError, Stopped, bounded_map, dask_client
from tests.conftest import ROOT, small


class CountingExecutor(Executor):
    """A thread pool that records how many tasks were submitted and how many actually ran."""

    def __init__(self, workers: int = 2):
        self.pool = ThreadPoolExecutor(workers)
        self.submitted = 0
        self.ran = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.submitted += 1

        def counted():
            with self.lock:
                self.ran += 1
            return fn(*args, **kwargs)

        return self.pool.submit(counted)

    def shutdown(self, wait: bool = True, **kwargs) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


def slow_square(x: int) -> int:
    time.sleep(0.02)
    return x * x


def test_bounded_map_keeps_at_most_a_window_of_tasks_in_flight_and_keeps_order():
    executor = CountingExecutor()
    seen = []
    for i, value in enumerate(bounded_map(executor, slow_square, [(x,) for x in range(40)], window=3)):
        seen.append(value)
        assert executor.submitted <= i + 3  # result i is handed over with at most `window` tasks submitted ahead
    assert seen == [x * x for x in range(40)]
    executor.shutdown()


def test_a_stopped_map_cancels_everything_not_started():
    executor = CountingExecutor(workers=1)
    results = bounded_map(executor, slow_square, [(x,) for x in range(1000)], window=4)
    assert [next(results) for _ in range(5)] == [0, 1, 4, 9, 16]
    results.close()  # the caller left (an exception in its loop, a Streamlit rerun)
    executor.shutdown(wait=True)
    assert executor.submitted == 5 + 3 and executor.ran <= 8  # nothing beyond the window was ever queued


def test_a_run_stops_when_asked_and_leaves_the_pool_free(default_scenario):
    scenario = small(default_scenario, weeks=4, replications=50)
    executor = CountingExecutor()
    done: list[int] = []
    with pytest.raises(Stopped):
        run_experiment(scenario, ["none", "pm"], executor=executor, progress=lambda d, t: done.append(d),
                       should_stop=lambda: len(done) >= 3)
    executor.shutdown(wait=True)
    assert len(done) == 3
    assert executor.ran <= 3 + 4 < 100  # 100 tasks asked for; at most a window beyond the three awaited ran


def test_a_run_in_this_process_stops_between_replications(default_scenario):
    scenario = small(default_scenario, weeks=4, replications=20)
    done: list[int] = []
    with pytest.raises(Stopped):
        run_experiment(scenario, ["none"], progress=lambda d, t: done.append(d), should_stop=lambda: len(done) >= 2)
    assert done == [1, 2]


def test_a_run_in_this_process_stops_in_the_week_after_it_is_asked_not_at_the_end_of_its_replication(
        default_scenario):
    """One replication of a busy firm can last minutes: a stop is seen after each simulated week of it."""
    scenario = small(default_scenario, weeks=40, replications=2)
    asked: list[float] = []

    def should_stop() -> bool:
        asked.append(1)
        return len(asked) == 1 + 6  # once before the replication starts, then after each of its weeks

    with pytest.raises(Stopped):
        run_experiment(scenario, ["pm"], should_stop=should_stop)
    assert len(asked) == 7  # stopped after its sixth week, of 42
    assert gc.isenabled()  # the collector, paused for the run, is back on


def test_the_weekly_checkpoint_changes_no_number(default_scenario):
    scenario = small(default_scenario, weeks=6)
    weeks: list[float] = []
    for design in ("none", "both"):
        checked = measure(simulate(scenario, design, 0, checkpoint=lambda: weeks.append(1)))
        assert repr(checked) == repr(measure(simulate(scenario, design, 0)))
    assert len(weeks) == 2 * (2 + 6)  # warm-up and run weeks, for each design


def test_a_ranking_stops_when_asked(default_scenario):
    scenario = small(default_scenario, weeks=4)
    executor = CountingExecutor()
    done: list[int] = []
    with pytest.raises(Stopped):
        advise(scenario, 150_000, executor=executor, progress=lambda d, t: done.append(d),
               should_stop=lambda: len(done) >= 5)
    executor.shutdown(wait=True)
    assert len(done) == 5 and executor.ran <= 5 + 4


def test_runs_stopped_or_not_give_the_same_numbers_as_unbounded_ones(default_scenario):
    scenario = small(default_scenario, weeks=3, replications=4)
    executor = CountingExecutor()
    bounded = run_experiment(scenario, ["none", "am"], executor=executor)
    serial = run_experiment(scenario, ["none", "am"])
    executor.shutdown()
    assert bounded.summary.equals(serial.summary)


@pytest.fixture
def fake_scheduler(request) -> Iterator[str]:
    """A TCP server that accepts connections and then either says nothing ("silent") or sends bytes that are not
    Dask's protocol ("garbage")."""
    kind = request.param
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()
    connections = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connections.append(conn)
            if kind == "garbage":
                with contextlib.suppress(OSError):
                    conn.sendall(b"\xff" * 64 + b"HTTP/1.1 200 OK\r\n\r\n" * 50)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in connections:
        conn.close()
    server.close()


@pytest.mark.deep
@pytest.mark.parametrize("fake_scheduler", ["silent", "garbage"], indirect=True)
def test_a_scheduler_that_does_not_speak_dask_is_one_error_within_the_timeout(fake_scheduler):
    """Deep tier: about 4 s, as it waits out a cluster's timeout."""
    import distributed  # noqa: F401 - imported first: its import alone takes seconds on a busy machine

    started = time.monotonic()
    with pytest.raises(ClusterError) as err:
        dask_client(fake_scheduler, timeout=2)
    took = time.monotonic() - started
    (problem,) = err.value.problems
    assert problem.startswith(f"SIM_DASK_SCHEDULER = '{fake_scheduler}': ")
    assert "problem of the cluster, not of your inputs" in problem
    assert took < 2 + 2 + 1  # the timeout, the grace the connecting thread gets, and a second for a busy machine


@pytest.mark.deep
@pytest.mark.parametrize("fake_scheduler", ["silent"], indirect=True)
def test_the_cli_stops_at_its_timeout_with_one_line(fake_scheduler):
    """Deep tier: about 13 s, as it runs the command in a process of its own."""
    started = time.monotonic()
    # Enough work that the CLI hands it to the executor (a small run stays in the process and needs no cluster).
    done = subprocess.run([sys.executable, "-m", "sim", "run", "scenarios/default.toml", "--reps", "100"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SIM_DASK_SCHEDULER": fake_scheduler})
    took = time.monotonic() - started
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: SIM_DASK_SCHEDULER = '{fake_scheduler}': no Dask scheduler answered "
                                  "within 10 seconds; this is a problem of the cluster")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert took < 60  # 10 s and the interpreter's start, far from forever


WINDOW_OF_A_CLUSTER = """
from distributed import Client, LocalCluster
from sim.parallel import window_for
with LocalCluster(n_workers=1, threads_per_worker=3, processes=False, dashboard_address=None) as cluster, \\
        Client(cluster, set_as_default=False) as client:
    print(window_for(client.get_executor(pure=False)))
"""


def test_the_window_counts_a_clusters_worker_threads_and_a_pools_processes():
    from sim.parallel import TASKS_PER_WORKER, local_pool, window_for

    # In a fresh interpreter: an in-process cluster starts its IO loop in a thread that must run within 10 s, and a
    # test process that has already met a hostile scheduler (above) or a busy Streamlit script need not allow that.
    done = subprocess.run([sys.executable, "-c", WINDOW_OF_A_CLUSTER], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == TASKS_PER_WORKER * 3
    assert window_for(local_pool(workers=5)) == TASKS_PER_WORKER * 5
