"""Share links in a real browser: what AppTest cannot see, since Streamlit writes the URL in the browser.

A user changes an input and presses Run, copies the share link, and a partner opens it in a fresh browser: the same
inputs and the same numbers appear. A garbage link opens with a warning. Switching pages keeps the scenario in the
URL. Each page leaves a screenshot in test-artifacts/. Links carry a tiny horizon (6 weeks, 2 replications).

Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect

from app import PAGES as APP_PAGES
from tests.browser import save_screenshot

SMALL = "v=1&preset=default&weeks=6&reps=2&max_reps=2"  # exactly 2: tests/test_sequential.py pins the stop
WAIT_MS = 60_000  # a Next hire ranking on a busy 2-core machine can take half a minute
PAGES = {Path(path).stem: title for path, title, _ in APP_PAGES}  # pages added later are photographed too


def open_page(page: Page, url: str, title: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=title).wait_for(timeout=WAIT_MS)
    settle(page)


def settle(page: Page) -> None:
    """Wait until the app has finished its run: Streamlit shows a status widget while it runs, and marks what the
    previous run drew as stale until the new run replaces it."""
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=WAIT_MS)


def photograph(page: Page, name: str) -> None:
    """A screenshot tall enough to show most of the page: Streamlit scrolls inside its own frame, so a full-page
    screenshot alone would stop at the window's height."""
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.wait_for_timeout(1000)  # tables and charts draw after the run ends
    save_screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def requests_input(page: Page):
    return page.get_by_test_id("stSidebar").get_by_role("spinbutton", name="Requests per client per week")


def differences(page: Page) -> list[str]:
    """The paired differences against the baseline, in words: KPI numbers a person reads."""
    items = page.get_by_test_id("stMain").locator("li").filter(has_text=re.compile("instead of"))
    expect(items.first).to_be_visible(timeout=WAIT_MS)
    return items.all_inner_texts()


def share_link(page: Page) -> str:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Share this scenario").click()
    code = sidebar.get_by_test_id("stCode")
    expect(code).to_be_visible(timeout=WAIT_MS)
    return code.inner_text().strip()


def test_a_share_link_opens_the_same_scenario_and_numbers_in_a_fresh_browser(app_url: str, page: Page,
                                                                             browser: Browser):
    open_page(page, f"{app_url}/?{SMALL}", PAGES["compare"])
    requests_input(page).fill("0.9")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"requests=0\.9"), timeout=WAIT_MS)
    settle(page)
    numbers = differences(page)
    link = share_link(page)
    assert link.startswith(f"{app_url}/?") and query(link) == query(page.url)
    assert query(link)["requests"] == "0.9" and query(link)["page"] == "compare"
    photograph(page, "share_compare")

    partner = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = partner.new_page()
        open_page(fresh, link, PAGES["compare"])
        expect(requests_input(fresh)).to_have_value("0.90")
        assert differences(fresh) == numbers
        # no warning; Compare's headline answer is the one box it always shows
        expect(fresh.get_by_test_id("stAlert").filter(has_not_text=re.compile(r"^For "))).to_have_count(0)
    finally:
        partner.close()


def test_the_scenario_stays_in_the_url_on_every_page(app_url: str, page: Page):
    open_page(page, f"{app_url}/?{SMALL}&clients=30&page=model", PAGES["model"])  # the link names its page
    assert query(page.url)["page"] == "model"
    for name in PAGES:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=PAGES[name]).click()
        page.get_by_role("heading", name=PAGES[name]).wait_for(timeout=WAIT_MS)
        expect(page).to_have_url(re.compile(rf"page={name}"), timeout=WAIT_MS)
        settle(page)
        assert {"clients": "30", "weeks": "6", "reps": "2"}.items() <= query(page.url).items()
        photograph(page, f"page_{name}")
        if name == "growth":  # the link names its page and points at the app's root, whatever page the session is on
            link = share_link(page)
            assert link.startswith(f"{app_url}/?") and query(link) == query(page.url)


def test_a_garbage_link_opens_with_a_warning(app_url: str, page: Page):
    open_page(page, f"{app_url}/?{SMALL}&engnieers=14&clients=many&preset=nope", PAGES["compare"])
    warning = page.get_by_test_id("stAlert").filter(has_text="could not be used as written")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    expect(warning).to_contain_text("did you mean engineers?")
    expect(warning).to_contain_text("Ignored clients=many")
    differences(page)  # the page still shows its results
    assert query(page.url)["preset"] == "default" and "engnieers" not in query(page.url)
    photograph(page, "share_garbage_link")
