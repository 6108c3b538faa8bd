"""Layers: the model never imports streamlit, and of the app's shared parts only those `ui/__init__.py` names do.
Every module of `sim` and `ui` is imported alone in a process of its own, so none hides behind another that
imported streamlit first."""

from __future__ import annotations

import ast
import graphlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sim
import ui
from tests.conftest import ROOT

SIM = sorted(m.name for m in pkgutil.walk_packages(sim.__path__, "sim.") if m.name != "sim.__main__")
UI = sorted(m.name for m in pkgutil.walk_packages(ui.__path__, "ui."))

# One fresh interpreter loads the third-party libraries that never import streamlit, then forks a child per module:
# each child starts with no module of the project loaded, and none pays the libraries' import again. An import of
# streamlit is refused and noted rather than carried out, so a module that asks for it costs no more than one that
# does not.
SCRIPT = """
import importlib, os, sys
import altair, numpy, pandas, scipy.stats, simpy
assert 'streamlit' not in sys.modules

class Refuse:
    asked = False
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'streamlit':
            Refuse.asked = True
            raise ImportError('streamlit refused')
        return None

sys.meta_path.insert(0, Refuse())
for name in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        answer = 'False'
        try:
            importlib.import_module(name)
        except BaseException as error:
            answer = f'{type(error).__name__}: {error}'.replace(chr(10), ' ')
        if Refuse.asked:
            answer = 'True'
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        print(name, pipe.read() or 'no answer')
    os.wait()
"""


# On one worker, so that the interpreter importing every module alone (asks_for_streamlit) runs once.
pytestmark = pytest.mark.xdist_group("layers")


@pytest.fixture(scope="module")
def asks_for_streamlit() -> dict[str, str]:
    """For each module, "True" or "False" (whether importing it alone asks for streamlit) or its import error."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, "sim", *SIM, *UI], capture_output=True, text=True,
                          cwd=ROOT, check=True, timeout=300)
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


@pytest.mark.deep
def test_every_module_is_checked(asks_for_streamlit):
    """Deep tier: about 3 s, as it imports every module in a fresh interpreter."""
    assert {"sim.paths", "sim.links", "sim.model", "sim.cli", "sim.calibration.fit", *SCENARIO_PARTS} <= set(SIM)
    assert {"ui.overrides", "ui.sidebar"} <= set(UI)
    assert set(asks_for_streamlit) == {"sim", *SIM, *UI}


def test_no_module_of_the_model_imports_streamlit(asks_for_streamlit):
    assert {name: asks_for_streamlit[name] for name in ["sim", *SIM]} == dict.fromkeys(["sim", *SIM], "False")


def test_the_ui_modules_that_import_streamlit_are_the_ones_its_docstring_names(asks_for_streamlit):
    drawing, plain = (re.findall(r"`(\w+)`", part) for part in re.split(r"The\s+rest", ui.__doc__ or ""))
    found = {name.removeprefix("ui."): asks_for_streamlit[name] for name in UI}
    assert set(drawing) | set(plain) == set(found)
    assert {name: found[name] for name in plain} == dict.fromkeys(plain, "False")
    assert {name: found[name] for name in drawing} == dict.fromkeys(drawing, "True")


# The imports as written, read with `ast` rather than run: every `import` and `from ... import` of a module, at its
# top, inside functions and under `if TYPE_CHECKING:` alike, so an import moved into a function (to dodge a circle
# at run time) still counts.
PROJECT_FOLDERS = ("sim", "ui", "pages")


def _module_files() -> dict[str, Path]:
    files = {"app": ROOT / "app.py"}
    for folder in PROJECT_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that `module` imports: `from sim import paths` is sim.paths, `from sim import
    Scenario` the package sim."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*head, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known and name != module}


@pytest.fixture(scope="module")
def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    return {module: _imports(module, path, set(files)) for module, path in files.items()}


def test_the_import_graph_sees_every_kind_of_import(import_graph):
    assert {"sim.scenario", "sim.dotted"} <= import_graph["sim.paths"]  # top-level imports
    assert "sim.report" in import_graph["sim.cli"]  # inside a function
    assert "sim.robust" in import_graph["sim.report"]  # under TYPE_CHECKING and inside functions
    assert {"ui.charts", "ui.tables"} <= import_graph["ui.sureness"]  # `from ui import charts, tables`


def test_the_model_never_imports_the_app(import_graph):
    """sim/ is a layer below the app: the report and the CLI build their tables and charts from sim's own modules."""
    app = [name for name in import_graph if not name.startswith("sim")]
    assert {module: sorted(imported & set(app)) for module, imported in import_graph.items()
            if module.split(".")[0] == "sim" and imported & set(app)} == {}


# The parts of the scenario, in layers: each imports of the project only sim.dotted, sim.problems and the parts
# before it, and none imports sim.scenario, the entry point the rest of the code imports them through.
SCENARIO_PARTS = ["sim.schema", "sim.upgrades", "sim.uncertainty", "sim.validation", "sim.scenario_toml"]


def test_the_scenarios_parts_import_only_the_parts_before_them(import_graph):
    assert {part: sorted(import_graph[part] - {"sim.dotted", "sim.problems", *SCENARIO_PARTS[:i]})
            for i, part in enumerate(SCENARIO_PARTS)} == dict.fromkeys(SCENARIO_PARTS, [])
    assert set(SCENARIO_PARTS) <= import_graph["sim.scenario"]


def test_no_import_circle(import_graph):
    """No two modules of the project import each other, directly or through others: each layer reads alone."""
    try:
        graphlib.TopologicalSorter(import_graph).prepare()
    except graphlib.CycleError as circle:
        pytest.fail(f"modules import each other in a circle: {' -> '.join(reversed(circle.args[1]))}")


@pytest.mark.parametrize("module", ["sim.stats", "sim.robust", "sim.tables"])
def test_scipy_is_imported_where_it_is_used_not_at_start_up(module):
    """The t quantiles (sim.stats) and the Latin hypercube (sim.robust) import scipy when first asked for: scipy.stats
    costs about a second, and the app and the CLI import these modules for their words and settings."""
    done = subprocess.run([sys.executable, "-c", f"import sys, {module}; print('scipy' in sys.modules)"],
                          capture_output=True, text=True, cwd=ROOT, check=True, timeout=60)
    assert done.stdout.strip() == "False"
