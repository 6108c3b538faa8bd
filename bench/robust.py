"""Benchmark of the robustness analysis: the default analysis of a scenario against one comparison of the same
scenario, both on the same executor, as a multiple.

    .venv/bin/python bench/robust.py [--scenario scenarios/default.toml] [--rounds 2] [--serial]
                                     [--samples N] [--reps R] [--weeks W]

The machine is shared, so a time alone says little; the multiple, timed in the same rounds, says more. Each round
times one comparison and then the analysis; each figure is its best round.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from sim.experiment import run_experiment, run_replication  # noqa: E402
from sim.parallel import local_pool  # noqa: E402
from sim.robust import Settings, rerun_replications, robustness  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def simulated_weeks(scenario, designs: int, settings: Settings, replications: int) -> tuple[int, int]:
    """Weeks simulated by one comparison and by the analysis's `replications` (what its progress counted: the
    screen, less the ends taken from the runs at the values, and the refinement's reruns)."""
    comparison = designs * scenario.replications * (scenario.weeks + scenario.warmup_weeks)
    weeks = min(settings.weeks or scenario.weeks, scenario.weeks) + scenario.warmup_weeks
    return comparison, replications * weeks


def _recorder(counted: list[int]):
    """A progress callback that notes the replications done."""
    return lambda done, total: counted.append(done)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each figure is the best round (default 2)")
    parser.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    parser.add_argument("--samples", type=int, default=Settings.samples)
    parser.add_argument("--reps", type=int, default=Settings.replications)
    parser.add_argument("--weeks", type=int, default=Settings.weeks)
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario)
    settings = Settings(samples=args.samples, replications=args.reps, weeks=args.weeks)
    executor = None
    if not args.serial:
        executor = local_pool()
        executor.submit(run_replication, scenario, "none", 0).result()  # start the workers outside the timings
    comparison_s, analysis_s = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        run_experiment(scenario, executor=executor)
        comparison_s.append(time.perf_counter() - start)
        counted: list[int] = []
        start = time.perf_counter()
        result = robustness(scenario, settings=settings, executor=executor, progress=_recorder(counted))
        analysis_s.append(time.perf_counter() - start)
    weeks = simulated_weeks(scenario, len(scenario.designs), settings, counted[-1])
    record = {
        "scenario": scenario.name, "executor": "serial" if args.serial else "local pool",
        "ranges": len(result.tornado), "samples": settings.samples, "replications": settings.replications,
        "weeks": settings.weeks, "reruns": rerun_replications(result), "replications_run": counted[-1],
        "comparison_s": min(comparison_s), "analysis_s": min(analysis_s),
        "multiple": min(analysis_s) / min(comparison_s), "weeks_multiple": weeks[1] / weeks[0],
    }
    print(f"{record['scenario']}, {record['executor']}: {record['ranges']} ranges, {settings.samples} samples, "
          f"{settings.replications} replications x {settings.weeks} weeks per run")
    print(f"one comparison {record['comparison_s']:.1f} s; the default robust analysis {record['analysis_s']:.1f} s "
          f"= {record['multiple']:.1f} comparisons (it simulates {record['weeks_multiple']:.1f} times the weeks)")
    return record


if __name__ == "__main__":
    main()
