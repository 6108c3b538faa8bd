"""The scenario: every parameter of the model, its default, its allowed range and its meaning.

Scenario files, share links and the app all speak this one schema, so it is the public contract: each field
carries its bounds and help text in its metadata, and one validator turns a nested dict (from TOML or a URL)
into a frozen Scenario or a list of problems that name the key, the value and what is allowed.

This module is the entry point the rest of the code imports from; each part lives in a module of its own, each
importing only those above it in this list:

- sim.schema: `param`, the frozen dataclasses (Firm, ..., Scenario), the standard designs, the process levers,
  each mechanism's switched-off value, and the nested-dict form `to_dict`;
- sim.upgrades: keys of earlier versions read as their new equivalents, retired keys dropped;
- sim.uncertainty: ranges of numeric parameters by dotted path, and the model's default ranges;
- sim.validation: nested dict -> Scenario or ScenarioError (`from_dict`), with its limits and rules;
- sim.scenario_toml: reading a scenario file and the TOML round trip (`load_scenario`, `loads`, `dumps`).

The problems themselves (Problem, ScenarioError and how a value is shown) are sim.problems'.
"""

from __future__ import annotations

from sim.problems import NO_VALUE, Problem, ScenarioError, short, shown
from sim.scenario_toml import MAX_FILE_BYTES, check_size, decode, dumps, load_scenario, loads, read_file
from sim.schema import (
    DEFAULT_WORK_TYPES,
    MECHANISMS_OFF,
    MECHANISMS_OFF_ELSEWHERE,
    PROCESS_KEYS,
    STANDARD_DESIGNS,
    param,
    to_dict,
)
from sim.schema import Behaviour as Behaviour
from sim.schema import Demand as Demand
from sim.schema import Economics as Economics
from sim.schema import Firm as Firm
from sim.schema import OrgDesign as OrgDesign
from sim.schema import Process as Process
from sim.schema import Salary as Salary
from sim.schema import Scenario as Scenario
from sim.schema import WorkType as WorkType
from sim.uncertainty import (
    UNCERTAIN_GRADES,
    UNCERTAIN_SECTIONS,
    default_ranges,
    numeric_field,
    uncertain_ranges,
    value_at,
)
from sim.upgrades import LEGACY_KEYS, RETIRED_KEYS, retired_note, upgrade_legacy_keys
from sim.validation import (
    FORMULA_MESSAGE,
    FORMULA_STARTS,
    MAX_DEPTH,
    MAX_LIST_ITEMS,
    MAX_REQUESTS_PER_RUN,
    MAX_TABLE_ENTRIES,
    MAX_TEXT_CHARS,
    MAX_UNKNOWN_SHOWN,
    SHARES_PATH,
    expected_requests,
    from_dict,
    switched_on,
)

__all__ = [
    # sim.schema
    "DEFAULT_WORK_TYPES", "MECHANISMS_OFF", "MECHANISMS_OFF_ELSEWHERE", "PROCESS_KEYS", "STANDARD_DESIGNS",
    "Behaviour", "Demand", "Economics", "Firm", "OrgDesign", "Process", "Salary", "Scenario", "WorkType", "param",
    "to_dict",
    # sim.upgrades
    "LEGACY_KEYS", "RETIRED_KEYS", "retired_note", "upgrade_legacy_keys",
    # sim.uncertainty
    "UNCERTAIN_GRADES", "UNCERTAIN_SECTIONS", "default_ranges", "numeric_field", "uncertain_ranges", "value_at",
    # sim.validation
    "FORMULA_MESSAGE", "FORMULA_STARTS", "MAX_DEPTH", "MAX_LIST_ITEMS", "MAX_REQUESTS_PER_RUN", "MAX_TABLE_ENTRIES",
    "MAX_TEXT_CHARS", "MAX_UNKNOWN_SHOWN", "SHARES_PATH", "expected_requests", "from_dict", "switched_on",
    # sim.scenario_toml
    "MAX_FILE_BYTES", "check_size", "decode", "dumps", "load_scenario", "loads", "read_file",
    # sim.problems
    "NO_VALUE", "Problem", "ScenarioError", "short", "shown",
]
