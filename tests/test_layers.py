"""Layers: the model never imports streamlit, and of the app's shared parts only those `ui/__init__.py` names do.
Every module of `sim` and `ui` is imported alone in a fresh interpreter, so none hides behind another that imported
streamlit first."""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import sim
import ui
from tests.conftest import ROOT

SIM = sorted(m.name for m in pkgutil.walk_packages(sim.__path__, "sim.") if m.name != "sim.__main__")
UI = sorted(m.name for m in pkgutil.walk_packages(ui.__path__, "ui."))
SCRIPT = "import importlib, sys\nimportlib.import_module(sys.argv[1])\nprint('streamlit' in sys.modules)"


def _imports_streamlit(modules: list[str]) -> dict[str, str]:
    """For each module, "True" or "False" (whether importing it alone brought streamlit in) or its import error;
    one interpreter per core at a time."""
    def check(name: str) -> str:
        done = subprocess.run([sys.executable, "-c", SCRIPT, name], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip() if done.returncode == 0 else (done.stderr.strip().splitlines() or ["failed"])[-1]

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return dict(zip(modules, pool.map(check, modules), strict=True))


def test_every_module_is_checked():
    assert {"sim.paths", "sim.links", "sim.model", "sim.cli", "sim.calibration.fit"} <= set(SIM)
    assert {"ui.overrides", "ui.sidebar"} <= set(UI)


def test_no_module_of_the_model_imports_streamlit():
    found = _imports_streamlit(["sim", *SIM])
    assert {name: out for name, out in found.items() if out != "False"} == {}


def test_the_ui_modules_that_import_streamlit_are_the_ones_its_docstring_names():
    drawing, plain = (re.findall(r"`(\w+)`", part) for part in re.split(r"The\s+rest", ui.__doc__ or ""))
    found = {name.removeprefix("ui."): out for name, out in _imports_streamlit(UI).items()}
    assert set(drawing) | set(plain) == set(found)
    assert {name: found[name] for name in plain} == dict.fromkeys(plain, "False")
    assert {name: found[name] for name in drawing} == dict.fromkeys(drawing, "True")
