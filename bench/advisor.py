"""Benchmark of the next-hire advisor: candidates, replications KN spends to decide, the replications the best
rests on (KN's stopping count; an option KN dropped earlier is shown on its own, and runs on to that count only when
it is not clearly behind the best), the replications spent in all, wall time serial versus the process pool, and
the replications saved against giving every candidate the cap.

    .venv/bin/python bench/advisor.py [--scenario scenarios/default.toml] [--budget 150000]
                                      [--objectives profit,lead_time,on_time] [--growth 0.3] [--stage 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from sim.advisor import Procedure, advise  # noqa: E402
from sim.experiment import run_replication  # noqa: E402
from sim.parallel import local_pool  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    parser.add_argument("--budget", type=float, default=150_000)
    parser.add_argument("--objectives", default="profit,lead_time,on_time")
    parser.add_argument("--growth", type=float, default=0.0)
    parser.add_argument("--stage", type=int, default=1, help="replications added per candidate and stage")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    procedure = Procedure(stage_replications=args.stage)
    pool = local_pool()
    pool.submit(run_replication, scenario, "none", 0).result()  # start the workers outside the timings

    header = ("objective", "candidates", "KN reps", "best's reps", "reps spent", "reps at cap", "saved", "serial s",
              "pool s", "speed-up", "sure")
    rows = []
    for objective in args.objectives.split(","):
        start = time.perf_counter()
        serial = advise(scenario, args.budget, objective, args.growth, procedure=procedure)
        serial_s = time.perf_counter() - start
        start = time.perf_counter()
        pooled = advise(scenario, args.budget, objective, args.growth, procedure=procedure, executor=pool)
        pool_s = time.perf_counter() - start
        assert pooled.options.equals(serial.options), "the pool must give the serial numbers"
        candidates = len(serial.options)
        at_cap = candidates * procedure.cap
        saved = at_cap - serial.replications
        best = int(serial.options["replications"].iloc[0])
        rows.append((objective, str(candidates), str(serial.decided_after), str(best), str(serial.replications),
                     str(at_cap), f"{saved} ({saved / at_cap:.0%})", f"{serial_s:.1f}", f"{pool_s:.1f}",
                     f"{serial_s / pool_s:.2f}x", "yes" if serial.confident else "no"))

    print(f"{scenario.name}: budget ${args.budget:,.0f}, growth {args.growth:+.0%}, {scenario.weeks} weeks "
          f"+ {scenario.warmup_weeks} warm-up; KN alpha {procedure.alpha}, n0 {procedure.first_stage}, "
          f"cap {procedure.cap}, stage {procedure.stage_replications}; pool of {os.cpu_count()} workers")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))


if __name__ == "__main__":
    main()
