"""Next hire: which move a yearly budget for new salaries affords serves the owner's objective best, and how sure."""

from __future__ import annotations

import streamlit as st

from sim.advisor import OBJECTIVES, Advice, NothingAffordable, Objective, Procedure
from sim.parallel import ClusterError
from sim.scenario import Scenario, ScenarioError, dumps, shown
from sim.wording import weeks_words
from ui import charts, report, sureness, tables, why
from ui.labels import AXIS_FORMAT, NOT_STEADY, TIED, money, plain
from ui.runner import ADVISOR_PROCEDURE, advice, advice_how_sure, confirm_long_ranking, show_server_problem
from ui.sidebar import scenario_or_problems, show_problems
from ui.state import (
    number_setting,
    number_words,
    page_input_key,
    page_setting,
    seeded_page_input,
    set_page_setting,
)
from ui.style import responsive_table

PAGE = "next_hire"
DEFAULT_BUDGET, MAX_BUDGET = 150_000.0, 2_000_000.0
MAX_GROWTH_PCT = 500.0  # the advisor takes demand up to six times today's
MIX = "mix"
CHOICES = {"profit": "Profit", "lead_time": "Mean lead time (shorter is better)", "on_time": "On-time rate",
           MIX: "A weighted mix"}
DEFAULT_WEIGHTS = {"profit": 50.0, "lead_time": 25.0, "on_time": 25.0}  # percent
CHART_OPTIONS = 25  # a chart of 150 options is a wall; the table holds them all


def _objective_setting() -> Objective:
    """The stored objective; one a link garbled is named, and profit ranks instead."""
    text = page_setting("objective", "profit")
    try:
        return Objective.parse(text)
    except ScenarioError as exc:
        st.warning(f"The objective {plain(shown(text))} cannot be used ({plain('; '.join(exc.problems))}); ranking "
                   "by profit instead.")
        return Objective.of("profit")


def _weight_key(name: str) -> str:
    return page_input_key(f"weight:{name}", PAGE)


def _save_inputs() -> None:
    """Rank the options pressed: the inputs become the page settings, which a share link carries; a mix is written
    as the command line's --objective takes it (profit:70,on_time:30)."""
    ss = st.session_state
    set_page_setting("budget", f"{ss[page_input_key('budget', PAGE)]:.0f}")
    set_page_setting("growth_pct", f"{ss[page_input_key('growth_pct', PAGE)]:g}")
    choice = ss[page_input_key("objective", PAGE)]
    if choice == MIX:
        weights = {name: ss[_weight_key(name)] for name in OBJECTIVES}
        text = ",".join(f"{name}:{w:g}" for name, w in weights.items() if w > 0)
    else:
        text = choice
    set_page_setting("objective", text)


def inputs(objective: Objective, budget: float, growth_pct: float) -> None:
    """Budget, objective and growth; nothing runs until Rank the options is pressed (widgets outside a form, so
    the mix's weights can show only when a mix is chosen)."""
    cols = st.columns([2, 2, 1])
    cols[0].number_input(
        "Yearly budget for new salaries ($)", min_value=0.0, max_value=MAX_BUDGET, step=5_000.0, format="%.0f",
        **seeded_page_input("budget", PAGE, float(budget)),
        help="What you can add to the payroll each year. Every hire within it is an option (engineers, a project "
        "manager, an account manager, a hybrid PM/AM, a salesperson's time, up to three people at once), each "
        "with and without the free process changes (standardised work, AM-PM check-ins).",
    )
    cols[1].selectbox(
        "Objective", list(CHOICES), format_func=CHOICES.__getitem__,
        **seeded_page_input("objective", PAGE, objective.single or MIX, list(CHOICES)),
        help="What the best option maximises. A weighted mix counts $20k of yearly profit, a quarter of a day of "
        "mean lead time and 2 points of on-time rate as equal steps, times their weights.",
    )
    cols[2].number_input(
        "Demand growth (% a year)", min_value=0.0, max_value=MAX_GROWTH_PCT, step=5.0, format="%g",
        **seeded_page_input("growth_pct", PAGE, float(growth_pct)),
        help="0 ranks the options for this year's demand. Above 0, a second ranking for every client sending that "
        "much more work, so you see whether the best hire today is still the best as you grow.",
    )
    if st.session_state[page_input_key("objective", PAGE)] == MIX:
        weights = dict(objective.weights) if not objective.single else {}
        cols = st.columns(len(OBJECTIVES))
        for col, name in zip(cols, OBJECTIVES, strict=True):
            seeded = 100 * weights.get(name, 0.0) if weights else DEFAULT_WEIGHTS[name]
            col.number_input(f"Weight of {CHOICES[name].split(' (')[0].lower()} (%)", min_value=0.0,
                             max_value=100.0, step=5.0, format="%g",
                             **seeded_page_input(f"weight:{name}", PAGE, float(seeded)),
                             help="The weights are scaled to add up to 100 %; 0 leaves the figure out.")
    st.button("Rank the options", type="primary", on_click=_save_inputs)


def _common(this_year: Advice, grown: Advice | None) -> str:
    """The replications the best option ran: "50 replications", "50 replications (32 for the grown demand)"."""
    def count(ranked: Advice) -> int:
        return int(ranked.options["replications"].iloc[0])

    return f"{count(this_year)} replications" + (f" ({count(grown)} for the grown demand)" if grown else "")


def procedure_words(procedure: Procedure, objective: Objective) -> str:
    zone = procedure.indifference_zone or objective.indifference_zone
    zone_words = {"profit": f"{money(zone)} of profit a year", "lead_time": f"{zone:g} days of mean lead time",
                  "on_time": f"{100 * zone:g} points of on-time rate"}
    within = zone_words.get(objective.single or "", f"{zone:g} on the weighted score")
    return (
        "Every option runs on the same simulated clients and requests as today's organisation: "
        f"{procedure.first_stage} replications each to start, then more for the options still close to the best, "
        f"up to {procedure.cap}, until the best is ahead with {100 * (1 - procedure.alpha):.0f} % confidence (Kim "
        f"and Nelson's procedure; differences smaller than {within} count as a tie). The options dropped on the way "
        "are shown on their own replications, paired with the best on those (the best's figures plus the option's "
        "gap to it; the verdict says how many), and one not clearly behind the best there runs on like the others: "
        f"the best is the best mean, and an option is *{TIED.lower()}* when the 95 % interval of its difference from "
        "the best includes zero. The sidebar's replications do not apply here; its weeks, warm-up and seed do."
    )


def recommendation(ranked: Advice, prefix: str = "") -> None:
    """Green only when the advice is sure (the best ahead of every other option beyond simulation noise); blue,
    with words that say so, when some option is tied with it."""
    if ranked.confident:
        st.success(f"{prefix}{ranked.recommendation} (95 % sure over simulation noise, on these assumptions; *How "
                   "sure is this?* below tests the assumptions.)")
    else:
        st.info(f"{prefix}{ranked.recommendation} (Not sure which is best: the options marked "
                f"{TIED.lower()} differ from it by less than simulation noise.)")


def ranking(ranked: Advice) -> None:
    label, unit = tables.objective_label(ranked.objective)
    warnings = ranked.warnings()
    if warnings:
        st.warning("Some options are not keeping up with their work, so their lead time and on-time figures depend "
                   f"on the run length (in a ranking by them, marked {NOT_STEADY}):\n\n"
                   + "\n".join(f"- {tables.sentence(w)}" for w in warnings))
    responsive_table(tables.advice_table(ranked), f"ranking-{ranked.growth:g}")
    options = tables.advice_options(ranked)
    shown = options.head(CHART_OPTIONS)
    chart = charts.ranking_chart(shown, f"{label}: difference from today's organisation", label,
                                 value_format=AXIS_FORMAT.get(unit))
    st.altair_chart(chart, width="stretch")
    if len(options) > len(shown):
        st.caption(f"The chart shows the {len(shown)} best of {len(options)} options; the table lists them all.")


def how_sure_section(scenario: Scenario, ranked: Advice, budget: float, objective: Objective) -> None:
    """The recommended option against the runner-up over the uncertain inputs' ranges (this year's demand)."""
    st.subheader("How sure is this?")
    if len(ranked.options) < 2:
        return
    first, second = ranked.options["name"].iloc[:2]
    noise = ("The best is ahead of every other option beyond simulation noise" if ranked.confident
             else f"Some options are {TIED.lower()} with the best within simulation noise")
    st.markdown(f"{noise}, on this scenario's assumptions. Many of them are judgement (see *Model and "
                f"assumptions*): this tests **{first}** against **{second}** over their ranges.")
    st.caption(sureness.settings_words(scenario))
    if not sureness.asked((dumps(scenario), budget, objective.label), "Test the advice against the assumptions"):
        return
    result = sureness.run_guarded(lambda: advice_how_sure(scenario, budget, objective, 0.0))
    if result is not None:
        label, unit = tables.objective_label(objective)
        sureness.show(result, first, ranked.confident, label, unit)


def main() -> None:
    st.title("Next hire")
    st.markdown("Whom to hire first, for the money you can add to the payroll? Every move the budget affords is "
                "simulated against today's organisation and ranked, with how sure the ranking is.")
    scenario = scenario_or_problems()
    if scenario is None:
        return
    sureness.far_fit_warning(scenario)
    objective = _objective_setting()
    budget = number_setting("budget", DEFAULT_BUDGET, 0.0, MAX_BUDGET, "a yearly budget for new salaries of {}",
                            lambda x: f"${number_words(x)}", "ranks for")
    growth_pct = number_setting("growth_pct", 0.0, 0.0, MAX_GROWTH_PCT, "demand growth of {}",
                                lambda x: f"{number_words(x)} % a year", "ranks for")
    inputs(objective, budget, growth_pct)
    try:
        # inside the try: the estimate grows the demand, which the scenario's limits may refuse
        if not confirm_long_ranking(scenario, budget, [0.0, growth_pct / 100] if growth_pct else [0.0]):
            return
        this_year = advice(scenario, budget, objective, 0.0, label="This year's demand")
        grown = (advice(scenario, budget, objective, growth_pct / 100, label=f"Demand +{growth_pct:g} %")
                 if growth_pct else None)
    except NothingAffordable as exc:
        st.info(f"{exc.problems[0]}. Raise the budget to see options.")
        return
    except ScenarioError as exc:  # a horizon too short to deliver anything
        show_problems(exc)
        return
    except ClusterError as exc:  # a Dask scheduler that does not answer
        show_server_problem(exc)
        return

    if grown is None:
        recommendation(this_year)
    else:
        recommendation(this_year, "**This year's demand**: ")
        recommendation(grown, f"**With demand {growth_pct:g} % higher**: ")
    beside_answer = st.empty()  # the one assumption that carries the gain, once Why this advice has run
    st.caption(
        f"**{plain(scenario.name)}**, a yearly budget of {money(budget)}: {len(this_year.options) - 1} affordable "
        f"moves and today's organisation, the best on {_common(this_year, grown)} of "
        f"{weeks_words(scenario.weeks)} (after {weeks_words(scenario.warmup_weeks)} of warm-up). "
        + procedure_words(ADVISOR_PROCEDURE, objective)
        + f" Yearly cost is the salaries the budget pays; profit counts them times the overhead factor "
        f"({scenario.economics.overhead_factor:g}), as every cost in the app does."
    )
    if grown is None:
        ranking(this_year)
    else:
        st.subheader("This year's demand")
        ranking(this_year)
        st.subheader(f"Demand {growth_pct:g} % higher")
        ranking(grown)
    why.advice_why_section(scenario, this_year, beside=beside_answer,
                           heading="Why this advice" if grown is None else "Why this year's advice")
    how_sure_section(scenario, this_year, budget, objective)
    report.next_hire_button(scenario, this_year, grown)


main()
