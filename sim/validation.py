"""Validation: a nested dict (from TOML, a link or the app's form) into a frozen Scenario, or a ScenarioError that
lists every problem with its dotted key, the value and what is allowed.

The field-by-field checks read each field's bounds from its metadata (sim.schema); the rules that span several
keys, the limits that keep a hostile input cheap, and `all_mechanisms_off` are here. Keys of earlier versions are
upgraded first (sim.upgrades).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Collection, Mapping
from typing import Any

from sim import dotted
from sim.problems import NO_VALUE, Problem, ScenarioError, short
from sim.schema import (
    MECHANISMS_OFF,
    MECHANISMS_OFF_ELSEWHERE,
    SECTION_TYPES,
    STANDARD_DESIGNS,
    Scenario,
    to_dict,
    valid_name,
)
from sim.uncertainty import numeric_field, value_at
from sim.upgrades import upgrade_legacy_keys


def _describe(meta: dict[str, Any], kind: str) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    least = meta.get("zero_or_at_least")
    if least is not None and hi is not None:
        return f"0 (off) or {kind} from {_fmt(least)} to {_fmt(hi)}"
    if lo is not None and hi is not None:
        return f"{kind} from {_fmt(lo)} to {_fmt(hi)}"
    return kind


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# Limits on what a file, a link or an upload can ask of the validator, so a hostile one costs nothing: every table
# of named entries (designs, work types, skills, and any table added later) holds at most MAX_TABLE_ENTRIES, a
# value is echoed in a message as at most SHOWN_CHARS characters, and a scenario file is at most MAX_FILE_BYTES
# (sim.scenario_toml, which reads the files).
MAX_TABLE_ENTRIES = 50
MAX_LIST_ITEMS = 50
MAX_TEXT_CHARS = 2000
# Names and labels reach the CSV exports (a design's code in every row, its label in the growth sweep), and a
# spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV injection"): names start with a
# letter or a digit, and no text starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_MESSAGE = "must not start with =, +, -, @, a tab or a carriage return: a spreadsheet would run it as a formula"
MAX_UNKNOWN_SHOWN = 5


def _check_number(value: Any, kind: type, meta: dict, key: str, problems: list[Problem]) -> Any:
    word = "a whole number" if kind is int else "a number"
    path = key.partition("[")[0]  # an item of a list is a problem of the list's input
    subject = key if path != key else None
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int and ok_type and isinstance(value, float) and value.is_integer():
        value = int(value)
    not_finite = isinstance(value, float) and not math.isfinite(value)
    if not ok_type or (kind is int and not isinstance(value, int)) or not_finite:
        problems.append(Problem(path, value, f"must be {_describe(meta, word)}", subject))
        return None
    lo, hi = meta.get("min"), meta.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi) or _below_least(value, meta):
        problems.append(Problem(path, value, f"must be {_describe(meta, word)}", subject))
        return None
    return kind(value)


def _below_least(value: float, meta: Mapping[str, Any]) -> bool:
    """A value between 0 (off) and the least that makes sense (`zero_or_at_least`)."""
    least = meta.get("zero_or_at_least")
    return least is not None and 0 < value < least


def _check_value(value: Any, hint: Any, meta: dict, key: str, problems: list[Problem]) -> Any:
    origin = typing.get_origin(hint)
    if meta.get("ranges"):
        return _check_ranges(value, key, problems)
    if hint in SECTION_TYPES:
        return _build(hint, value, key, problems)
    if origin in (types.UnionType, typing.Union):  # `bool | None`: a design's optional override
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _check_value(value, inner, meta, key, problems)
    if hint is bool:
        if not isinstance(value, bool):
            problems.append(Problem(key, value, "must be true or false"))
            return None
        return value
    if hint in (int, float):
        return _check_number(value, hint, meta, key, problems)
    if hint is str:
        if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
            problems.append(Problem(key, value, f"must be text of at most {MAX_TEXT_CHARS} characters"))
            return None
        if value.startswith(FORMULA_STARTS):
            problems.append(Problem(key, value, FORMULA_MESSAGE))
            return None
        return value
    if origin is list:
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST_ITEMS:
            problems.append(Problem(key, value, f"must be a list of 1 to {MAX_LIST_ITEMS} numbers"))
            return None
        items = [_check_number(v, float, meta, f"{key}[{i}]", problems) for i, v in enumerate(value)]
        return None if None in items else items
    if origin is dict:
        _, value_type = typing.get_args(hint)
        if not isinstance(value, dict):
            problems.append(Problem(key, value, "must be a table of name = value"))
            return None
        if len(value) > MAX_TABLE_ENTRIES:
            problems.append(Problem(key, NO_VALUE,
                                    f"{len(value):,} entries; a table holds at most {MAX_TABLE_ENTRIES}"))
            return None
        out = {}
        for name, item in value.items():
            if not valid_name(name):
                problems.append(Problem(f"{key}.{short(name)}", NO_VALUE,
                                        "names must be 1 to 40 letters, digits, '_' or '-', the first a letter "
                                        "or a digit (a spreadsheet reads a cell starting with '-' as a formula)"))
                continue
            out[name] = _check_value(item, value_type, meta, f"{key}.{name}", problems)
        return out
    raise TypeError(f"unsupported field type {hint!r}")  # a programming error, not user input


def _check_ranges(value: Any, key: str, problems: list[Problem]) -> dict[str, tuple[float, float]] | None:
    if not isinstance(value, dict):
        problems.append(Problem(key, value, "must be a table of parameter = [low, high]"))
        return None
    flat = dotted.flatten(value)  # `behaviour.x = [..]` (unquoted, nested tables) and `"behaviour.x" = [..]` alike
    if len(flat) > MAX_TABLE_ENTRIES:
        problems.append(Problem(key, NO_VALUE, f"{len(flat):,} entries; a table holds at most {MAX_TABLE_ENTRIES}"))
        return None
    out: dict[str, tuple[float, float]] = {}
    ok = True
    for path, pair in flat.items():
        if pair == {}:  # a section whose every range was removed (an override of None) names no range
            continue
        where = f"{key}.{short(path)}"
        found = numeric_field(path)
        if found is None:
            problems.append(Problem(where, NO_VALUE, "not a numeric parameter; name one by its dotted path, e.g. "
                                    "behaviour.clarity_without_am (MODEL.md, Default ranges, lists the usual ones)"))
            ok = False
            continue
        kind, meta = found
        good = (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in pair))
        if not good:
            problems.append(Problem(where, pair, "must be [low, high], two numbers"))
            ok = False
            continue
        low, high = (float(x) for x in pair)
        lo, hi = meta.get("min"), meta.get("max")
        if low > high:
            problems.append(Problem(where, pair, "low must not be above high"))
            ok = False
        elif (lo is not None and low < lo) or (hi is not None and high > hi) or _below_least(low, meta):
            word = "whole numbers" if kind is int else "numbers"
            problems.append(Problem(where, pair, f"must lie within the parameter's allowed range, "
                                    f"{_describe(meta, word)}"))
            ok = False
        else:
            out[path] = (low, high)
    return out if ok else None


@functools.cache
def _shape(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field]]:
    """A table's field types and fields, worked out once per table: `get_type_hints` evaluates every annotation
    anew, and the robustness analysis validates a hundred variants of a scenario."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def _build(cls: type, data: Any, path: str, problems: list[Problem]) -> Any:
    where = path or "the scenario"
    if not isinstance(data, dict):
        problems.append(Problem(path, data, "must be a table", subject=where))
        return None
    hints, fields = _shape(cls)
    unknown = sorted(set(data) - set(fields), key=str)
    if unknown:
        problems.append(_unknown_keys(path, unknown, fields))
    values = {}
    for name, value in data.items():
        if name in fields:
            values[name] = _check_value(value, hints[name], dict(fields[name].metadata), _join(path, name), problems)
    if any(v is None and typing.get_origin(hints[k]) not in (types.UnionType, typing.Union) for k, v in values.items()):
        return None
    return cls(**values)


def _unknown_keys(path: str, unknown: list[Any], fields: Collection[str]) -> Problem:
    """One problem for all the unknown keys of a table: each named once (the first few), the allowed keys once."""
    names = [short(k) for k in unknown]
    allowed = f"allowed keys here are {', '.join(fields)}"
    if len(names) == 1:
        return Problem(_join(path, names[0]), NO_VALUE, f"unknown key; {allowed}")
    more = f" and {len(names) - MAX_UNKNOWN_SHOWN:,} more" if len(names) > MAX_UNKNOWN_SHOWN else ""
    listed = ", ".join(_join(path, n) for n in names[:MAX_UNKNOWN_SHOWN])
    return Problem(path, NO_VALUE, f"unknown keys; {allowed}", subject=f"{listed}{more}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else str(name)


# The problem of work-type shares that do not sum to 1: about every share at once, so about no single key.
SHARES_PATH = "demand.work_types.*.share"


def _check_consistency(s: Scenario, problems: list[Problem]) -> None:
    """Rules that span several keys."""
    if s.firm.skills and sum(s.firm.skills.values()) != s.firm.engineers:
        problems.append(Problem(
            "firm.skills", NO_VALUE, f"the engineers per skill must add up to firm.engineers "
            f"({s.firm.engineers}); they add up to {sum(s.firm.skills.values())}",
            subject=f"firm.skills = {s.firm.skills}",
        ))
    if not s.demand.work_types:
        problems.append(Problem("demand.work_types", NO_VALUE, "at least one work type is needed"))
    total = sum(w.share for w in s.demand.work_types.values())
    if s.demand.work_types and abs(total - 1) > 1e-6:
        # enough digits that a sum just off 1 (1.000001) never reads as "1"
        shares = ", ".join(f"{n} = {w.share:.12g}" for n, w in s.demand.work_types.items())
        problems.append(Problem(SHARES_PATH, NO_VALUE, f"shares must sum to 1; they sum to {total:.12g}",
                                subject=f"{SHARES_PATH} ({shares})"))
    skills = s.skills
    for name, wt in s.demand.work_types.items():
        if skills.get(wt.skill, 0) < 1:
            have = ", ".join(n for n, c in skills.items() if c > 0)
            problems.append(Problem(f"demand.work_types.{name}.skill", wt.skill,
                                    f"no engineer has this skill; skills with engineers: {have}"))
    if not s.designs:
        problems.append(Problem("designs", NO_VALUE, "at least one org design is needed"))
    for path in s.uncertainty or {}:
        try:
            value_at(s, path)
        except KeyError:
            problems.append(Problem(f"uncertainty.{path}", NO_VALUE, "the scenario has no such entry; name a "
                                    "design, work type or skill it has"))
    expected = expected_requests(s)
    if expected > MAX_REQUESTS_PER_RUN:
        problems.append(Problem(
            "demand", NO_VALUE, f"about {expected:,.0f} requests per run (clients x requests_per_client_per_week over "
            f"warmup_weeks + weeks, with growth); at most {MAX_REQUESTS_PER_RUN:,} are allowed: "
            "shorten the run or lower the demand"
        ))


MAX_REQUESTS_PER_RUN = 1_000_000  # about 20 s of simulation per replication: beyond this a run is a mistake


def expected_requests(s: Scenario) -> float:
    """Mean number of client requests in one run: the integral of the growing arrival rate over the horizon."""
    weeks = s.warmup_weeks + s.weeks
    per_week = s.demand.clients * s.demand.requests_per_client_per_week
    years = weeks / 52
    log_growth = math.log1p(s.demand.growth_per_year)
    if abs(log_growth) < 1e-12:
        today = per_week * weeks
    else:
        today = per_week * 52 * (math.exp(log_growth * years) - 1) / log_growth
    return today  # won clients only replace those gone, so the count never exceeds demand.clients


def _switch_mechanisms_off(data: dict[str, Any]) -> None:
    """`all_mechanisms_off`: every mechanism at its switched-off value, over whatever the file sets: a downloaded
    scenario lists every key, and the switch must still mean what it says."""
    behaviour = data.get("behaviour")
    if not (isinstance(behaviour, dict) and behaviour.get("all_mechanisms_off") is True):
        return
    data["behaviour"] = {**behaviour, **MECHANISMS_OFF}
    for table, values in MECHANISMS_OFF_ELSEWHERE.items():
        current = data.get(table, {})
        if isinstance(current, dict):
            data[table] = {**current, **values}


MAX_DEPTH = 8  # the deepest real value is 6 down: uncertainty.demand.work_types.NAME.share = [low, high]


def _too_deep(data: Any) -> str | None:
    """The first path nested more than MAX_DEPTH deep, found without recursion, so that the recursive code after it
    (validation, flattening, copying) never meets a structure that would exhaust Python's stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return short(path)
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in items)
    return None


def from_dict(data: dict[str, Any], notes: list[str] | None = None) -> Scenario:
    """Validate a nested dict (the TOML layout) on top of the defaults; raise ScenarioError listing every problem.

    Keys of earlier versions are read as their new equivalents; what was rewritten goes to `notes` if given."""
    if (deep := _too_deep(data)) is not None:
        raise ScenarioError([f"{deep}: tables or lists nested more than {MAX_DEPTH} deep; no value of a scenario "
                             "is nested that deep"])
    data = dict(data)
    rewritten = upgrade_legacy_keys(data)
    if notes is not None:
        notes.extend(rewritten)
    _switch_mechanisms_off(data)
    designs = data.get("designs")
    if isinstance(designs, dict):  # a file adds to or changes the standard designs rather than replacing them
        merged: dict[str, Any] = {k: dict(v) for k, v in STANDARD_DESIGNS.items()}
        for name, design in designs.items():
            merged[name] = {**merged.get(name, {}), **design} if isinstance(design, dict) else design
        data["designs"] = merged
    problems: list[Problem] = []
    scenario = _build(Scenario, data, "", problems)
    if scenario is not None and not problems and any(d.removed for d in scenario.designs.values()):
        scenario = dataclasses.replace(scenario, designs={n: d for n, d in scenario.designs.items() if not d.removed})
    if scenario is not None and not problems:
        _check_consistency(scenario, problems)
    if problems:
        raise ScenarioError(problems)
    return scenario


def switched_on(scenario: Scenario, **behaviour: Any) -> Scenario:
    """The scenario with these `[behaviour]` keys set on top of everything it has: how a check against theory
    switches one mechanism back on after `all_mechanisms_off` (which wins over any key in its own table)."""
    data = to_dict(scenario)
    data["behaviour"] = {**data["behaviour"], **behaviour, "all_mechanisms_off": False}
    return from_dict(data)
