"""Running experiments from the app: cached per scenario, with progress, on one shared and bounded process pool.

The pool is `sim.parallel.local_pool()` (forkserver, see there why not fork), made once per server through
st.cache_resource and shared by every session. A semaphore, also shared, lets only RUNS_AT_ONCE experiments feed
the pool at a time, so two owners on a two-core machine take turns instead of thrashing.

With forkserver (as with spawn) each worker imports the entry script as `__mp_main__` to find what it must
unpickle. That is why app.py does its work only under `if __name__ == "__main__"` and pages do no work at import:
a worker that ran the app would start Streamlit calls, and a run, inside the pool.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Executor

import pandas as pd
import streamlit as st

from sim.experiment import Results, run_experiment
from sim.parallel import local_pool
from sim.scenario import Scenario, dumps, loads

RUNS_AT_ONCE = max(1, (os.cpu_count() or 1) // 2)
# Below this many simulated design-weeks a run takes well under a second in this process; handing it to the pool
# would cost more in pickling and waiting than it saves. The default comparison (5 designs x 5 x 52) is 1,300.
IN_PROCESS_DESIGN_WEEKS = 1_500


@st.cache_resource(show_spinner=False)
def shared_pool() -> Executor:
    return local_pool()


@st.cache_resource(show_spinner=False)
def run_slots() -> threading.Semaphore:
    return threading.BoundedSemaphore(RUNS_AT_ONCE)


def design_weeks(scenario: Scenario, designs: Sequence[str]) -> int:
    return len(designs) * scenario.replications * (scenario.weeks + scenario.warmup_weeks)


def run(scenario: Scenario, designs: Sequence[str], label: str = "") -> Results:
    """The experiment's results, each design from the cache when it ran before on this exact scenario.

    Designs are cached one by one: adding a design to the comparison runs only that one. Common random numbers
    still hold, since a replication's streams depend on the seed and the replication number only.
    """
    toml = dumps(scenario)
    prefix = f"{label}, " if label else ""
    parts = [
        _cached_run(toml, (design,), _label=f"{prefix}{design} (design {i} of {len(designs)})")
        for i, design in enumerate(designs, start=1)
    ]
    return Results(
        scenario,
        pd.concat([p.summary for p in parts], ignore_index=True),
        pd.concat([p.weekly for p in parts], ignore_index=True),
        pd.concat([p.time_use for p in parts], ignore_index=True),
    )


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_run(scenario_toml: str, designs: tuple[str, ...], _label: str = "") -> Results:
    # Keyed on the scenario's TOML text: it holds every parameter, so equal text means equal numbers.
    # The progress bar is made inside the cached function on purpose: Streamlit replays elements made here on a
    # cache hit, and this one ends empty, so a hit shows nothing and a miss shows replications done of total.
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    total = len(designs) * scenario.replications
    slots = run_slots()
    if not slots.acquire(blocking=False):
        slot.info(f"{prefix}waiting for another run on this server to finish...")
        slots.acquire()
    try:
        bar = slot.progress(0.0, text=f"{prefix}0 of {total} replications done")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{prefix}{done} of {total} replications done")

        small = design_weeks(scenario, designs) <= IN_PROCESS_DESIGN_WEEKS
        executor = None if small else shared_pool()
        results = run_experiment(scenario, list(designs), executor=executor, progress=progress)
    finally:
        slots.release()
    slot.empty()
    return results
