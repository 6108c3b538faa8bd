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
    return ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1, mp_context=multiprocessing.get_context("forkserver")
    )


def default_executor() -> Executor:
    return local_pool()
