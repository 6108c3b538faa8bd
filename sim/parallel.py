"""Where replications run: a local process pool by default, a Dask cluster when SIM_DASK_SCHEDULER names one.

Both sit behind concurrent.futures.Executor, and every task carries its own (scenario, design, replication), from
which the model seeds its random streams: the numbers do not depend on where or in which order tasks run.

`bounded_map` feeds an executor a few tasks at a time rather than all at once: a run that is stopped (its session
gone, or the user asking again) then leaves at most a window of tasks behind in a pool shared by every user.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sim.scenario import short, shown

if TYPE_CHECKING:
    from distributed import Client

DASK_SCHEDULER_VARIABLE = "SIM_DASK_SCHEDULER"
CONNECT_TIMEOUT_SECONDS = 10
# Tasks in flight per worker: enough that no worker waits for the next task, few enough that a stopped run leaves
# almost nothing queued.
TASKS_PER_WORKER = 2
STOP_POLL_SECONDS = 0.5  # how often a run waiting for a task asks whether it should stop
PARENT_POLL_SECONDS = 0.5  # how often a pool's worker checks that the process that made the pool is alive

T = TypeVar("T")


class ClusterError(RuntimeError):
    """The Dask cluster or the process pool failed: a problem of the server, not of the user's inputs, so not a
    ScenarioError (nothing the user could change in the scenario would fix it). `problems` are its lines."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class Stopped(Exception):
    """The run was asked to stop (`should_stop` said so); its queued tasks were cancelled."""


@cache
def local_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """One pool per process, made on first use and shared.

    forkserver, not fork: forking a multi-threaded parent (a Streamlit server, a Dask client) can copy a held lock
    and deadlock the child; forkserver starts workers from a clean single-threaded server and is cheaper than spawn.
    """
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has already imported the model (numpy, pandas, simpy): a cold pool starts in
    # about half the time (bench/README.md).
    context.set_forkserver_preload(["sim.experiment"])
    pool = _Pool(max_workers=workers or os.cpu_count() or 1, mp_context=context, initializer=_worker_start,
                 initargs=(os.getpid(),))
    _LOCAL_POOLS.append(pool)
    return pool


_LOCAL_POOLS: list[ProcessPoolExecutor] = []
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Pool(ProcessPoolExecutor):
    """A process pool whose workers start whole: Ctrl-C or SIGTERM that arrives while a worker is being started
    is held until it has started. Raised halfway, it left a worker the pool did not know of, which could not be
    stopped and printed a traceback of its own once the command was gone."""

    def _spawn_process(self) -> None:  # the pool's own (private) step that starts one worker
        with _stop_signals_held():
            super()._spawn_process()  # type: ignore[misc]


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread receives them
        yield
        return
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda got, frame: caught.append(got)) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for got in caught:
            signal.raise_signal(got)  # now, to the handler it was meant for


def stop_local_pools() -> None:
    """Cancel every task the local pools hold and end their workers now, without waiting for the replications
    under way: for a command stopped by Ctrl-C or SIGTERM, which would otherwise wait for them at exit."""
    while _LOCAL_POOLS:
        pool = _LOCAL_POOLS.pop()
        workers = list((pool._processes or {}).values())  # no public way before Python 3.14's terminate_workers
        _quiet_if_broken(getattr(pool, "_executor_manager_thread", None))  # private, as _processes above
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
    local_pool.cache_clear()


_STOPPED_MANAGERS: set[threading.Thread | None] = set()
_previous_excepthook: Callable[[threading.ExceptHookArgs], Any] | None = None  # the hook before ours, once set


def _quiet_if_broken(manager: threading.Thread | None) -> None:
    """Python 3.11's pool, told its workers died, sets an error on each task it holds, also on those already
    cancelled, and its manager thread then dies printing InvalidStateError (fixed in 3.12). For a pool stopped on
    purpose that is no error, and a traceback after the command's one line would say there was one."""
    global _previous_excepthook
    _STOPPED_MANAGERS.add(manager)
    if _previous_excepthook is None:
        _previous_excepthook = threading.excepthook
        threading.excepthook = _excepthook


def _excepthook(args: threading.ExceptHookArgs) -> None:
    if args.thread in _STOPPED_MANAGERS and args.exc_type is concurrent.futures.InvalidStateError:
        return
    assert _previous_excepthook is not None, "ours is set only after the one before it is kept"
    _previous_excepthook(args)


def _worker_start(parent: int) -> None:
    """A worker's first act. Ctrl-C in a terminal reaches every process of the command: the parent stops the pool
    and says so in one line, so the workers ignore it rather than each print a traceback. And a worker exits when
    the process that made the pool is gone (killed, or ended without shutting the pool down): its forkserver
    parent outlives it otherwise, and the worker would wait for tasks forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-parent", daemon=True).start()


def _exit_with(parent: int) -> None:
    while _alive(parent):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the number now belongs to another user's process: ours is gone
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): the signal's answer stands
        return True
    return state not in ("Z", "X")  # dead but not yet reaped by its own parent


def _cluster_problem(address: str, what: str) -> ClusterError:
    return ClusterError([
        f"{DASK_SCHEDULER_VARIABLE} = {shown(address)}: {what}; this is a problem of the cluster, not of your "
        "inputs: start a scheduler with `dask scheduler`, or unset the variable to use the local process pool"
    ])


@cache
def dask_client(address: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> Client:
    """A client of the Dask cluster at `address` (e.g. tcp://host:8786), one per address and process.

    The connection is made in a thread given `timeout` seconds to finish: a server that accepts the connection but
    never speaks Dask makes `Client(timeout=...)` wait forever, and one that answers garbage raises whatever its
    bytes decode to (ValueError, MemoryError). Each is one ClusterError naming the variable."""
    from distributed import Client  # imported here so the local pool does not pay for Dask's import

    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            outcome["client"] = Client(address, timeout=timeout, set_as_default=False)
        except BaseException as exc:  # noqa: BLE001 - whatever a broken server makes the client raise
            outcome["error"] = exc

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + 2)
    if thread.is_alive():
        raise _cluster_problem(address, f"no Dask scheduler answered within {timeout:g} seconds")
    if "error" in outcome:
        exc = outcome["error"]
        raise _cluster_problem(address, f"no Dask scheduler answers there ({type(exc).__name__}: "
                               f"{short(str(exc))})")
    return outcome["client"]


def default_executor() -> Executor:
    """The Dask cluster named by SIM_DASK_SCHEDULER if set, else the local process pool.

    pure=False: Dask would otherwise treat two submissions with equal arguments as one task and run it once; the
    model is deterministic so that would be harmless, but a replication must never depend on such bookkeeping.
    """
    address = os.environ.get(DASK_SCHEDULER_VARIABLE, "").strip()
    return dask_client(address).get_executor(pure=False) if address else local_pool()


def window_for(executor: Executor) -> int:
    """Tasks to keep in flight on `executor`: TASKS_PER_WORKER per worker, counting a Dask cluster's worker threads
    (as its scheduler reports them now) and a local pool's processes."""
    workers = getattr(executor, "_max_workers", None)
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            workers = sum(client.nthreads().values())
        except Exception:  # noqa: BLE001 - a cluster that cannot say: the tasks' own results will say what is wrong
            workers = None
    return max(2, TASKS_PER_WORKER * (workers or os.cpu_count() or 1))


def bounded_map(executor: Executor, function: Callable[..., T], arguments: Iterable[tuple], *,
                window: int | None = None, should_stop: Callable[[], bool] | None = None) -> Iterator[T]:
    """`function(*args)` for each args, in order, with at most `window` tasks submitted at a time.

    When `should_stop()` turns true while waiting, or the caller stops iterating (an exception in its loop, a
    Streamlit rerun), every task not yet started is cancelled, so a run nobody waits for any more frees the pool.
    A failure of the pool or the cluster itself (a lost worker or scheduler) is a ClusterError."""
    window = window or window_for(executor)
    pending: deque[Future] = deque()
    queue = iter(arguments)
    try:
        for args in queue:
            pending.append(executor.submit(function, *args))
            if len(pending) >= window:
                yield result_of(pending.popleft(), should_stop)
        while pending:
            yield result_of(pending.popleft(), should_stop)
    finally:
        for future in pending:
            future.cancel()


def stop_if_asked(should_stop: Callable[[], bool] | None) -> bool:
    """For a run in this process, between replications and after each simulated week of one: raise Stopped when
    asked to stop, else False."""
    if should_stop is not None and should_stop():
        raise Stopped()
    return False


def result_of(future: Future, should_stop: Callable[[], bool] | None) -> Any:
    """The future's result, waited for: Stopped (the future cancelled) when `should_stop()` turns true meanwhile,
    ClusterError when the pool or the cluster failed."""
    while True:
        if should_stop is not None and should_stop():
            future.cancel()
            raise Stopped()
        try:
            return future.result(timeout=STOP_POLL_SECONDS if should_stop else None)
        except concurrent.futures.TimeoutError:
            continue
        except (concurrent.futures.CancelledError, concurrent.futures.BrokenExecutor, OSError) as exc:
            raise ClusterError([f"the process pool or cluster running the replications failed "
                                f"({type(exc).__name__}: {short(str(exc))}); this is a problem of the server, "
                                "not of your inputs: try again, or ask whoever runs it"]) from None
