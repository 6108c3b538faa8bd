"""Growth what-if: one lever swept over a range, one line per design, to see which design breaks first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from sim.advisor import grown
from sim.answer import stopping_words
from sim.objective import Objective
from sim.parallel import ClusterError
from sim.scenario import Scenario, ScenarioError
from ui import charts, tables
from ui.labels import AXIS_FORMAT, KPIS, design_labels, plain
from ui.overrides import apply_overrides, with_engineers
from ui.runner import confirm_long_run, run, run_until_clear, show_server_problem
from ui.sidebar import scenario_or_problems
from ui.state import (
    chosen_designs,
    current_preset,
    drop_page_settings,
    number_setting,
    number_words,
    page_input_key,
    page_input_saver,
    page_setting,
    read_state,
    seeded_page_input,
    set_page_setting,
)

PAGE = "growth"
SWEEP_METRICS = ["lead_time_days", "on_time_rate", "profit"]
DEFAULT_POINTS, MAX_POINTS = 5, 12
# The page opens on the two ends of the range, about a comparison's work; the points between run when asked (the
# "sweep" page setting, carried by links, is FULL once Run sweep was pressed), each point then adding replications
# until its answer on profit is clear, as Compare's comparison does (sim.sequential).
FULL = "full"
PROFIT = Objective.of("profit")
MAX_LEVER = 2000  # the largest any lever allows (clients); the scenario's own limits are checked per point
ON_TIME_FLOOR = 0.75  # SPI Research: services firms deliver about 74-76 % of projects on time


@dataclass(frozen=True)
class Lever:
    label: str
    path: str  # the scenario input it sets; empty for demand growth, which scales the requests (sim.advisor.grown)
    whole: bool
    default_range: tuple[float, float] | None = None  # from, to; None: from today's value to twice it
    unit: str = ""  # after a value in a sentence: "30 clients"

    def at(self, value: float) -> str:
        """A value of the lever in words, for the sentences under the sweep."""
        return f"{value:g} {self.unit}".strip()


# Growth means one thing with one unit in the app: demand growth in % a year, as on Next hire (sim.advisor.grown).
DEMAND_GROWTH = "demand"
LEVERS = {
    "clients": Lever("Clients", "demand.clients", True, unit="clients"),
    "requests": Lever("Requests per client per week", "demand.requests_per_client_per_week", False,
                      unit="requests per client per week"),
    "engineers": Lever("Engineers", "firm.engineers", True, unit="engineers"),
    DEMAND_GROWTH: Lever("Demand growth (% a year)", "", True, (0.0, 60.0), "% demand growth a year"),
}


def lever_value(scenario: Scenario, lever: str) -> float:
    return {"clients": scenario.demand.clients, "requests": scenario.demand.requests_per_client_per_week,
            "engineers": scenario.firm.engineers, DEMAND_GROWTH: 0.0}[lever]


def sweep_values(lever: Lever, start: float, stop: float, points: int) -> list[float]:
    values = np.linspace(start, stop, points)
    if lever.whole:
        return sorted({int(round(v)) for v in values})
    return [round(float(v), 4) for v in values]


def scenario_at(lever: str, value: float) -> Scenario:
    """The current scenario with the lever at `value`; engineers keep today's skill mix."""
    state = read_state()
    preset = current_preset()
    overrides = dict(state.overrides)
    if lever == DEMAND_GROWTH:  # every client sends `value` % more requests, as a year of that growth brings
        return grown(apply_overrides(preset, overrides), value / 100)
    if lever == "engineers":
        overrides = with_engineers(overrides, apply_overrides(preset, overrides), int(value))
    else:
        overrides[LEVERS[lever].path] = value
    return apply_overrides(preset, overrides)


def sweep_form(scenario: Scenario) -> tuple[str, float, float, int]:
    """The lever, then its range in a form: nothing runs until the user presses Run sweep. The lever is outside
    the form: another lever brings its own range at once, and the page shows no results of the old one."""
    lever = page_setting("lever", "clients")
    lever = lever if lever in LEVERS else "clients"
    st.selectbox("Lever", list(LEVERS), format_func=lambda k: LEVERS[k].label,
                 **seeded_page_input("lever", PAGE, lever, list(LEVERS)), on_change=_switch_lever,
                 help="The quantity that grows along the x axis. Demand growth: every client sends that many % more "
                 "requests a week than today, as a year of growth at that rate would bring.")
    now = lever_value(scenario, lever)
    first, last = LEVERS[lever].default_range or (now, now * 2)
    def amount(x: float) -> str:
        return f"{number_words(x)} {LEVERS[lever].unit}".strip()

    start = number_setting("from", first, 0, MAX_LEVER, "a sweep from {}", amount, "sweeps from")
    stop = number_setting("to", last, 0, MAX_LEVER, "a sweep to {}", amount, "sweeps to")
    points = int(number_setting("steps", DEFAULT_POINTS, 2, MAX_POINTS, "{}", lambda x: f"{number_words(x)} points",
                                "sweeps"))
    with st.form("sweep"):
        cols = st.columns(3)
        cols[0].number_input("From", 0.0, float(MAX_LEVER), format="%g",
                             **seeded_page_input("from", PAGE, float(start)),
                             help="First value of the lever.")
        cols[1].number_input("To", 0.0, float(MAX_LEVER), format="%g", **seeded_page_input("to", PAGE, float(stop)),
                             help="Last value of the lever.")
        cols[2].number_input("Points", min_value=2, max_value=MAX_POINTS,
                             **seeded_page_input("steps", PAGE, int(points)),
                             help="How many values from From to To; each one runs every design.")
        st.form_submit_button("Run sweep", type="primary", on_click=_save_sweep)
    return lever, start, stop, points


def _switch_lever() -> None:
    """Another lever: its own default range (the old one's numbers mean nothing for it), its first view at once."""
    set_page_setting("lever", st.session_state[page_input_key("lever", PAGE)])
    drop_page_settings("from", "to", "sweep")
    for name in ("from", "to"):
        st.session_state.pop(page_input_key(name, PAGE), None)


def _save_sweep() -> None:
    values = {name: st.session_state[page_input_key(name, PAGE)] for name in ("from", "to", "steps")}
    for name, value in values.items():
        set_page_setting(name, f"{value:g}" if isinstance(value, float) else str(value))
    set_page_setting("sweep", FULL)  # asked for: a link then opens on the same full sweep


def run_sweep(lever: str, values: list[float], designs: list[str],
              until_clear: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Every point's figures, and for a sweep run until clear, how many replications each point needed and why it
    stopped there (a line per point)."""
    rows, stops = [], []
    for i, value in enumerate(values, start=1):
        scenario, label = scenario_at(lever, value), f"{LEVERS[lever].label} = {value:g} (point {i} of {len(values)})"
        results = (run_until_clear(scenario, designs, PROFIT, label=label) if until_clear
                   else run(scenario, designs, label=label))
        if results.stopping is not None:
            stops.append(f"{LEVERS[lever].at(value)}: {stopping_words(results)}")
        kpis = tables.mark_steady(results.kpis(SWEEP_METRICS), results.backlog_trends())
        tables.name_designs(kpis, results.scenario.designs)
        kpis.insert(0, "lever", value)
        rows.append(kpis)
    frame = pd.concat(rows, ignore_index=True)
    return tables.add_interval(frame, frame["metric"].map(lambda m: KPIS[m].unit)), stops


def main() -> None:
    st.title("Growth what-if")
    st.caption("Sweep one lever and watch each design: where lead times climb, deliveries slip and profit turns.")
    scenario = scenario_or_problems()
    if scenario is None:
        return
    names = list(scenario.designs)
    designs = st.multiselect(
        "Org designs", names, format_func=design_labels(scenario.designs).__getitem__,
        **seeded_page_input("designs", PAGE, chosen_designs(scenario), argument="default"),
        on_change=page_input_saver("designs", PAGE, ",".join), help="The designs drawn as lines.",
    )
    lever, start, stop, points = sweep_form(scenario)
    if not designs:
        st.info("Pick at least one org design.")
        return
    values = sweep_values(LEVERS[lever], start, stop, points)
    full = page_setting("sweep", "") == FULL
    if not full and len(values) > 2:
        values = [values[0], values[-1]]
        st.info(f"A first view from the two ends of the range ({LEVERS[lever].at(values[0])} and "
                f"{LEVERS[lever].at(values[-1])}): two runs of every design, straight lines between them. Press "
                f"**Run sweep** for all {points} points.")
    try:
        if not confirm_long_run([scenario_at(lever, v) for v in values], designs, until_clear=full):
            return
        frame, stops = run_sweep(lever, values, designs, until_clear=full)
    except ClusterError as exc:  # a Dask scheduler that does not answer: not the sweep's fault
        show_server_problem(exc)
        return
    except ScenarioError as exc:  # a value out of range
        st.error(f"The sweep of {LEVERS[lever].label.lower()} from {start:g} to {stop:g} reaches a value the "
                 "model does not allow:\n\n" + "\n".join(f"- {plain(p)}" for p in exc.problems))
        return
    st.markdown(f"**Where each design breaks**: the on-time rate against a floor of {ON_TIME_FLOOR:.0%} "
                "(services firms deliver about 74-76 % of projects on time, SPI Research).\n\n"
                + "\n".join(f"- {line}" for line in tables.where_designs_break(frame, ON_TIME_FLOOR,
                                                                                at=LEVERS[lever].at)))
    if stops:
        st.markdown("**Replications**, added at each point until its answer on profit was clear, as Compare does:\n\n"
                    + "\n".join(f"- {line}" for line in stops))
    unsteady = tables.where_designs_stop_keeping_up(frame, at=LEVERS[lever].at)
    if unsteady:
        st.warning("**Where a design is not keeping up** with its work:\n\n"
                   + "\n".join(f"- {line}" for line in unsteady))
    for metric in SWEEP_METRICS:
        label = KPIS[metric].label
        chart = charts.sweep_chart(frame[frame["metric"] == metric], label, LEVERS[lever].label, label,
                                   value_format=AXIS_FORMAT[KPIS[metric].unit], whole_lever=LEVERS[lever].whole)
        st.altair_chart(chart, width="stretch")
    st.download_button("Sweep results (CSV)", frame.to_csv(index=False), file_name="orgsim-sweep.csv",
                       mime="text/csv")


main()
