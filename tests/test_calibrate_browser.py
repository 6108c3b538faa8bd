"""The Calibrate page in a real browser: upload the sample export, fit and back-test it, use the scenario, run the
Compare page on it, and open its share link in a fresh browser to find the same scenario and the same numbers.
The link must carry the fitted parameters and no ticket data.

Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from sim.links import params_to_scenario
from sim.presets import read_presets
from tests.browser import ROOT
from tests.test_browser_share import PAGES, SMALL, differences, open_page, photograph, query, settle, share_link

SAMPLE = ROOT / "scenarios" / "samples" / "jira_sample.csv"
FIT_MS = 240_000  # the back-test screens every assumption: seconds alone, longer on a shared two-core machine


def test_upload_fit_use_compare_and_share(app_url: str, page: Page, browser: Browser):
    open_page(page, f"{app_url}/?{SMALL}&page=calibrate", PAGES["calibrate"])
    main = page.get_by_test_id("stMain")
    main.locator("input[type=file]").set_input_files(str(SAMPLE))
    expect(main.get_by_text("recognised as a Jira CSV export")).to_be_visible(timeout=60_000)
    main.get_by_role("button", name="Fit and back-test").click()
    expect(main.get_by_text("Your firm today:")).to_be_visible(timeout=FIT_MS)
    settle(page)
    photograph(page, "calibrate_backtest")
    main.get_by_role("button", name="Use this scenario").click()
    expect(main.get_by_text("is now the scenario in the sidebar")).to_be_visible(timeout=60_000)
    settle(page)
    fitted = query(page.url)
    # The link names the preset closest to the fitted firm and what differs from it: read the scenario it makes.
    shared = params_to_scenario(fitted, read_presets()[0]).scenario
    assert fitted["page"] == "calibrate" and shared.firm.engineers == 6 and shared.demand.clients == 20
    assert "demand.work_types.bug.share" in fitted
    assert not any(word in page.url for word in ("SUP-", "Client%2001", "Engineer", "Created"))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=PAGES["compare"]).click()
    page.get_by_role("heading", name=PAGES["compare"]).wait_for(timeout=60_000)
    settle(page)
    numbers = differences(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    link = share_link(page)
    assert {k: v for k, v in query(link).items() if k != "page"} == {k: v for k, v in fitted.items() if k != "page"}
    photograph(page, "calibrate_compare")

    partner = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = partner.new_page()
        open_page(fresh, link, PAGES["compare"])
        assert query(fresh.url) == query(link)
        assert differences(fresh) == numbers
        # no warning; Compare's headline answer is the one box it always shows
        expect(fresh.get_by_test_id("stAlert").filter(has_not_text=re.compile(r"^For "))).to_have_count(0)
    finally:
        partner.close()
