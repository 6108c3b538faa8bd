"""The sidebar's scenario through AppTest: bad inputs keep the last valid results on screen, greyed, with the
message under the input the user can change; problems are placed by their path, not by parsing their text."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_app_pages import press_run
from tests.test_app_share import open_link

SMALL = {"v": "1", "preset": "default", "weeks": "4", "reps": "2", "page": "compare"}


def key_figures(at: AppTest):
    return at.dataframe[0].value


def test_shares_over_100_percent_keep_the_last_results_and_name_the_share_inputs():
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
    # the message sits in the sidebar, names the inputs the user sets (never the computed rest) and what is allowed
    (message,) = at.sidebar.error
    assert "**Share of support requests** and **Share of change requests** together add up to 120%" in message.value
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
    assert not key_figures(at).equals(before)
