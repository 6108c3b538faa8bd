"""Frames the pages and the report show, built from an experiment's tidy results: KPI table, intervals, differences
in words."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from sim import advisor
from sim.advisor import OBJECTIVES, TODAY_NAME, Advice, Objective
from sim.answer import SURE, column_marks
from sim.charts import design_palette
from sim.experiment import Results
from sim.robust import Robustness
from sim.scenario import OrgDesign
from sim.stats import DEPENDS_ON_RUN_LENGTH, BacklogTrend, t_half_width
from sim.wording import (
    BEST,
    KPIS,
    NOT_STEADY,
    TIED,
    TIME_USE,
    WORSE,
    describe_design,
    design_labels,
    figure,
    interval,
    money,
    plain,
)

BEST_MARK = SURE


# What a level can be, by unit: a Student-t interval from few replications can reach past these (an on-time rate
# of 130 %, a negative lead time), and a chart should not draw what cannot happen. Differences are not cut.
FEASIBLE = {"share": (0.0, 1.0), "days": (0.0, None), "count": (0.0, None)}
WEEKLY_UNITS = {"backlog": "count", "throughput": "count", "utilization": "share", "revenue": "money"}


def add_interval(frame: pd.DataFrame, units: pd.Series | str | None = None, mean: str = "mean",
                 ci: str = "ci95") -> pd.DataFrame:
    """Adds lo and hi, the 95 % interval around `mean`, cut to what each row's unit can be (`units`: one per row,
    one for all, or None for differences, which may take any sign)."""
    half = frame[ci].fillna(0)
    frame["lo"] = frame[mean] - half
    frame["hi"] = frame[mean] + half
    if units is not None:
        per_row = units if isinstance(units, pd.Series) else pd.Series(units, index=frame.index)
        for unit, (low, high) in FEASIBLE.items():
            rows = per_row == unit
            frame.loc[rows, ["lo", "hi"]] = frame.loc[rows, ["lo", "hi"]].clip(lower=low, upper=high)
    return frame


def sentence(text: str) -> str:
    """A warning of sim (lower case, for stderr) as a sentence on a page."""
    return f"{text[:1].upper()}{text[1:]}."


def name_designs(frame: pd.DataFrame, designs: Mapping[str, OrgDesign]) -> pd.DataFrame:
    """Adds `design_label` (the design in words, sim.wording) and `design_color` (its colour on every chart) to a
    frame with a `design` column of codes; `designs` is the scenario's, whose order fixes the colours."""
    labels, colors = design_labels(designs), design_palette(list(designs))
    frame["design_label"] = frame["design"].map(lambda d: labels.get(d, d))
    frame["design_color"] = frame["design"].map(lambda d: colors.get(d, "#8c8c8c"))
    return frame


def mark_steady(frame: pd.DataFrame, trends: dict[str, BacklogTrend], *designs_columns: str) -> pd.DataFrame:
    """Adds `steady`: False on the rows of a figure that depends on the run length (sim.stats.DEPENDS_ON_RUN_LENGTH)
    for a design that is not keeping up with its work; each of `designs_columns` (default: design) names one."""
    unsteady = {d for d, t in trends.items() if not t.keeping_up}
    columns = designs_columns or ("design",)
    involved = frame[list(columns)].isin(unsteady).any(axis=1)
    frame["steady"] = ~(involved & frame["metric"].isin(DEPENDS_ON_RUN_LENGTH))
    return frame


def kpi_intervals(results: Results, metrics: list[str] | None = None) -> pd.DataFrame:
    """design, metric, label, mean, ci95, lo, hi, steady: the numbers behind the KPI table and its charts."""
    metrics = metrics or list(KPIS)
    frame = results.kpis(metrics).copy()
    frame["label"] = frame["metric"].map(lambda m: KPIS[m].label)
    mark_steady(frame, results.backlog_trends())
    name_designs(frame, results.scenario.designs)
    return add_interval(frame, frame["metric"].map(lambda m: KPIS[m].unit))


def kpi_marks(results: Results) -> dict[str, dict[str, str]]:
    """Per metric, each design's mark: ★ for a best ahead of every other design beyond noise, "tied" on the best
    and those it is not ahead of, by the rule of the headline (sim.answer.column_marks)."""
    return {metric: column_marks(results, metric) for metric in KPIS}


def kpi_table(kpis: pd.DataFrame, marks: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """One row per design (in words when `kpis` has them), one text column per KPI ('12.3 ± 0.4') with its mark
    (`kpi_marks`) in front; a figure of a design that is not keeping up with its work reads 'not steady (12.3 in
    this run)'."""
    table: dict[str, dict[str, str]] = {}
    for row in kpis.itertuples():
        unit = KPIS[row.metric].unit
        half = interval(row.ci95, unit)
        # a figure that does not vary (salaries) has no ± to show: "± $0" reads as a doubt of zero size
        text = f"{figure(row.mean, unit)} ± {half}" if re.search(r"[1-9]", half) else figure(row.mean, unit)
        if not getattr(row, "steady", True):
            text = f"{NOT_STEADY} ({figure(row.mean, unit)} in this run)"
        elif mark := (marks or {}).get(row.metric, {}).get(row.design, ""):
            text = f"{mark} · {text}"
        table.setdefault(getattr(row, "design_label", row.design), {})[KPIS[row.metric].short] = text
    frame = pd.DataFrame.from_dict(table, orient="index")
    frame.index.name = "Design"
    return frame


def time_use_means(results: Results) -> pd.DataFrame:
    """Mean hours per engineer-week by design and category, with readable category names, in a fixed order."""
    frame = results.time_use.groupby(["design", "category"], sort=False)["hours_per_engineer_week"].mean()
    frame = frame.reset_index()
    frame["activity"] = frame["category"].map(TIME_USE).fillna(frame["category"])
    frame["order"] = frame["category"].map({c: i for i, c in enumerate(TIME_USE)})
    return name_designs(frame, results.scenario.designs)


def weekly_means(results: Results, measure: str) -> pd.DataFrame:
    """Per design and week: the mean over replications of `measure` and its 95 % interval."""
    groups = results.weekly.groupby(["design", "week"], sort=False)[measure]
    frame = groups.agg(mean="mean", ci95=t_half_width).reset_index()
    return add_interval(name_designs(frame, results.scenario.designs), WEEKLY_UNITS[measure])


def differences(results: Results, baseline: str) -> pd.DataFrame:
    """Paired differences of each other design against the baseline, with lo/hi and labels for charts; not
    `steady` when either design is not keeping up."""
    frame = results.versus(baseline, list(KPIS))
    frame = frame[frame["design"] != baseline].copy()
    frame["label"] = frame["metric"].map(lambda m: KPIS[m].label)
    mark_steady(frame, results.backlog_trends(), "design", "baseline")
    return add_interval(name_designs(frame, results.scenario.designs))


def _change(row, unit: str, more: str, less: str) -> str:
    word = more if row["mean"] >= 0 else less
    size = f"{abs(row['mean']) * 100:.1f} points" if unit == "share" else figure(abs(row["mean"]), unit)
    return f"{word} {size} (± {interval(row['ci95'], unit)})"


def difference_sentences(results: Results, baseline: str) -> list[str]:
    """'An account manager (am) instead of none: profit up $310k per year (± $40k), ...' for every design."""
    diffs = differences(results, baseline).set_index(["design", "metric"])
    designs = results.scenario.designs
    words = {d: plain(t) for d, t in design_labels(designs).items()}  # a label may come from a link
    sentences = []
    for design in results.designs:
        if design == baseline:
            continue
        d = {m: diffs.loc[(design, m)] for m in ("profit", "lead_time_days", "on_time_rate", "clients_lost")}
        profit = d["profit"]
        # a label of the scenario's own says nothing of the hires: they follow in brackets
        who = f" ({describe_design(designs[design])})" if designs[design].label.strip() else ""
        if math.isnan(profit["ci95"]) or abs(profit["mean"]) <= profit["ci95"]:
            verdict = ("not clearly different on these assumptions (the 95 % interval over simulation noise "
                       "includes zero)")
        else:  # "on these assumptions": How sure is this? tests them
            way = "higher" if profit["mean"] > 0 else "lower"
            verdict = f"clearly {way} on these assumptions (95 % over simulation noise)"
        if d["lead_time_days"]["steady"]:
            delays = (f"mean lead time {_change(d['lead_time_days'], 'days', 'longer by', 'shorter by')} days, "
                      f"on-time rate {_change(d['on_time_rate'], 'share', 'up', 'down')}, ")
        else:
            delays = (f"lead time and on-time rate {NOT_STEADY} (a backlog still growing makes them depend on the "
                      "run length), ")
        sentences.append(
            f"**{words[design]}**{who} instead of **{words[baseline]}**: profit "
            f"{_change(profit, 'money', 'up', 'down')} per year, "
            f"{delays}"
            f"clients lost {_change(d['clients_lost'], 'count', 'more by', 'fewer by')}. "
            f"Profit is {verdict}; higher in {int(profit['replications_above_baseline'])} of "
            f"{int(profit['n'])} paired runs."
        )
    return sentences


def _sweep_words(group: pd.DataFrame, design: str) -> str:
    """A design of a sweep in bold, in words when the frame has them (name_designs)."""
    return f"**{plain(group['design_label'].iloc[0])}**" if "design_label" in group else f"**{plain(design)}**"


def where_designs_break(sweep: pd.DataFrame, floor: float, metric: str = "on_time_rate",
                        at: Callable[[float], str] = "{:g}".format) -> list[str]:
    """For each design of a sweep (lever, design, metric, mean), the first lever value where the mean of the
    metric falls below the floor, in words; `at` writes a lever value ("30 clients")."""
    lines = []
    for design, group in sweep[sweep["metric"] == metric].sort_values("lever").groupby("design", sort=False):
        below = group[group["mean"] < floor]
        if below.empty:
            where = "stays above it over the whole range"
        elif below.index[0] == group.index[0]:
            where = f"is below it already at {at(below['lever'].iloc[0])}"
        else:
            where = f"falls below it at {at(below['lever'].iloc[0])}"
        lines.append(f"{_sweep_words(group, design)} {where}")
    return lines


def where_designs_stop_keeping_up(sweep: pd.DataFrame, metric: str = "lead_time_days",
                                  at: Callable[[float], str] = "{:g}".format) -> list[str]:
    """For each design of a sweep (lever, design, metric, steady) that is not keeping up somewhere, the first lever
    value where it is not, in words."""
    lines = []
    for design, group in sweep[sweep["metric"] == metric].sort_values("lever").groupby("design", sort=False):
        unsteady = group[~group["steady"]]
        if not unsteady.empty:
            start = at(unsteady["lever"].iloc[0])
            lines.append(f"{_sweep_words(group, design)} is not keeping up from {start} on: its backlog grows "
                         f"through the run, so its lead time and on-time rate there are {NOT_STEADY} (pale points)")
    return lines


def objective_label(objective: Objective) -> tuple[str, str]:
    """The objective's label and unit (a KPIS unit, or "score" for a weighted mix, counted in indifference
    zones: see sim/advisor.py)."""
    if objective.single:
        kpi = KPIS[OBJECTIVES[objective.single][0]]
        return kpi.label, kpi.unit
    weights = ", ".join(f"{name.replace('_', ' ')} {100 * w:.0f} %" for name, w in objective.weights)
    return f"Weighted score ({weights})", "score"


# The advisor's status codes in the app's words: one set for the table, the chart and the banner.
VERDICTS = {advisor.BEST: BEST, advisor.TIED: TIED, advisor.WORSE: WORSE}
def _objective_short(objective: Objective) -> str:
    return KPIS[OBJECTIVES[objective.single][0]].short if objective.single else "Weighted score"


def advice_options(advice: Advice) -> pd.DataFrame:
    """The advisor's options, best first, with lo/hi of the difference from today and the verdict in words: the
    numbers behind the ranking table and its chart, each over the replications its row says (sim.advisor)."""
    frame = advice.options[["rank", "name", "cost", "objective_mean", "objective_ci95", "vs_today_mean",
                            "vs_today_ci95", "vs_best_mean", "vs_best_ci95", "replications", "status",
                            "keeping_up"]].rename(
        columns={"name": "option"})
    add_interval(frame, mean="vs_today_mean", ci="vs_today_ci95")
    frame["verdict"] = frame["status"].map(VERDICTS)
    return frame


def advice_table(advice: Advice) -> pd.DataFrame:
    """One row per option, best first: yearly cost, the objective and the difference from today with their
    95 % intervals, and the verdict with the paired difference from the best it rests on. The caption says how many
    replications the best ran; an option dropped early says its own in its verdict, so no column for them: the table
    must fit a laptop screen."""
    label, unit = _objective_short(advice.objective), objective_label(advice.objective)[1]
    options = advice_options(advice)
    most = int(options["replications"].iloc[0])

    def verdict(o: Any) -> str:
        return o.verdict if o.replications == most else f"{o.verdict} (on its {o.replications} replications)"

    # An objective with delays in it: an option that is not keeping up has figures that depend on the run length.
    delays = any(OBJECTIVES[name][0] in DEPENDS_ON_RUN_LENGTH for name, _ in advice.objective.weights)

    def shown(o, text: str) -> str:
        return text if o.keeping_up or not delays else f"{NOT_STEADY} ({text.split(' ± ')[0]} in this run)"

    rows = [
        {
            "Rank": int(o.rank),
            "Option": o.option,
            "Yearly cost": money(o.cost),
            label: shown(o, f"{figure(o.objective_mean, unit)} ± {interval(o.objective_ci95, unit)}"),
            "Against today": "—" if o.option == TODAY_NAME
            else shown(o, f"{figure(o.vs_today_mean, unit, signed=True)} ± {interval(o.vs_today_ci95, unit)}"),
            "Against the best": o.verdict if o.rank == 1 else f"{verdict(o)}: " + shown(
                o, f"{figure(o.vs_best_mean, unit, signed=True)} ± {interval(o.vs_best_ci95, unit)}"),
        }
        for o in options.itertuples(index=False)
    ]
    return pd.DataFrame(rows).set_index("Rank")


def robust_table(result: Robustness, unit: str) -> pd.DataFrame:
    """One row per design: the share of plausible cases in which it is best and its expected regret (what it
    loses against the best of each case) with the 95 % interval over the cases."""
    rows = []
    for d in result.designs:
        mean, half = result.expected_regret[d]
        rows.append({"Design": d, "Best in (share of plausible cases)": f"{100 * result.probability_best[d]:.0f} %",
                     "Expected loss against the best": f"{figure(mean, unit)} ± {interval(half, unit)}"})
    return pd.DataFrame(rows).set_index("Design")


def tornado_frame(result: Robustness, top: int = 15) -> pd.DataFrame:
    """Two rows per uncertain input (its low and high end), in the tornado's order (beyond noise first, largest
    swing first): the best design's lead over the best other design moves from its value at the scenario's values
    (`start`, on the row's own replications) to its value at that end (`stop`); `flips` marks an input at one of
    whose ends another design wins beyond noise; `beyond_noise` and `swing_ci95` say whether the swing is more than
    simulation noise and the smallest difference that matters (the chart draws the others pale)."""
    rows = []
    for r in result.tornado.head(top).itertuples(index=False):
        label = f"{r.parameter}{' (flips)' if r.flips else ''}"
        for end, at, margin, best in (("low end", r.low, r.margin_at_low, r.best_at_low),
                                      ("high end", r.high, r.margin_at_high, r.best_at_high)):
            rows.append({"parameter": label, "end": end, "at": at, "start": r.margin_at_value, "stop": margin,
                         "best": best, "flips": bool(r.flips), "swing": r.swing, "swing_ci95": r.swing_ci95,
                         "beyond_noise": bool(r.beyond_noise)})
    return pd.DataFrame(rows, columns=["parameter", "end", "at", "start", "stop", "best", "flips", "swing",
                                       "swing_ci95", "beyond_noise"])
