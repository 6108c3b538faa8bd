"""Why this answer on Compare: run when asked, on the page's own comparison; where one assumption carries the gain,
the sentence names it in words with its range, under the headline and in the section."""

from __future__ import annotations

from tests.test_app_pages import assert_clean
from tests.test_robust_app import open_compare, press

# An AM whose clarifying matters a great deal: requests taken by engineers are often misunderstood, and rework is dear.
CARRIED = {"weeks": 6, "replications": 3, "behaviour.clarity_without_am": 0.3, "behaviour.rework_effort_share": 1.5}


def test_compare_explains_the_gain_and_names_the_assumption_that_carries_it():
    at = open_compare(CARRIED, "none,am", timeout=240)
    assert any(h.value == "Why this answer" for h in at.subheader)
    assert not [w for w in at.warning if "rests on one assumption" in w.value]  # nothing said before it ran
    at = press(at, "Explain the gain")
    assert_clean(at)
    said = [w.value for w in at.warning if "rests on one assumption" in w.value]
    assert len(said) == 2  # beside the answer and in the section
    assert all("clarifying" in s and "0.8 to 0.95" in s and "clarity_with_am" not in s for s in said)
    tables = [d.value for d in at.dataframe if "What carries the gain" in d.value.columns]
    assert len(tables) == 1
    assert set(tables[0]["Source"]) <= {"firm", "soft", "rule of thumb", "assumption"}
    assert not any("behaviour." in str(v) for v in tables[0]["What carries the gain"])
