"""Compare opens with one answer in words, and the key-figures table marks the same designs: for the default
scenario, a second preset, another objective carried by a link, and a case whose best is sure."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_share import open_link
from ui.labels import KPIS, OVERLAP_NOTE

SMALL = {"v": "1", "weeks": "6", "reps": "3"}
COLUMN = {"profit": KPIS["profit"].short, "lead_time": KPIS["lead_time_days"].short,
          "on_time": KPIS["on_time_rate"].short}


def answer_and_table(at: AppTest) -> tuple[str, bool, dict[str, str]]:
    """The headline, whether it is the green (sure) kind, and the key-figures table."""
    assert not at.exception, [e.value for e in at.exception]
    boxes = [(b.value, True) for b in at.success if b.value.startswith("For ")]
    boxes += [(b.value, False) for b in at.info if b.value.startswith("For ")]
    (headline, sure), = boxes
    return headline, sure, at.table[0].value


def assert_agrees(at: AppTest, objective: str) -> tuple[str, bool]:
    """The design in bold first is the one marked ★ when the headline is sure; else it and the designs the
    headline names as within noise are the ones marked "tied", and no other."""
    headline, sure, table = answer_and_table(at)
    column = table[COLUMN[objective]]
    marks = {design: cell.split(" · ")[0] for design, cell in column.items() if " · " in cell}
    best = re.match(r"For [^,]+, \*\*(.+?)\*\*", headline).group(1)
    assert best in table.index  # a design in words, as the table shows it
    if sure:
        assert "is best" in headline and marks == {best: "★"}
    else:
        tied = re.findall(r"\*\*(.+?)\*\*", headline.split("; ", 1)[1].split(" within ")[0])
        assert tied and (("will do" in headline) != ("more replications would tell" in headline))
        assert marks == dict.fromkeys([best, *tied], "tied")
    return best, sure


@pytest.mark.deep
def test_the_default_scenario_opens_with_an_answer_the_table_agrees_with():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "preset": "default"})
    best, _ = assert_agrees(at, "profit")
    assert best in {"No coordinator", "Project manager", "Account manager", "Hybrid PM/AM", "PM + AM"}
    assert at.selectbox(key="page:compare:robust_objective").value == "profit"
    assert [o for o in at.multiselect(key="page:compare:designs").options] == [
        "No coordinator", "Project manager", "Account manager", "Hybrid PM/AM", "PM + AM"]  # words, codes behind
    # the charts of each design's own interval say why overlapping bars can still be told apart
    assert OVERLAP_NOTE in [c.value for c in at.caption]


@pytest.mark.deep
def test_a_second_preset_and_another_objective_from_a_link():
    """Deep tier: about 2 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "preset": "small_firm", "robust_objective": "lead_time"})
    assert answer_and_table(at)[0].startswith("For mean lead time, ")
    assert_agrees(at, "lead_time")
    at.selectbox(key="page:compare:robust_objective").set_value("on_time").run()
    assert answer_and_table(at)[0].startswith("For on-time delivery, ")
    assert_agrees(at, "on_time")


@pytest.mark.deep
def test_a_best_beyond_noise_is_green_and_starred():
    # A calm firm does all its work with the engineers it has, so ten more engineers cost their salaries in every
    # replication and earn nothing: a loss far beyond noise. The new design reads as its hires.
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**SMALL, "preset": "default", "clients": "5", "designs": "none,big",
                    "designs.big.extra_engineers": "10"})
    best, sure = assert_agrees(at, "profit")
    assert (best, sure) == ("No coordinator", True)
    assert "10 extra engineers" in at.table[0].value.index
