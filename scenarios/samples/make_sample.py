"""Writes scenarios/samples/jira_sample.csv: a year of tickets of a synthetic firm (6 engineers, 20 clients, bugs,
change requests and project work) as Jira exports them, to try the Calibrate page and `python -m sim calibrate`.

    .venv/bin/python scenarios/samples/make_sample.py

The process behind it is `sim.calibration.synthetic.SAMPLE`; the tests generate theirs with the same code."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sim.calibration.synthetic import SAMPLE, generate, to_csv  # noqa: E402

OUT = Path(__file__).resolve().parent / "jira_sample.csv"

if __name__ == "__main__":
    OUT.write_text(to_csv(generate(SAMPLE), SAMPLE, "jira"), encoding="utf-8")
    print(f"wrote {OUT}")
