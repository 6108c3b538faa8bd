"""Compare org designs: every chosen design on the same scenario and the same random numbers, side by side."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from sim.answer import MARKED_METRICS, Answer, headline
from sim.experiment import Results
from sim.objective import OBJECTIVES, Objective
from sim.parallel import ClusterError
from sim.robust import renamed
from sim.scenario import Scenario, dumps
from sim.sequential import cap_of
from sim.wording import weeks_words
from ui import charts, report, state, sureness, tables, why
from ui.labels import AXIS_FORMAT, KPIS, NOT_STEADY, OVERLAP_NOTE, design_labels, hires_after_label, plain
from ui.runner import confirm_long_run, how_sure, run_until_clear, show_server_problem
from ui.sidebar import scenario_or_problems
from ui.state import chosen_designs, page_input_saver, page_setting, seed_page_input, seeded_page_input
from ui.style import responsive_table

PAGE = "compare"
CHART_METRICS = ["profit", "lead_time_days", "on_time_rate", "throughput_per_week"]
SURE_OBJECTIVES = {"profit": "Profit", "lead_time": "Mean lead time (shorter is better)", "on_time": "On-time rate"}
# The objective of the headline and of "How sure is this?": one choice, one answer. Links carry it under the name the
# robustness section gave it first.
OBJECTIVE_SETTING = "robust_objective"
# The smallest difference that matters, shown as a reader counts it: (unit, objective units per shown unit, most).
ZONE_SETTING = "zone"
ZONE_SHOWN = {"profit": ("$ a year", 1.0, 10_000_000.0), "lead_time": ("days", 1.0, 100.0),
              "on_time": ("points of on-time rate", 0.01, 100.0)}


def pick_designs(scenario: Scenario) -> tuple[list[str], str]:
    names = list(scenario.designs)
    words = design_labels(scenario.designs)
    left, right = st.columns([3, 1])
    designs = left.multiselect(
        "Org designs to compare", names, format_func=words.__getitem__,
        **seeded_page_input("designs", PAGE, chosen_designs(scenario), argument="default"),
        on_change=page_input_saver("designs", PAGE, ",".join),
        help="Each design adds its hires (set in the sidebar) to today's team. All run on the same random "
        "numbers, so differences come from the design, not from luck.",
    )
    choices = designs or names
    baseline = page_setting("baseline", "none" if "none" in choices else choices[0])
    if baseline not in choices:
        baseline = choices[0]
    key = seed_page_input("baseline", PAGE, baseline)
    if st.session_state[key] not in choices:  # the old baseline was taken out of the comparison
        st.session_state[key] = baseline
    baseline = right.selectbox(
        "Baseline", choices, format_func=words.__getitem__, key=key, index=choices.index(st.session_state[key]),
        on_change=page_input_saver("baseline", PAGE),
        help="The design every other design is compared against, e.g. how the firm is organised today.",
    )
    st.caption(" · ".join(f"**{plain(words[name])}**: {hires_after_label(scenario.designs[name])}"
                          for name in designs or names))
    return designs, baseline


def pick_objective() -> str:
    """What "best" means for the headline, the table's marks and "How sure is this?"."""
    stored = page_setting(OBJECTIVE_SETTING, "profit")
    return st.selectbox(
        "Best on", list(SURE_OBJECTIVES), format_func=SURE_OBJECTIVES.__getitem__,
        **seeded_page_input(OBJECTIVE_SETTING, PAGE, stored if stored in SURE_OBJECTIVES else "profit",
                            list(SURE_OBJECTIVES)),
        on_change=_switch_objective,
        help="The figure the answer at the top is about; the table marks every figure by the same rule.",
    )


def _switch_objective() -> None:
    """Another objective: the smallest difference that matters falls back to the new one's (in its own unit)."""
    page_input_saver(OBJECTIVE_SETTING, PAGE)()
    state.drop_page_settings(ZONE_SETTING)
    st.session_state.pop(state.page_input_key(ZONE_SETTING, PAGE), None)


def pick_zone(choice: str, where: Any) -> float:
    """The smallest difference that matters on the objective, in its units: replications are added until the best
    is ahead beyond noise or every design tied with it is within this (sim.sequential). Shown in the unit a reader
    uses (points of on-time rate, not a rate); a link's value outside the allowed range is clamped with a word."""
    unit, scale, top = ZONE_SHOWN[choice]
    default = OBJECTIVES[choice][3] / scale
    least = default / 100  # a positive zone: at 0 two designs that are the same could never be called so
    value = state.number_setting(ZONE_SETTING, default, least, top, "a smallest difference that matters of {}",
                                 lambda x: f"{state.number_words(x)} ({unit})", uses="compares on")
    shown = where.number_input(
        f"Smallest difference that matters ({unit})", least, top, format="%g", step=default / 4,
        **seeded_page_input(ZONE_SETTING, PAGE, float(value)), on_change=page_input_saver(ZONE_SETTING, PAGE),
        help="A gap smaller than this between two designs does not matter to you: replications stop being added "
        "once every design not told apart from the best is surely within it, and the answer says either will do.",
    )
    return float(shown) * scale


def show_answer(answer: Answer) -> None:
    """The headline: green only when the best is ahead of every other design beyond simulation noise."""
    (st.success if answer.sure else st.info)(answer.sentence)


def kpi_charts(kpis: pd.DataFrame, metrics: list[str]) -> None:
    columns = st.columns(2)
    for i, metric in enumerate(metrics):
        frame = kpis[kpis["metric"] == metric]
        label = KPIS[metric].label
        chart = charts.interval_chart(frame, label, label, value_format=AXIS_FORMAT[KPIS[metric].unit])
        columns[i % 2].altair_chart(chart, width="stretch")


def how_sure_section(scenario: Scenario, results: Results, designs: list[str], choice: str, answer: Answer) -> None:
    """Both kinds of sureness about the best design: over simulation noise (the comparison) and over the plausible
    assumptions (the uncertain inputs' ranges)."""
    st.subheader("How sure is this?")
    st.markdown("The ± above covers the randomness of the simulation on this scenario's assumptions. Many of them "
                "are judgement (see *Model and assumptions*); this tests which design is best against their ranges.")
    if len(designs) < 2:
        st.info("Pick at least two designs to see how sure the best one is.")
        return
    st.caption(f"Best on: {SURE_OBJECTIVES[choice].lower()} (chosen at the top of the page). "
               + sureness.settings_words(scenario))
    if not sureness.asked((dumps(scenario), tuple(designs), choice), "Test the answer against the assumptions"):
        return
    objective = Objective.of(choice)
    result = sureness.run_guarded(lambda: how_sure(scenario, designs, objective))
    if result is None:
        return
    words = {d: plain(w) for d, w in design_labels(scenario.designs).items()}
    label, unit = tables.objective_label(objective)
    sureness.show(renamed(result, words), words[answer.best], answer.sure, label, unit)


def main() -> None:
    st.title("Compare org designs")
    st.markdown("Which way of organising gets more work out, faster, for more profit? Each org design adds its "
                "hires (set in the sidebar) to today's team; all run on the same simulated clients and requests.")
    scenario = scenario_or_problems()
    if scenario is None:
        return
    sureness.far_fit_warning(scenario)
    cap = cap_of(scenario)
    more = (f", {scenario.replications} more at a time up to {cap} until the best design is clear"
            if cap > scenario.replications else "")
    st.caption(
        f"**{plain(scenario.name)}**: {scenario.replications} replications of {weeks_words(scenario.weeks)} per "
        f"design{more} (after {weeks_words(scenario.warmup_weeks)} of warm-up), seed {scenario.seed}. ± is the "
        "half-width of "
        "the 95 % interval over replications."
    )
    designs, baseline = pick_designs(scenario)
    left, right = st.columns([3, 2])
    with left:
        choice = pick_objective()
    zone = pick_zone(choice, right)
    if not designs:
        st.info("Pick at least one org design to compare.")
        return
    if not confirm_long_run([scenario], designs, until_clear=True):
        return
    try:
        results = run_until_clear(scenario, designs, Objective.of(choice), zone)
    except ClusterError as exc:  # e.g. a Dask scheduler that does not answer
        show_server_problem(exc)
        return
    answer = headline(results, Objective.of(choice), baseline)
    show_answer(answer)
    beside_answer = st.empty()  # the assumption that carries the answer, once the gain is explained below
    kpis = tables.kpi_intervals(results)
    plain_words = design_labels(scenario.designs)  # chart titles show text as it is
    words = {d: plain(w) for d, w in plain_words.items()}
    for design, trend in results.backlog_trends().items():
        if not trend.keeping_up:
            st.warning(tables.sentence(trend.warning().replace(f"design {design} ", f"**{words[design]}** ", 1)))

    st.subheader("Key figures per design")
    responsive_table(tables.kpi_table(kpis, tables.kpi_marks(results)), "key-figures")
    unmarked = ", ".join(KPIS[m].short.lower() for m in KPIS if m not in MARKED_METRICS)
    st.caption(f"{tables.BEST_MARK} marks a design ahead of every other in that column beyond simulation noise "
               "(paired by replication, 95 %); \"tied\" marks the best mean and every design not told apart from "
               f"it. No marks on {unmarked}: parts of profit or a check of keeping up, not goals of their own. "
               "On time: by the deadline the client asked for; as promised: by the deadline in force (an account "
               "manager may have negotiated a later one). Cost: salaries times the overhead factor. Backlog growth: "
               "how many more requests are open each week; a design whose backlog keeps growing shows its delays "
               f"as \"{NOT_STEADY}\".")
    kpi_charts(kpis, CHART_METRICS)
    if len(designs) > 1:
        st.caption(OVERLAP_NOTE)
    # Drawn only when asked: an expander would build its charts on every run, and they slow the first screen.
    if st.toggle("Charts of the other figures", key="compare:other-charts"):
        kpi_charts(kpis, [m for m in KPIS if m not in CHART_METRICS])

    if len(designs) > 1:
        st.subheader(f"Against {words[baseline]}")
        st.caption("Paired differences: each replication of a design minus the same replication of the baseline.")
        for sentence in tables.difference_sentences(results, baseline):
            st.markdown(f"- {sentence}")
        diffs = tables.differences(results, baseline)
        columns = st.columns(2)
        for i, metric in enumerate(["profit", "lead_time_days"]):
            label = KPIS[metric].label
            frame = diffs[diffs["metric"] == metric]
            chart = charts.interval_chart(frame, f"{label}: difference from {plain_words[baseline]}", label,
                                          zero_line=True,
                                          value_format=AXIS_FORMAT[KPIS[metric].unit])
            columns[i].altair_chart(chart, width="stretch")

    why.why_section(scenario, results, choice, beside=beside_answer)
    how_sure_section(scenario, results, designs, choice, answer)

    st.subheader("Week by week")
    columns = st.columns(2)
    for column, measure, title in ((columns[0], "backlog", "Open requests at the end of the week"),
                                   (columns[1], "throughput", "Requests delivered in the week")):
        column.altair_chart(
            charts.weekly_chart(tables.weekly_means(results, measure), title, title, counts=True), width="stretch"
        )

    st.subheader("Where engineers' hours go")
    st.altair_chart(charts.time_use_chart(tables.time_use_means(results)), width="stretch")

    st.subheader("Download")
    left, middle, right = st.columns(3)
    left.download_button(
        "All results (one row per design and replication, CSV)", results.summary.to_csv(index=False),
        file_name="orgsim-results.csv", mime="text/csv",
    )
    middle.download_button(
        "Key figures (mean and 95 % interval per design, CSV)", results.kpis().to_csv(index=False),
        file_name="orgsim-key-figures.csv", mime="text/csv",
    )
    right.download_button(
        "Week-by-week series (CSV)", results.weekly.to_csv(index=False),
        file_name="orgsim-weekly.csv", mime="text/csv",
    )
    report.compare_button(scenario, results, baseline, Objective.of(choice))


main()
