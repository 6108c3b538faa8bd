"""Share links in the app, through AppTest: a link opens its scenario, page and numbers on every page; a bad link
opens the nearest valid scenario with a warning; the URL follows the state; the TOML file goes out and comes back.
What the browser itself does to the URL is tested in tests/test_browser_share.py."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from app import PAGES as APP_PAGES
from sim.scenario import dumps, load_scenario, loads
from tests.conftest import ROOT
from tests.test_app_pages import RecordingMediaStorage, assert_clean, other_warnings, press_run

LINK = {"v": "1", "preset": "default", "engineers": "14", "clients": "35", "weeks": "8", "reps": "2"}
PAGES = {"compare": "Compare org designs", "growth": "Growth what-if", "model": "Model and assumptions"}


@pytest.fixture
def media(monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingMediaStorage)

    def read(at: AppTest, label_start: str) -> bytes:
        (button,) = [b for b in at.get("download_button") if b.label.startswith(label_start)]
        return RecordingMediaStorage.latest.get_file(button.proto.url.rsplit("/", 1)[1]).content

    return read


def open_link(params: dict[str, str], timeout: float = 60) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(params)
    return at.run()


def url(at: AppTest) -> dict[str, str]:
    """The query string the app wrote, one text per key."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def sidebar_scenario(at: AppTest) -> dict[str, float]:
    engineers = sum(s.value for s in at.sidebar.slider if s.key.startswith("input:firm.skills."))
    return {"engineers": engineers, "clients": at.sidebar.slider(key="input:demand.clients").value,
            "weeks": at.sidebar.number_input(key="input:weeks").value,
            "reps": at.sidebar.number_input(key="input:replications").value}


def results_of(at: AppTest, page: str, media) -> pd.DataFrame | pd.Series:
    """What each page computed: the KPI table, the sweep's results, or the parameter table."""
    if page == "compare":
        return at.table[0].value
    if page == "growth":
        return pd.read_csv(io.BytesIO(media(at, "Sweep results")))
    return at.dataframe[0].value.set_index("Key in the scenario file")["Value"]


@pytest.mark.deep
@pytest.mark.parametrize("path, title", [(path, title) for path, title, _ in APP_PAGES])
def test_every_page_opens_from_a_link_with_its_values(path, title):
    """Deep tier: about 13 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**LINK, "page": Path(path).stem}, timeout=120)  # Next hire ranks every option to a common count
    assert_clean(at)
    assert not other_warnings(at), other_warnings(at)
    assert at.title[0].value == title
    assert sidebar_scenario(at) == {"engineers": 14, "clients": 35, "weeks": 8, "reps": 2}
    assert url(at)["page"] == Path(path).stem and url(at)["clients"] == "35"


@pytest.mark.deep
@pytest.mark.parametrize("page", PAGES)
def test_a_link_restores_the_sidebar_the_page_and_its_results(page, media):
    """Deep tier: about 11 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**LINK, "page": page}, timeout=120)
    assert_clean(at)
    assert not other_warnings(at), other_warnings(at)
    assert at.title[0].value == PAGES[page]
    assert sidebar_scenario(at) == {"engineers": 14, "clients": 35, "weeks": 8, "reps": 2}
    linked = results_of(at, page, media)  # read before the next AppTest replaces the store of downloads
    default = open_link({"weeks": "8", "reps": "2", "preset": "default", "page": page}, timeout=120)
    assert_clean(default)
    plain = results_of(default, page, media)
    if page == "compare":
        assert list(linked.index) == ["No coordinator", "Project manager", "Account manager", "Hybrid PM/AM", "PM + AM"]
        assert not linked["Requests/week"].equals(plain["Requests/week"])
    elif page == "growth":
        assert linked["lever"].min() == 35 and plain["lever"].min() == 25  # the sweep starts at today's clients
        mean = "mean"
        assert not linked[linked.lever == 50][mean].equals(plain[plain.lever == 50][mean].reset_index(drop=True))
    else:
        assert linked["demand.clients"] == "35" and plain["demand.clients"] == "25"
        assert linked["firm.engineers"] == "14"


@pytest.mark.deep
def test_a_link_restores_the_page_settings_and_a_second_open_gives_the_same_numbers():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    link = {**LINK, "page": "compare", "designs": "none,am", "baseline": "am"}
    first, second = open_link(link), open_link(link)
    assert_clean(first)
    assert first.multiselect(key="page:compare:designs").value == ["none", "am"]
    assert first.selectbox(key="page:compare:baseline").value == "am"
    assert list(first.table[0].value.index) == ["No coordinator", "Account manager"]
    assert first.table[0].value.equals(second.table[0].value)


@pytest.mark.deep
@pytest.mark.parametrize("garbage, says", [
    ({"engnieers": "14"}, "did you mean engineers?"),
    ({"clients": "many"}, "Ignored clients=many"),
    ({"preset": "no_such_firm"}, "there is no such preset"),
    ({"v": "99", "hologram": "1"}, "newer version of the app"),
    ({"clients": "9" * 5000}, "at most 2,000 are allowed"),
    ({"engineers": "1e9"}, "Ignored engineers=1e9"),
    ({"designs": "pm,ghost", "page": "nowhere"}, "Ignored designs ghost"),
    ({"page": "__import__('os')"}, "there is no such page"),
])
def test_garbage_in_a_link_gives_a_warning_and_a_working_page(garbage, says):
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({"preset": "default", "weeks": "6", "reps": "2", **garbage})
    assert_clean(at)
    (warning,) = other_warnings(at)
    assert says in warning, warning
    assert warning.startswith("Some of this link could not be used")
    table = at.table[0].value
    assert len(table) >= 1 and "Profit/year" in table.columns
    assert sidebar_scenario(at)["weeks"] == 6  # the valid parts were kept


@pytest.mark.deep
def test_the_url_follows_the_state_and_survives_a_page_switch():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({"preset": "default", "weeks": "6", "reps": "2"})
    assert url(at)["page"] == "compare"
    at.sidebar.slider(key="input:demand.clients").set_value(40)
    press_run(at)
    assert url(at)["clients"] == "40" and url(at)["weeks"] == "6"
    at.query_params.clear()  # what Streamlit does to the URL on a change of page
    at.switch_page("pages/model.py").run()
    assert_clean(at)
    assert not other_warnings(at)
    assert url(at)["clients"] == "40" and url(at)["page"] == "model"
    assert at.sidebar.slider(key="input:demand.clients").value == 40
    (code,) = at.sidebar.code
    assert code.value.startswith("?v=1&preset=default") and "clients=40" in code.value and "page=model" in code.value


@pytest.mark.deep
def test_an_impossible_input_keeps_the_last_valid_scenario_in_the_url():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({"preset": "default", "weeks": "6", "reps": "2", "clients": "30"})
    at.sidebar.slider(key="input:firm.skills.development").set_value(0)
    at.sidebar.slider(key="input:firm.skills.operations").set_value(0)
    press_run(at)
    assert not at.exception
    assert any("Engineers in development" in e.value and "from 1 to 500 (now 0)" in e.value for e in at.error)
    assert url(at)["clients"] == "30" and "engineers" not in url(at)
    assert not at.sidebar.code
    assert any("no link" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/model.py").run()
    assert url(at)["clients"] == "30" and url(at)["page"] == "model"


@pytest.mark.deep
def test_a_link_edited_by_hand_in_the_same_session_is_read_again():
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({"preset": "default", "weeks": "6", "reps": "2"})
    at.query_params["clients"] = "50"
    at.run()
    assert_clean(at)
    assert at.sidebar.slider(key="input:demand.clients").value == 50


def test_the_toml_download_holds_the_current_scenario(media):
    at = open_link({**LINK, "page": "model", "checkins": "1", "designs.pm.project_managers": "2"})
    assert_clean(at)
    scenario = loads(media(at, "Download the scenario").decode())
    assert (scenario.firm.engineers, scenario.demand.clients, scenario.weeks) == (14, 35, 8)
    assert scenario.process.checkins and scenario.designs["pm"].project_managers == 2
    assert sum(scenario.firm.skills.values()) == 14


def test_an_uploaded_scenario_replaces_the_current_one_on_its_closest_preset():
    at = open_link({"preset": "default", "weeks": "6", "reps": "2", "page": "model"})
    flow = load_scenario(ROOT / "scenarios" / "request_flow.toml")
    text = dumps(flow).replace(f"weeks = {flow.weeks}\n", "weeks = 7\n").replace(
        f"replications = {flow.replications}\n", "replications = 2\n")
    at.sidebar.file_uploader(key="share.upload").upload("flow.toml", text.encode(), "application/toml").run()
    assert_clean(at)
    assert any("Loaded **flow.toml**" in s.value for s in at.success)
    assert at.sidebar.selectbox(key="input:preset").value == "request_flow"
    assert url(at)["preset"] == "request_flow" and url(at)["weeks"] == "7"
    table = at.dataframe[0].value.set_index("Key in the scenario file")["Value"]
    assert table["demand.clients"] == str(flow.demand.clients) and table["weeks"] == "7"


@pytest.mark.parametrize("content, says", [
    (b"firm = { engineers = 0 }\ndemand = { clients = -3 }\n", ["firm.engineers = 0", "demand.clients = -3"]),
    (b"weeks = [unclosed", ["not valid TOML"]),
    (b"\xff\xfe\x00binary", ["not a text file"]),
])
def test_an_uploaded_bad_file_shows_every_problem_and_keeps_the_scenario(content, says):
    at = open_link({**LINK, "page": "model"})
    at.sidebar.file_uploader(key="share.upload").upload("bad.toml", content, "application/toml").run()
    assert not at.exception
    (error,) = at.error
    assert "bad.toml" in error.value and "unchanged" in error.value
    assert all(s in error.value for s in says), error.value
    assert sidebar_scenario(at) == {"engineers": 14, "clients": 35, "weeks": 8, "reps": 2}
    assert url(at)["clients"] == "35"


# The longest link an owner is likely to make: 20 values changed (headcount and skills, demand, growth, experiment,
# all three process levers, three salaries, two behaviours, the work-type mix, two design changes) on the growth
# page with its sweep settings, served at a typical address.
LONGEST = {
    "v": "1", "preset": "default", "engineers": "40", "firm.skills.development": "31", "firm.skills.operations": "9",
    "clients": "140", "requests": "0.9", "growth": "0.35", "weeks": "104", "reps": "20", "seed": "20260415",
    "checklists": "1", "checkins": "1", "updates": "1", "engineer_salary": "128500", "pm_salary": "118000",
    "am_salary": "112500", "behaviour.review_catch_rate": "0.65", "behaviour.clarity_without_am": "0.55",
    "demand.work_types.support.share": "0.45", "demand.work_types.change.share": "0.4",
    "demand.work_types.project.share": "0.15", "designs.pm.project_managers": "2",
    "designs.both.account_managers": "2", "page": "growth", "designs": "none,pm,am,hybrid,both",
    "baseline": "hybrid", "lever": "engineers", "from": "40", "to": "80", "steps": "9",
}
TYPICAL_ADDRESS = "https://orgsim.example.com/"


def test_the_longest_realistic_link_is_the_one_the_readme_states():
    at = open_link(LONGEST)
    assert_clean(at)
    assert not [w for w in at.warning if "could not be used" in w.value]  # (the other one asks to confirm the run)
    (code,) = at.sidebar.code
    link = TYPICAL_ADDRESS + code.value
    assert url(at).keys() <= LONGEST.keys() and len(url(at)) >= 28
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"longest realistic link ({len(link)} characters" in readme, len(link)
    assert len(link) < 2000  # what every browser, mail and chat tool keeps
