"""The benchmark's workload is the M/M/c queue it claims to be, `make bench` still runs (no timing asserted), and
`python -m sim run` starts light and keeps the pool for runs where it pays."""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pytest

from bench import run as bench
from sim.experiment import IN_PROCESS_REQUESTS, IN_PROCESS_WEEKS, quick_here, runs_in_process, simulated_weeks
from sim.model import simulate
from sim.scenario import expected_requests, from_dict
from tests.conftest import ROOT, small


@pytest.fixture(scope="module")
def record():
    return bench.main(["--repeats", "1", "--weeks", "2", "--sections", "designs,sizes,cli", "--no-save"])


def test_erlang_c_matches_the_textbook_m_m_2():
    # M/M/2 with A = 1: P_W = 1/3, so W_q = P_W * S / (c - A) = S / 3.
    assert bench.erlang_c_wait(arrival_rate=0.5, service_hours=2.0, servers=2) == pytest.approx(2.0 / 3)


def test_the_scenario_is_an_m_m_c_queue_under_design_pm():
    scenario = bench.mmc_scenario(weeks=2)
    run = simulate(scenario, "pm", 0)
    efforts = np.array([r.effort for r in run.requests])
    gaps = np.diff([r.arrival for r in run.requests])
    # Exponential service and inter-arrival times have a coefficient of variation of 1.
    assert efforts.std() / efforts.mean() == pytest.approx(1.0, abs=0.05)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.05)
    assert efforts.mean() == pytest.approx(bench.SERVICE_HOURS, rel=0.05)
    assert 1 / gaps.mean() == pytest.approx(bench.arrival_rate(), rel=0.05)
    # First come, first served: requests start in the order they arrived.
    started = np.array([r.started for r in run.requests if not np.isnan(r.started)])
    assert (np.diff(started) >= 0).all()


def test_both_simpy_loops_give_the_same_waits():
    # Same draws, c identical servers, first come first served: the wait of every customer is the same.
    _, textbook = bench.simpy_textbook(weeks=1, seed=7)
    _, pull = bench.simpy_pull(weeks=1, seed=7)
    np.testing.assert_allclose(textbook, pull)


@pytest.mark.deep
def test_every_contestant_simulated_the_same_queue(record):
    # The ratios compare like with like only if each contestant ran the whole horizon of the same M/M/c queue.
    """Deep tier: about 9 s, as it runs a benchmark's own code."""
    queue = record["queue"]
    arrived = [t["requests"] for t in queue.values()]
    assert min(arrived) > 5000 and max(arrived) < 1.1 * min(arrived)
    assert all(t["wait_hours"] > 0 for t in queue.values())


@pytest.mark.deep
def test_a_small_run_imports_only_what_it_needs_and_starts_no_pool(tmp_path):
    # A fresh interpreter, as a user's command meets it: the table comes out, and neither scipy.stats (about 0.8 s;
    # the t quantiles come from scipy.special, 0.13 s), the advisor, the calibration nor a process pool was loaded
    # on the way.
    """Deep tier: about 3 s, as it runs a benchmark's own code."""
    script = (
        "import multiprocessing, sys, sim.cli\n"
        "assert sim.cli.main(['run', 'scenarios/default.toml', '--reps', '2', '--weeks', '3']) == 0\n"
        "print(sorted(m for m in ('scipy.stats', 'sim.advisor', 'sim.calibration') if m in sys.modules), "
        "multiprocessing.active_children())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[] []"
    assert "throughput_per_week" in done.stdout


def test_the_pool_is_kept_for_runs_where_it_pays(default_scenario):
    # The default comparison (5 designs x 5 replications x 56 weeks) runs in process, 30 replications of each
    # design go to the pool, by the same rule as the app's.
    assert runs_in_process(default_scenario)
    assert simulated_weeks(default_scenario, ["pm"]) == 5 * 56
    assert not runs_in_process(default_scenario.replace(replications=30))
    assert runs_in_process(default_scenario.replace(replications=20), ["pm"])


def test_a_busy_firms_few_weeks_go_to_the_pool_as_its_many_requests_take_long(default_scenario):
    """Sized by requests as well as weeks: a link's 4 weeks of a firm sending 30 times the default's requests are
    few weeks but many events, and would hold the app's one process, which a stop reaches only week by week."""
    busy = from_dict({**default_scenario.to_dict(), "weeks": 4, "replications": 2,
                      "demand": {**default_scenario.to_dict()["demand"], "clients": 750}})
    weeks = simulated_weeks(busy, list(busy.designs))
    assert weeks <= IN_PROCESS_WEEKS  # by weeks alone it would run here
    assert expected_requests(busy) * len(busy.designs) * busy.replications > IN_PROCESS_REQUESTS
    assert not runs_in_process(busy) and not quick_here(busy, weeks)
    assert quick_here(default_scenario, simulated_weeks(default_scenario, list(default_scenario.designs)))


def test_a_replications_records_go_with_its_run(default_scenario):
    # With the cycle collector off only reference counting frees anything: once the Run is dropped, at most the
    # requests in the actors' hands (one per engineer or coordinator) may stay, not the thousands it made.
    from sim.model import Request

    def alive() -> int:
        return sum(isinstance(o, Request) for o in gc.get_objects())

    scenario = small(default_scenario, weeks=30, replications=2)
    gc.collect()
    gc.disable()
    try:
        before = alive()
        run = simulate(scenario, "both", 0)
        made, actors = len(run.requests), len(run.staffing.engineer_skills) + 2
        del run
        left = alive() - before
    finally:
        gc.enable()
    assert made > 500 and left <= actors


@pytest.mark.deep
def test_the_robust_benchmark_runs_and_counts_the_weeks_it_simulates():
    """Deep tier: about 9 s, as it runs a benchmark's own code."""
    import sim.robust
    from bench import robust as robust_bench

    ran: list[int] = []  # the replications each task ran, counted here as they run
    original = sim.robust._variant_metrics

    def counting(variant, design, replications, watch=False):
        ran.append(len(replications))
        return original(variant, design, replications, watch)

    sim.robust._variant_metrics = counting
    try:
        record = robust_bench.main(["--rounds", "1", "--serial", "--samples", "2", "--reps", "2", "--weeks", "1"])
    finally:
        sim.robust._variant_metrics = original
    assert record["ranges"] > 0 and record["multiple"] > 0
    assert record["replications_run"] == sum(ran)
    scenario = robust_bench.load_scenario(robust_bench.ROOT / "scenarios" / "default.toml")
    comparison = len(scenario.designs) * scenario.replications * (scenario.weeks + scenario.warmup_weeks)
    assert record["weeks_multiple"] == pytest.approx(sum(ran) * (1 + scenario.warmup_weeks) / comparison)


@pytest.mark.deep
def test_the_side_by_side_benchmark_times_a_commit_against_the_tree(capsys):
    """Deep tier: about 4 s, as it runs a benchmark's own code. HEAD against the tree: a row per design, each with
    the same model on both sides (the tree's uncommitted changes aside)."""
    from bench import versus

    versus.main(["HEAD", "--rounds", "1", "--repeats", "1", "--designs", "none,am"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.split()[:1] in (["none"], ["am"])]
    assert [row[0] for row in rows] == ["none", "am"]
    for _, before, now, ratio in rows:
        assert float(before) > 0 and float(now) > 0
        assert float(ratio) == pytest.approx(float(now) / float(before), abs=0.01)
