"""Charts and tables of the app, read from their specs and frames: data, encodings and words, not pixels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.experiment import run_experiment
from tests.conftest import small
from ui import charts, tables
from ui.labels import KPIS, TIME_USE, design_labels


@pytest.fixture(scope="module")
def results(default_scenario):
    return run_experiment(small(default_scenario, weeks=10, replications=3))


def layers(chart) -> list[dict]:
    spec = chart.to_dict()
    return spec["layer"]


def dataset(chart) -> list[dict]:
    (rows,) = chart.to_dict()["datasets"].values()
    return rows


def test_kpi_interval_chart_draws_every_design_with_its_interval(results):
    kpis = tables.kpi_intervals(results)
    profit = kpis[kpis.metric == "profit"]
    chart = charts.interval_chart(profit, "Profit", "Profit ($ per year)")
    bars, errors = layers(chart)
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["field"] == "mean"
    assert errors["mark"]["type"] == "errorbar"
    assert errors["encoding"]["x"]["field"] == "lo" and errors["encoding"]["x2"]["field"] == "hi"
    rows = dataset(chart)
    assert [r["design"] for r in rows] == ["none", "pm", "am", "hybrid", "both"]
    for r in rows:  # profit may take any sign: its interval is not cut
        assert r["lo"] == pytest.approx(r["mean"] - r["ci95"]) and r["hi"] == pytest.approx(r["mean"] + r["ci95"])


def test_intervals_stop_where_the_quantity_stops():
    """Few replications give wide Student-t intervals; a rate's band stays within 0 to 100 %, a count's above 0."""
    frame = pd.DataFrame({"mean": [0.9, 2.0, -5.0], "ci95": [0.3, 3.0, 10.0]})
    tables.add_interval(frame, pd.Series(["share", "days", "money"]))
    np.testing.assert_allclose(frame[["lo", "hi"]], [[0.6, 1.0], [0.0, 5.0], [-15.0, 5.0]])
    differences = pd.DataFrame({"mean": [0.9], "ci95": [0.3]})
    tables.add_interval(differences)
    np.testing.assert_allclose(differences[["lo", "hi"]], [[0.6, 1.2]])


def test_difference_chart_has_a_zero_line_and_leaves_out_the_baseline(results):
    diffs = tables.differences(results, "none")
    chart = charts.interval_chart(diffs[diffs.metric == "profit"], "vs none", "Profit", zero_line=True)
    assert layers(chart)[2]["mark"]["type"] == "rule"
    assert layers(chart)[2]["encoding"]["x"]["field"] == "zero"
    assert {r["design"] for r in chart.to_dict()["datasets"][chart.to_dict()["layer"][0]["data"]["name"]]} == {
        "pm", "am", "hybrid", "both"}


def test_weekly_chart_is_a_line_with_a_band_per_design(results, default_scenario):
    frame = tables.weekly_means(results, "backlog")
    chart = charts.weekly_chart(frame, "Backlog", "Open requests")
    band, line = layers(chart)
    assert band["mark"]["type"] == "area" and band["encoding"]["y"]["field"] == "lo"
    assert band["encoding"]["y2"]["field"] == "hi"
    assert line["mark"]["type"] == "line" and line["encoding"]["y"]["field"] == "mean"
    assert band["encoding"]["color"]["field"] == line["encoding"]["color"]["field"] == "design_label"
    assert line["mark"]["strokeWidth"] >= 3 and line["mark"]["point"]
    rows = dataset(chart)
    assert len(rows) == 5 * 10  # five designs, ten measured weeks
    first = results.weekly[(results.weekly.design == "pm") & (results.weekly.week == 1)].backlog.mean()
    assert next(r["mean"] for r in rows if r["design"] == "pm" and r["week"] == 1) == pytest.approx(first)


def test_time_use_bars_stack_to_the_working_week(results, default_scenario):
    chart = charts.time_use_chart(tables.time_use_means(results))
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["stack"] == "zero" and spec["encoding"]["color"]["field"] == "activity"
    assert spec["encoding"]["color"]["sort"] == list(TIME_USE.values())
    # the key below the bars, one activity a line on a phone: beside them it left a phone's chart a third bars
    legend = spec["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["columns"] == {"expr": "containerSize()[0] < 560 ? 1 : 4"}
    rows = dataset(chart)
    for design in results.designs:
        hours = sum(r["hours_per_engineer_week"] for r in rows if r["design"] == design)
        assert hours == pytest.approx(default_scenario.firm.hours_per_week)


def test_sweep_chart_has_one_line_and_band_per_design():
    frame = pd.DataFrame({"lever": [10, 20, 10, 20], "design": ["pm", "pm", "am", "am"],
                          "mean": [1.0, 2.0, 1.5, 3.0], "lo": [0.5, 1.5, 1.0, 2.0], "hi": [1.5, 2.5, 2.0, 4.0]})
    chart = charts.sweep_chart(frame, "Lead time", "Clients", "Days", whole_lever=True)
    band, line, points = layers(chart)
    assert band["encoding"]["x"] == line["encoding"]["x"]
    assert line["encoding"]["x"]["field"] == "lever" and line["encoding"]["x"]["title"] == "Clients"
    assert line["encoding"]["x"]["axis"]["format"] == "d" and line["encoding"]["x"]["axis"]["tickMinStep"] == 1
    assert line["encoding"]["color"]["field"] == "design"
    assert {r["design"] for r in dataset(chart)} == {"pm", "am"}
    assert line["mark"]["type"] == "line" and points["mark"]["type"] == "point" and points["mark"]["filled"]
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == ("lo", "hi")
    requests = charts.sweep_chart(frame, "Lead time", "Requests per client per week", "Days").to_dict()
    assert "format" not in requests["layer"][1]["encoding"]["x"].get("axis", {})  # 0.6 requests is a real value


def test_every_chart_names_designs_in_words_and_gives_each_its_own_colour(results):
    frames = [tables.kpi_intervals(results).query("metric == 'profit'"), tables.weekly_means(results, "backlog"),
              tables.differences(results, "none").query("metric == 'profit'")]
    words = {"none": "No coordinator", "pm": "Project manager", "am": "Account manager", "hybrid": "Hybrid PM/AM",
             "both": "PM + AM"}
    for frame in frames:
        scale = charts.design_color(frame).to_dict()["scale"]
        shown = list(dict.fromkeys(frame["design"]))
        assert scale["domain"] == [words[d] for d in shown]
        assert scale["range"] == [charts.DESIGN_COLORS[d] for d in shown]  # the same colour whatever is left out
    assert len(set(charts.DESIGN_COLORS.values())) == len(charts.DESIGN_COLORS)


def luminance(color: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def vega_legends(chart) -> list[dict]:
    """The legends of a chart as Vega draws it (Vega-Lite merges or drops the layers' legends on compiling)."""
    import vl_convert

    return vl_convert.vegalite_to_vega(chart.to_dict()).get("legends", [])


def test_no_chart_tells_designs_apart_by_colour_alone(results):
    """Lines and bands over weeks or along a lever carry a legend; bars name their design on the axis."""
    weekly = tables.weekly_means(results, "backlog")
    sweep = weekly.rename(columns={"week": "lever"})
    for chart in (charts.weekly_chart(weekly, "Open requests", "Requests", counts=True),
                  charts.sweep_chart(sweep, "Open requests", "Clients", "Requests")):
        (legend,) = vega_legends(chart)
        assert legend["title"] == "Design"
    bars = charts.interval_chart(tables.kpi_intervals(results).query("metric == 'profit'"), "Profit", "Profit")
    assert bars.to_dict()["layer"][0]["encoding"]["y"]["field"] == "design_label"
    assert vega_legends(charts.time_use_chart(tables.time_use_means(results)))


def test_design_colours_are_legible_on_the_light_and_the_dark_theme():
    white, dark = luminance("#ffffff"), luminance("#0e1117")  # Streamlit's two backgrounds
    for color in (*charts.DESIGN_COLORS.values(), *charts.EXTRA_COLORS):
        assert contrast(luminance(color), white) >= 2.0 and contrast(luminance(color), dark) >= 3.0, color


def test_custom_designs_take_free_colours_in_the_scenario_order():
    palette = charts.design_palette(["pm", "lean", "big", "none"])
    assert palette == {"pm": charts.DESIGN_COLORS["pm"], "none": charts.DESIGN_COLORS["none"],
                       "lean": charts.EXTRA_COLORS[0], "big": charts.EXTRA_COLORS[1]}
    many = charts.design_palette([f"d{i}" for i in range(len(charts.EXTRA_COLORS) + 1)])
    assert many[f"d{len(charts.EXTRA_COLORS)}"] == charts.EXTRA_COLORS[0]  # cycles rather than failing


def test_counts_over_weeks_have_whole_ticks(results):
    chart = charts.weekly_chart(tables.weekly_means(results, "backlog"), "Backlog", "Open requests", counts=True)
    _, line = layers(chart)
    assert line["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1, "tickCount": 10, "title": "Open requests"}
    assert line["encoding"]["x"]["axis"]["format"] == "d"


def test_kpi_table_marks_each_column_by_the_rule_of_the_headline(results):
    kpis = tables.kpi_intervals(results)
    marks = tables.kpi_marks(results)
    table = tables.kpi_table(kpis, marks)
    labels = design_labels(results.scenario.designs)
    assert list(table.index) == [labels[d] for d in results.designs]
    assert list(table.columns) == [m.short for m in KPIS.values()]
    for metric, column in marks.items():
        for design, mark in column.items():
            cell = table.loc[labels[design], KPIS[metric].short]
            assert cell.startswith(f"{mark} · ") if mark else not cell.startswith(("★", "tied"))
    assert set(marks["profit"].values()) in ({"", "★"}, {"", "tied"}, {"tied"})
    assert "±" in table.iloc[0, 0]


def test_a_figure_that_does_not_vary_shows_no_zero_doubt(results):
    """A figure that does not vary across replications (salaries) shows no "± $0"."""
    kpis = tables.kpi_intervals(results)
    cost = kpis[kpis["metric"] == "cost"]
    assert (cost["ci95"] == 0).all()  # salaries: the same in every replication
    table = tables.kpi_table(kpis)
    assert not any("±" in cell for cell in table[KPIS["cost"].short])
    assert all("±" in cell for cell in table[KPIS["profit"].short])


def test_differences_in_plain_words_carry_the_paired_numbers(results):
    sentences = tables.difference_sentences(results, "none")
    assert len(sentences) == 4
    diffs = tables.differences(results, "none").set_index(["design", "metric"])
    am = diffs.loc[("am", "profit")]
    (sentence,) = [s for s in sentences if s.startswith("**Account manager** instead of **No coordinator**")]
    word = "up" if am["mean"] >= 0 else "down"
    assert f"profit {word} ${abs(am['mean']) / 1e3:.0f}k (± ${am['ci95'] / 1e3:.0f}k) per year" in sentence
    clearly = not math.isnan(am["ci95"]) and abs(am["mean"]) > am["ci95"]
    assert ("not clearly different" in sentence) != clearly


def test_where_designs_break_names_the_first_value_below_the_floor():
    sweep = pd.DataFrame({
        "lever": [10, 20, 30] * 3,
        "design": ["pm"] * 3 + ["am"] * 3 + ["none"] * 3,
        "metric": "on_time_rate",
        "mean": [0.95, 0.9, 0.7, 0.99, 0.98, 0.97, 0.6, 0.5, 0.4],
    })
    assert tables.where_designs_break(sweep, 0.75) == [
        "**pm** falls below it at 30", "**am** stays above it over the whole range",
        "**none** is below it already at 10",  # a frame without the words (tables.name_designs) shows codes
    ]
    assert tables.where_designs_break(sweep, 0.75, at="{:g} clients".format)[0] == "**pm** falls below it at 30 clients"


def coloured_without_a_key(spec: dict | list) -> list[str]:
    """Every colour encoding of a chart's spec (all its layers) that is the only sign of what it shows: a field
    in colour with its legend switched off, and the field on neither axis nor in a text mark's label."""
    found: list[str] = []
    if isinstance(spec, list):
        for part in spec:
            found += coloured_without_a_key(part)
        return found
    if not isinstance(spec, dict):
        return found
    colour = (spec.get("encoding") or {}).get("color") or {}
    if "field" in colour and colour.get("legend", {}) is None:
        encoding = spec["encoding"]
        named = {encoding.get(axis, {}).get("field") for axis in ("x", "y", "text")}
        if colour["field"] not in named:
            found.append(colour["field"])
    for value in spec.values():
        if isinstance(value, dict | list):
            found += coloured_without_a_key(value)
    return found


def test_no_chart_on_any_page_or_in_the_report_carries_meaning_in_colour_alone(results):
    """Every chart builder, on small frames of the columns it draws: each colour has its key, or its field is
    named on an axis. The checker itself finds a colour whose legend is switched off."""
    import altair as alt

    from ui import calibration as calibration_charts

    weekly = tables.weekly_means(results, "backlog")
    ranking = pd.DataFrame({"rank": [1, 2], "option": ["Hire an AM", "Hire a PM"], "vs_today_mean": [5.0, 2.0],
                            "lo": [4.0, 1.0], "hi": [6.0, 3.0], "replications": [10, 10], "verdict": ["Best", "Worse"]})
    tornado = pd.DataFrame({"parameter": ["Clarity", "Clarity"], "end": ["low end", "high end"], "start": [1.0, 1.0],
                            "stop": [0.5, 2.0], "at": [0.5, 0.9], "best": ["AM", "AM"], "swing": [1.5, 1.5],
                            "swing_ci95": [0.2, 0.2], "beyond_noise": [True, True]})
    waterfall = pd.DataFrame({"row": ["Clarity", "Total"], "start": [0.0, 0.0], "stop": [3.0, 3.0],
                              "grade": ["assumption", ""], "kind": ["adds to the gain", "total"],
                              "value": [3.0, 3.0], "ci95": [0.5, 0.5], "right": [3.0, 3.0]})
    firm, model = np.array([1.0, 2.0, 5.0]), np.array([1.5, 2.5, 4.0])
    points = pd.DataFrame({"resolved": pd.to_datetime(["2024-05-01", "2024-05-08"]), "lead_days": [1.0, 3.0]})
    status = pd.DataFrame({"status": ["To do", "Doing"], "days": [1.0, 2.0],
                           "kind": ["Waiting for the team", "Being worked on"], "tickets": [3, 3]})
    drawn = {
        "interval": charts.interval_chart(tables.kpi_intervals(results).query("metric == 'profit'"), "P", "P"),
        "weekly": charts.weekly_chart(weekly, "Open", "Requests", counts=True),
        "sweep": charts.sweep_chart(weekly.rename(columns={"week": "lever"}), "Open", "Clients", "Requests"),
        "time use": charts.time_use_chart(tables.time_use_means(results)),
        "ranking": charts.ranking_chart(ranking, "Profit", "Profit"),
        "tornado": charts.tornado_chart(tornado, "Lead", "Profit"),
        "waterfall": charts.waterfall_chart(waterfall, "Gain", "Profit"),
        "lead time": calibration_charts.lead_time_chart(calibration_charts.lead_time_frame(firm, model)),
        "weekly flow": calibration_charts.throughput_chart(calibration_charts.weekly_frame(firm, model)),
        "cycle": calibration_charts.cycle_chart(calibration_charts.cycle_frame(points),
                                                calibration_charts.percentile_frame(firm, model)),
        "status": calibration_charts.status_chart(status),
    }
    assert {name: coloured_without_a_key(chart.to_dict()) for name, chart in drawn.items()} == {
        name: [] for name in drawn}
    hidden = alt.Chart(ranking).mark_point().encode(x="lo:Q", color=alt.Color("verdict:N", legend=None))
    assert coloured_without_a_key(hidden.to_dict()) == ["verdict"]
