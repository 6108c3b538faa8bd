"""Upgrades of old scenario files and links: keys of earlier versions read as their new equivalents, keys the
model retired dropped, each with a note that says what was done and why."""

from __future__ import annotations

from typing import Any

# Keys of earlier versions, read as their new equivalents so old files and links still open: old dotted path ->
# (new path, values the new keys need to keep the old meaning).
LEGACY_KEYS: dict[str, tuple[str, dict[str, Any]]] = {
    "behaviour.pm_hours_per_request": ("behaviour.pm_hours_fixed", {"behaviour.pm_effort_share": 0.0}),
    "behaviour.am_hours_per_request": ("behaviour.am_hours_fixed", {"behaviour.am_effort_share": 0.0}),
}


# Keys of model v2 that model v3 retired, with what replaces them: old files and links still open, and the note
# says why the value is no longer read.
RETIRED_KEYS: dict[str, str] = {
    "behaviour.upsell": "accounts now grow through account time (behaviour.account_growth_per_hour)",
    "behaviour.upsell_per_delivery": "accounts now grow through account time (behaviour.account_growth_per_hour)",
    "behaviour.sales_upsells_per_week": "a salesperson now spends account time (behaviour.account_growth_per_hour)",
    "behaviour.am_new_client_boost": "new clients now come from referrals by satisfied clients "
                                     "(demand.referrals_per_client_per_year) and outbound prospects",
    "behaviour.churn_threshold": "clients now leave at a rate set by their satisfaction "
                                 "(behaviour.churn_sensitivity)",
    "demand.new_clients_per_year": "new clients now come through a pipeline (demand.prospects_per_year, "
                                   "demand.win_rate and referrals)",
}


def retired_note(path: str) -> str:
    return f"{path} is no longer used and was left out: {RETIRED_KEYS[path]}"


def upgrade_legacy_keys(data: dict[str, Any]) -> list[str]:
    """Rewrite, in place, keys of earlier versions to their new equivalents, and drop retired ones; one note per
    key rewritten or dropped.

    A key set explicitly under its new name wins over the old one."""
    notes = []
    for path in RETIRED_KEYS:
        table_name, name = path.rsplit(".", 1)
        table = data.get(table_name)
        if isinstance(table, dict) and name in table:
            data[table_name] = {k: v for k, v in table.items() if k != name}
            notes.append(retired_note(path))
    uncertainty = data.get("uncertainty")
    if isinstance(uncertainty, dict):
        flat_retired = [p for p in RETIRED_KEYS if p in uncertainty]
        nested = [p for p in RETIRED_KEYS if isinstance(uncertainty.get(p.split(".")[0]), dict)
                  and p.split(".")[1] in uncertainty[p.split(".")[0]]]
        if flat_retired or nested:
            trimmed = {k: v for k, v in uncertainty.items() if k not in flat_retired}
            for p in nested:
                table_name, name = p.split(".")
                trimmed[table_name] = {k: v for k, v in trimmed[table_name].items() if k != name}
            data["uncertainty"] = trimmed
            notes.extend(f"uncertainty.{p}: {retired_note(p)}" for p in flat_retired + nested)
    for old, (new, keeps_meaning) in LEGACY_KEYS.items():
        old_table, old_name = old.rsplit(".", 1)
        table = data.get(old_table)
        if not isinstance(table, dict) or old_name not in table:
            continue
        table = data[old_table] = dict(table)
        value = table.pop(old_name)
        settings = {new: value, **keeps_meaning}
        for path in settings:
            table.setdefault(path.rsplit(".", 1)[1], settings[path])
        kept = ", ".join(f"{p} = {v!r}" for p, v in keeps_meaning.items())
        notes.append(f"{old} was renamed: read as {new} = {value!r} with {kept}, which keeps its old meaning")
    return notes
