"""Honest outcomes in the app, through AppTest: a design that is not keeping up is named and its delays read
"not steady" on every page that shows them; a link or a file of an earlier version opens with one note."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.scenario import dumps, load_scenario
from sim.stats import BacklogTrend
from tests.conftest import ROOT
from tests.test_app_pages import assert_clean
from tests.test_app_share import open_link as open_share_link
from tests.test_app_share import url
from ui import charts, tables
from ui.labels import KPIS, NOT_STEADY, money

# Over three times the default firm's work for its twelve engineers, and no client leaves: every design's backlog
# grows, and each still delivers something in every replication.
DROWNING = {"v": "1", "preset": "default", "clients": "80", "behaviour.churn": "0", "weeks": "8", "reps": "3"}
CALM = {"v": "1", "preset": "default", "clients": "5", "weeks": "6", "reps": "2"}


def open_link(params: dict[str, str]) -> AppTest:
    return open_share_link(params, timeout=120)  # the drowning firm's pages take longer


@pytest.mark.deep
def test_compare_names_each_design_not_keeping_up_and_shows_its_delays_as_not_steady():
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**DROWNING, "designs": "none,pm"})
    assert_clean(at)
    warnings = [w.value for w in at.warning if "is not keeping up" in w.value]
    assert [w.split(" is not")[0] for w in warnings] == ["**No coordinator**", "**Project manager**"]
    assert all("depend on the run length" in w for w in warnings)
    table = at.table[0].value
    for design in ("No coordinator", "Project manager"):
        assert table.loc[design, KPIS["lead_time_days"].short].startswith(f"{NOT_STEADY} (")
        assert table.loc[design, KPIS["on_time_rate"].short].startswith(f"{NOT_STEADY} (")
        assert "±" in table.loc[design, KPIS["profit"].short]  # money is still a figure
    sentences = [m.value for m in at.markdown if m.value.startswith("- **Project manager**")]
    assert sentences and f"lead time and on-time rate {NOT_STEADY}" in sentences[0]


@pytest.mark.deep
def test_compare_on_a_calm_firm_warns_of_nothing_and_shows_the_new_figures():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**CALM, "designs": "none,am"})
    assert_clean(at)
    assert not [w for w in at.warning if "not keeping up" in w.value]
    table = at.table[0].value
    assert {KPIS["on_time_promised_rate"].short, KPIS["backlog_growth_per_week"].short} <= set(table.columns)
    assert not table.apply(lambda column: column.str.contains(NOT_STEADY)).any().any()


@pytest.mark.deep
def test_growth_says_from_where_a_design_stops_keeping_up():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**DROWNING, "clients": "5", "page": "growth", "designs": "pm", "lever": "clients",
                    "from": "5", "to": "200", "steps": "2"})
    assert_clean(at)
    (warning,) = [w.value for w in at.warning if "Where a design is not keeping up" in w.value]
    assert "**Project manager** is not keeping up from 200 clients on" in warning


@pytest.mark.deep
def test_next_hire_names_the_options_that_do_not_keep_up_and_their_delays_are_not_steady():
    # half a salesperson, or checklists; a little less work, so that every one of the advisor's replications delivers
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**DROWNING, "clients": "60", "page": "next_hire", "budget": "60000"})
    assert_clean(at)
    (warning,) = [w.value for w in at.warning if "not keeping up" in w.value]
    assert "Option \"today's organisation\" is not keeping up" in warning
    profit = at.table[0].value["Profit/year"]
    assert profit.str.contains(" ± ").all()  # money is still a figure
    at = open_link({**DROWNING, "clients": "60", "page": "next_hire", "budget": "60000", "objective": "lead_time"})
    assert_clean(at)
    table = at.table[0].value
    assert table["Lead time (days)"].str.startswith(f"{NOT_STEADY} (").all()


@pytest.mark.deep
def test_an_old_link_opens_with_the_new_value_and_says_so_once():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**CALM, "designs": "pm", "behaviour.pm_hours_per_request": "0.75"})
    assert_clean(at)
    assert not [w for w in at.warning if "not keeping up" not in w.value]
    (note,) = [i.value for i in at.info if "earlier version" in i.value]
    assert "behaviour.pm_hours_per_request" in note and "behaviour.pm_hours_fixed = 0.75" in note
    # the scenario in force, as the app writes it back into the link: the new keys only
    written = url(at)
    assert (written["behaviour.pm_hours_fixed"], written["behaviour.pm_effort_share"]) == ("0.75", "0")
    assert "behaviour.pm_hours_per_request" not in written
    at.run()
    assert not [i for i in at.info if "earlier version" in i.value]  # said once


@pytest.mark.deep
def test_an_old_file_uploaded_opens_with_the_new_values_and_one_note():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**CALM, "designs": "am"})
    text = dumps(load_scenario(ROOT / "scenarios" / "default.toml").replace(weeks=7, replications=2))
    # as written before: one number of AM hours per request, and no share of the effort
    lines = [line for line in text.splitlines() if not line.startswith(("am_hours_fixed =", "am_effort_share ="))]
    assert len(lines) == len(text.splitlines()) - 2
    at_behaviour = lines.index("[behaviour]") + 1
    old = "\n".join([*lines[:at_behaviour], "am_hours_per_request = 1.25", *lines[at_behaviour:]]) + "\n"
    at.sidebar.file_uploader(key="share.upload").upload("old.toml", old.encode(), "application/toml").run()
    assert_clean(at)
    assert any("Loaded **old.toml**" in s.value for s in at.success)
    (note,) = [i.value for i in at.info if "earlier version" in i.value]
    assert "**old.toml**" in note and "behaviour.am_hours_per_request" in note
    written = url(at)
    assert (written["behaviour.am_hours_fixed"], written["behaviour.am_effort_share"]) == ("1.25", "0")
    assert written["weeks"] == "7"


# ---------------------------------------------------------------------------------------------------------------
# The tables and charts behind it, on tiny synthetic frames


def synthetic_kpis() -> pd.DataFrame:
    rows = [(design, metric, mean) for design, means in (("calm", (2.0, 0.9, 300_000.0)),
                                                         ("swamped", (9.0, 0.4, 100_000.0)))
            for metric, mean in zip(("lead_time_days", "on_time_rate", "profit"), means, strict=True)]
    frame = pd.DataFrame(rows, columns=["design", "metric", "mean"]).assign(ci95=0.1)
    trends = {"calm": BacklogTrend("calm", 0.0, 0.1, 10.0, 8), "swamped": BacklogTrend("swamped", 5.0, 1.0, 10.0, 8)}
    return tables.mark_steady(frame, trends)


def test_only_the_delays_of_a_design_not_keeping_up_read_not_steady():
    kpis = synthetic_kpis()
    assert list(kpis["steady"]) == [True, True, True, False, False, True]
    table = tables.kpi_table(kpis, {"lead_time_days": {"calm": tables.BEST_MARK, "swamped": ""}})
    assert table.loc["swamped", KPIS["lead_time_days"].short] == f"{NOT_STEADY} (9.0 in this run)"
    assert table.loc["swamped", KPIS["on_time_rate"].short] == f"{NOT_STEADY} (40 % in this run)"
    assert table.loc["swamped", KPIS["profit"].short] == "$100k"  # no "± $0"
    assert table.loc["calm", KPIS["lead_time_days"].short].startswith(tables.BEST_MARK)


def test_a_figure_not_steady_is_a_pale_bar_and_the_title_says_why():
    kpis = synthetic_kpis()
    lead = tables.add_interval(kpis[kpis.metric == "lead_time_days"].copy())
    spec = charts.interval_chart(lead, "Lead time", "Days").to_dict()
    bars = spec["layer"][0]
    assert bars["encoding"]["opacity"]["condition"]["test"] == "datum.steady"
    assert bars["encoding"]["opacity"]["value"] == charts.PALE_OPACITY
    assert bars["title"] == {"text": "Lead time", "subtitle": charts.PALE_NOTE}
    profit = tables.add_interval(kpis[kpis.metric == "profit"].copy())
    spec = charts.interval_chart(profit, "Profit", "$").to_dict()
    assert spec["layer"][0]["encoding"]["opacity"] == {"value": charts.BAR_OPACITY}
    assert spec["layer"][0]["title"] == "Profit"


def test_a_sweep_says_from_which_value_a_design_is_not_keeping_up_and_pales_those_points():
    sweep = pd.DataFrame({"lever": [10, 20, 30] * 2, "design": ["pm"] * 3 + ["none"] * 3,
                          "metric": "lead_time_days", "mean": [1.0, 1.2, 1.5, 2.0, 4.0, 9.0],
                          "lo": 0.0, "hi": 10.0, "steady": [True, True, True, True, False, False]})
    assert tables.where_designs_stop_keeping_up(sweep) == [
        f"**none** is not keeping up from 20 on: its backlog grows through the run, so its lead time and on-time "
        f"rate there are {NOT_STEADY} (pale points)"]
    chart = charts.sweep_chart(sweep, "Lead time", "Clients", "Days")
    points = chart.to_dict()["layer"][2]
    assert points["encoding"]["opacity"]["condition"]["test"] == "datum.steady"
    assert points["encoding"]["opacity"]["value"] == charts.PALE_OPACITY
    (rows,) = chart.to_dict()["datasets"].values()
    assert [(r["design"], r["lever"]) for r in rows if not r["steady"]] == [("none", 20), ("none", 30)]


@pytest.mark.deep
def test_the_overhead_factor_is_a_lever_of_the_sidebar_and_prices_the_staff():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**CALM, "designs": "none", "economics.overhead_factor": "1"})
    assert_clean(at)
    assert at.sidebar.number_input(key="input:economics.overhead_factor").value == 1.0
    default = load_scenario(ROOT / "scenarios" / "default.toml")
    salaries = default.firm.engineers * default.economics.salary.engineer
    assert at.table[0].value.loc["No coordinator", KPIS["cost"].short] == money(salaries)
    at.sidebar.number_input(key="input:economics.overhead_factor").set_value(1.5)
    (run,) = [b for b in at.sidebar.button if b.label == "Run"]
    run.click().run()
    assert at.table[0].value.loc["No coordinator", KPIS["cost"].short] == money(salaries * 1.5)
