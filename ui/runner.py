"""Running experiments from the app: cached per scenario, with progress, on one shared and bounded process pool.

The executor is `sim.parallel.default_executor()`: the local forkserver pool (see there why not fork), or a Dask
cluster when SIM_DASK_SCHEDULER names one. It is made once per server through st.cache_resource and shared by
every session. A semaphore, also shared, lets only RUNS_AT_ONCE experiments feed
the pool at a time, so two owners on a two-core machine take turns instead of thrashing.

Bounds on what one session (or one link) can make the server do:
- a run that would simulate more than LONG_RUN_REQUESTS requests asks first, on every page, from one estimate
  (`confirm_work`): requests per run x runs (designs x replications, sweep points, or ranked options x the
  advisor's cap, the most its procedure can run);
- a run feeds the pool a few tasks at a time (`sim.parallel.bounded_map`) and stops, cancelling what it queued and
  freeing its slot, as soon as its session is gone (the browser closed) or asks for something else (a rerun);
- the executor (a Dask cluster may take up to its timeout to answer) is made before a slot is taken, so a cluster
  that does not answer never holds up the other users;
- a small run (`sim.experiment.quick_here`: up to IN_PROCESS_WEEKS simulated weeks holding up to
  IN_PROCESS_REQUESTS requests, about the default comparison) runs in the server
  process without a slot, so other users get such results while a long run holds the slots; one at a time
  (`in_process_lane`): Python runs one thread's simulation at a time, so a second small run beside it goes to the
  pool, also without a slot, rather than share the server's one core (ten users at once each waited 14 times as
  long on one core while the pool's workers sat idle). Such a run stops within a simulated week of being asked
  (`sim.model.simulate`'s checkpoint), not only between replications.

With forkserver (as with spawn) each worker imports the entry script as `__mp_main__` to find what it must
unpickle. That is why app.py imports nothing at top level and does its work only under `if __name__ == "__main__"`,
and why pages are never imported: a worker that ran the app would start Streamlit calls, and a run, inside the pool.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from sim import sequential
from sim.advisor import Advice, Objective, Procedure, advise, affordable_moves, grown
from sim.experiment import Results, quick_here, run_experiment, simulated_weeks
from sim.explain import Explanation, explain
from sim.parallel import STOP_POLL_SECONDS, ClusterError, Stopped, default_executor, stop_if_asked
from sim.robust import Robustness, Settings, advice_robustness, robustness, screen_replications
from sim.scenario import Scenario, dumps, loads
from sim.scenario import expected_requests as requests_per_run
from sim.wording import design_labels, plain

RUNS_AT_ONCE = max(1, (os.cpu_count() or 1) // 2)


# A run that simulates more requests than this in total (about two minutes on one core at the ~20,000 requests a
# second measured on the default firm) asks before it starts, so a slip of the keyboard does not occupy the server.
LONG_RUN_REQUESTS = 2_000_000
CONFIRMED_KEY = "runner.confirmed"


def run_key(scenario: Scenario) -> str:
    """What a run's cache is keyed on: the scenario's TOML without its name and description, which change no
    number, so renaming a scenario (or its name following the inputs) never runs it again."""
    return dumps(scenario.replace(name="", description=""))


@st.cache_resource(show_spinner=False)
def shared_executor() -> Executor:
    return default_executor()


@st.cache_resource(show_spinner=False)
def run_slots() -> threading.Semaphore:
    return threading.BoundedSemaphore(RUNS_AT_ONCE)


@st.cache_resource(show_spinner=False)
def in_process_lane() -> threading.Lock:
    """Held by the one small run the server process makes at a time (module docstring)."""
    return threading.Lock()


def expected_requests(scenario: Scenario, designs: Sequence[str], until_clear: bool = False) -> float:
    """Requests the whole run will simulate, before upsells: every replication of every design, up to the cap of
    a comparison that runs `until_clear` (sim.sequential), its worst case."""
    replications = sequential.cap_of(scenario) if until_clear else scenario.replications
    return requests_per_run(scenario) * replications * len(designs)


def ranking_requests(scenario: Scenario, budget: float, growths: Sequence[float],
                     procedure: Procedure | None = None) -> tuple[float, int]:
    """Requests the advisor's rankings simulate at most, and the options ranked (today included), from the same
    per-run estimate as a comparison. The worst case of the whole procedure, not its first stage: every option runs
    the first stage, later stages run the options still close to the best up to the cap, and the options dropped
    on the way and not clearly behind the best run on to the replications of those left, so at worst every option
    runs `cap` replications
    (what `advise` counts as its progress's "at most"). The first stage alone is a fifth of that, and a ranking
    whose first stage is cheap can still run minutes: a question asked on the first stage let one run unasked."""
    procedure = procedure or ADVISOR_PROCEDURE
    options = len(affordable_moves(scenario, budget)) + 1
    if options == 1:
        return 0.0, 1
    requests = sum(requests_per_run(grown(scenario, g)) for g in growths) * options * procedure.cap
    return requests, options


def confirm_work(requests: float, what: str, key: str, amount: str = "about") -> bool:
    """True when the work is small, or the user has said to go ahead with this big one (remembered per session
    under `key`); else a warning with a button, and False. `amount` says what the figure is: "about" for an
    estimate, "up to" for a worst case."""
    if requests <= LONG_RUN_REQUESTS:
        return True
    confirmed = st.session_state.setdefault(CONFIRMED_KEY, set())
    if key in confirmed:
        return True
    st.warning(f"This simulates {amount} {requests / 1e6:,.1f} million requests ({what}), which can take several "
               "minutes and holds one of the server's run slots meanwhile.")
    if st.button("Run it anyway"):
        confirmed.add(key)
        return True
    return False


def confirm_long_run(scenarios: Sequence[Scenario], designs: Sequence[str], until_clear: bool = False) -> bool:
    """True when the runs are small, or the user has said to go ahead with these big ones; a comparison that runs
    `until_clear` is judged on its cap."""
    requests = sum(expected_requests(s, designs, until_clear) for s in scenarios)
    first = scenarios[0]
    grows = until_clear and sequential.cap_of(first) > first.replications
    replications = f"up to {sequential.cap_of(first)} replications" if grows else f"{first.replications} replications"
    what = (f"{len(designs)} designs x {replications} x {first.weeks + first.warmup_weeks} weeks"
            f"{f' x {len(scenarios)} points' if len(scenarios) > 1 else ''}; fewer replications, weeks or designs "
            "make it faster")
    key = "|".join(run_key(s) for s in scenarios) + "|" + ",".join(designs)
    return confirm_work(requests, what, key, "up to" if grows else "about")


def confirm_long_ranking(scenario: Scenario, budget: float, growths: Sequence[float]) -> bool:
    """The same question before the advisor ranks, on the worst case of its whole procedure (`ranking_requests`):
    the page ranks as it opens, so a link's budget of 150 options would otherwise start minutes of work unasked."""
    requests, options = ranking_requests(scenario, budget, growths)
    weeks = scenario.weeks + scenario.warmup_weeks
    what = (f"{options} options x up to {ADVISOR_PROCEDURE.cap} replications x {weeks} weeks"
            f"{f' x {len(growths)} rankings' if len(growths) > 1 else ''}; it stops sooner, after at least "
            f"{ADVISOR_PROCEDURE.first_stage} each, once the best is clear; a smaller budget, fewer weeks or clients "
            "make it faster")
    key = f"{run_key(scenario)}|advice|{budget!r}|{','.join(map(repr, growths))}"
    return confirm_work(requests, what, key, "up to")


def show_server_problem(exc: ClusterError) -> None:
    """The pool or the Dask cluster failed: said as the server's fault, since nothing in the sidebar would fix it."""
    from ui.labels import plain

    st.error("The replications could not run on this server:\n\n" + "\n".join(f"- {plain(p)}" for p in exc.problems))


def session_gone_or_rerun() -> Callable[[], bool]:
    """A check a run polls: true once the session that asked for it is gone (browser closed) or asked for another
    run (a rerun is pending). Outside a Streamlit server (tests) only the rerun part applies."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return lambda: False
    requests = ctx.script_requests
    session = ctx.session_id

    def should_stop() -> bool:
        pending = getattr(requests, "_state", ScriptRequestType.CONTINUE) != ScriptRequestType.CONTINUE
        gone = runtime.exists() and not runtime.get_instance().is_active_session(session)
        return pending or gone

    return should_stop


def _stopped() -> typing.NoReturn:
    """A run stopped because its session left or asked again: end this script run the way Streamlit was asked to.
    Drawing anything is a yield point where Streamlit raises its own rerun (the user asked again) or stop (the
    session is gone); st.stop() alone would turn a pending rerun into a stop and lose the user's new request."""
    st.empty()
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover


def run(scenario: Scenario, designs: Sequence[str], label: str = "", replications: range | None = None) -> Results:
    """The experiment's results (its `replications`, by default the scenario's), each design from the cache when
    it ran before on this exact scenario.

    Designs are cached one by one: adding a design to the comparison runs only that one. Common random numbers
    still hold, since a replication's streams depend on the seed and the replication number only; for the same
    reason replications are cached in the stages a comparison adds them in (`run_until_clear`).
    """
    reps = range(scenario.replications) if replications is None else replications
    # a stage's figures do not depend on how many replications the comparison runs in all, only on which
    toml = run_key(scenario.replace(replications=2, max_replications=2))
    prefix = f"{label}, " if label else ""
    stage = f", replications {reps.start + 1}-{reps.stop}" if reps.start else ""
    words = {d: plain(w) for d, w in design_labels(scenario.designs).items()}  # as the pages name them
    try:
        parts = [
            _cached_run(toml, (design,), (reps.start, reps.stop),
                        _label=f"{prefix}{words[design]} (design {i} of {len(designs)}{stage})")
            for i, design in enumerate(designs, start=1)
        ]
    except Stopped:
        _stopped()
    return Results.joined(scenario, parts)


def run_until_clear(scenario: Scenario, designs: Sequence[str], objective: Objective, zone: float | None = None,
                    label: str = "") -> Results:
    """The comparison run stage by stage until its answer is clear (sim.sequential), `zone` the smallest difference
    that matters (the objective's by default), each stage of each design from the cache when it ran before: a
    comparison that needed 15 replications on profit reuses them all when the objective changes to one that needs
    10."""
    return sequential.run_until_clear(scenario, designs, objective, zone,
                                      run_stage=lambda reps: run(scenario, designs, label, reps))


@contextlib.contextmanager
def holding_run_slot(slot: Any, prefix: str, should_stop: Callable[[], bool] | None = None) -> Iterator[None]:
    """Hold one of the server's run slots for the block, telling the user in `slot` while they wait for it; the
    slot is emptied at the end, whatever happened, so no stale progress bar stays behind. A session that leaves or
    asks again while waiting stops waiting (Stopped)."""
    slots = run_slots()
    if not slots.acquire(blocking=False):
        slot.info(f"{prefix}waiting for another run on this server to finish...")
        while not slots.acquire(timeout=STOP_POLL_SECONDS):
            stop_if_asked(should_stop)
    try:
        yield
    finally:
        slots.release()
        slot.empty()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_run(scenario_toml: str, designs: tuple[str, ...], replications: tuple[int, int],
                _label: str = "") -> Results:
    # Keyed on the scenario's TOML text: it holds every parameter, so equal text means equal numbers.
    # The progress bar is made inside the cached function on purpose: Streamlit replays elements made here on a
    # cache hit, and this one ends empty, so a hit shows nothing and a miss shows replications done of total.
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    should_stop = session_gone_or_rerun()
    reps = range(*replications)
    small = quick_here(scenario, simulated_weeks(scenario, designs, len(reps)))
    lane = in_process_lane()
    here = small and lane.acquire(blocking=False)  # else another small run has the server's core: the pool
    try:
        # made before taking a slot: a cluster that does not answer must not hold up the other users
        executor = None if here else shared_executor()
        with contextlib.nullcontext() if small else holding_run_slot(slot, prefix, should_stop):
            progress = _progress_bar(slot, prefix)
            results = run_experiment(scenario, list(designs), executor=executor, progress=progress,
                                     should_stop=should_stop, replications=reps)
    finally:
        if here:
            lane.release()
    slot.empty()
    return results


# The advisor's procedure in the app: the standard one, so the page and `python -m sim advise` give the same numbers.
ADVISOR_PROCEDURE = Procedure()


def advice(scenario: Scenario, budget: float, objective: Objective, growth: float, label: str = "") -> Advice:
    """The advisor's ranking, from the cache when these inputs ran before on this exact scenario.

    Raises NothingAffordable when the budget buys nothing, ScenarioError for a scenario the advisor cannot rank.
    """
    try:
        return _cached_advice(run_key(scenario), float(budget), objective.label, float(growth), ADVISOR_PROCEDURE,
                              _label=label)
    except Stopped:
        _stopped()


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
    should_stop = session_gone_or_rerun()
    # made before taking a slot: a cluster that does not answer must not hold up the other users
    executor = None if quick_here(scenario, first_stage_weeks) else shared_executor()
    with holding_run_slot(slot, prefix, should_stop):
        bar = slot.progress(0.0, text=f"{prefix}ranking {options} options: 0 replications done")

        def progress(done: int, most: int) -> None:
            bar.progress(done / most, text=f"{prefix}ranking {options} options: {done} replications done (at most "
                         f"{most}, if every option needed {procedure.cap})")

        return advise(scenario, budget, objective, growth, procedure=procedure, executor=executor, progress=progress,
                      should_stop=should_stop)


# The robustness analysis in the app: the CLI's defaults (fewer replications and weeks than a comparison); the
# default scenario's analysis costs about ten comparisons (bench/README.md).
ROBUST_SETTINGS = Settings()


def robust_replications(scenario: Scenario, designs: int, settings: Settings) -> int:
    """Replications the analysis's screen runs at most (sim.robust.screen_replications): what the progress bar says
    first. Its total then falls to what the runs at the scenario's values leave to run, and grows once by the few
    reruns (sim.robust refinement, at most `REFINED_INPUTS` inputs)."""
    from sim.scenario import uncertain_ranges

    ranges = len(uncertain_ranges(scenario))
    return screen_replications(ranges, settings.samples if ranges else 1, designs, settings)


def robust_weeks(scenario: Scenario, designs: int, settings: Settings) -> int:
    """Weeks the analysis simulates (`robust_replications`, each of its weeks and the warm-up)."""
    weeks = min(settings.weeks or scenario.weeks, scenario.weeks) + scenario.warmup_weeks
    return robust_replications(scenario, designs, settings) * weeks


def robust_work(scenario: Scenario, settings: Settings = ROBUST_SETTINGS) -> float:
    """The analysis's work, at most, in comparisons of the scenario (its designs, replications and weeks): what the
    page says it costs before it starts."""
    designs = max(2, len(scenario.designs))
    comparison = designs * scenario.replications * (scenario.weeks + scenario.warmup_weeks)
    return robust_weeks(scenario, designs, settings) / comparison


def how_sure(scenario: Scenario, designs: Sequence[str], objective: Objective, label: str = "") -> Robustness:
    """The robustness of the comparison's best design, from the cache when it ran before on this scenario."""
    try:
        return _cached_robust(run_key(scenario), tuple(designs), objective.label, ROBUST_SETTINGS, _label=label)
    except Stopped:
        _stopped()


def _progress_bar(slot: Any, prefix: str, total: int | None = None) -> Any:
    """A progress bar in `slot` and the callback that moves it, with the time left once a replication is done;
    `total`, when known before the first is done, is said from the start."""
    first = f"0 of {total:,} replications done, the time left once the first are" if total else "0 replications done"
    bar = slot.progress(0.0, text=f"{prefix}{first}")
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
    should_stop = session_gone_or_rerun()
    # made before taking a slot: a cluster that does not answer must not hold up the other users
    executor = None if quick_here(scenario, robust_weeks(scenario, len(designs), settings)) else shared_executor()
    with holding_run_slot(slot, prefix, should_stop):
        total = robust_replications(scenario, len(designs), settings)
        return robustness(scenario, list(designs), objective, settings, executor=executor,
                          progress=_progress_bar(slot, prefix, total), should_stop=should_stop)


def advice_how_sure(scenario: Scenario, budget: float, objective: Objective, growth: float,
                    label: str = "") -> Robustness:
    """The robustness of the advisor's recommended option against the runner-up, cached like the ranking."""
    try:
        return _cached_advice_robust(run_key(scenario), float(budget), objective.label, float(growth),
                                     ADVISOR_PROCEDURE, ROBUST_SETTINGS, _label=label)
    except Stopped:
        _stopped()


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_advice_robust(scenario_toml: str, budget: float, objective: str, growth: float, procedure: Procedure,
                          settings: Settings, _label: str = "") -> Robustness:
    ranked = _cached_advice(scenario_toml, budget, objective, growth, procedure, _label=_label)
    scenario = loads(scenario_toml)
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    should_stop = session_gone_or_rerun()
    executor = None if quick_here(scenario, robust_weeks(scenario, 2, settings)) else shared_executor()
    with holding_run_slot(slot, prefix, should_stop):
        total = robust_replications(scenario, min(2, len(ranked.options)), settings)
        return advice_robustness(scenario, ranked, settings, executor=executor,
                                 progress=_progress_bar(slot, prefix, total), should_stop=should_stop)


def explanation(scenario: Scenario, design: str, against: str, objective: str, full: Results | None = None,
                label: str = "") -> Explanation:
    """Why `design` beats `against` (sim.explain), from the cache when it ran before on this scenario; the page's
    own run of the two designs is reused for the full model."""
    try:
        return _cached_explanation(run_key(scenario), design, against, objective,
                                   full.replications if full is not None else scenario.replications, _full=full,
                                   _label=label)
    except Stopped:
        _stopped()


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_explanation(scenario_toml: str, design: str, against: str, objective: str, replications: int,
                        _full: Results | None = None, _label: str = "") -> Explanation:
    # As _cached_run: keyed on the scenario's TOML, the progress bar made in here.
    scenario = loads(scenario_toml)
    same = _full is not None and run_key(_full.scenario) == scenario_toml  # the same numbers, whatever the name
    full = dataclasses.replace(_full, scenario=scenario) if same and _full is not None else None
    slot = st.empty()
    prefix = f"{_label}: " if _label else ""
    should_stop = session_gone_or_rerun()
    # about twenty runs of the pair: quick here only when four of them would be
    executor = None if quick_here(scenario, 4 * simulated_weeks(scenario, [design, against])) else shared_executor()
    with holding_run_slot(slot, prefix, should_stop):
        return explain(scenario, design, against, objective, full=full, executor=executor,
                       progress=_progress_bar(slot, prefix), should_stop=should_stop)
