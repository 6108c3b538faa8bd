"""How sure is this? in a real browser: a link carries the ranges, the button runs the analysis, the verdict, table
and tornado chart appear, and a screenshot (test-artifacts/robust_compare.png) shows them to a person.

Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.test_browser_share import PAGES, WAIT_MS, open_page, photograph, query, settle


def test_a_link_with_ranges_opens_and_the_analysis_runs_when_asked(app_url: str, page: Page):
    link = urlencode({"v": "1", "preset": "default", "weeks": "6", "reps": "2", "uncertainty": "none",
                      "uncertainty.behaviour.hybrid_strength": "0.2,1", "uncertainty.economics.salary.hybrid":
                      "90000,140000", "page": "compare", "designs": "none,am,hybrid"})
    open_page(page, f"{app_url}/?{link}", PAGES["compare"])
    assert query(page.url)["uncertainty.behaviour.hybrid_strength"] == "0.2,1"
    expect(page.get_by_role("heading", name="How sure is this?")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Test the answer against the assumptions").click()
    settle(page)
    verdict = page.get_by_text("of plausible assumptions")
    expect(verdict).to_be_visible(timeout=WAIT_MS)
    assert "simulation noise" in verdict.inner_text()
    expect(page.get_by_test_id("stVegaLiteChart").last).to_be_visible(timeout=WAIT_MS)
    verdict.scroll_into_view_if_needed()
    photograph(page, "robust_compare")
