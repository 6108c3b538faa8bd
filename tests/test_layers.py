"""The model never imports streamlit: every module of `sim`, each imported alone in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sim
from tests.conftest import ROOT

MODULES = sorted(m.name for m in pkgutil.walk_packages(sim.__path__, "sim.") if m.name != "sim.__main__")
PURE_UI = ["ui.overrides", "ui.tables", "ui.charts", "ui.labels"]  # the app's parts that work without a server


def test_every_module_of_the_model_is_checked():
    assert {"sim.paths", "sim.links", "sim.model", "sim.cli", "sim.calibration.fit"} <= set(MODULES)


def test_no_module_of_the_model_nor_the_pure_ui_imports_streamlit():
    # One interpreter per module, so that no module hides behind another having imported streamlit first.
    script = ("import importlib, sys\nname = sys.argv[1]\nimportlib.import_module(name)\n"
              "print('streamlit' in sys.modules)")
    found = {}
    for name in ["sim", *MODULES, *PURE_UI]:
        done = subprocess.run([sys.executable, "-c", script, name], capture_output=True, text=True, cwd=ROOT)
        found[name] = done.stdout.strip() if done.returncode == 0 else done.stderr.strip().splitlines()[-1]
    assert {name: out for name, out in found.items() if out != "False"} == {}
