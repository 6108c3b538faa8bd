"""Orgsim: how should a services firm organise? A SimPy model of client requests under org designs.

The public API is small: load a scenario, run an experiment, read tidy frames.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Printed on every report with a fingerprint of the code (sim.report.version): raise it with each release.
__version__ = "0.11.0"

# Imported on first use (PEP 562), so that `python -m sim` and `import sim.scenario` do not load pandas and the
# model before they need them.
_HOMES = {
    "Results": "sim.experiment", "run_experiment": "sim.experiment", "run_replication": "sim.experiment",
    "METRICS": "sim.measure",
    **dict.fromkeys(["Scenario", "ScenarioError", "dumps", "from_dict", "load_scenario", "loads"], "sim.scenario"),
}

if TYPE_CHECKING:
    from sim.experiment import Results, run_experiment, run_replication
    from sim.measure import METRICS
    from sim.scenario import Scenario, ScenarioError, dumps, from_dict, load_scenario, loads

__all__ = [
    "METRICS", "__version__", "Results", "Scenario", "ScenarioError", "dumps", "from_dict", "load_scenario", "loads",
    "run_experiment", "run_replication",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
