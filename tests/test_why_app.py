"""Why this answer on Compare: run when asked, on the page's own comparison; where one assumption carries the gain,
the sentence names it in words with its range, under the headline and in the section, and the report offered then
carries both."""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app_pages import assert_clean
from tests.test_robust_app import open_compare, press

# An AM whose clarifying matters a great deal: requests taken by engineers are often misunderstood, and rework is dear.
CARRIED = {"weeks": 6, "replications": 3, "behaviour.clarity_without_am": 0.3, "behaviour.rework_effort_share": 1.5}


@pytest.mark.deep
def test_compare_explains_the_gain_and_names_the_assumption_that_carries_it(offered_reports):
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_compare(CARRIED, "none,am", timeout=240)
    assert 'id="why"' not in offered_reports[-1]["page"]
    assert any(h.value == "Why this answer" for h in at.subheader)
    assert not [w for w in at.warning if "rests on one assumption" in w.value]  # nothing said before it ran
    at = press(at, "Explain the gain")
    assert_clean(at)
    said = [w.value for w in at.warning if "rests on one assumption" in w.value]
    assert len(said) == 2  # beside the answer and in the section
    assert all("clarifying" in s and "0.8 to 0.95" in s and "clarity_with_am" not in s for s in said)
    tables = [d.value for d in at.dataframe if "What carries the gain" in d.value.columns]
    assert len(tables) == 1
    assert set(tables[0]["Source"]) <= {"firm", "soft", "rule of thumb", "assumption", "-"}
    assert tables[0]["What carries the gain"].iloc[-1].startswith("The mechanisms acting together")
    assert not any("behaviour." in str(v) for v in tables[0]["What carries the gain"])
    # the report offered now carries the same explanation, and says the same sentence beside its answer
    report = html.unescape(offered_reports[-1]["page"])
    sentence = said[0].replace("\\$", "$")  # the page escapes $ for its markdown
    assert 'id="why"' in report and report.count(sentence) == 2
    assert report.index(sentence) < report.index('id="scenario"') < report.index('id="why"')


@pytest.mark.deep
def test_next_hire_explains_its_best_option_against_today_and_its_report_carries_it(offered_reports):
    """Deep tier: about 8 s, as it drives whole pages in AppTest, with their simulations."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["scenario.overrides"] = {"weeks": 4, "replications": 2}
    at.session_state["page.settings"] = {"budget": "100000"}
    at.run()
    at.switch_page("pages/next_hire.py").run()
    at = press(at, "Rank the options")
    assert_clean(at)
    assert any(h.value == "Why this advice" for h in at.subheader)
    intro = next(m.value for m in at.markdown if m.value.startswith("What carries the gain of"))
    # the best option against today, or today (when best) against the runner-up: exactly one of them
    assert ("over **today's organisation**:" in intro) != intro.startswith("What carries the gain of **today's")
    assert 'id="why"' not in offered_reports[-1]["page"]
    at = press(at, "Explain the gain")
    assert_clean(at)
    (table,) = [d.value for d in at.dataframe if "What carries the gain" in d.value.columns]
    assert len(table) >= 3 and table["What carries the gain"].iloc[-1].startswith("The mechanisms acting together")
    first = next(m.value for m in at.markdown if " against " in m.value and "paired replications" in m.value)
    report = html.unescape(offered_reports[-1]["page"])
    assert 'id="why"' in report and first.replace("\\$", "$") in report
