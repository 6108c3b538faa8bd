"""Hostile links and shared servers in a real browser: what AppTest cannot see.

A link carrying Markdown (a "log in again" link, an image from another site) shows it as text and makes the
browser fetch nothing outside the app. A link asking for a huge ranking asks before it runs. While one user's long
run holds the server's run slots, a second user still gets (small) results, and a third waits for a slot; when the
first user's browser closes, the long run stops, frees its slot, and the third user's run goes through at once.

Long runs compare one design, so that what replaces them finishes in seconds. The app is served by its own server
here (not the session's `app_url`), so its long runs and run slots never touch
the other browser tests. Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import ROOT, save_screenshot, streamlit_server
from tests.test_browser_share import WAIT_MS, differences, settle
from ui.runner import RUNS_AT_ONCE
from ui.style import WIDE

TRAP_LINK = "[Log in again](https://evil.example/login)"
TRAP_IMAGE = "![pixel](https://images.evil.example/pixel.png)"
SMALL = {"v": "1", "preset": "default", "weeks": "6", "reps": "2", "max_reps": "2"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with streamlit_server(ROOT / "app.py") as url:
        yield url


def link(server: str, **params: str) -> str:
    return f"{server}/?{urlencode(params, safe=',')}"


def visible_text(locator) -> str:
    """The text as a person reads it: without the invisible word joiners that keep addresses from becoming links."""
    return locator.inner_text().replace("\u2060", "")


def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    return context, context.new_page()


def test_a_link_carrying_markdown_renders_it_as_text_and_fetches_nothing_outside_the_app(server, browser):
    context, page = new_page(browser)
    outside: list[str] = []

    def watch(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            outside.append(request.url)

    context.on("request", watch)
    try:
        page.goto(link(server, **SMALL, name=f"{TRAP_IMAGE} {TRAP_LINK}", clients=TRAP_IMAGE,
                       **{TRAP_LINK: "1"}, page="compare"))
        warning = page.get_by_test_id("stAlert").filter(has_text="could not be used as written")
        expect(warning).to_be_visible(timeout=WAIT_MS)
        settle(page)
        differences(page)  # the page ran on the nearest valid scenario
        shown = visible_text(warning)  # what a person reads: the link's text exactly, as characters
        assert f"Ignored {TRAP_LINK}: not a setting of this app" in shown, shown
        assert f"Ignored clients={TRAP_IMAGE}" in shown, shown
        assert f"{TRAP_IMAGE} {TRAP_LINK}" in visible_text(page.get_by_test_id("stMain"))  # the scenario's name
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        images = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
        assert links and all(urlsplit(u).hostname in (None, "127.0.0.1") for u in links), links  # nav links only
        assert all(urlsplit(u).hostname in (None, "127.0.0.1") for u in images), images
        save_screenshot(page, "hostile_markdown_link")
        assert outside == []
    finally:
        context.close()


def test_a_link_asking_for_a_huge_ranking_asks_before_it_runs(server, browser):
    context, page = new_page(browser)
    try:
        page.goto(link(server, v="1", preset="default", page="next_hire", weeks="520", warmup="104",
                       clients="2000", requests="0.8", budget="2000000"))
        page.get_by_role("heading", name="Next hire").wait_for(timeout=WAIT_MS)
        settle(page)  # the script has finished: it asked and stopped, it is not ranking
        main = page.get_by_test_id("stMain")
        expect(main.get_by_test_id("stAlert").filter(has_text="million requests")).to_be_visible(timeout=WAIT_MS)
        expect(main.get_by_role("button", name="Run it anyway")).to_be_visible(timeout=WAIT_MS)
        expect(main.get_by_text("replications done")).to_have_count(0)
        expect(main.locator(f".st-key-{WIDE}ranking-0 table")).to_have_count(0)  # nothing was ranked
        save_screenshot(page, "hostile_huge_ranking")
    finally:
        context.close()


def start_long_run(browser: Browser, server: str, seed: int) -> BrowserContext:
    """A comparison of one design, 1,000 replications of 524 weeks (about 8 million requests, several minutes on
    two cores), confirmed and under way."""
    context, page = new_page(browser)
    page.goto(link(server, v="1", preset="default", weeks="520", reps="1000", seed=str(seed), designs="none",
                   page="compare"))
    page.get_by_test_id("stMain").get_by_role("button", name="Run it anyway").click(timeout=WAIT_MS)
    expect(page.get_by_text("replications done").first).to_be_visible(timeout=WAIT_MS)
    return context


def test_a_closed_browsers_run_stops_and_frees_its_slot_while_others_get_results(server, browser):
    long_runs = [start_long_run(browser, server, seed) for seed in range(101, 101 + RUNS_AT_ONCE)]
    small, small_page = new_page(browser)
    waiting, waiting_page = new_page(browser)
    try:
        # A second user gets small results while the long runs hold every slot.
        small_page.goto(link(server, **SMALL, seed="5", page="compare"))
        differences(small_page)
        for context in long_runs:
            expect(context.pages[0].get_by_text("replications done").first).to_be_visible()
        # A third user's run needs the pool (30 x 56 weeks per design) and waits for a slot.
        waiting_page.goto(link(server, v="1", preset="default", weeks="52", reps="30", seed="6",
                               designs="none,pm", page="compare"))
        expect(waiting_page.get_by_text("waiting for another run on this server to finish").first).to_be_visible(
            timeout=WAIT_MS)
        save_screenshot(waiting_page, "hostile_waiting_for_a_slot")
        # The long runs' browsers close: their runs stop, cancel what they queued and free their slots, so the
        # third user's run goes through long before the half hour the long runs would have taken.
        closed = time.monotonic()
        for context in long_runs:
            context.close()
        long_runs = []
        expect(waiting_page.get_by_text("waiting for another run").first).to_have_count(0, timeout=60_000)
        assert len(differences(waiting_page)) == 1  # pm against none
        assert time.monotonic() - closed < 90
        save_screenshot(waiting_page, "hostile_slot_freed")
    finally:
        for context in (*long_runs, small, waiting):
            context.close()


def test_a_run_stops_when_its_user_asks_for_another(server, browser):
    context = start_long_run(browser, server, seed=301)
    page = context.pages[0]
    try:
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Experiment").click()
        sidebar.get_by_role("spinbutton", name="Replications per design").fill("30")
        sidebar.get_by_role("spinbutton", name="Weeks measured").fill("52")
        asked = time.monotonic()
        sidebar.get_by_role("button", name="Run").click()
        # the new run needs the pool and a slot (30 x 56 weeks): it gets both at once, because the long run stopped,
        # cancelled what it had queued and freed its slot
        expect(page.get_by_text("of 30 replications done").first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("waiting for another run")).to_have_count(0)
        settle(page)
        expect(page.locator(f".st-key-{WIDE}key-figures table")).to_be_visible()
        assert time.monotonic() - asked < 60
    finally:
        context.close()
