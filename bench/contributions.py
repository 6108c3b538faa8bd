"""What drives the difference between designs: switch one mechanism off at a time on the default firm and see how
each design's profit and lead-time gap to `none` moves.

Every variant runs the same replications (same seeds), so a design's gap to `none` is a paired difference within a
variant, and the change of that gap from the full model is paired again across variants, replication by
replication. The output is a Markdown table, pasted into MODEL.md ("What drives the difference between designs").

    .venv/bin/python bench/contributions.py                     # 10 replications x 26 weeks, about 2 min on 2 cores
    .venv/bin/python bench/contributions.py --replications 20 --weeks 52
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.experiment import run_experiment  # noqa: E402
from sim.parallel import local_pool  # noqa: E402
from sim.scenario import MECHANISMS_OFF, MECHANISMS_OFF_ELSEWHERE, Scenario, from_dict, load_scenario  # noqa: E402
from sim.stats import t_half_width  # noqa: E402

BASELINE = "none"
FULL = "full model"
METRICS = {"profit": ("profit gap to `none` ($k a year)", 1e-3), "lead_time_days": ("lead-time gap to `none` "
                                                                                     "(working days)", 1.0)}


def variants(base: Scenario) -> dict[str, Scenario]:
    """The full model, then one variant per mechanism with only that mechanism at its switched-off value."""
    data = base.to_dict()
    out = {FULL: base}
    switches: list[tuple[str, str, Any]] = [("behaviour", key, off) for key, off in MECHANISMS_OFF.items()]
    switches += [(table, key, off) for table, values in MECHANISMS_OFF_ELSEWHERE.items() for key, off in values.items()]
    for table, key, off in switches:
        changed = {**data, table: {**data[table], key: off}}
        out[f"`{table}.{key}` off"] = from_dict(changed)
    return out


def gaps(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each design minus `none`, per replication: rows replications, columns designs."""
    wide = summary.pivot(index="replication", columns="design", values=metric)
    designs = [d for d in dict.fromkeys(summary["design"]) if d != BASELINE]  # the scenario's order
    return wide.sub(wide[BASELINE], axis=0)[designs]


def cell(values: np.ndarray, scale: float) -> str:
    return f"{values.mean() * scale:+.1f} ± {t_half_width(values) * scale:.1f}"


def table(results: dict[str, pd.DataFrame], metric: str) -> str:
    """One row per variant: each design's gap to `none`; below the first row, in brackets, its change from the full
    model's gap (a paired interval: the same replications in both)."""
    title, scale = METRICS[metric]
    full = gaps(results[FULL], metric)
    designs = list(full.columns)
    lines = [f"| {title} | " + " | ".join(f"`{d}`" for d in designs) + " |", "|---" * (len(designs) + 1) + "|"]
    for name, summary in results.items():
        gap = gaps(summary, metric)
        cells = []
        for d in designs:
            text = cell(gap[d].to_numpy(), scale)
            if name != FULL:
                text += f" (Δ {cell((gap[d] - full[d]).to_numpy(), scale)})"
            cells.append(text)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=26)
    args = parser.parse_args(argv)
    base = load_scenario(args.scenario)
    base = from_dict({**base.to_dict(), "replications": args.replications, "weeks": args.weeks})
    pool = local_pool()
    results = {name: run_experiment(s, executor=pool).summary for name, s in variants(base).items()}
    print(f"{base.name}, {args.replications} replications x {args.weeks} weeks after {base.warmup_weeks} warm-up "
          f"weeks, seed {base.seed}; mean ± 95 % half-width over replications; (Δ ...) = change of the gap from the "
          "full model, paired.\n")
    for metric in METRICS:
        print(table(results, metric))
        print()


if __name__ == "__main__":
    main()
