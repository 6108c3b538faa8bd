"""Next hire in a real browser at 1400 px: the ranking table fits its frame, so no column (the verdict against the
best, on the right, least of all) is cut off; AppTest cannot measure what the browser draws. Tiny horizons."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser import save_screenshot
from tests.test_browser_share import SMALL, open_page

# The longest header (a weighted mix) and the longest verdicts (ties) on the small firm; the default firm's longest
# option names by profit.
CASES = {
    "default": SMALL,
    "small_firm_mix": SMALL.replace("preset=default", "preset=small_firm")
    + "&objective=profit:50,lead_time:25,on_time:25",
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_ranking_table_fits_at_1400_px(app_url: str, page: Page, case: str):
    open_page(page, f"{app_url}/?{CASES[case]}&page=next_hire", "Next hire")
    table = page.get_by_test_id("stDataFrame").first
    table.wait_for()
    page.wait_for_timeout(1000)  # the grid draws its columns after the run ends
    widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
        .map(s => [s.scrollWidth, s.clientWidth])""")
    assert widths, "no table drawn"
    assert all(scroll <= client for scroll, client in widths), widths
    save_screenshot(page, f"next_hire_{case}")
