"""The words for org designs: the one place that turns a design's code (none, pm, ...) into what people read.

Codes stay in files and links, where they are stable keys; the app, the CLI's prose and the report show these
words. A scenario may name a design itself (`[designs.NAME] label = "..."`); otherwise the standard codes read as
the roles they add and any other design as the words of its hires.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.scenario import PROCESS_KEYS, STANDARD_DESIGNS, OrgDesign

# The standard designs by code, in the words a partner uses.
STANDARD_LABELS: dict[str, str] = {
    "none": "No coordinator",
    "pm": "Project manager",
    "am": "Account manager",
    "hybrid": "Hybrid PM/AM",
    "both": "PM + AM",
}

# Each hire of a design, singular and plural.
HIRE_WORDS: dict[str, tuple[str, str]] = {
    "extra_engineers": ("engineer", "engineers"),
    "project_managers": ("project manager", "project managers"),
    "account_managers": ("account manager", "account managers"),
    "hybrids": ("hybrid PM/AM", "hybrid PM/AMs"),
}
PROCESS_WORDS: dict[str, str] = {
    "standardised_work": "standardised work",
    "checkins": "AM-PM check-ins",
    "status_updates": "status updates",
}
NO_COORDINATOR = "no coordinator: engineers deal with clients themselves"


def _count(n: float, one: str, many: str) -> str:
    if n == 1:
        return f"an {one}" if one[0] in "aeiou" else f"a {one}"
    return f"{n:g} {many}"


def describe_design(design: OrgDesign) -> str:
    """The hires a design adds, in words: 'a project manager and an account manager'."""
    parts = []
    for key in ("project_managers", "account_managers", "hybrids"):
        if n := getattr(design, key):
            parts.append(_count(n, *HIRE_WORDS[key]))
    if design.sales_share:
        parts.append(f"a salesperson at {design.sales_share * 100:.0f} %")
    if design.extra_engineers:
        parts.append(_count(design.extra_engineers, "extra engineer", "extra engineers"))
    if not parts:
        return NO_COORDINATOR
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _process_words(design: OrgDesign) -> str:
    """' with standardised work, without status updates' for a design's own process overrides."""
    on = [PROCESS_WORDS[k] for k in PROCESS_KEYS if getattr(design, k) is True]
    off = [PROCESS_WORDS[k] for k in PROCESS_KEYS if getattr(design, k) is False]
    words = (f" with {' and '.join(on)}" if on else "") + (f" without {' or '.join(off)}" if off else "")
    return words


def _is_standard(name: str, design: OrgDesign) -> bool:
    """A standard code whose hires and process are what the code says (a `pm` with two PMs is not 'Project
    manager')."""
    return name in STANDARD_DESIGNS and design == OrgDesign(label=design.label, **STANDARD_DESIGNS[name])


def _hire_words(design: OrgDesign) -> str:
    """A design's hires as a short label: 'Project manager + 2 engineers', 'Salesperson at 50 %'."""
    parts = []
    for key in ("project_managers", "account_managers", "hybrids"):
        if n := getattr(design, key):
            one, many = HIRE_WORDS[key]
            parts.append(one if n == 1 else f"{n:g} {many}")
    if design.sales_share:
        parts.append(f"salesperson at {design.sales_share * 100:.0f} %")
    if n := design.extra_engineers:
        parts.append(f"{n:g} extra {HIRE_WORDS['extra_engineers'][n != 1]}")
    words = " + ".join(parts) if parts else "no coordinator"
    return words[:1].upper() + words[1:]


def design_label(name: str, design: OrgDesign) -> str:
    """What people read for a design: its own label if the scenario sets one, the standard words for a standard
    code, else the words of its hires ('2 project managers with standardised work')."""
    if design.label.strip():
        return " ".join(design.label.split())
    if _is_standard(name, design):
        return STANDARD_LABELS[name]
    return _hire_words(design) + _process_words(design)


def design_labels(designs: Mapping[str, OrgDesign]) -> dict[str, str]:
    """Every design's label, each one distinct: two designs that would read the same (two with the same hires, or
    the same label set twice) get their code added, so a chart's legend never merges two designs."""
    labels = {name: design_label(name, design) for name, design in designs.items()}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {name: f"{label} ({name})" if seen[label] > 1 else label for name, label in labels.items()}


__all__ = ["HIRE_WORDS", "PROCESS_WORDS", "STANDARD_LABELS", "describe_design", "design_label", "design_labels"]
