"""Fixtures for tests in a real browser: the app served by `streamlit run` on a free port, driven by Playwright
with Debian's Chromium. AppTest cannot see what the browser does to the URL, so share links need these.

Use from a test module with `pytest_plugins` in tests/conftest.py (already set), then ask for `app_url`, `browser`
or `page`, and call `save_screenshot(page, name)` to leave a picture in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
# The system Chromium: $CHROMIUM if set (macOS, a custom install), else the one on PATH (`make test-deep` installs it).
CHROMIUM = (os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
            or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
STARTUP_SECONDS = 60  # a cold start on a busy two-core machine imports pandas, altair and the app
# A fresh browser loads each kind of widget's code the first time a page shows one: on a loaded machine the text of
# a page can stand for seconds before its inputs do. Every expectation waits this long unless it says otherwise
# (Playwright's default is 5 s); one that holds at once still returns at once.
expect.set_options(timeout=30_000)


def free_port() -> int:
    """A port nobody listens on now; the server binds it a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(script: Path, startup_seconds: float = STARTUP_SECONDS) -> Iterator[str]:
    """Serve a Streamlit script on a free localhost port; yields the base URL once the server says it is healthy,
    and stops the server afterwards. The server's output goes to a log that a failed start shows."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(command, cwd=script.parent, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_seconds
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit did not start on {url} within {startup_seconds:.0f} s:\n"
                                       f"{log.read()[-3000:]}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


BROWSER_FIXTURES = {"app_url", "browser", "page"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests in a real browser are in the deep tier (`make test-deep`; each module's docstring says so) and,
    under pytest-xdist with `--dist loadgroup`, all go to one worker, so one app server and one Chromium serve them
    all."""
    for item in items:
        if uses_the_browser(item):
            item.add_marker(pytest.mark.deep)
            item.add_marker(pytest.mark.xdist_group("browser"))


def uses_the_browser(item: pytest.Item) -> bool:
    """Whether a test asks for one of these fixtures, not a fixture of its own of the same name (a report's `page`
    of HTML is no browser page)."""
    info = getattr(item, "_fixtureinfo", None)  # pytest's own record of what each of the test's names resolves to
    if info is None:
        return False
    return any(definitions[-1].func.__module__ == __name__
               for name, definitions in info.name2fixturedefs.items() if name in BROWSER_FIXTURES and definitions)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app itself, served once for the whole session."""
    with streamlit_server(ROOT / "app.py") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, shared by the session; each test opens its own context."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context: no cookies, storage or URL state carried over from another test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/NAME.png, for a person to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
