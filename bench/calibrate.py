"""How long calibrating a 20,000-row change log takes, as a multiple of a default comparison timed in the same run.

    .venv/bin/python bench/calibrate.py [--rounds 1]

The log is the synthetic service desk of `sim.calibration.synthetic.ServiceDesk` with revision rounds and
reopenings (DESK: about 560 tickets and 37 rows each, most of them other fields' changes, seven statuses, no effort,
assignee or due date; its rework is read from the rounds), read as a user would
read it: `--map id=Issue status=Status changed=Updated client=Customer --waiting "Waiting on client"`. Both commands
run in a fresh interpreter, start-up included (wall time): `python -m sim run scenarios/default.toml` (the
reference, a default comparison) and `python -m sim calibrate` (reading, fitting, and the back-test with its screen
and fit). The goal (issue 19) is at most about 10 times the reference. Each figure is its best round; the load
average is recorded before and after.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

GOAL = 10.0
DESK = {"revision_share": 0.4, "reopen_share": 0.08}
READ_AS = ["--map", "id=Issue", "status=Status", "changed=Updated", "client=Customer", "--waiting",
           "Waiting on client"]


def seconds(*arguments: str) -> float:
    """Wall time of `python -m sim ARGUMENTS` in a fresh interpreter, start-up included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *arguments], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    from sim.calibration.synthetic import ServiceDesk, service_desk_log

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "service_desk.csv"
        log.write_text(service_desk_log(ServiceDesk(**DESK)))
        rows = sum(1 for _ in log.open()) - 1
        load_before = os.getloadavg()
        best = {"comparison": float("inf"), "calibration": float("inf")}
        for _ in range(args.rounds):
            best["comparison"] = min(best["comparison"], seconds("run", "scenarios/default.toml"))
            best["calibration"] = min(best["calibration"], seconds("calibrate", str(log), *READ_AS))
    multiple = best["calibration"] / best["comparison"]
    print(f"service desk change log of {rows:,} rows; load average {load_before[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after; best of {args.rounds} round(s)")
    print(f"{'comparison (sim run)':<28} {best['comparison']:8.1f} s  reference")
    print(f"{'calibration (sim calibrate)':<28} {best['calibration']:8.1f} s  {multiple:5.2f} of the reference, "
          f"goal at most {GOAL:g}: {'met' if multiple <= GOAL else 'missed'}")
    return {**best, "multiple": multiple, "rows": float(rows)}


if __name__ == "__main__":
    main()
