"""The sidebar's sections about the work: the demand (clients, requests, growth, the work types' shares), the
process switches, and the experiment's settings (replications, weeks, seed). A demand's problems that come from
several inputs at once (shares over 100 %, too many requests for a run) are said under the inputs the user sets."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.scenario import MAX_REQUESTS_PER_RUN, SHARES_PATH
from ui.input_problems import blame, take
from ui.inputs import UI_MAX, Shown, labelled, number, slider, toggle
from ui.labels import plain
from ui.state import input_key


def demand(shown: Shown) -> None:
    values = shown.values
    st.subheader("Demand")
    slider("demand.clients", "Clients", values["demand.clients"], 1, ui_max=UI_MAX["clients"])
    number("demand.requests_per_client_per_week", "Requests per client per week",
           values["demand.requests_per_client_per_week"], 0.05, "%.2f")
    slider("demand.growth_per_year", "Demand growth (% a year)", values["demand.growth_per_year"], 0.05,
           ui_max=UI_MAX["growth"], ui_min=-0.5, fmt="percent")
    names = list(shown.work_types)
    if len(names) > 1:
        for name in names[:-1]:
            path = f"demand.work_types.{name}.share"
            wt = shown.work_types[name]
            slider(path, f"Share of {name} requests", values[path], 0.01, fmt="%.2f",
                   extra_help=f"A {name} request takes {wt['effort_hours']:g} hours on average and is due in "
                   f"{wt['deadline_days']:g} working days. {names[-1]} requests take the rest.")
        rest = 1.0 - sum(float(st.session_state.get(input_key(f"demand.work_types.{n}.share"),
                                                    values[f"demand.work_types.{n}.share"])) for n in names[:-1])
        label = labelled(f"demand.work_types.{names[-1]}.share", f"Share of {names[-1]} requests (the rest)")
        _shares_problem(names)
        st.caption(f"{label}: {max(rest, 0.0):.2f}")
    _too_many_requests()


def _too_many_requests() -> None:
    """A run of more requests than a run allows comes from three inputs at once: named together, in their words."""
    if not take(lambda p: p.path == "demand"):
        return
    labels = ["Clients", "Requests per client per week", "Weeks measured"]
    blame(*labels)
    st.error(f"**{labels[0]}**, **{labels[1]}** and **{labels[2]}** (under Experiment) ask for more than "
             f"{MAX_REQUESTS_PER_RUN:,} requests in one run, the most a run allows: lower one of them and press Run.")


def _shares_problem(names: list[str]) -> None:
    """Shares that leave the last work type less than nothing (or do not sum to 1): said under the share inputs the
    user sets, naming them, never under the share the form computes."""
    rest_path = f"demand.work_types.{names[-1]}.share"
    if not take(lambda p: p.path in (rest_path, SHARES_PATH)):
        return
    labels = [f"Share of {name} requests" for name in names[:-1]]
    entered = sum(float(st.session_state.get(input_key(f"demand.work_types.{n}.share"), 0)) for n in names[:-1])
    blame(*labels)
    listed = " and ".join(f"**{plain(label)}**" for label in labels)
    together = "together " if len(labels) > 1 else ""
    st.error(f"{listed} {together}add up to {entered * 100:.0f} %; they can be at most 100 %, since {plain(names[-1])} "
             "requests take the rest. Lower one of them and press Run.")


def process(values: dict[str, Any]) -> None:
    st.subheader("Process")
    toggle("process.standardised_work", "Standardised work types with checklists", values["process.standardised_work"])
    toggle("process.checkins", "AM-PM check-ins", values["process.checkins"])
    toggle("process.status_updates", "Status updates to clients", values["process.status_updates"])


def experiment(values: dict[str, Any]) -> None:
    with st.expander("Experiment"):
        number("replications", "Replications per design", values["replications"], 1, ui_max=UI_MAX["replications"])
        number("max_replications", "Cap on replications (added until the answer is clear)",
               values["max_replications"], 1, ui_max=UI_MAX["replications"])
        number("weeks", "Weeks measured", values["weeks"], 1)
        number("seed", "Random seed", values["seed"], 1)
