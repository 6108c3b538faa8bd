"""The sidebar's scenario through AppTest: bad inputs keep the last valid results on screen, greyed, with the
message under the input the user can change; problems are placed by their path, not by parsing their text."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from sim.scenario import loads
from tests.test_app_pages import press_run
from tests.test_app_share import media, open_link, url  # noqa: F401 - media is a fixture
from ui.sidebar import STALE_CSS
from ui.state import named, presets

SMALL = {"v": "1", "preset": "default", "weeks": "4", "reps": "2", "page": "compare"}


def key_figures(at: AppTest):
    return at.table[0].value


@pytest.mark.deep
def test_shares_over_100_percent_keep_the_last_results_and_name_the_share_inputs():
    """Deep tier: about 7 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link(SMALL)
    assert not at.exception and not at.error
    before = key_figures(at)
    at.sidebar.slider(key="input:demand.work_types.support.share").set_value(0.7)
    at.sidebar.slider(key="input:demand.work_types.change.share").set_value(0.5)
    press_run(at)
    assert not at.exception
    # the last valid results are still on the page, under a banner that says so
    (banner,) = [w.value for w in at.warning if "last valid inputs" in w.value]
    assert "Share of support requests" in banner and "Share of change requests" in banner
    assert key_figures(at).equals(before)
    assert [h for h in at.get("html") if h.proto.body == STALE_CSS]  # greyed, but for the banner
    # the message sits in the sidebar, names the inputs the user sets (never the computed rest) and what is allowed
    (message,) = at.sidebar.error
    assert "**Share of support requests** and **Share of change requests** together add up to 120 %" in message.value
    assert "at most 100 %" in message.value and "project requests take the rest" in message.value
    assert not list(at.main.error)
    # what the user entered is still in the inputs
    assert at.sidebar.slider(key="input:demand.work_types.support.share").value == 0.7
    assert at.sidebar.slider(key="input:demand.work_types.change.share").value == 0.5
    # fixed and run again: the banner and the message go, the results follow the new inputs
    at.sidebar.slider(key="input:demand.work_types.change.share").set_value(0.2)
    press_run(at)
    assert not at.exception and not at.error
    assert not [w for w in at.warning if "last valid inputs" in w.value]
    assert not [h for h in at.get("html") if h.proto.body == STALE_CSS]
    assert not key_figures(at).equals(before)


def caption_name(at: AppTest) -> str:
    """The scenario's name as the Compare page's caption shows it (bold, before the run's settings)."""
    (caption,) = [c.value for c in at.main.caption if "weeks per design" in c.value]
    return caption.split("**")[1]


@pytest.mark.deep
def test_a_changed_scenario_is_named_by_its_changes_until_the_user_names_it(media):  # noqa: F811
    """Deep tier: about 8 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "clients": "18"})
    assert caption_name(at).startswith("Default firm, changed: 18 clients, ")
    at.sidebar.slider(key="input:firm.skills.development").set_value(7)  # 9 developers -> 7: 10 engineers
    press_run(at)
    assert not at.exception and not at.error
    name = caption_name(at)
    assert name == "Default firm, changed: 10 engineers, 18 clients, 4 weeks and 1 more"
    assert loads(media(at, "Download the scenario").decode()).name == name  # the file says the same
    assert "name" not in url(at)  # a link carries the changes; whoever opens it gets the same words from them
    reopened = open_link(url(at))
    assert caption_name(reopened) == name
    # a name of the user's own wins, and is carried by the link and the file
    at.sidebar.text_input(key="input:name").input("Acme, next year")
    at.sidebar.text_area(key="input:description").input("Ten engineers after two leave.")
    press_run(at)
    assert caption_name(at) == "Acme, next year"
    assert url(at)["name"] == "Acme, next year" and url(at)["description"] == "Ten engineers after two leave."
    assert loads(media(at, "Download the scenario").decode()).name == "Acme, next year"
    reopened = open_link(url(at))
    assert caption_name(reopened) == "Acme, next year"
    assert reopened.sidebar.text_input(key="input:name").value == "Acme, next year"


@pytest.mark.deep
def test_the_presets_description_goes_once_the_firm_changes(media):  # noqa: F811
    """A preset's description names its numbers ("12 engineers... 25 clients"): it stays while only the
    experiment's settings change, and goes, from the sidebar, the file and the report, once the firm changes.
    Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link(SMALL)  # 4 weeks and 2 replications: the firm is the preset's
    assert any("12 engineers" in c.value for c in at.sidebar.caption)
    at.sidebar.slider(key="input:firm.skills.development").set_value(7)
    press_run(at)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "12 engineers" not in captions and "Changed from this preset: 10 engineers, " in captions
    assert loads(media(at, "Download the scenario").decode()).description == ""
    # the report prints the scenario the page passes it, named the same way
    preset = presets()[0]["default"]
    assert named(preset, preset.replace(seed=1), {}).description == preset.description
    assert named(preset, preset.replace(demand=dataclasses.replace(preset.demand, clients=18)), {}).description == ""
    # a description of the user's own stays
    at.sidebar.text_area(key="input:description").input("Ten engineers after two leave.")
    press_run(at)
    assert loads(media(at, "Download the scenario").decode()).description == "Ten engineers after two leave."


@pytest.mark.deep
def test_a_made_name_read_back_from_a_file_follows_the_changes_again(media):  # noqa: F811
    """Deep tier: about 7 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "clients": "18"})
    made = caption_name(at)
    file = media(at, "Download the scenario")
    other = open_link(SMALL)
    other.sidebar.file_uploader(key="share.upload").upload("mine.toml", file, "application/toml").run()
    assert caption_name(other) == made and not other.sidebar.text_input(key="input:name").value
    other.sidebar.slider(key="input:demand.clients").set_value(19)
    press_run(other)
    assert caption_name(other).startswith("Default firm, changed: 19 clients, ")


@pytest.mark.deep
def test_a_preset_switch_asks_before_discarding_changes():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "clients": "18", "page": "model"})
    at.sidebar.selectbox(key="input:preset").select("small_firm").run()
    # nothing is lost yet: the picker, the inputs and the scenario stay, and the choice is asked
    (question,) = [w.value for w in at.sidebar.warning if "discards your changes" in w.value]
    assert "Small firm" in question and "18 clients" in question
    assert at.sidebar.selectbox(key="input:preset").value == "default"
    assert at.sidebar.slider(key="input:demand.clients").value == 18
    keep = [b for b in at.sidebar.button if b.label == "Keep my changes"]
    keep[0].click().run()
    assert not [w for w in at.sidebar.warning if "discards your changes" in w.value]
    assert at.sidebar.slider(key="input:demand.clients").value == 18
    at.sidebar.selectbox(key="input:preset").select("small_firm").run()
    (discard,) = [b for b in at.sidebar.button if b.label.startswith("Discard my changes and load")]
    discard.click().run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="input:preset").value == "small_firm"
    assert at.sidebar.slider(key="input:demand.clients").value == 10
    # with no changes, another preset loads at once
    at.sidebar.selectbox(key="input:preset").select("default").run()
    assert at.sidebar.selectbox(key="input:preset").value == "default"
    assert at.sidebar.slider(key="input:demand.clients").value == 25


@pytest.mark.deep
def test_designs_are_renamed_added_and_removed_and_carried_by_the_link():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "page": "model"})
    at.sidebar.text_input(key="input:designs.pm.label").input("Planner")
    at.sidebar.text_input(key="input:designs:new").input("Two PMs?")
    at.sidebar.selectbox(key="input:designs:new_from").select("pm")
    press_run(at)
    assert not at.exception and not at.error
    link = url(at)
    assert link["designs.pm.label"] == "Planner"
    assert link["designs.two_pms.label"] == "Two PMs?" and link["designs.two_pms.project_managers"] == "1"
    at.sidebar.number_input(key="input:designs.two_pms.project_managers").set_value(2)
    press_run(at)
    assert url(at)["designs.two_pms.project_managers"] == "2"
    reopened = open_link(url(at))
    assert reopened.sidebar.text_input(key="input:designs.two_pms.label").value == "Two PMs?"
    assert reopened.sidebar.number_input(key="input:designs.two_pms.project_managers").value == 2
    assert [e.label for e in reopened.sidebar.expander if e.label.startswith("Two PMs?")]
    assert [e.label for e in reopened.sidebar.expander if e.label.startswith("Planner")]
    # designs are removed, one's own and standard ones alike, and the link and the file say so
    reopened.sidebar.checkbox(key="input:designs.two_pms:remove").check()
    reopened.sidebar.checkbox(key="input:designs.hybrid:remove").check()
    press_run(reopened)
    assert not reopened.exception and not reopened.error
    assert not [k for k in url(reopened) if k.startswith("designs.two_pms")]
    assert url(reopened)["designs.hybrid.removed"] == "1"
    labels = [e.label for e in reopened.sidebar.expander]
    assert not [label for label in labels if label.startswith(("Two PMs?", "Hybrid PM/AM"))]
    assert [label for label in labels if label.startswith("Planner")]
    again = open_link(url(reopened))
    assert [o for o in again.sidebar.selectbox(key="input:designs:new_from").options] == [
        "No coordinator", "Planner", "Account manager", "PM + AM"]


@pytest.mark.deep
def test_more_requests_than_a_run_allows_names_the_three_inputs_that_make_them():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link(SMALL)
    before = key_figures(at)
    at.sidebar.slider(key="input:demand.clients").set_value(200)
    at.sidebar.number_input(key="input:demand.requests_per_client_per_week").set_value(100.0)
    at.sidebar.number_input(key="input:weeks").set_value(520)
    press_run(at)
    assert not at.exception
    (message,) = at.sidebar.error
    assert message.value.startswith("**Clients**, **Requests per client per week** and **Weeks measured** (under "
                                    "Experiment) ask for more than 1,000,000 requests in one run")
    assert "requests_per_client_per_week" not in message.value  # the inputs' words, not the file's keys
    assert key_figures(at).equals(before)
    assert at.sidebar.number_input(key="input:weeks").value == 520


@pytest.mark.deep
def test_the_sidebar_names_designs_once_and_growth_in_percent_a_year():
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link(SMALL)
    assert not at.exception
    labels = [e.label for e in at.sidebar.expander]
    assert "No coordinator: engineers deal with clients themselves" in labels
    assert not [label for label in labels if label.lower().count("no coordinator") > 1]
    growth = at.sidebar.slider(key="input:demand.growth_per_year")
    assert growth.label == "Demand growth (% a year)" and growth.proto.format == "percent"



@pytest.mark.deep
def test_run_keeps_an_input_the_browser_has_not_reported_since_it_was_drawn(monkeypatch):
    """A Run pressed while a long run draws the page reaches the server before the browser has reported every
    input; such an input keeps the scenario's value, and the inputs that were reported are applied.
    Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    import streamlit

    from ui.input_overrides import overrides_from_inputs
    from ui.state import input_key

    at = open_link({**SMALL, "clients": "18"})
    assert not at.exception
    state = dict(at.session_state.to_dict())
    state[input_key("replications")] = 3
    for path in ("demand.clients", "demand.work_types.support.share"):  # the share enters the computed rest
        del state[input_key(path)]
    monkeypatch.setattr(streamlit, "session_state", state)
    overrides = overrides_from_inputs()
    assert overrides["replications"] == 3 and overrides["demand.clients"] == 18
    assert "demand.work_types.project.share" not in overrides  # the rest is the preset's, as the inputs showed


@pytest.mark.deep
def test_run_pressed_while_the_form_is_half_drawn_keeps_the_last_whole_form(monkeypatch):
    """A run cut short part-way down the sidebar has drawn only some controls: the form Run reads is the last one
    drawn whole, and a work type's share that no control reported keeps the scenario's (no KeyError in the sum).
    Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    import streamlit

    from ui.input_overrides import overrides_from_inputs
    from ui.inputs import CONTROLS_KEY, DRAWING_KEY
    from ui.state import input_key

    at = open_link({**SMALL, "clients": "18"})
    state = dict(at.session_state.to_dict())
    assert "demand.work_types.support.share" in state[CONTROLS_KEY] and DRAWING_KEY not in state
    state[DRAWING_KEY] = {"name": "Scenario name"}  # the cut-short run got this far
    state[input_key("replications")] = 3
    monkeypatch.setattr(streamlit, "session_state", state)
    overrides = overrides_from_inputs()
    assert overrides["replications"] == 3 and overrides["demand.clients"] == 18
    # a form whose work-type controls are missing altogether still sums the shares, from the scenario
    state[CONTROLS_KEY] = {p: label for p, label in state[CONTROLS_KEY].items() if ".work_types." not in p}
    overrides = overrides_from_inputs()
    assert overrides["replications"] == 3 and "demand.work_types.project.share" not in overrides


@pytest.mark.deep
def test_one_week_reads_as_a_week_in_the_name_and_the_caption():
    """A link may set a single week of warm-up: "1 week", never "1 weeks", in the made name and the run's caption.
    Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "warmup": "1"})
    (caption,) = [c.value for c in at.main.caption if "weeks per design" in c.value]
    assert "(after 1 week of warm-up)" in caption
    assert caption_name(at) == "Default firm, changed: 4 weeks, 1 week of warm-up, 2 replications"
