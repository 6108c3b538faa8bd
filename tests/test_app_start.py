"""A cold start says what is happening: the first page after the server starts shows a message while it loads the
model and runs, and takes it away once the page is drawn. Run in a fresh interpreter, where nothing is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCRIPT = f"""
import streamlit.delta_generator as dg
from streamlit.testing.v1 import AppTest

shown = []
info = dg.DeltaGenerator.info
dg.DeltaGenerator.info = lambda self, body, *a, **k: (shown.append(body), info(self, body, *a, **k))[1]
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=120)
at.session_state["scenario.overrides"] = {{"weeks": 6, "replications": 2}}
at.run()
assert not at.exception, [e.value for e in at.exception]
assert shown and shown[0].startswith("Starting Orgsim"), shown
assert not [i for i in at.info if i.value.startswith("Starting Orgsim")]  # gone once the page is drawn
at.run()
assert shown.count(shown[0]) == 1  # a warm server says nothing
"""


@pytest.mark.deep
def test_a_cold_start_says_it_is_starting_and_the_message_goes():
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
