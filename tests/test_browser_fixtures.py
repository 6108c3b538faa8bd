"""The browser fixtures work: a Streamlit script served on a free port loads in Chromium and leaves a screenshot.

Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

from tests.browser import save_screenshot, streamlit_server

SCRIPT = """
import streamlit as st

st.title("Orgsim browser check")
st.write("x is", st.query_params.get("x", "unset"))
"""


def test_a_served_script_loads_in_chromium_and_is_photographed(tmp_path, page):
    script = tmp_path / "check.py"
    script.write_text(SCRIPT)
    with streamlit_server(script) as url:
        page.goto(f"{url}/?x=42")
        page.get_by_text("Orgsim browser check").wait_for(timeout=30_000)
        page.get_by_text("x is 42").wait_for(timeout=30_000)
        shot = save_screenshot(page, "browser_fixtures_check")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 1000
