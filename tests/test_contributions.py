"""bench/contributions.py, whose table MODEL.md quotes: each variant switches off exactly one mechanism, and the
table's gaps and their changes are paired by replication."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench import contributions
from sim.scenario import MECHANISMS_OFF, MECHANISMS_OFF_ELSEWHERE
from sim.stats import t_half_width


def test_each_variant_switches_off_one_mechanism_and_nothing_else(default_scenario):
    variants = contributions.variants(default_scenario)
    base = default_scenario.to_dict()
    expected = [("behaviour", k, v) for k, v in MECHANISMS_OFF.items()]
    expected += [(t, k, v) for t, values in MECHANISMS_OFF_ELSEWHERE.items() for k, v in values.items()]
    assert list(variants) == [contributions.FULL] + [f"`{t}.{k}` off" for t, k, _ in expected]
    assert variants[contributions.FULL] == default_scenario
    for table, key, off in expected:
        changed = variants[f"`{table}.{key}` off"].to_dict()
        assert changed[table][key] == off
        changed[table][key] = base[table][key]
        assert changed == base, f"{table}.{key}: more than one key differs"


def summary(profits: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame([{"design": d, "replication": r, "profit": p, "lead_time_days": 0.0}
                         for d, values in profits.items() for r, p in enumerate(values)])


def test_gaps_are_paired_by_replication_and_changes_paired_across_variants():
    full = summary({"none": [100e3, 300e3, 200e3], "pm": [150e3, 330e3, 260e3]})
    off = summary({"none": [100e3, 290e3, 200e3], "pm": [120e3, 300e3, 215e3]})
    text = contributions.table({contributions.FULL: full, "`behaviour.x` off": off}, "profit")
    lines = text.split("\n")
    assert lines[0] == "| profit gap to `none` ($k a year) | `pm` |"
    gap = np.array([50e3, 30e3, 60e3])  # pm - none, replication by replication
    gap_off = np.array([20e3, 10e3, 15e3])
    change = gap_off - gap
    k = 1e-3
    assert lines[2] == f"| full model | {gap.mean() * k:+.1f} ± {t_half_width(gap) * k:.1f} |"
    assert lines[3] == (f"| `behaviour.x` off | {gap_off.mean() * k:+.1f} ± {t_half_width(gap_off) * k:.1f} "
                        f"(Δ {change.mean() * k:+.1f} ± {t_half_width(change) * k:.1f}) |")
