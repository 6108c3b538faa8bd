"""Orgsim: how should a services firm organise? A SimPy model of client requests under org designs.

The public API is small: load a scenario, run an experiment, read tidy frames.
"""

from sim.experiment import Results, run_experiment, run_replication
from sim.measure import METRICS
from sim.scenario import Scenario, ScenarioError, dumps, from_dict, load_scenario, loads

__all__ = [
    "METRICS", "Results", "Scenario", "ScenarioError", "dumps", "from_dict", "load_scenario", "loads",
    "run_experiment", "run_replication",
]
