"""The app, page by page, through Streamlit's AppTest: it renders, reacts to the sidebar, downloads every design,
and names bad inputs instead of failing. Horizons are tiny (6 weeks, 2 replications) to keep this fast."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.labels import KPIS, design_labels

# Exactly 2 replications (max_replications too): these tests check what the pages show, not when a comparison
# stops adding replications, which test_compare_adds_replications_until_its_answer_is_clear checks.
FAST = {"weeks": 6, "replications": 2, "max_replications": 2}
PAGES = ["pages/compare.py", "pages/growth.py", "pages/next_hire.py", "pages/model.py"]
DESIGNS = ["none", "pm", "am", "hybrid", "both"]
WORDS = {"none": "No coordinator", "pm": "Project manager", "am": "Account manager", "hybrid": "Hybrid PM/AM",
         "both": "PM + AM"}


class RecordingMediaStorage(MemoryMediaFileStorage):
    """AppTest drops its media store after each run; this one stays readable so a test can open a download."""

    latest: RecordingMediaStorage | None = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        RecordingMediaStorage.latest = self


@pytest.fixture
def downloads(monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingMediaStorage)

    def read(at: AppTest, label_start: str) -> pd.DataFrame:
        (button,) = [b for b in at.get("download_button") if b.label.startswith(label_start)]
        content = RecordingMediaStorage.latest.get_file(button.proto.url.rsplit("/", 1)[1]).content
        return pd.read_csv(io.BytesIO(content))

    return read


def open_app(page: str | None = None, overrides: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.overrides"] = dict(FAST if overrides is None else overrides)
    at.run()
    if page and page != PAGES[0]:
        at.switch_page(page).run()
    return at


def press_run(at: AppTest) -> AppTest:
    (run,) = [b for b in at.sidebar.button if b.label == "Run"]
    return run.click().run()


def other_warnings(at: AppTest) -> list[str]:
    """The warnings besides those naming a design that is not keeping up with its work, which depend on the model's
    load, not on what the test checks (those are tested in tests/test_app_outcomes.py)."""
    return [w.value for w in at.warning if "not keeping up" not in w.value]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.deep
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_default_scenario(page):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(page)
    assert_clean(at)
    assert at.sidebar.selectbox(key="input:preset").value == "default"
    assert any("12 engineers" in c.value for c in at.sidebar.caption)  # the preset's description
    assert len(at.sidebar.slider) >= 4


@pytest.mark.deep
def test_compare_page_shows_every_design_side_by_side():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    table = at.table[0].value
    assert list(table.index) == list(WORDS.values())
    assert "**PM + AM**: a project manager and an account manager" in " ".join(c.value for c in at.caption)
    assert "Profit/year" in table.columns
    marks = [str(cell).split(" · ")[0] for cell in table["Profit/year"] if " · " in str(cell)]
    assert marks == ["★"] or (len(marks) >= 2 and set(marks) == {"tied"})
    # Four KPIs, differences, weekly, time use; the other KPIs' charts only when asked for
    assert len(at.get("vega_lite_chart")) == 4 + 2 + 2 + 1  # profit, lead time, on time, throughput
    at.toggle(key="compare:other-charts").set_value(True).run()
    assert len(at.get("vega_lite_chart")) == len(KPIS) + 2 + 2 + 1
    sentences = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(sentences) == 4 and all("instead of **No coordinator**" in s and "per year" in s for s in sentences)


def test_every_sidebar_control_explains_itself():
    at = open_app()
    widgets = [*at.sidebar.slider, *at.sidebar.number_input, *at.sidebar.toggle, *at.sidebar.selectbox]
    assert len(widgets) > 30
    assert all(w.help for w in widgets), [w.label for w in widgets if not w.help]


@pytest.mark.deep
def test_moving_a_slider_changes_the_results_only_after_run():
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    before = at.table[0].value
    at.sidebar.slider(key="input:demand.clients").set_value(60).run()
    pd.testing.assert_frame_equal(at.table[0].value, before)
    assert "demand.clients" not in at.session_state["scenario.overrides"]
    # the results say they are for the previous inputs until Run
    assert [w for w in at.warning if w.value.startswith("Inputs changed")]
    press_run(at)
    assert_clean(at)
    assert at.session_state["scenario.overrides"]["demand.clients"] == 60
    assert not [w for w in at.warning if w.value.startswith("Inputs changed")]
    after = at.table[0].value
    assert not after["Requests/week"].equals(before["Requests/week"])
    at.sidebar.slider(key="input:demand.clients").set_value(25).run()
    at.sidebar.slider(key="input:demand.clients").set_value(60).run()  # moved back: no change
    assert not [w for w in at.warning if w.value.startswith("Inputs changed")]


@pytest.mark.deep
def test_the_team_in_total_is_the_sum_of_the_skills_on_screen():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.slider(key="input:firm.skills.development").set_value(11)
    at.sidebar.slider(key="input:firm.skills.operations").set_value(4).run()
    assert "Engineers in total (the sum over skills): 15" in [c.value for c in at.sidebar.caption]
    assert [w for w in at.warning if w.value.startswith("Inputs changed")]
    assert "firm.engineers" not in at.session_state["scenario.overrides"]  # nothing ran yet
    press_run(at)
    assert at.session_state["scenario.overrides"]["firm.engineers"] == 15


@pytest.mark.deep
def test_enter_in_an_input_box_starts_no_run():
    """Enter in a box commits its value, as any change does; only the Run button changes the results.
    Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.number_input(key="input:demand.requests_per_client_per_week").set_value(1.5).run()
    assert "demand.requests_per_client_per_week" not in at.session_state["scenario.overrides"]
    assert [w for w in at.warning if w.value.startswith("Inputs changed")]


@pytest.mark.deep
def test_the_csv_download_holds_every_design(downloads):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    frame = downloads(at, "All results")
    assert sorted(frame["design"].unique()) == sorted(DESIGNS)
    assert (frame.groupby("design").size() == FAST["replications"]).all()
    assert {"profit", "lead_time_days", "on_time_rate", "clients_lost"} <= set(frame.columns)
    key_figures = downloads(at, "Key figures")
    assert sorted(key_figures["design"].unique()) == sorted(DESIGNS)
    profit = key_figures[(key_figures.design == "am") & (key_figures.metric == "profit")]["mean"].item()
    assert profit == pytest.approx(frame[frame.design == "am"]["profit"].mean())


@pytest.mark.deep
def test_growth_page_sweeps_and_reacts_to_the_sidebar(downloads):
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py")
    assert_clean(at)
    assert len(at.get("vega_lite_chart")) == 3
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [25, 50]  # the first view: the two ends
    at = [b for b in at.button if b.label == "Run sweep"][0].click().run()
    sweep = downloads(at, "Sweep results")
    assert sorted(sweep["design"].unique()) == sorted(DESIGNS)
    assert sorted(sweep["lever"].unique()) == [25, 31, 38, 44, 50]  # clients, today's 25 to twice as many
    at.sidebar.slider(key="input:firm.skills.development").set_value(4)
    press_run(at)
    assert_clean(at)
    fewer_engineers = downloads(at, "Sweep results")
    lead = sweep[sweep.metric == "lead_time_days"]["mean"].to_numpy()
    assert (fewer_engineers[fewer_engineers.metric == "lead_time_days"]["mean"].to_numpy() != lead).any()


@pytest.mark.deep
def test_growth_sweep_of_engineers_keeps_the_skill_mix(downloads, monkeypatch):
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    import ui.runner

    swept: list = []
    real = ui.runner.run

    def recording(scenario, *args, **kwargs):
        swept.append(scenario.firm)
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(ui.runner, "run", recording)  # the page takes `run` from ui.runner when it runs
    at = open_app("pages/growth.py")
    at.selectbox(key="page:growth:lever").set_value("engineers").run()
    at.number_input(key="page:growth:from").set_value(10.0)
    at.number_input(key="page:growth:to").set_value(16.0)
    at.number_input(key="page:growth:steps").set_value(3)
    [b for b in at.button if b.label == "Run sweep"][0].click().run()
    assert_clean(at)
    sweep = downloads(at, "Sweep results")
    assert sorted(sweep["lever"].unique()) == [10, 13, 16]
    # today's 9 development / 3 operations, split by largest remainder at each point of the sweep
    assert {f.engineers: f.skills for f in swept if f.engineers in (10, 13, 16)} == {
        10: {"development": 8, "operations": 2}, 13: {"development": 10, "operations": 3},
        16: {"development": 12, "operations": 4}}


@pytest.mark.deep
def test_model_page_lists_the_current_parameters_with_their_meaning():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/model.py")
    at.sidebar.slider(key="input:demand.clients").set_value(35)
    press_run(at)
    table = at.dataframe[0].value.set_index("Key in the scenario file")
    assert table.loc["demand.clients", "Value"] == "35" and table.loc["demand.clients", "Preset value"] == "25"
    assert bool(table.loc["demand.clients", "Changed"]) and not bool(table.loc["demand.work_types.support.share",
                                                                                "Changed"])
    assert table.loc["firm.engineers", "Meaning"] == "Engineers on the payroll today."
    assert any(m.value.startswith("# How the Orgsim model works") for m in at.markdown)


@pytest.mark.deep
def test_values_persist_across_pages():
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.slider(key="input:demand.clients").set_value(40)
    press_run(at)
    at.multiselect(key="page:compare:designs").set_value(["none", "am"]).run()
    for page in ("pages/model.py", "pages/growth.py", "pages/compare.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert at.sidebar.slider(key="input:demand.clients").value == 40
    assert at.multiselect(key="page:compare:designs").value == ["none", "am"]
    assert list(at.table[0].value.index) == [WORDS["none"], WORDS["am"]]


@pytest.mark.deep
@pytest.mark.parametrize("page", PAGES)
def test_zero_engineers_is_a_readable_error_on_every_page(page):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.slider(key="input:firm.skills.development").set_value(0)
    at.sidebar.slider(key="input:firm.skills.operations").set_value(0)
    press_run(at)
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception
    (error,) = at.sidebar.error  # under the inputs the user sets, not the total the form computes
    assert "**Engineers in development** and **Engineers in operations**" in error.value
    assert "must be a whole number from 1 to 500 (now 0)" in error.value
    assert [w for w in at.warning if "last valid inputs" in w.value]  # the page keeps the last valid results


@pytest.mark.deep
def test_a_missing_skill_names_the_work_type_that_needs_it():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.slider(key="input:firm.skills.operations").set_value(0)
    press_run(at)
    (error,) = at.sidebar.error
    assert error.value == ("**Engineers in operations**: support requests need this skill, so at least one engineer "
                           "must have it.")


@pytest.mark.deep
def test_shares_over_one_are_named_not_a_traceback():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.slider(key="input:demand.work_types.support.share").set_value(0.9)
    press_run(at)
    assert not at.exception
    (error,) = at.sidebar.error  # names the inputs the user sets, not the share the form computes
    assert "**Share of support requests** and **Share of change requests** together add up to 125 %" in error.value
    assert "(the rest)" not in error.value


@pytest.mark.deep
def test_a_new_preset_value_and_back_to_the_preset():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides={**FAST, "demand.clients": 30})
    assert at.sidebar.slider(key="input:demand.clients").value == 30
    [b for b in at.sidebar.button if b.label.startswith("Back to the preset")][0].click().run()
    assert at.session_state["scenario.overrides"] == {}
    assert at.sidebar.slider(key="input:demand.clients").value == 25


@pytest.mark.deep
def test_big_runs_go_to_the_process_pool_with_the_same_numbers(monkeypatch, downloads, default_scenario):
    """Through the forkserver pool, whose workers import app.py as __mp_main__ and must not start the app.
    Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    import ui.runner
    from sim.experiment import run_experiment
    from sim.parallel import local_pool
    from ui.overrides import apply_overrides

    monkeypatch.setattr(ui.runner, "quick_here", lambda _scenario, _weeks: False)  # every run to the pool
    overrides = {**FAST, "seed": 7}  # a scenario no other test ran, so nothing comes from the cache
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = overrides
    at.session_state["page.settings"] = {"designs": "none,am"}
    at.run()
    assert_clean(at)
    assert local_pool()._processes, "the run did not use the pool"
    pooled = downloads(at, "All results").set_index(["design", "replication"]).sort_index()
    serial = run_experiment(apply_overrides(default_scenario, overrides), ["none", "am"]).summary
    serial = serial.set_index(["design", "replication"]).sort_index()
    pd.testing.assert_frame_equal(pooled, serial, check_dtype=False, check_exact=False, rtol=1e-9)


@pytest.mark.deep
def test_a_small_run_made_while_another_holds_the_servers_core_goes_to_the_pool(monkeypatch):
    """One small run at a time in the server process (Python runs one thread's simulation at a time); another made
    meanwhile goes to the pool's workers, and with the core free again, small runs are made in the process.
    Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    import ui.runner

    used: list = []
    real = ui.runner.run_experiment

    def recording(*args, **kwargs):
        used.append(kwargs["executor"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.runner, "run_experiment", recording)
    lane = ui.runner.in_process_lane()
    for seed, held in ((8, True), (9, False)):  # scenarios no other test ran: nothing from the cache
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["scenario.overrides"] = {**FAST, "seed": seed}
        at.session_state["page.settings"] = {"designs": "none,am"}
        assert not held or lane.acquire(blocking=False)  # another session's small run, under way
        try:
            at.run()
        finally:
            if held:
                lane.release()
        assert_clean(at)
        assert used and all((executor is not None) == held for executor in used), (seed, used)
        used.clear()
    assert lane.acquire(blocking=False)  # a run gives the lane back
    lane.release()


def _open_a_link():
    """What binding to a link does: write a decoded scenario into the state, then read the state back."""
    import streamlit as st

    from ui.overrides import apply_overrides
    from ui.state import presets, read_state, scenario_as_set, state_for, write_state

    preset = presets()[0]["default"]
    target = apply_overrides(preset, {"demand.clients": 35, "designs.pm.project_managers": 2})
    st.session_state["input:demand.clients"] = 25  # a widget showing the old value
    write_state(state_for("default", target, {"designs": "pm,am"}))
    state = read_state()
    st.text(f"{sorted(state.overrides.items())} {state.page['designs']} {scenario_as_set() == target} "
            f"{'input:demand.clients' in st.session_state}")


def test_a_scenario_written_into_the_state_reads_back_exactly():
    at = AppTest.from_function(_open_a_link).run()
    assert not at.exception
    (text,) = [t.value for t in at.text]
    assert text.split() == ["[('demand.clients',", "35),", "('designs.pm.project_managers',", "2)]", "pm,am", "True",
                            "False"]


@pytest.mark.deep
def test_a_huge_run_asks_before_it_starts():
    # 220,000 requests a run, within what one run may hold, but 2.2 million over 5 designs x 2 replications
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides={**FAST, "weeks": 7, "demand.clients": 200, "demand.requests_per_client_per_week": 100.0})
    assert not at.exception and not at.table
    (warning,) = other_warnings(at)
    assert "million requests" in warning and "5 designs x 2 replications x 11 weeks" in warning
    assert [b.label for b in at.main.button] == ["Run it anyway"]
    at.sidebar.number_input(key="input:demand.requests_per_client_per_week").set_value(1.0)
    press_run(at)  # a normal size again runs without asking
    assert not other_warnings(at) and list(at.table[0].value.index) == list(WORDS.values())


def test_expected_requests_count_every_replication_of_every_design(default_scenario):
    from sim.scenario import expected_requests as requests_per_run
    from ui.overrides import apply_overrides
    from ui.runner import expected_requests

    s = apply_overrides(default_scenario, FAST)
    assert expected_requests(s, ["pm"]) == pytest.approx(requests_per_run(s) * s.replications)
    assert s.replications == 2
    grown = apply_overrides(default_scenario, {**FAST, "demand.growth_per_year": 0.5})
    assert expected_requests(grown, ["pm", "am"]) == pytest.approx(requests_per_run(grown) * 2 * 2)
    wide = s.replace(max_replications=12)  # a comparison that runs until clear is judged on its cap
    assert expected_requests(wide, ["pm"], until_clear=True) == pytest.approx(requests_per_run(s) * 12)
    assert expected_requests(s, ["pm"], until_clear=True) == pytest.approx(requests_per_run(s) * 2)


@pytest.mark.deep
def test_compare_adds_replications_until_its_answer_is_clear(downloads):
    """The default firm on profit: its first 5 replications per design leave the best unclear at the stricter
    level of a repeated look, 10 make it clear; the headline, the caption and the download agree on 10.
    Deep tier: about 7 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.presets import load_presets
    from sim.sequential import run_until_clear

    expected = run_until_clear(load_presets()["default"], DESIGNS, "profit").stopping
    assert expected.replications > expected.first_stage == 5  # the case must add replications
    at = open_app(overrides={})
    assert_clean(at)
    (headline,) = [m.value for m in [*at.success, *at.info] if m.value.startswith("For profit")]
    assert f"Stopped at {expected.replications} replications per design (5, then 5 more at a time)" in headline
    assert "5 more at a time up to 30 until the best design is clear" in " ".join(c.value for c in at.caption)
    frame = downloads(at, "All results")
    assert (frame.groupby("design").size() == expected.replications).all()
    at.sidebar.number_input(key="input:max_replications").set_value(5)
    press_run(at)
    (headline,) = [m.value for m in [*at.success, *at.info] if m.value.startswith("For profit")]
    assert "Ran exactly 5 replications per design" in headline
    assert (downloads(at, "All results").groupby("design").size() == 5).all()


@pytest.mark.deep
def test_the_smallest_difference_that_matters_is_set_on_the_page_and_stops_the_replications_there(downloads):
    """PM against no coordinator on a short run: at the objective's $20k they are not told apart before the cap
    of 8; at $10 million every gap is surely within it after the first 2, and the page stops there, says why, and
    keeps the choice for a link. Another objective brings its own zone, in its own unit.
    Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.experiment import with_overrides
    from sim.presets import load_presets
    from sim.sequential import run_until_clear

    short = {"weeks": 6, "replications": 2, "max_replications": 8}
    firm = with_overrides(load_presets()["default"], **short)
    by_default = run_until_clear(firm, ["none", "pm"], "profit").stopping
    wide = run_until_clear(firm, ["none", "pm"], "profit", 10_000_000).stopping
    assert (by_default.reason, by_default.replications, wide.reason, wide.replications) == ("cap", 8, "within zone", 2)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.overrides"] = short
    at.session_state["page.settings"] = {"designs": "none,pm"}
    at.run()
    zone = at.number_input(key="page:compare:zone")
    assert zone.label == "Smallest difference that matters ($ a year)" and zone.value == 20_000
    assert (downloads(at, "All results").groupby("design").size() == 8).all()
    at = zone.set_value(10_000_000).run()
    assert_clean(at)
    (headline,) = [m.value for m in [*at.success, *at.info] if m.value.startswith("For profit")]
    assert "Stopped at 2 replications per design: every design not told apart from the best is within" in headline
    assert (downloads(at, "All results").groupby("design").size() == 2).all()
    assert at.session_state["page.settings"]["zone"] == "10000000.0"
    at = at.selectbox(key="page:compare:robust_objective").set_value("on_time").run()
    zone = at.number_input(key="page:compare:zone")
    assert zone.label == "Smallest difference that matters (points of on-time rate)" and zone.value == 2
    assert "zone" not in at.session_state["page.settings"]


@pytest.mark.deep
def test_a_links_smallest_difference_that_is_not_a_number_or_too_small_is_named_and_replaced():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    for asked, words in (("lots", "of 'lots', which is not a number; the page compares on 20,000 ($ a year)."),
                         ("-5", "of -5 ($ a year); the page takes at least 200 ($ a year), so it compares on "
                                "200 ($ a year).")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["scenario.overrides"] = FAST
        at.session_state["page.settings"] = {"zone": asked}
        at.run()
        assert not at.exception
        assert [w.value for w in at.warning if w.value.startswith("The link")] == [
            f"The link asked for a smallest difference that matters {words}"]


@pytest.mark.deep
def test_another_preset_brings_its_own_inputs(tmp_path, monkeypatch):
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    import shutil

    import ui.state

    shutil.copy(ROOT / "scenarios" / "default.toml", tmp_path / "default.toml")
    (tmp_path / "plain.toml").write_text('name = "Plain firm"\ndescription = "One skill, one kind of request."\n'
                                         "weeks = 6\nreplications = 2\n")
    monkeypatch.setattr(ui.state, "SCENARIOS_FOLDER", tmp_path)
    ui.state.presets.clear()
    try:
        at = open_app(overrides={**FAST, "demand.clients": 30})
        at.sidebar.selectbox(key="input:preset").set_value("plain").run()
        [b for b in at.sidebar.button if b.label.startswith("Discard my changes")][0].click().run()
        assert_clean(at)
        assert at.session_state["scenario.overrides"] == {}
        assert any(c.value == "One skill, one kind of request." for c in at.sidebar.caption)
        assert at.sidebar.slider(key="input:firm.engineers").value == 12
        assert not [s for s in at.sidebar.slider if s.key.startswith("input:firm.skills")]
        assert at.sidebar.slider(key="input:firm.engineers").min == 1  # a team of nobody cannot be chosen
        at.sidebar.slider(key="input:firm.engineers").set_value(20)
        press_run(at)
        assert_clean(at)
        assert at.session_state["scenario.overrides"] == {"firm.engineers": 20}
    finally:
        ui.state.presets.clear()


@pytest.mark.deep
def test_design_hires_change_the_design_and_its_label():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app()
    at.sidebar.number_input(key="input:designs.pm.project_managers").set_value(2)
    press_run(at)
    assert_clean(at)
    assert at.session_state["scenario.overrides"]["designs.pm.project_managers"] == 2
    assert "2 project managers" in [e.label for e in at.sidebar.expander]
    # a standard code with other hires than the code says reads as its hires
    assert any(m.value.startswith("- **2 project managers** instead of **No coordinator**") for m in at.markdown)


@pytest.mark.deep
def test_a_sweep_into_impossible_values_says_which_and_why():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py")
    at.number_input(key="page:growth:from").set_value(0.0)
    [b for b in at.button if b.label == "Run sweep"][0].click().run()
    assert not at.exception
    (error,) = at.error
    assert "The sweep of clients from 0 to 50" in error.value
    assert "demand.clients = 0: must be a whole number from 1 to 2000" in error.value


@pytest.mark.deep
@pytest.mark.parametrize("bad", ["many", float("nan"), 1e300, -5])
def test_a_garbled_override_is_named_and_the_page_still_works(bad):
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides={**FAST, "demand.clients": bad})
    assert not at.exception
    (error,) = at.sidebar.error  # under the input, by the problem's path
    assert error.value.startswith("**Clients**: must be a whole number from 1 to 2000 (now ")


@pytest.mark.deep
def test_sweep_settings_out_of_range_are_brought_back_into_it():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.overrides"] = FAST
    at.session_state["page.settings"] = {"lever": "requests", "from": "nan", "to": "-3",
                                         "steps": "400"}
    at.run().switch_page("pages/growth.py").run()
    assert not at.exception
    assert at.number_input(key="page:growth:steps").value == 12
    assert at.number_input(key="page:growth:from").value == 0.75  # the scenario's requests per client
    assert at.number_input(key="page:growth:to").value == 0.0
    (error,) = at.error  # a sweep down to zero requests is named, not a traceback
    assert "demand.requests_per_client_per_week = 0" in error.value


@pytest.mark.deep
def test_without_a_valid_preset_the_app_opens_on_the_defaults(tmp_path, monkeypatch):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    import ui.state

    (tmp_path / "broken.toml").write_text("weeks = 0\n")
    monkeypatch.setattr(ui.state, "SCENARIOS_FOLDER", tmp_path)
    ui.state.presets.clear()
    try:
        at = open_app()
        assert not at.exception and not at.error
        assert at.sidebar.selectbox(key="input:preset").value == "defaults"
        (warning,) = at.sidebar.warning
        assert "broken.toml: weeks = 0" in warning.value
        assert list(at.table[0].value.index) == list(WORDS.values())
    finally:
        ui.state.presets.clear()


@pytest.mark.deep
def test_a_link_decoded_into_the_state_opens_on_every_page():
    """The binding a share link needs: decode, turn into (preset, overrides, page settings), open the app.
    Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.links import params_to_scenario
    from sim.presets import read_presets
    from ui.overrides import overrides_between

    presets, _ = read_presets(ROOT / "scenarios")
    decoded = params_to_scenario({"preset": "default", "engineers": "14", "clients": "35", "weeks": "6",
                                  "reps": "2", "designs": "pm,am", "baseline": "am"}, presets)
    assert not decoded.warnings, decoded.warnings
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.preset"] = decoded.preset
    at.session_state["scenario.overrides"] = overrides_between(presets[decoded.preset], decoded.scenario)
    at.session_state["page.settings"] = decoded.page
    at.run()
    assert_clean(at)
    assert at.sidebar.slider(key="input:demand.clients").value == 35
    assert "Engineers in total (the sum over skills): 14" in [c.value for c in at.sidebar.caption]
    assert list(at.table[0].value.index) == [WORDS["pm"], WORDS["am"]]
    assert at.selectbox(key="page:compare:baseline").value == "am"
    at.switch_page("pages/model.py").run()
    table = at.dataframe[0].value.set_index("Key in the scenario file")
    assert table.loc["firm.engineers", "Value"] == "14"


@pytest.mark.deep
def test_a_work_type_removed_by_a_link_leaves_the_form():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app(overrides={**FAST, "demand.work_types.project": None, "demand.work_types.change.share": 0.5})
    assert_clean(at)
    shares = [s.label for s in at.sidebar.slider if s.label.startswith("Share of")]
    assert shares == ["Share of support requests"]
    press_run(at)
    assert_clean(at)
    assert at.session_state["scenario.overrides"]["demand.work_types.project"] is None


@pytest.mark.deep
@pytest.mark.parametrize("preset", sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml")))
def test_every_preset_opens_with_its_description_and_results(preset, downloads):
    # Also the check that each preset runs: every design of it delivers in every replication.
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{preset}.toml")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.preset"] = preset
    at.session_state["scenario.overrides"] = FAST
    at.run()
    assert_clean(at)
    assert at.sidebar.selectbox(key="input:preset").value == preset
    assert scenario.description.split()[0] in " ".join(c.value for c in at.sidebar.caption)
    assert list(at.table[0].value.index) == list(design_labels(scenario.designs).values())
    runs = downloads(at, "All results")
    assert sorted(runs["design"].unique()) == sorted(scenario.designs) and (runs["throughput_per_week"] > 0).all()
    press_run(at)  # the form's values give back the same scenario: nothing changes
    assert_clean(at)
    assert at.session_state["scenario.overrides"] == FAST


@pytest.mark.deep
def test_a_link_with_sweep_settings_opens_the_growth_page_on_them(downloads):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from sim.links import params_to_scenario
    from sim.presets import read_presets
    from ui.overrides import overrides_between

    presets, _ = read_presets(ROOT / "scenarios")
    decoded = params_to_scenario({"preset": "default", "weeks": "6", "reps": "2", "designs": "none,hybrid",
                                  "lever": "engineers", "from": "10", "to": "16", "steps": "3", "sweep": "full"},
                                 presets)
    assert not decoded.warnings, decoded.warnings
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.overrides"] = overrides_between(presets["default"], decoded.scenario)
    at.session_state["page.settings"] = decoded.page
    at.run().switch_page("pages/growth.py").run()
    assert_clean(at)
    sweep = downloads(at, "Sweep results")
    assert sorted(sweep["lever"].unique()) == [10, 13, 16]
    assert sorted(sweep["design"].unique()) == ["hybrid", "none"]
    # a link of a sweep nobody ran in full (no sweep=full) opens on its first view, the two ends
    at.session_state["page.settings"] = {k: v for k, v in decoded.page.items() if k != "sweep"}
    at.run()
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [10, 16]


def test_an_executor_that_cannot_start_is_a_message_not_a_traceback(monkeypatch):
    import ui.runner
    from sim.parallel import ClusterError

    def no_cluster():
        raise ClusterError(["SIM_DASK_SCHEDULER = 'tcp://nowhere:8786': no Dask scheduler answers there"])

    monkeypatch.setattr(ui.runner, "quick_here", lambda _scenario, _weeks: False)  # every run to the pool
    monkeypatch.setattr(ui.runner, "default_executor", no_cluster)
    ui.runner.shared_executor.clear()
    try:
        at = open_app(overrides={**FAST, "seed": 11})
        assert not at.exception
        (error,) = at.error
        assert "no Dask scheduler answers there" in error.value
    finally:
        ui.runner.shared_executor.clear()
