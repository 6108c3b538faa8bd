"""Next hire in a real browser at 1400 px with its widest ranking: a weighted mix (the longest objective header) on
the one-hire firm (ties, the longest verdicts). Nothing may stick out sideways (tests/test_layout_browser.py's check,
which covers every page on its default ranking). Tiny horizons.

Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.test_layout_browser import SMALL, WAIT_MS, WIDTHS, overflows, settle

MIX_ON_THE_ONE_HIRE_FIRM = (SMALL.replace("preset=default", "preset=one_hire")
                            + "&page=next_hire&objective=profit:50,lead_time:25,on_time:25")


def test_the_widest_ranking_fits_a_laptop(app_url: str, page: Page):
    page.goto(f"{app_url}/?{MIX_ON_THE_ONE_HIRE_FIRM}")
    page.get_by_role("heading", name="Next hire").wait_for(timeout=WAIT_MS)
    settle(page)
    assert page.get_by_text("Tied: ").count() > 0  # the case it is about: a tie is shown
    assert overflows(page, WIDTHS[0]) == []
