"""Every scenario key with its default, allowed values and meaning, read from the schema itself so the
documentation (README, the app's assumptions page) cannot drift from what the validator accepts."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from sim.scenario import OrgDesign, Scenario, WorkType

_TABLES = {"demand.work_types": ("demand.work_types.NAME", WorkType), "designs": ("designs.NAME", OrgDesign)}


def _allowed(hint: Any, meta: dict) -> str:
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
    origin = typing.get_origin(hint)
    if origin is list:
        return f"list of numbers {span}"
    if origin is dict:
        return f"table of name = whole number {span}"
    return f"{'whole number' if hint is int else 'number'} {span}"


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    return field.default_factory()  # type: ignore[misc]


def parameter_rows(scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """One row per key (dotted path), with the scenario's value next to the built-in default."""
    rows: list[dict[str, Any]] = []

    def walk(cls: type, obj: Any, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            key = f"{prefix}{f.name}"
            hint = hints[f.name]
            if dataclasses.is_dataclass(hint):
                walk(hint, getattr(obj, f.name) if obj is not None else None, key + ".")
            elif key in _TABLES:
                name, item_cls = _TABLES[key]
                if obj is None:
                    walk(item_cls, None, name + ".")
                else:
                    for item_name, item in getattr(obj, f.name).items():
                        walk(item_cls, item, f"{key}.{item_name}.")
            else:
                rows.append({
                    "key": key,
                    "value": getattr(obj, f.name) if obj is not None else None,
                    "default": _default(f),
                    "allowed": _allowed(hint, dict(f.metadata)),
                    "meaning": f.metadata.get("help", ""),
                })

    walk(Scenario, scenario, "")
    return rows


def markdown_reference() -> str:
    """The key reference table in Markdown, as it stands in README.md."""
    lines = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for row in parameter_rows():
        default = row["default"]
        shown = "(unset)" if default is None else ("{}" if default == {} else repr(default).replace("'", '"'))
        if isinstance(default, bool):
            shown = str(default).lower()
        lines.append(f"| `{row['key']}` | {shown} | {row['allowed']} | {row['meaning']} |")
    return "\n".join(lines)


RANGES_HEADER = "| parameter | default | low | high | grade | meaning |"


def markdown_default_ranges() -> str:
    """The model's default ranges (each field graded assumption or soft with a `plausible` range), as they stand
    in MODEL.md, section Default ranges."""
    from sim.scenario import default_ranges, value_at

    defaults = Scenario()
    grades = {row["key"]: row for row in parameter_rows()}
    lines = [RANGES_HEADER, "|---|---|---|---|---|---|"]
    for path, (low, high) in default_ranges(defaults).items():
        section, name = path.rsplit(".", 1)
        owner = value_at(defaults, section)
        grade = next(f.metadata.get("grade", "") for f in dataclasses.fields(owner) if f.name == name)
        lines.append(f"| `{path}` | {_number(value_at(defaults, path))} | {_number(low)} | {_number(high)} | {grade} | "
                     f"{grades[path]['meaning']} |")
    return "\n".join(lines)


def _replace_table(path: str, header: str, table: str) -> None:
    from pathlib import Path

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
    from pathlib import Path

    readme = Path(path)
    lines = readme.read_text(encoding="utf-8").split("\n")
    start = lines.index("| key | default | allowed | meaning |")
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = markdown_reference().split("\n")
    readme.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    update_readme()
    update_model()
