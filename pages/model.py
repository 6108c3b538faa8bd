"""Model and assumptions: how the model works (MODEL.md) and every parameter of the scenario now in use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from sim.paths import field_meta, flatten
from sim.scenario import Scenario
from ui.labels import plain
from ui.sidebar import scenario_or_problems
from ui.state import current_preset

MODEL_TEXT = Path(__file__).resolve().parents[1] / "MODEL.md"


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _allowed(meta: dict) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    if lo is None and hi is None:
        return ""
    return f"{_number(lo)} to {_number(hi)}"


def parameter_table(scenario: Scenario, preset: Scenario) -> pd.DataFrame:
    """One row per parameter: its value now, the preset's value, what it means and what is allowed."""
    base = flatten(preset.to_dict())
    rows = []
    for path, value in flatten(scenario.to_dict()).items():
        ranged = path.startswith("uncertainty.")  # a range of an uncertain input: the parameter's meta and bounds
        meta = field_meta(path.removeprefix("uncertainty.") if ranged else path)
        meaning = meta.get("help", "")
        rows.append({
            "Parameter": path,
            "Value": str(value),
            "Preset value": str(base.get(path, "")),
            "Changed": path not in base or base[path] != value,
            "Meaning": f"Plausible range (low, high) of: {meaning}" if ranged else meaning,
            "Allowed": _allowed(meta),
        })
    return pd.DataFrame(rows)


def main() -> None:
    st.title("Model and assumptions")
    scenario = scenario_or_problems()
    model, parameters = st.tabs(["How the model works", "Parameters of this scenario"])
    with model:
        st.markdown(MODEL_TEXT.read_text(encoding="utf-8"))
    with parameters:
        if scenario is not None:
            st.caption(f"Every number the model uses in “{plain(scenario.name)}” as set now; “Changed” marks what "
                       "differs from the preset. Where each default comes from is in “How the model works”.")
            st.dataframe(parameter_table(scenario, current_preset()), hide_index=True, width="stretch",
                         height=700)


main()
