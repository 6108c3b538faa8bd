"""Share links: a scenario as URL query parameters and back.

A link names a preset and carries only the values that differ from it, under short keys for the common levers
(`engineers=14`) and dotted paths for everything else (`behaviour.churn_threshold=0.3`). Links get pasted,
edited by hand, truncated and opened by newer versions of the app, so decoding never raises: it keeps every valid
value, drops each invalid one with a warning in plain words, and always ends with a valid Scenario. Values are
parsed as numbers, booleans and text only; nothing from a link is evaluated, unpickled or imported.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sim import paths
from sim.presets import DEFAULT_PRESET
from sim.scenario import Problem, Scenario, ScenarioError, from_dict, numeric_field, to_dict
from sim.upgrades import LEGACY_KEYS, RETIRED_KEYS, retired_note, upgrade_legacy_keys

LINK_VERSION = 1

# Short keys for the levers people change most; every other value goes by its dotted path.
ALIASES: dict[str, str] = {
    "engineers": "firm.engineers",
    "clients": "demand.clients",
    "requests": "demand.requests_per_client_per_week",
    "growth": "demand.growth_per_year",
    "reps": "replications",
    "max_reps": "max_replications",
    "warmup": "warmup_weeks",
    "checklists": "process.standardised_work",
    "checkins": "process.checkins",
    "updates": "process.status_updates",
    "bill_rate": "economics.bill_rate",
    "engineer_salary": "economics.salary.engineer",
    "pm_salary": "economics.salary.project_manager",
    "am_salary": "economics.salary.account_manager",
    "hybrid_salary": "economics.salary.hybrid",
    "sales_salary": "economics.salary.sales",
}
# Also read, never written: other words people type for the same lever.
READ_ALIASES: dict[str, str] = {"rate": "demand.requests_per_client_per_week"}
SHORT_KEY = {path: alias for alias, path in ALIASES.items()}

# The page's own settings: carried through untouched for the page that owns them.
PAGE_KEYS: tuple[str, ...] = (
    "page", "designs", "baseline", "lever", "from", "to", "steps", "sweep", "budget", "objective", "growth_pct",
    "robust_objective", "zone",
)
VERSION_KEY, PRESET_KEY = "v", "preset"
# The app's address when `make run` serves it: the base of a link when no other is known (the CLI's report, the
# app before the browser says where it is).
DEFAULT_BASE_URL = "http://localhost:8501"
# Ranges of uncertain inputs: `uncertainty.PATH=LOW,HIGH` each, `uncertainty.PATH=remove` for one the preset has and
# the scenario dropped; `uncertainty=default` for the model's default ranges, `uncertainty=none` for no range at all.
UNCERTAINTY_KEY, DEFAULT_RANGES, NO_RANGES = "uncertainty", "default", "none"

# A removed entry (a design, work type or skill of the preset) and an unset design override.
REMOVE, INHERIT = "remove", "inherit"
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
INHERIT_WORDS = (INHERIT, "none", "")

# Far above the longest realistic link (see README), low enough that a pasted novel costs nothing.
MAX_SETTINGS = 200
MAX_LINK_CHARS = 10_000
MAX_VALUE_CHARS = 2_000
MAX_UNKNOWN_SHOWN = 5

_NO_PAGE: Mapping[str, str] = types.MappingProxyType({})


@dataclass(frozen=True)
class Decoded:
    """What a link gave: the preset it starts from, the nearest valid scenario, the page's settings, what was
    ignored and why, and `notes` on what was read differently from how it was written (keys of earlier versions)."""

    preset: str
    scenario: Scenario
    page: dict[str, str]
    warnings: list[str]
    notes: list[str] = field(default_factory=list)



# ---------------------------------------------------------------------------------------------------------------
# The schema seen as dotted paths (sim.paths): a link names single values, never a section or a whole table.


def _resolve(path: str) -> paths.Field | None:
    """The field a link may set at this path; None if there is no such path or it names a whole section or table
    (a link sets single values; `designs.x=remove` drops an entry)."""
    found = paths.field_at(path)
    if found is None or found.is_table or (found.is_section and not found.entry):
        return None
    return found


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """Every single value by its path. An emptied table has none: the table's entries are written one by one
    (`firm.skills.NAME=remove`), so the table itself is never a setting."""
    return paths.values_only(paths.flatten(data))


# ---------------------------------------------------------------------------------------------------------------
# Encoding


def _text(value: Any) -> str:
    """Shortest text that reads back to the same value: floats by repr, without a useless '.0'."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


def scenario_to_params(
    scenario: Scenario, preset: str, presets: Mapping[str, Scenario], page: Mapping[str, str] = _NO_PAGE
) -> dict[str, str]:
    """The link's query parameters: version, preset, each value that differs from the preset, then the page's
    settings. A design, work type or skill the preset lacks is written field by field; one the scenario dropped
    is written as `PATH.NAME=remove`."""
    if preset not in presets:
        raise KeyError(f"preset {preset!r} is not one of {', '.join(presets)}")
    base, target = presets[preset].to_dict(), scenario.to_dict()
    params = {VERSION_KEY: str(LINK_VERSION), PRESET_KEY: preset}
    new_entries: set[str] = set()
    removed: dict[str, str] = {}
    for table_field in (f for f in paths.walk() if f.is_table):
        table = table_field.path
        before, after = paths.get(base, table, {}), paths.get(target, table, {})
        for name in before.keys() - after.keys():
            removed[f"{table}.{name}"] = REMOVE
        for name in sorted(after.keys() - before.keys()):
            new_entries.add(f"{table}.{name}")
            if isinstance(after[name], dict):  # a new design or work type: the fields that differ from a blank one
                blank = to_dict(table_field.item())
                fields = {k: v for k, v in after[name].items() if blank.get(k) != v}
                first = next(iter(after[name]))
                fields = fields or {first: after[name][first]}  # at least one field, so that the entry exists
                params.update({f"{table}.{name}.{k}": _text(v) for k, v in fields.items()})
            else:
                params[f"{table}.{name}"] = _text(after[name])
    flat_before, flat_after = _values(base), _values(target)
    implied = presets[preset].firm.resized(scenario.firm.engineers).skills == scenario.firm.skills
    params.update(_uncertainty_params(presets[preset].uncertainty, scenario.uncertainty))
    for path, value in flat_after.items():
        if path.rsplit(".", 1)[0] in new_entries or path in new_entries or _is_range(path):
            continue
        if implied and path.startswith("firm.skills."):
            continue  # `engineers=14` alone says it: the reader splits the team as Firm.resized does
        if path not in flat_before or flat_before[path] != value:
            params[SHORT_KEY.get(path, path)] = _text(value)
    for path in flat_before.keys() - flat_after.keys():
        if _is_range(path):
            continue
        owner = path.rsplit(".", 1)[0]
        if owner not in removed and path not in removed:  # a design's process override set back to unset
            params[path] = INHERIT
    params.update(sorted(removed.items()))
    for key, value in page.items():
        if key in params or _scenario_field(key) is not None:
            raise KeyError(f"page setting {key!r} clashes with a scenario key")
        params[key] = value
    return params


def _is_range(path: str) -> bool:
    return path.startswith(f"{UNCERTAINTY_KEY}.")


def _uncertainty_params(before: Mapping[str, tuple[float, float]] | None,
                        after: Mapping[str, tuple[float, float]] | None) -> dict[str, str]:
    """The ranges that differ from the preset's: each changed or new range, each dropped one as `remove`, or one
    word when the scenario goes back to the default ranges or has none."""
    if after is None:
        return {} if before is None else {UNCERTAINTY_KEY: DEFAULT_RANGES}
    if not after:
        return {} if before == {} else {UNCERTAINTY_KEY: NO_RANGES}
    params = {f"{UNCERTAINTY_KEY}.{p}": _text(list(r)) for p, r in after.items() if (before or {}).get(p) != r}
    params.update({f"{UNCERTAINTY_KEY}.{p}": REMOVE for p in before or {} if p not in after})
    return params


def _range_setting(key: str, text: str, warnings: list[str]) -> _Setting | None:
    """A range (or the whole table's word) from a link; None with a warning when it cannot be one."""
    word = text.strip().lower()
    if key == UNCERTAINTY_KEY:
        if word in (DEFAULT_RANGES, NO_RANGES):
            return _Setting(key, text, key, {}, remove=word == DEFAULT_RANGES)
        warnings.append(f"Ignored {key}={text[:60]}: write {key}={DEFAULT_RANGES} for the model's default ranges or "
                        f"{key}={NO_RANGES} for none.")
        return None
    if word == REMOVE:
        return _Setting(key, text, key, None, remove=True)
    return _Setting(key, text, key, _parse(text, list[float]), remove=False)


# ---------------------------------------------------------------------------------------------------------------
# Decoding


def _scenario_field(key: str) -> paths.Field | None:
    """The field a link's key sets, by its short name or its dotted path."""
    return _resolve(ALIASES.get(key) or READ_ALIASES.get(key) or key)


def _parse(text: str, hint: Any) -> Any:
    """Text to the field's type; text that does not parse is passed on as is, so the validator names it."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):  # a design's optional process override
        if text.strip().lower() in INHERIT_WORDS:
            return None
        hint = bool
    word = text.strip().lower()
    if hint is bool:
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    if hint in (int, float):
        for kind in (int, float) if hint is int else (float,):
            try:
                return kind(word)
            except ValueError:
                pass
        return text
    if typing.get_origin(hint) is list:
        items = [_parse(item, float) for item in text.split(",")]
        return items if all(isinstance(i, float) for i in items) else text
    return text


def _one_text(value: Any) -> str:
    """A query value as one string: the last of repeated keys wins, as in a browser's URLSearchParams.get."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else str(value)


@dataclass
class _Setting:
    key: str  # as written in the link
    raw: str
    path: str
    value: Any
    remove: bool


def _validate(base: dict[str, Any], settings: list[_Setting]) -> tuple[Scenario | None, list[Problem]]:
    data = base
    for s in settings:
        data = _with(data, s)
    try:
        return from_dict(data), []
    except ScenarioError as err:
        return None, err.problems


def _with(data: dict[str, Any], s: _Setting) -> dict[str, Any]:
    """The data with one setting applied, leaving `data` as it was; a removal and an unset override alike leave
    the key out (a range section a removal leaves empty names no range: the validator skips it)."""
    return paths.merge(data, paths.unflatten({s.path: None if s.remove else s.value}))


def _blames(problem: Problem, path: str) -> bool:
    """Whether a validation problem is about the setting at `path`: the same key, a table holding it, or a key
    inside it."""
    about = problem.path
    return bool(about) and (about == path or path.startswith(f"{about}.") or about.startswith(f"{path}."))


def _shown(s: _Setting) -> str:
    raw = s.raw if len(s.raw) <= 60 else f"{s.raw[:57]}..."
    return f"{s.key}={raw}"


def _unknown_key(key: str) -> str:
    known = [*ALIASES, *READ_ALIASES, *PAGE_KEYS, *_values(Scenario().to_dict())]
    inside = [k for k in known if k.startswith(f"{key}.")]  # a section named instead of one of its values
    close = inside or difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"Ignored {key[:60]}: not a setting of this app{hint}."


def _limit(params: Mapping[Any, Any], warnings: list[str]) -> list[tuple[str, str]]:
    """The first settings of the link within the size limits; a truncated or padded link still opens."""
    kept: list[tuple[str, str]] = []
    total = 0
    items = list(params.items()) if isinstance(params, Mapping) else []
    for key, value in items:
        key, text = _one_text(key), _one_text(value)
        if len(text) > MAX_VALUE_CHARS or len(key) > MAX_VALUE_CHARS:
            warnings.append(f"Ignored {key[:60]}: it is {len(key) + len(text):,} characters long; at most "
                            f"{MAX_VALUE_CHARS:,} are allowed.")
            continue
        total += len(key) + len(text) + 2
        if len(kept) >= MAX_SETTINGS or total > MAX_LINK_CHARS:
            warnings.append(
                f"The link is too long: read its first {len(kept)} of {len(items)} settings (at most "
                f"{MAX_SETTINGS} settings and {MAX_LINK_CHARS:,} characters)."
            )
            break
        kept.append((key, text))
    return kept


def link_fits(params: Mapping[str, str]) -> bool:
    """Whether a link of these parameters is read whole (within MAX_SETTINGS, MAX_LINK_CHARS and
    MAX_VALUE_CHARS): the app offers a link only for what the reader keeps, by the reader's own rule."""
    warnings: list[str] = []
    return len(_limit(params, warnings)) == len(params) and not warnings


def _version(text: str | None, warnings: list[str]) -> None:
    if text is None:
        return  # links written before versions existed read as version 1
    try:
        version = int(text)
    except ValueError:
        warnings.append(f"Ignored {VERSION_KEY}={text[:20]}: the link version must be a whole number; read as "
                        f"version {LINK_VERSION}.")
        return
    if version > LINK_VERSION:
        warnings.append(f"This link was made by a newer version of the app (link version {version}; this one reads "
                        f"version {LINK_VERSION}): settings it does not know are ignored.")
    elif version < 1:
        warnings.append(f"Ignored {VERSION_KEY}={version}: link versions start at 1; read as version {LINK_VERSION}.")


def _preset(name: str | None, presets: Mapping[str, Scenario], has_settings: bool,
            warnings: list[str]) -> tuple[str, Scenario]:
    fallback = presets.get(DEFAULT_PRESET) or Scenario()
    if name is None:
        if has_settings:
            warnings.append(f"The link names no preset: its values were applied to the {DEFAULT_PRESET} preset.")
        return DEFAULT_PRESET, fallback
    if name in presets:
        return name, presets[name]
    warnings.append(f"Ignored {PRESET_KEY}={name[:60]}: there is no such preset; opened {DEFAULT_PRESET} instead "
                    f"(presets: {', '.join(presets)}).")
    return DEFAULT_PRESET, fallback


def params_to_scenario(
    params: Mapping[str, str | list[str]], presets: Mapping[str, Scenario], page_keys: Collection[str] = PAGE_KEYS
) -> Decoded:
    """The nearest valid scenario to what the link says. Never raises: every valid value is applied, each invalid
    one is dropped with a warning naming the key, the value and what is allowed."""
    warnings: list[str] = []
    settings: dict[str, _Setting] = {}
    page: dict[str, str] = {}
    version = preset_name = None
    unknown: list[str] = []
    legacy: dict[str, str] = {}
    retired: list[str] = []
    for key, text in _limit(params, warnings):
        if key in LEGACY_KEYS:
            legacy[key] = text
        elif key in RETIRED_KEYS or key.removeprefix("uncertainty.") in RETIRED_KEYS:
            retired.append(retired_note(key.removeprefix("uncertainty.")))
        elif key == VERSION_KEY:
            version = text
        elif key == PRESET_KEY:
            preset_name = text
        elif key in page_keys:
            page[key] = text
        elif key == UNCERTAINTY_KEY or (_is_range(key) and numeric_field(key.split(".", 1)[1]) is not None):
            if (setting := _range_setting(key, text, warnings)) is not None:
                settings[key] = setting
        elif (found := _scenario_field(key)) is None:
            unknown.append(key)
        else:
            path, hint, entry = found.path, found.hint, found.entry
            remove = entry and text.strip().lower() == REMOVE
            if entry and dataclasses.is_dataclass(hint) and not remove:
                warnings.append(f"Ignored {key[:60]}={text[:60]}: write {key}={REMOVE} to drop it, or set its values "
                                f"one by one as {key}.NAME=VALUE.")
                continue
            if path in settings:
                warnings.append(f"{settings[path].key} and {key} set the same value; used {key}={text[:60]}.")
            settings[path] = _Setting(key, text, path, None if remove else _parse(text, hint), remove)
    if len(unknown) <= MAX_UNKNOWN_SHOWN:
        warnings.extend(_unknown_key(key) for key in unknown)
    else:
        shown = ", ".join(key[:30] for key in unknown[:MAX_UNKNOWN_SHOWN])
        warnings.append(f"Ignored {len(unknown)} settings this app does not know: {shown}, ...")
    notes = retired + _upgrade_legacy(legacy, settings)
    _version(version, warnings)
    preset, base = _preset(preset_name, presets, bool(settings), warnings)
    _fit_skills_to_engineers(base, settings, warnings)
    scenario = _apply(base, list(settings.values()), warnings)
    return Decoded(preset, scenario, page, warnings, notes)


def _upgrade_legacy(legacy: Mapping[str, str], settings: dict[str, _Setting]) -> list[str]:
    """Keys of earlier versions (sim.upgrades.LEGACY_KEYS) as the settings they now mean, one note per key; a value
    the link also sets under its new name wins, as in a scenario file."""
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, text in legacy.items():
        new, keeps = LEGACY_KEYS[key]
        target = _resolve(new)  # every key's new path is a value of the schema; text stays text otherwise
        data = paths.merge(data, paths.unflatten({key: _parse(text, str if target is None else target.hint)}))
        origin.update(dict.fromkeys([new, *keeps], key))
    notes = upgrade_legacy_keys(data)
    upgraded = {path: _Setting(origin[path], legacy[origin[path]], path, value, remove=False)
                for path, value in _values(data).items()}
    for key in legacy:
        new, keeps = LEGACY_KEYS[key]
        valid = _validate({}, [upgraded[new]])[0] is not None
        for path in (new, *keeps) if valid else (new,):  # a bad old value changes nothing, and is named
            settings.setdefault(path, upgraded[path])
    return notes


def _fit_skills_to_engineers(base: Scenario, settings: dict[str, _Setting], warnings: list[str]) -> None:
    """`engineers=14` on a preset with skills means the preset's firm resized (Firm.resized: today's mix), unless
    the link sets the skills itself."""
    engineers = settings.get("firm.engineers")
    if engineers is None or not isinstance(engineers.value, int) or any(p.startswith("firm.skills.") for p in settings):
        return
    if _validate({}, [engineers])[0] is None:
        return  # out of range: the warning about engineers says so, the skills stay as they are
    for name, count in base.firm.resized(engineers.value).skills.items():
        if count != base.firm.skills[name]:
            path = f"firm.skills.{name}"
            settings[path] = _Setting(path, str(count), path, count, remove=False)


def _apply(base_scenario: Scenario, settings: list[_Setting], warnings: list[str]) -> Scenario:
    """Apply all settings at once; drop the ones a problem names, then, for problems that span several keys (shares
    that must sum to 1), the smallest group of related settings that makes the scenario valid."""
    base = base_scenario.to_dict()
    while settings:
        scenario, problems = _validate(base, settings)
        if scenario is not None:
            return scenario
        blamed = [s for s in settings if any(_blames(p, s.path) for p in problems)]
        for s in blamed:
            reasons = "; ".join(p for p in problems if _blames(p, s.path))
            warnings.append(f"Ignored {_shown(s)}: {reasons}.")
        if not blamed:
            blamed = _group_to_drop(base, settings)
            warnings.append(f"Ignored {', '.join(_shown(s) for s in blamed)}: together they give an impossible "
                            f"scenario ({'; '.join(problems)}).")
        settings = [s for s in settings if s not in blamed]
    return base_scenario


def _group_to_drop(base: dict[str, Any], settings: list[_Setting]) -> list[_Setting]:
    """The fewest settings to drop for a valid scenario, among: one table's settings (all work types, all skills,
    all designs) or one plain value; then every setting a cross-key rule involves; then all of them."""
    tables = tuple(paths.tables())

    def group_of(s: _Setting) -> str:
        return next((t for t in tables if s.path.startswith(f"{t}.")), s.path)

    coupled = [s for s in settings if group_of(s) in tables or s.path == "firm.engineers"]
    candidates = [[s for s in settings if group_of(s) == g] for g in dict.fromkeys(map(group_of, settings))]
    for group in [*sorted(candidates, key=len), coupled]:
        if group and _validate(base, [s for s in settings if s not in group])[0] is not None:
            return group
    return settings
