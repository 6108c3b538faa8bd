"""Where replications run: a local process pool by default, behind concurrent.futures.Executor."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import cache


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


def default_executor() -> Executor:
    return local_pool()
