"""The English the app, the report and the command line use for what files and links name in codes: one home for
each wording, so a page, a table and a sentence of the advisor never call the same thing two ways."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# ---------------------------------------------------------------------------------------------------------------
# Hires and process changes: the next-hire advisor's moves ("+1 hybrid PM/AM with standardised work") and what a
# design adds to the engineers ("a project manager and an account manager").

# A role's words by its key in a design (sim.scenario.OrgDesign), one and many.
ROLE_WORDS: dict[str, tuple[str, str]] = {
    "extra_engineers": ("engineer", "engineers"),
    "project_managers": ("project manager", "project managers"),
    "account_managers": ("account manager", "account managers"),
    "hybrids": ("hybrid PM/AM", "hybrid PM/AMs"),
}
SALESPERSON = "salesperson"
# The free process changes, by their key in a scenario's process (and a design's overrides of it).
PROCESS_WORDS: dict[str, str] = {"standardised_work": "standardised work", "checkins": "AM-PM check-ins"}
TODAY_NAME = "today's organisation"  # the advisor's option of hiring nobody and changing nothing


def move_name(hires: Mapping[str, Any]) -> str:
    """A move of the advisor in words, e.g. "+1 account manager and +0.5 salesperson with standardised work": the
    roles added (`ROLE_WORDS` keys and `sales_share`), then the process changes switched on (`PROCESS_WORDS`
    keys). No comma, so that names list well in a sentence."""
    added = [f"+{n:g} {one if n == 1 else many}" for key, (one, many) in ROLE_WORDS.items()
             if (n := hires.get(key, 0))]
    if share := hires.get("sales_share", 0):
        added.append(f"+{share:g} {SALESPERSON}")
    levers = " and ".join(words for key, words in PROCESS_WORDS.items() if hires.get(key))
    if not added:
        return levers or TODAY_NAME
    return " and ".join(added) + (f" with {levers}" if levers else "")


def _count(n: float, one: str, many: str) -> str:
    if n == 1:
        return f"an {one}" if one[0] in "aeiou" else f"a {one}"
    return f"{n:g} {many}"


def describe_hires(staffing: Any) -> str:
    """What a design adds to the engineers, in words: 'a project manager and an account manager'. `staffing` has
    the attributes of sim.scenario.OrgDesign; engineers added are "extra" (the firm has engineers already)."""
    parts = [_count(getattr(staffing, key), *ROLE_WORDS[key]) for key in ("project_managers", "account_managers",
                                                                          "hybrids") if getattr(staffing, key)]
    if staffing.sales_share:
        parts.append(f"a {SALESPERSON} at {staffing.sales_share * 100:.0f} %")
    if staffing.extra_engineers:
        parts.append(_count(staffing.extra_engineers, *(f"extra {w}" for w in ROLE_WORDS["extra_engineers"])))
    if not parts:
        return "no coordinator: engineers deal with clients themselves"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
