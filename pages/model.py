"""Model and assumptions: how the model works (MODEL.md) and every parameter of the scenario now in use, from the
parameter reference (`sim.reference.parameter_rows`) that README's key table is made from too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from sim.reference import parameter_rows
from sim.scenario import Scenario
from sim.wording import key_words, without_keys
from ui.labels import plain
from ui.sidebar import scenario_or_problems
from ui.state import current_preset

MODEL_TEXT = Path(__file__).resolve().parents[1] / "MODEL.md"
_MISSING = object()
# Scenario keys, for people who edit the files, in a column of their own shown as code; every other column is words.
KEY_COLUMN = "Key in the scenario file"


def _words(key: str) -> str:
    """A key in words, with the entry it belongs to: 'demand.work_types.support.share' -> 'Support: share'."""
    parts = key.split(".")
    field = key_words(key)
    return f"{key_words(parts[-2])}: {field[:1].lower()}{field[1:]}" if len(parts) > 2 else field


def parameter_table(scenario: Scenario, preset: Scenario) -> pd.DataFrame:
    """One row per parameter: its value now, the preset's value, whether it changed, what it means and what is
    allowed. A design, work type, skill or range the preset lacks has no preset value."""
    before = {row["key"]: row["value"] for row in parameter_rows(preset)}
    return pd.DataFrame([{
        "Parameter": _words(row["key"]),
        KEY_COLUMN: row["key"],
        "Value": _shown(row["value"]),
        "Preset value": _shown(before.get(row["key"], _MISSING)),
        "Changed": before.get(row["key"], _MISSING) != row["value"],
        "Meaning": without_keys(row["meaning"]),
        "Allowed": row["allowed"],
    } for row in parameter_rows(scenario)])


def _shown(value: object) -> str:
    if value is _MISSING:
        return ""
    if value is None:
        return "as the firm"  # a design's process override left unset
    if isinstance(value, tuple):  # an uncertainty range
        return f"{value[0]:g} to {value[1]:g}"
    return str(value)


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
                         height=700, column_config={KEY_COLUMN: st.column_config.TextColumn(KEY_COLUMN)})


main()
