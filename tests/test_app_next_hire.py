"""The Next hire page through AppTest, and its ranking chart and table from their spec and frame. Horizons are tiny
(6 weeks measured) so the advisor's replications stay cheap; its procedure is the standard one, as in the CLI."""

from __future__ import annotations

import json

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from sim.advisor import TODAY_NAME, Procedure, advise, affordable_moves
from tests.conftest import ROOT, small
from tests.test_app_pages import FAST, assert_clean, other_warnings
from ui import charts, tables
from ui.labels import BEST, KPIS, TIED, WORSE
from ui.overrides import apply_overrides

PAGE = "pages/next_hire.py"
RANK = "Rank the options"


def open_page(settings: dict[str, str] | None = None, overrides: dict | None = None, preset: str | None = None
              ) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if preset:
        at.session_state["scenario.preset"] = preset
    at.session_state["scenario.overrides"] = {**FAST, **(overrides or {})}
    at.session_state["page.settings"] = dict(settings or {})
    at.run().switch_page(PAGE).run()
    return at


def rank(at: AppTest, **inputs) -> AppTest:
    for name, value in inputs.items():
        at.number_input(key=f"page:next_hire:{name}").set_value(value)
    (button,) = [b for b in at.button if b.label == RANK]
    return button.click().run()


def recommendations(at: AppTest) -> list[str]:
    return [box.value for box in (*at.success, *at.info)]


def money_value(text: str) -> float:
    """$648k, -$24k, $1.24M back to dollars."""
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1)
    return float(text.rstrip("kM").replace("$", "")) * scale


def options(at: AppTest, table: int = 0) -> list[str]:
    return list(at.table[table].value["Option"])


@pytest.mark.deep
def test_the_page_recommends_one_option_and_ranks_them_all(default_scenario):
    """Deep tier: about 14 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page()
    assert_clean(at)
    (sentence,) = recommendations(at)
    table = at.table[0].value
    assert list(table.index) == list(range(1, len(table) + 1))
    scenario = apply_overrides(default_scenario, FAST)
    assert len(table) == len(affordable_moves(scenario, 150_000)) + 1  # every affordable move, and today
    assert TODAY_NAME in set(table["Option"])
    best = table["Option"].iloc[0]
    assert best[0].upper() + best[1:] in sentence or f'"{best}"' in sentence
    assert list(table.columns) == ["Option", "Yearly cost", "Profit/year", "Against today", "Against the best"]
    assert_agrees(at)
    (chart,) = at.get("vega_lite_chart")
    assert "difference from today" in chart.proto.spec
    assert any("Kim and Nelson" in c.value and "up to 50" in c.value and "the best on " in c.value
               for c in at.caption)
    assert at.session_state["page.settings"] == {}  # nothing saved until the user ranks


def assert_agrees(at: AppTest, table: int = 0) -> None:
    """Ranks, means, verdicts, chart colours and the banner of one ranking say the same: the row marked best has the
    best mean shown, the others are tied or worse by the paired difference shown, the chart paints each row's
    verdict, and the banner is green exactly when no option is tied."""
    frame = at.table[table].value
    profit = [money_value(text.split(" ± ")[0]) for text in frame["Profit/year"]]
    assert profit == sorted(profit, reverse=True)
    # "Worse (on its 10 replications): -$70k ± $20k" for an option KN dropped early, shown on its own replications
    verdicts = [text.split(":")[0].split(" (on its ")[0] for text in frame["Against the best"]]
    assert verdicts[0] == BEST and set(verdicts[1:]) <= {TIED, WORSE}
    for text, verdict in zip(frame["Against the best"].iloc[1:], verdicts[1:], strict=True):
        mean, half = (money_value(part) for part in text.split(": ")[1].split(" ± "))
        assert " (on its " not in text or verdict == WORSE  # shown on fewer replications: worse beyond noise
        assert mean <= 0  # figures are rounded to $1k: the verdict came from the exact ones
        assert abs(mean) <= half + 1_000 if verdict == TIED else abs(mean) >= half - 1_000
    chart = at.get("vega_lite_chart")[table].proto
    points = next(layer for layer in json.loads(chart.spec)["layer"] if layer["mark"]["type"] == "point")
    (data,) = [d.data.data for d in chart.datasets if d.name == points["data"]["name"]]
    painted = convert_arrow_bytes_to_pandas_df(data)  # the rows the chart draws, as the browser gets them
    assert list(painted["option"]) == list(frame["Option"].iloc[:len(painted)])
    assert list(painted["verdict"]) == verdicts[:len(painted)]
    banner = recommendations(at)[table]
    green = banner in [box.value for box in at.success]
    assert green == (TIED not in verdicts)
    if not green:
        assert "Not sure which is best" in banner
    assert "sure" not in banner.split("(")[0]  # the sentence itself claims nothing the colour does not


@pytest.mark.deep
@pytest.mark.parametrize("preset", ["default", "small_firm"])
def test_the_row_marked_best_has_the_best_mean_shown(preset):
    """Deep tier: about 13 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page(preset=preset)
    assert_clean(at)
    assert at.sidebar.selectbox(key="input:preset").value == preset
    assert_agrees(at)


@pytest.mark.deep
def test_another_budget_brings_other_options():
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page()
    before = options(at)
    rank(at, budget=100_000.0)
    assert_clean(at)
    after = options(at)
    assert at.session_state["page.settings"]["budget"] == "100000"
    assert set(after) < set(before)  # fewer hires fit, and each of them fitted the larger budget too
    assert all(float(cost.strip("$k")) <= 100 for cost in at.table[0].value["Yearly cost"])


@pytest.mark.deep
def test_a_budget_that_affords_nothing_says_so_instead_of_an_empty_table():
    """Deep tier: about 8 s, as it drives whole pages in AppTest, with their simulations."""
    at = rank(open_page(), budget=1_000.0)  # standardised work costs no salary: the one move left
    assert options(at) == ["standardised work", TODAY_NAME] or options(at) == [TODAY_NAME, "standardised work"]
    at = rank(open_page(overrides={"process.standardised_work": True}), budget=1_000.0)
    assert not at.exception and not at.error
    (message,) = at.info
    assert "A yearly budget of $1,000 affords no move" in message.value
    assert "the cheapest hire is a salesperson at 0.5 time at $55,000 a year" in message.value
    assert not at.table and not at.get("vega_lite_chart")


@pytest.mark.deep
def test_growth_adds_a_second_ranking_for_the_grown_demand():
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    at = rank(open_page({"budget": "100000"}), growth_pct=50.0)
    assert_clean(at)
    assert at.session_state["page.settings"]["growth_pct"] == "50"
    assert [s.value for s in at.main.subheader] == ["This year's demand", "Demand 50 % higher",
                                                  "Why this year's advice", "How sure is this?"]
    boxes = recommendations(at)  # green where sure, blue where not: in either order
    assert sorted(box.split(":")[0] for box in boxes) == ["**This year's demand**", "**With demand 50 % higher**"]
    assert len(at.table) == 2 and len(at.get("vega_lite_chart")) == 2
    assert set(options(at, 0)) == set(options(at, 1))  # the same moves, ranked for each demand
    assert list(at.table[0].value["Against today"]) != list(at.table[1].value["Against today"])


@pytest.mark.deep
def test_a_weighted_mix_is_stored_as_the_cli_writes_it():
    """Deep tier: about 10 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page({"budget": "100000"})
    at.selectbox(key="page:next_hire:objective").set_value("mix").run()
    weights = [n.label for n in at.number_input if n.key.startswith("page:next_hire:weight:")]
    assert weights == ["Weight of profit (%)", "Weight of mean lead time (%)", "Weight of on-time rate (%)"]
    at.number_input(key="page:next_hire:weight:profit").set_value(70.0)
    at.number_input(key="page:next_hire:weight:lead_time").set_value(0.0)
    rank(at, **{"weight:on_time": 30.0})
    assert_clean(at)
    assert at.session_state["page.settings"]["objective"] == "profit:70,on_time:30"
    assert "Weighted score" in at.table[0].value.columns  # short, so the table fits; the chart has it all
    assert "Weighted score (profit 70 %, on time 30 %)" in at.get("vega_lite_chart")[0].proto.spec
    assert "on the weighted score (profit 70 %, on time 30 %)" in " ".join(recommendations(at))


@pytest.mark.deep
def test_settings_a_link_garbled_fall_back_to_the_defaults_with_a_word_on_each():
    """Deep tier: about 9 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page({"budget": "lots", "objective": "happiness", "growth_pct": "-20"})
    assert not at.exception and not at.error
    objective, budget, growth = other_warnings(at)
    assert "'happiness'" in objective and "objective happiness: unknown" in objective
    assert budget == ("The link asked for a yearly budget for new salaries of 'lots', which is not a number; the "
                      "page ranks for $150,000.")
    assert growth == ("The link asked for demand growth of -20 % a year; the page takes at least 0 % a year, so it "
                      "ranks for 0 % a year.")
    assert at.number_input(key="page:next_hire:budget").value == 150_000
    assert at.number_input(key="page:next_hire:growth_pct").value == 0
    assert at.selectbox(key="page:next_hire:objective").value == "profit"
    assert len(recommendations(at)) == 1 and len(at.table) == 1


@pytest.fixture(scope="module")
def confident(default_scenario):
    """On-time rate on the default firm at $100k: the advisor is sure of its best (checked below)."""
    return advise(apply_overrides(default_scenario, FAST), 100_000, "on_time")


@pytest.fixture(scope="module")
def tied(default_scenario):
    """Lead time with a quick procedure on a short horizon and a seed where two options are left at the cap (the
    test is about how a tie is shown, so it picks a case that has one; `assert not tied.confident` guards it)."""
    scenario = small(default_scenario, weeks=8, replications=2).replace(seed=2)
    return advise(scenario, 100_000, "lead_time", procedure=Procedure(first_stage=5, cap=15))


def chart_rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


@pytest.mark.deep
def test_ranking_chart_draws_each_option_against_today_best_first(confident):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    frame = tables.advice_options(confident)
    chart = charts.ranking_chart(frame, "On time against today", "On-time rate", value_format=".0%")
    spec = chart.to_dict()
    errors, points, today = spec["layer"]
    assert errors["mark"]["type"] == "errorbar"
    assert errors["encoding"]["x"]["field"] == "lo" and errors["encoding"]["x2"]["field"] == "hi"
    assert points["mark"]["type"] == "point" and points["encoding"]["x"]["field"] == "vs_today_mean"
    assert points["encoding"]["x"]["axis"]["format"] == ".0%"
    assert today["mark"]["type"] == "rule" and today["encoding"]["x"]["field"] == "zero"
    assert chart_rows(spec, today) == [{"zero": 0}]
    y = points["encoding"]["y"]
    assert y["field"] == "option" and y["sort"] == list(confident.options["name"])  # best at the top
    color = points["encoding"]["color"]
    # the key names only the verdicts drawn: this ranking is confident, so nothing is tied
    assert color["field"] == "verdict" and color["scale"]["domain"] == [BEST, WORSE]
    rows = chart_rows(spec, points)
    assert [r["option"] for r in rows] == list(confident.options["name"])
    for r in rows:
        assert r["lo"] == pytest.approx(r["vs_today_mean"] - r["vs_today_ci95"])
        assert r["hi"] == pytest.approx(r["vs_today_mean"] + r["vs_today_ci95"])
    today_row = next(r for r in rows if r["option"] == TODAY_NAME)
    assert today_row["vs_today_mean"] == 0 and today_row["lo"] == today_row["hi"] == 0
    assert confident.confident
    assert [r["verdict"] for r in rows] == [BEST] + [WORSE] * (len(rows) - 1)


@pytest.mark.deep
def test_options_within_noise_of_the_best_are_marked_tied_and_the_advice_is_not_sure(tied):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    assert not tied.confident
    frame = tables.advice_options(tied)
    assert list(frame["verdict"].iloc[:1]) == [BEST]
    tied_rows = frame[frame["verdict"] == TIED]
    assert len(tied_rows) >= 1
    assert (tied_rows["vs_best_mean"].abs() <= tied_rows["vs_best_ci95"]).all()
    worse = frame[frame["verdict"] == WORSE]
    assert (worse["vs_best_mean"].abs() > worse["vs_best_ci95"]).all()
    assert len(tied_rows) + len(worse) == len(frame) - 1
    assert "cannot tell which is best" in tied.recommendation and " first:" not in tied.recommendation


def test_ranking_table_speaks_in_days_for_lead_time(tied):
    table = tables.advice_table(tied)
    assert list(table.index) == list(range(1, len(tied.options) + 1))
    assert "Lead time (days)" in table.columns
    row = tied.options.iloc[0]
    first = table.iloc[0]
    assert first["Option"] == row["name"]
    assert first["Against today"].startswith(f"{row.vs_today_mean:+,.1f} ± ")
    assert table.set_index("Option").loc[TODAY_NAME, "Against today"] == "—"
    assert first["Against the best"] == BEST
    others = table["Against the best"].iloc[1:]
    assert others.str.fullmatch(rf"({TIED}|{WORSE}): [+-]?\d+\.\d ± \d+\.\d").all(), others
    lead_time = [float(text.split(" ± ")[0]) for text in table["Lead time (days)"]]
    assert lead_time == sorted(lead_time)  # shorter is better: the best first


@pytest.mark.deep
def test_an_option_dropped_early_says_on_how_many_replications_it_is_worse(default_scenario):
    """Deep tier: about 3 s, as it ranks the options. Only the rows shown on fewer replications than the best say
    how many, and each of them is worse. (Profit at $100k on the short horizon: KN drops options at 10 and 42.)"""
    advice = advise(apply_overrides(default_scenario, FAST), 100_000, "profit")
    table = tables.advice_table(advice)
    shown = advice.options["replications"].iloc[1:]
    fewer = shown < advice.options["replications"].iloc[0]
    said = table["Against the best"].iloc[1:].str.extract(r" \(on its (\d+) replications\): ", expand=False)
    assert fewer.any() and list(said.notna()) == list(fewer)
    assert list(said.dropna().astype(int)) == list(shown[fewer])
    assert table["Against the best"].iloc[1:][list(fewer)].str.startswith(f"{WORSE} (").all()


@pytest.mark.deep
def test_a_link_with_advisor_settings_opens_the_page_on_them():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.links import params_to_scenario
    from sim.presets import read_presets
    from ui.overrides import overrides_between

    presets, _ = read_presets(ROOT / "scenarios")
    decoded = params_to_scenario({"preset": "default", "weeks": "6", "reps": "2", "budget": "100000",
                                  "objective": "on_time", "growth_pct": "0"}, presets)
    assert not decoded.warnings, decoded.warnings
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = overrides_between(presets["default"], decoded.scenario)
    at.session_state["page.settings"] = decoded.page
    at.run().switch_page(PAGE).run()
    assert_clean(at)
    assert at.number_input(key="page:next_hire:budget").value == 100_000
    assert at.selectbox(key="page:next_hire:objective").value == "on_time"
    table = at.table[0].value
    assert KPIS["on_time_rate"].short in table.columns and len(table) == 6  # five moves within $100k, and today
    assert "points of on-time rate" in recommendations(at)[0]


# --- a link's settings beyond the page's range: named, and a big ranking asks before it starts ----------------------

BUDGET_CLAMPED = ("The link asked for a yearly budget for new salaries of $1e+308; the page takes at most "
                  "$2,000,000, so it ranks for $2,000,000.")


@pytest.mark.deep
def test_a_links_huge_budget_is_named_and_its_ranking_of_every_option_asks_first():
    # a year of the default firm: 150 options x up to 50 replications x 56 weeks, about 7.9 million requests
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page({"budget": "1e308", "objective": "on_time"}, {"weeks": 52})
    assert_clean(at)
    warnings = other_warnings(at)
    assert warnings[0] == BUDGET_CLAMPED
    assert warnings[1] == (
        "This simulates up to 7.9 million requests (150 options x up to 50 replications x 56 weeks; it stops "
        "sooner, after at least 10 each, once the best is clear; a smaller budget, fewer weeks or clients make it "
        "faster), which can take several minutes and holds one of the server's run slots meanwhile.")
    assert len(warnings) == 2
    assert not at.table and not recommendations(at) and not at.get("vega_lite_chart")  # nothing ranked unasked
    assert [b.label for b in at.main.button if b.label == "Run it anyway"] == ["Run it anyway"]
    assert at.number_input(key="page:next_hire:budget").value == 2_000_000  # the value used, shown
    assert at.selectbox(key="page:next_hire:objective").value == "on_time"  # the link's other inputs kept
    assert at.session_state["page.settings"] == {"budget": "1e308", "objective": "on_time"}


@pytest.mark.deep
@pytest.mark.parametrize(("settings", "notice"), [
    ({"budget": "-5"}, "The link asked for a yearly budget for new salaries of $-5; the page takes at least $0, so it "
                       "ranks for $0."),
    ({"budget": "0", "growth_pct": "1e6"}, "The link asked for demand growth of 1,000,000 % a year; the page takes "
                                           "at most 500 % a year, so it ranks for 500 % a year."),
    ({"budget": "0", "growth_pct": "lots"}, "The link asked for demand growth of 'lots', which is not a number; the "
                                            "page ranks for 0 % a year."),
])
def test_every_setting_a_link_sets_out_of_range_is_named_with_the_value_used(settings, notice):
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page(settings)
    assert_clean(at)
    assert other_warnings(at) == [notice]
    assert len(at.table) == (2 if settings.get("growth_pct") == "1e6" else 1)  # small: it ranks at once


@pytest.mark.deep
def test_a_ranking_within_the_range_says_nothing_more():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page({"budget": "0"})
    assert_clean(at)
    assert other_warnings(at) == [] and len(at.table) == 1
