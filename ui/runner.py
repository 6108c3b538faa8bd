"""Running experiments from the app: cached per scenario, with progress, on one shared and bounded process pool.

The executor is `sim.parallel.default_executor()`: the local forkserver pool (see there why not fork), or a Dask
cluster when SIM_DASK_SCHEDULER names one. It is made once per server through st.cache_resource and shared by
every session. A semaphore, also shared, lets only RUNS_AT_ONCE experiments feed
the pool at a time, so two owners on a two-core machine take turns instead of thrashing.

With forkserver (as with spawn) each worker imports the entry script as `__mp_main__` to find what it must
unpickle. That is why app.py imports nothing at top level and does its work only under `if __name__ == "__main__"`,
and why pages are never imported: a worker that ran the app would start Streamlit calls, and a run, inside the pool.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

import pandas as pd
import streamlit as st

from sim.advisor import Advice, Objective, Procedure, advise, affordable_moves
from sim.experiment import Results, run_experiment
from sim.parallel import default_executor
from sim.robust import Robustness, Settings, advice_robustness, robustness
from sim.scenario import Scenario, dumps, loads
from sim.scenario import expected_requests as requests_per_run

RUNS_AT_ONCE = max(1, (os.cpu_count() or 1) // 2)
# Below this many simulated weeks (replications x weeks, one design at a time) a run takes well under a second in
# this process; handing it to the pool would cost more in pickling and waiting than it saves. A design of the
# default scenario is 5 x 56 = 280; 30 replications of a year go to the pool.
IN_PROCESS_WEEKS = 1_500


# A run that simulates more requests than this in total (about two minutes on one core at the ~20,000 requests a
# second measured on the default firm) asks before it starts, so a slip of the keyboard does not occupy the server.
LONG_RUN_REQUESTS = 2_000_000
CONFIRMED_KEY = "runner.confirmed"


@st.cache_resource(show_spinner=False)
def shared_executor() -> Executor:
    return default_executor()


@st.cache_resource(show_spinner=False)
def run_slots() -> threading.Semaphore:
    return threading.BoundedSemaphore(RUNS_AT_ONCE)


def simulated_weeks(scenario: Scenario, designs: Sequence[str]) -> int:
    return len(designs) * scenario.replications * (scenario.weeks + scenario.warmup_weeks)


def expected_requests(scenario: Scenario, designs: Sequence[str]) -> float:
    """Requests the whole run will simulate, before upsells: every replication of every design."""
    return requests_per_run(scenario) * scenario.replications * len(designs)


def confirm_long_run(scenarios: Sequence[Scenario], designs: Sequence[str]) -> bool:
    """True when the runs are small, or the user has said to go ahead with these big ones."""
    requests = sum(expected_requests(s, designs) for s in scenarios)
    if requests <= LONG_RUN_REQUESTS:
        return True
    key = "|".join(dumps(s) for s in scenarios) + "|" + ",".join(designs)
    confirmed = st.session_state.setdefault(CONFIRMED_KEY, set())
    if key in confirmed:
        return True
    st.warning(
        f"This simulates about {requests / 1e6:.1f} million requests ({len(designs)} designs x "
        f"{scenarios[0].replications} replications x {scenarios[0].weeks + scenarios[0].warmup_weeks} weeks"
        f"{f' x {len(scenarios)} points' if len(scenarios) > 1 else ''}), which can take several minutes. "
        "Fewer replications, weeks or designs make it faster."
    )
    if st.button("Run it anyway"):
        confirmed.add(key)
        return True
    return False


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


@contextlib.contextmanager
def holding_run_slot(slot: Any, prefix: str) -> Iterator[None]:
    """Hold one of the server's run slots for the block, telling the user in `slot` while they wait for it; the
    slot is emptied at the end, whatever happened, so no stale progress bar stays behind."""
    slots = run_slots()
    if not slots.acquire(blocking=False):
        slot.info(f"{prefix}waiting for another run on this server to finish...")
        slots.acquire()
    try:
        yield
    finally:
        slots.release()
        slot.empty()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_run(scenario_toml: str, designs: tuple[str, ...], _label: str = "") -> Results:
    # Keyed on the scenario's TOML text: it holds every parameter, so equal text means equal numbers.
    # The progress bar is made inside the cached function on purpose: Streamlit replays elements made here on a
    # cache hit, and this one ends empty, so a hit shows nothing and a miss shows replications done of total.
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    total = len(designs) * scenario.replications
    with holding_run_slot(slot, prefix):
        bar = slot.progress(0.0, text=f"{prefix}0 of {total} replications done")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            left = (time.monotonic() - started) / done * (total - done)
            eta = f", about {left:.0f} s left" if left >= 1 else ""
            bar.progress(done / total, text=f"{prefix}{done} of {total} replications done{eta}")

        small = simulated_weeks(scenario, designs) <= IN_PROCESS_WEEKS
        executor = None if small else shared_executor()
        return run_experiment(scenario, list(designs), executor=executor, progress=progress)


# The advisor's procedure in the app: the standard one, so the page and `python -m sim advise` give the same numbers.
ADVISOR_PROCEDURE = Procedure()


def advice(scenario: Scenario, budget: float, objective: Objective, growth: float, label: str = "") -> Advice:
    """The advisor's ranking, from the cache when these inputs ran before on this exact scenario.

    Raises NothingAffordable when the budget buys nothing, ScenarioError for a scenario the advisor cannot rank.
    """
    return _cached_advice(dumps(scenario), float(budget), objective.label, float(growth), ADVISOR_PROCEDURE,
                          _label=label)


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_advice(scenario_toml: str, budget: float, objective: str, growth: float, procedure: Procedure,
                   _label: str = "") -> Advice:
    # As in _cached_run: keyed on the scenario's TOML and the inputs; the progress bar is made in here so that a
    # cache hit replays nothing but an emptied slot.
    scenario = loads(scenario_toml)
    prefix = f"{_label}: " if _label else ""
    options = len(affordable_moves(scenario, budget)) + 1  # today is an option too
    # The first stage alone runs every option `first_stage` times; below the runner's threshold the pool costs more
    # than it saves. Later stages add one replication to each option still in contention.
    first_stage_weeks = options * procedure.first_stage * (scenario.weeks + scenario.warmup_weeks)
    if options == 1:  # nothing affordable: the advisor says so at once, with no need to wait for a slot
        return advise(scenario, budget, objective, growth, procedure=procedure)
    slot = st.empty()
    with holding_run_slot(slot, prefix):
        bar = slot.progress(0.0, text=f"{prefix}ranking {options} options: 0 replications done")

        def progress(done: int, most: int) -> None:
            bar.progress(done / most, text=f"{prefix}ranking {options} options: {done} replications done (at most "
                         f"{most}, if every option needed {procedure.cap})")

        executor = None if first_stage_weeks <= IN_PROCESS_WEEKS else shared_executor()
        return advise(scenario, budget, objective, growth, procedure=procedure, executor=executor, progress=progress)


# The robustness analysis in the app: the CLI's defaults (fewer replications and weeks than a comparison); the
# default scenario's analysis costs a dozen or so comparisons (bench/README.md).
ROBUST_SETTINGS = Settings()


def robust_weeks(scenario: Scenario, designs: int, settings: Settings) -> int:
    """Weeks the analysis simulates: every design at the values, at both ends of each range and at each sample."""
    from sim.scenario import uncertain_ranges

    variants = 1 + 2 * len(uncertain_ranges(scenario)) + settings.samples
    weeks = min(settings.weeks or scenario.weeks, scenario.weeks) + scenario.warmup_weeks
    return variants * designs * settings.replications * weeks


def how_sure(scenario: Scenario, designs: Sequence[str], objective: Objective, label: str = "") -> Robustness:
    """The robustness of the comparison's best design, from the cache when it ran before on this scenario."""
    return _cached_robust(dumps(scenario), tuple(designs), objective.label, ROBUST_SETTINGS, _label=label)


def _robust_progress(slot: Any, prefix: str) -> Any:
    bar = slot.progress(0.0, text=f"{prefix}0 replications done")
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        left = (time.monotonic() - started) / done * (total - done)
        eta = f", about {left:.0f} s left" if left >= 1 else ""
        bar.progress(done / total, text=f"{prefix}{done} of {total} replications done{eta}")

    return progress


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_robust(scenario_toml: str, designs: tuple[str, ...], objective: str, settings: Settings,
                   _label: str = "") -> Robustness:
    # As _cached_run: keyed on the scenario's TOML (its ranges included), the progress bar made in here.
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    with holding_run_slot(slot, prefix):
        small = robust_weeks(scenario, len(designs), settings) <= IN_PROCESS_WEEKS
        return robustness(scenario, list(designs), objective, settings,
                          executor=None if small else shared_executor(), progress=_robust_progress(slot, prefix))


def advice_how_sure(scenario: Scenario, budget: float, objective: Objective, growth: float,
                    label: str = "") -> Robustness:
    """The robustness of the advisor's recommended option against the runner-up, cached like the ranking."""
    return _cached_advice_robust(dumps(scenario), float(budget), objective.label, float(growth), ADVISOR_PROCEDURE,
                                 ROBUST_SETTINGS, _label=label)


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_advice_robust(scenario_toml: str, budget: float, objective: str, growth: float, procedure: Procedure,
                          settings: Settings, _label: str = "") -> Robustness:
    ranked = _cached_advice(scenario_toml, budget, objective, growth, procedure, _label=_label)
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    with holding_run_slot(slot, prefix):
        small = robust_weeks(scenario, 2, settings) <= IN_PROCESS_WEEKS
        return advice_robustness(scenario, ranked, settings, executor=None if small else shared_executor(),
                                 progress=_robust_progress(slot, prefix))
