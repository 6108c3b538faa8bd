"""The Calibrate page through AppTest: an export in, the fitted values and the back-test out, "Use this scenario"
makes it the sidebar's; a bad file is one message and changes nothing; no ticket ever reaches the state a link
carries."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sim.calibration.formats import read_export
from sim.calibration.pipeline import calibrate
from sim.presets import load_presets
from tests.conftest import ROOT
from tests.test_app_words import code_names, visible_text
from ui import calibration as views
from ui.overrides import apply_overrides

SAMPLE = ROOT / "scenarios" / "samples" / "jira_sample.csv"
# On one worker, so that the page fitted to the sample (fitted_page, a whole calibration) is made once.
pytestmark = pytest.mark.xdist_group("calibrate-app")
FAST = {"weeks": 6, "replications": 2}


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = dict(FAST)
    at.run()
    return at.switch_page("pages/calibrate.py").run()


def button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


@pytest.fixture(scope="module")
def fitted_page() -> AppTest:
    """Fitted once for the module (the back-test takes seconds); tests that upload other files open their own."""
    at = open_page()
    at.file_uploader(key="calibrate.upload").upload(SAMPLE.name, SAMPLE.read_bytes(), "text/csv").run()
    return button(at, "Fit and back-test").click().run()


@pytest.mark.deep
def test_the_page_opens_empty_and_says_what_to_upload():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page()
    assert not at.exception and not at.error
    assert any("Jira, Zendesk, Linear" in m.value for m in at.markdown)
    assert [b.label for b in at.button if b.label == "Try the sample export"]


@pytest.mark.deep
def test_an_upload_shows_the_columns_recognised(fitted_page):
    """Deep tier: about 12 s, as it drives whole pages in AppTest, with their simulations."""
    assert not fitted_page.exception and not fitted_page.error
    assert fitted_page.selectbox(key="calibrate:map:created").value == "Created"
    assert fitted_page.selectbox(key="calibrate:map:client").value == "Organizations"
    assert fitted_page.selectbox(key="calibrate:map:skill").value == "(not in this export)"
    assert any("recognised as a **Jira CSV export**" in m.value for m in fitted_page.markdown)


@pytest.mark.deep
def test_the_backtest_is_shown_with_the_same_numbers_as_the_command_line(fitted_page):
    """Deep tier: about 19 s, as it drives whole pages in AppTest, with their simulations."""
    verdicts = [*fitted_page.success, *fitted_page.info, *fitted_page.warning]
    shown = " ".join(v.value for v in verdicts)
    assert "Your firm today:" in shown and "the model:" in shown
    table = fitted_page.dataframe[-2].value
    assert list(table["Figure"])[:2] == ["Throughput (requests per week)", "Mean lead time (days)"]
    assert len(fitted_page.get("vega_lite_chart")) == 5  # and the history beside the model; no statuses to time
    screen = fitted_page.dataframe[-1].value
    assert list(screen.columns)[0] == "Assumption"
    assert "Clarity without AM" in set(screen["Assumption"]) and not screen["Assumption"].str.contains(r"[._]").any()


@pytest.mark.deep
def test_use_this_scenario_makes_it_the_sidebars_without_any_ticket_in_the_state(fitted_page):
    """Deep tier: about 19 s, as it drives whole pages in AppTest, with their simulations."""
    at = button(fitted_page, "Use this scenario").click().run()
    assert not at.exception and not at.error
    overrides = at.session_state["scenario.overrides"]
    # The overrides are on the preset closest to the fitted firm, so read the scenario they make.
    sidebar = apply_overrides(load_presets()[at.session_state["scenario.preset"]], overrides)
    export = read_export(SAMPLE.read_bytes(), SAMPLE.name)
    assert sidebar.firm.engineers == export.tickets.loc[export.tickets["resolved"].notna(), "assignee"].nunique()
    assert sidebar.demand.clients == export.tickets["client"].nunique()
    assert "demand.work_types.bug.share" in overrides
    assert any("is now the scenario in the sidebar" in s.value for s in at.success)
    carried = repr(overrides) + repr(at.session_state["page.settings"])
    assert "SUP-" not in carried and "Client 0" not in carried and "Engineer A" not in carried


def uploaded_page() -> AppTest:
    at = open_page()
    return at.file_uploader(key="calibrate.upload").upload(SAMPLE.name, SAMPLE.read_bytes(), "text/csv").run()


@pytest.mark.deep
def test_a_bad_file_is_one_message_and_keeps_the_last_export():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = uploaded_page()
    at.file_uploader(key="calibrate.upload").upload("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv").run()
    assert not at.exception
    (error,) = at.error
    assert "photo.csv" in error.value and "a binary file" in error.value and "unchanged" in error.value
    assert at.session_state["calibrate.data"][0] == SAMPLE.name


@pytest.mark.deep
def test_a_mapping_to_a_column_without_dates_is_named():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = uploaded_page()
    at.selectbox(key="calibrate:map:created").select("Summary").run()
    assert not at.exception
    (error,) = at.error
    assert "column 'Summary': no date could be read (first: 'Request 1')" in error.value


def test_comparison_frames_hold_what_the_charts_show():
    firm, model = np.array([0.5, 1.5, 2.5, 3.5]), np.array([1.0, 1.0, 4.0])
    frame = views.lead_time_frame(firm, model)
    assert frame.groupby("source")["share"].sum().to_dict() == pytest.approx({views.FIRM: 1.0, views.MODEL: 1.0})
    arrivals = views.arrivals_frame(np.array([3.0, 4.0]), np.array([3.5, 3.5, 3.0]))
    assert list(arrivals["week"]) == [1, 2, 1, 2, 3]


@pytest.mark.deep
def test_the_page_and_the_command_line_fit_the_same_scenario(fitted_page):
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    result = fitted_page.session_state["calibrate.result"][1]
    again = calibrate(SAMPLE.read_bytes(), result.fit.scenario.replace(name="x"), source=SAMPLE.name,
                      run_backtest=False)
    assert again.fit.scenario.demand == result.fit.scenario.demand


@pytest.mark.deep
def test_a_file_too_small_to_fit_keeps_the_last_export():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = uploaded_page()
    few = b"created,resolved\n" + b"2024-05-13 10:00,2024-05-14 10:00\n" * 5
    at.file_uploader(key="calibrate.upload").upload("few.csv", few, "text/csv").run()
    (error,) = at.error
    assert "only 5 usable tickets" in error.value
    assert at.session_state["calibrate.data"][0] == SAMPLE.name


@pytest.mark.deep
def test_an_export_without_resolved_dates_is_told_so_with_the_pages_own_controls():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    rows = "".join(f"2024-05-{d:02d} 09:00,,Bug,Acme,3,2024-05-{d:02d},Ann\n" for d in range(1, 21))
    data = ("created,resolved,type,client,effort_hours,due,assignee\n" + rows).encode()
    at = open_page()
    at.file_uploader(key="calibrate.upload").upload("open.csv", data, "text/csv").run()
    at = button(at, "Fit and back-test").click().run()
    assert not at.exception and not at.error
    (warning,) = at.warning
    assert ("No ticket has a date in 'resolved', so there are no resolved tickets to count the team from; the "
            "base scenario's 12 engineers are kept (set “Engineers today”).") in warning.value
    assert "No assignee column" not in warning.value and "--" not in warning.value


@pytest.mark.deep
def test_a_creation_column_set_to_none_names_the_picker_to_set():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = uploaded_page()
    at.selectbox(key="calibrate:map:created").select("(not in this export)").run()
    (error,) = at.error
    assert error.value.endswith("or created (generic CSV); pick the column in “Created” under Columns")



@pytest.mark.deep
def test_the_page_says_everything_in_words_never_in_code_names():
    """Deep tier: about 13 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_page()
    at = button(at, "Try the sample export").click().run()
    at = button(at, "Fit and back-test").click().run()
    assert not at.exception and not at.error and at.session_state["calibrate.result"][1].backtest is not None
    at = button(at, "Use this scenario").click().run()
    assert any("is now the scenario in the sidebar" in s.value for s in at.success)
    _, charts = at.session_state["calibrate.history"]  # what a report on this scenario carries
    assert [key for key, _ in charts] == ["cycle", "throughput", "wip"]  # one row per ticket: no time in status
    texts = visible_text(at)
    assert any("- Clients: 20, the distinct clients in 'Organizations'." in t for t in texts)
    assert any("Change Request, effort hours: " in t for t in texts)
    assert any("Engineers: 6, the distinct assignees of resolved tickets." in t for t in texts)
    assert "Back-test: No coordinator (today's organisation) over 52 weeks" in texts
    found = {text[:120]: code_names(text) for text in texts if code_names(text)}
    assert found == {}


@pytest.mark.deep
def test_an_overwhelmed_firm_reads_as_words_on_the_page_never_as_nan():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from tests.test_calibrate_words import HUGE_RATE, NOTHING, RATE_CLIPPED, generic

    at = open_page()
    at.file_uploader(key="calibrate.upload").upload("huge.csv", generic(HUGE_RATE), "text/csv").run()
    at = button(at, "Fit and back-test").click().run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [
        "- 580 rows are exact copies of another row (every column the same). Without a ticket id they cannot be "
        "told from tickets created alike, so each is read as a ticket; if the export holds some tickets twice, pick "
        "the column in “Ticket id (repeated: a change log)” under Columns.\n"
        "- The team's working week is taken as Monday to Sunday (7 days), from the weekdays the export's dates fall "
        "on (30 % of them on Saturday and Sunday). Times count over those days, and the model's working week spans "
        f"them.\n- {RATE_CLIPPED}\n- Growth cannot be told from zero over 2 weeks (trend +0% a year, p = 1); growth "
        "per year is set to 0.",
        f"{NOTHING} The model is **far from** your record on throughput, mean lead time, 90th-percentile lead time, "
        "on-time rate and work open at the end: read its other answers with that in mind."]
    assert [t for t in visible_text(at) if re.search(r"\bnan\b", t, re.IGNORECASE) or "± ?" in t] == []


@pytest.mark.deep
def test_a_far_fit_put_in_the_sidebar_is_named_beside_the_answers_until_an_input_changes():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    from tests.test_calibrate_words import HUGE_RATE, generic

    at = open_page()
    at.file_uploader(key="calibrate.upload").upload("huge.csv", generic(HUGE_RATE), "text/csv").run()
    at = button(at, "Fit and back-test").click().run()
    at = button(at, "Use this scenario").click().run()
    at = at.switch_page("pages/next_hire.py").run()  # ranks only when asked: nothing of the swamped firm runs
    assert not at.exception
    far = [w.value for w in at.warning if w.value.startswith("This scenario was calibrated")]
    assert far == ["This scenario was calibrated to your tracker, and the model does not reproduce its record: the "
                   "back-test is far on throughput, mean lead time, 90th-percentile lead time, on-time rate and work "
                   "open at the end. Read these answers with that in mind, or see Calibrate."]
    # the swamped firm's inputs are refused, so they change through the state, as the sidebar writes it
    at.session_state["scenario.overrides"] = {**at.session_state["scenario.overrides"], "weeks": 8}
    at = at.run()
    assert not at.exception
    assert not [w for w in at.warning if w.value.startswith("This scenario was calibrated")]
