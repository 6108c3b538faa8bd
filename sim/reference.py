"""Every scenario key with its default, allowed values and meaning, read from the schema itself (`sim.paths.walk`)
so that the documentation (README's key reference, MODEL.md's default ranges) and the app's parameter table (the
"Model and assumptions" page) cannot drift from what the validator accepts."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim import paths
from sim.scenario import Scenario, default_ranges, value_at

KEY_HEADER = "| key | default | allowed | meaning |"
RANGES_HEADER = "| parameter | default | low | high | grade | meaning |"


def _allowed(hint: Any, meta: Mapping[str, Any]) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    if meta.get("ranges"):
        return "table of dotted path = [low, high], within the parameter's allowed range"
    if hint is bool or hint == bool | None:
        return "true / false"
    if hint is str:
        return "text"
    if lo is None or hi is None:
        return ""
    span = f"{_number(lo)} to {_number(hi)}"
    if meta.get("zero_or_at_least") is not None:
        span = f"0 (off) or {_number(meta['zero_or_at_least'])} to {_number(hi)}"
    origin = typing.get_origin(hint)
    if origin is list:
        return f"list of numbers {span}"
    if origin is dict:
        return f"table of name = whole number {span}"
    return f"{'whole number' if hint is int else 'number'} {span}"


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _row(key: str, value: Any, field: paths.Field, meaning: str | None = None) -> dict[str, Any]:
    return {"key": key, "value": value, "default": None if meaning else field.default,
            "allowed": _allowed(field.hint, field.meta), "meaning": meaning or field.meta.get("help", "")}


def parameter_rows(scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """One row per key (dotted path), with the scenario's value next to the built-in default. Without a scenario,
    one row per field of the schema (`designs.NAME.hybrids`); with one, a row per design and work type it has,
    and its skills and uncertainty ranges one entry a row (`firm.skills.development`,
    `uncertainty.behaviour.clarity_without_am`), as the app's form and links name them."""
    rows: list[dict[str, Any]] = []
    for field in paths.walk(data=None if scenario is None else scenario.to_dict()):
        if field.holds_sections:
            continue  # its entries' own rows follow
        try:
            value = None if scenario is None else value_at(scenario, field.path)
        except KeyError:
            continue  # a standard design the scenario removed: written in its file, absent from its designs
        if not (isinstance(value, dict) and value):
            rows.append(_row(field.path, value, field))
        elif field.meta.get("ranges"):
            for path, pair in value.items():
                inner = paths.field_at(path) or field
                meaning = f"Plausible range (low, high) of: {inner.meta.get('help', '')}"
                rows.append(_row(f"{field.path}.{path}", pair, inner, meaning))
        else:
            for name, count in value.items():
                key = f"{field.path}.{name}"
                rows.append(_row(key, count, paths.field_at(key) or field))
    return rows


def markdown_reference() -> str:
    """The key reference table in Markdown, as it stands in README.md."""
    lines = [KEY_HEADER, "|---|---|---|---|"]
    for row in parameter_rows():
        default = row["default"]
        shown = "(unset)" if default is None else ("{}" if default == {} else repr(default).replace("'", '"'))
        if isinstance(default, bool):
            shown = str(default).lower()
        lines.append(f"| `{row['key']}` | {shown} | {row['allowed']} | {row['meaning']} |")
    return "\n".join(lines)


def markdown_default_ranges() -> str:
    """The model's default ranges (each field graded assumption or soft with a `plausible` range), as they stand
    in MODEL.md, "Default ranges"."""
    defaults = Scenario()
    lines = [RANGES_HEADER, "|---|---|---|---|---|---|"]
    for path, (low, high) in default_ranges(defaults).items():
        meta = paths.field_meta(path)
        lines.append(f"| `{path}` | {_number(value_at(defaults, path))} | {_number(low)} | {_number(high)} | "
                     f"{meta.get('grade', '')} | {meta.get('help', '')} |")
    return "\n".join(lines)


def _replace_table(path: str, header: str, table: str) -> None:
    """Rewrite the Markdown table that starts with `header` in the document at `path`."""
    document = Path(path)
    lines = document.read_text(encoding="utf-8").split("\n")
    start = lines.index(header)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = table.split("\n")
    document.write_text("\n".join(lines), encoding="utf-8")


def update_model(path: str = "MODEL.md") -> None:
    """Rewrite MODEL.md's table of default ranges from the schema."""
    _replace_table(path, RANGES_HEADER, markdown_default_ranges())


def update_readme(path: str = "README.md") -> None:
    """Rewrite README's key reference from the schema (`python -m sim.reference` after changing a field)."""
    _replace_table(path, KEY_HEADER, markdown_reference())


if __name__ == "__main__":
    update_readme()
    update_model()
