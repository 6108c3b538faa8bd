"""Golden back-test: the default scenario's figures, 2 replications x 8 weeks, stored as CSV and compared on every
commit, so the numbers behind a share link cannot drift unnoticed. A change meant to move them regenerates the file:

    .venv/bin/python -m tests.test_golden

and the diff of tests/golden/default_2x8.csv shows, in review, what moved."""

from __future__ import annotations

import pandas as pd

from sim.experiment import run_experiment
from sim.presets import load_presets
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "default_2x8.csv"


def golden_summary() -> pd.DataFrame:
    scenario = load_presets()["default"].replace(replications=2, weeks=8)
    return run_experiment(scenario).summary


def test_the_default_scenario_gives_the_stored_figures():
    stored = pd.read_csv(GOLDEN)
    now = golden_summary()
    assert list(now.columns) == list(stored.columns)
    pd.testing.assert_frame_equal(now.reset_index(drop=True), stored, check_dtype=False, rtol=1e-9, atol=1e-9)


if __name__ == "__main__":
    golden_summary().to_csv(GOLDEN, index=False, float_format="%.12g")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
