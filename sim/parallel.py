"""Where replications run: a local process pool by default, a Dask cluster when SIM_DASK_SCHEDULER names one.

Both sit behind concurrent.futures.Executor, and every task carries its own (scenario, design, replication), from
which the model seeds its random streams: the numbers do not depend on where or in which order tasks run.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import cache
from typing import TYPE_CHECKING

from sim.scenario import ScenarioError

if TYPE_CHECKING:
    from distributed import Client

DASK_SCHEDULER_VARIABLE = "SIM_DASK_SCHEDULER"
CONNECT_TIMEOUT_SECONDS = 10


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
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context)


@cache
def dask_client(address: str) -> Client:
    """A client of the Dask cluster at `address` (e.g. tcp://host:8786), one per address and process."""
    from distributed import Client  # imported here so the local pool does not pay for Dask's import

    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScenarioError([
            f"{DASK_SCHEDULER_VARIABLE} = {address!r}: no Dask scheduler answers there ({exc}); start one with "
            "`dask scheduler` or unset the variable to use the local process pool"
        ]) from None


def default_executor() -> Executor:
    """The Dask cluster named by SIM_DASK_SCHEDULER if set, else the local process pool.

    pure=False: Dask would otherwise treat two submissions with equal arguments as one task and run it once; the
    model is deterministic so that would be harmless, but a replication must never depend on such bookkeeping.
    """
    address = os.environ.get(DASK_SCHEDULER_VARIABLE, "").strip()
    return dask_client(address).get_executor(pure=False) if address else local_pool()
