"""Reading a ticket export: which tracker wrote it (recognised by its headers), which column holds what, and the
tickets as one tidy frame with parsed dates and hours.

Every export becomes the same frame, so fitting never looks at a tracker's quirks. Rows that cannot be used are
skipped and counted; a file with nothing usable raises ExportError, one line naming what is missing and what is
expected. The file is read as text with pandas only: nothing in it is evaluated.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario import ScenarioError

# The fields a ticket can have; a generic CSV uses these names as its headers and `--map FIELD=COLUMN` these keys.
# The last three read a change log (one row per change of a ticket): which ticket, its status after the change,
# and when the change was made.
FIELDS = ("created", "resolved", "due", "type", "client", "effort_hours", "estimate_hours", "assignee", "skill",
          "id", "status", "changed")
# The statuses that mean delivered unless `--done` names others, as trackers call them.
DONE_STATUSES = ("Done", "Resolved", "Closed", "Completed")
# A tracker's own grouping of its statuses, where an export names it per row (Jira's "Status Category"): a status
# whose rows it puts in a done category means delivered too, unless `--done` names the statuses.
CATEGORY_COLUMNS = ("Status Category", "Status category", "statusCategory", "status_category", "Category")
DONE_CATEGORIES = ("done", "complete", "completed", "closed", "resolved")
MIN_TICKETS = 20
MAX_BYTES = 50_000_000
SECONDS = 3600.0

JIRA_CLIENT_COLUMNS = ("Organizations", "Organization", "Client", "Customer", "Account", "Company", "Component/s",
                       "Custom field (Client)")


@dataclass(frozen=True)
class Format:
    """A tracker's export: for each field the headers it may carry (first found wins), and the unit of its time
    columns (Jira and Zendesk write seconds)."""

    name: str
    label: str
    signature: tuple[str, ...]  # headers that together identify the format
    columns: dict[str, tuple[str, ...]]
    seconds: bool = False


FORMATS = (
    Format("jira", "Jira CSV export", ("Issue Type", "Created"), {
        "created": ("Created",), "resolved": ("Resolved",), "due": ("Due Date", "Due date"),
        "type": ("Issue Type",), "client": JIRA_CLIENT_COLUMNS, "effort_hours": ("Time Spent",),
        "estimate_hours": ("Original Estimate",), "assignee": ("Assignee",),
    }, seconds=True),
    Format("zendesk", "Zendesk export", ("Created at",), {
        "created": ("Created at",), "resolved": ("Solved at",), "due": ("Due date", "Due Date"),
        "type": ("Ticket type",), "client": ("Organization",), "effort_hours": ("Total time spent (sec)",),
        "assignee": ("Assignee",),
    }, seconds=True),
    Format("linear", "Linear export", ("Created", "Completed"), {
        "created": ("Created",), "resolved": ("Completed",), "due": ("Due Date",), "type": ("Labels",),
        "client": ("Team",), "estimate_hours": ("Estimate",), "assignee": ("Assignee",),
    }),
    Format("generic", "generic CSV", ("created",), {name: (name,) for name in FIELDS}),
)
# A stage-date file: one row per ticket (an id, often a link and a title), then one column per workflow stage, in
# order, holding the date the ticket entered it. It is read as the change log it stands for: a row per stage
# entered, the stage as the status (STAGE) and its date as the change's (ENTERED).
STAGE_FILE = Format("stages", "stage-date file", (), {
    "id": ("ID", "Key", "Issue key", "Issue", "Ticket", "Item"), "client": (*JIRA_CLIENT_COLUMNS, "client"),
    "type": ("Type", "Issue Type", "Work Item Type", "Ticket type"),
})
STAGE, ENTERED = "the stage columns", "the stage columns' dates"  # as messages name them
MIN_STAGES = 3
DATE_COLUMN_SHARE = 0.9  # a column is a stage when at least this share of its filled cells read as dates
GENERIC_HEADER = "created,resolved,type,client,effort_hours,due,assignee"  # the generic CSV's header row, as typed
EXPECTED = f"a Jira, Zendesk or Linear CSV export, or a CSV with the headers {GENERIC_HEADER}"
DATE_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%y", "ISO8601", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                "%d.%m.%Y", "%b %d, %Y %I:%M %p", "%b %d, %Y", "%d %b %Y %H:%M", "%d %b %Y", "%a %b %d %H:%M:%S %Y")
# How each format writes a date, in words for a message about a column that mixes them.
DATE_FAMILIES = {"%d/%b/%y %I:%M %p": "Jira's 11/May/24", "%d/%b/%y %H:%M": "Jira's 11/May/24",
                 "%d/%b/%y": "Jira's 11/May/24", "ISO8601": "ISO 2024-05-11", "%d.%m.%Y %H:%M:%S": "11.05.2024",
                 "%d.%m.%Y %H:%M": "11.05.2024", "%d.%m.%Y": "11.05.2024", "%b %d, %Y %I:%M %p": "May 11, 2024",
                 "%b %d, %Y": "May 11, 2024", "%d %b %Y %H:%M": "11 May 2024", "%d %b %Y": "11 May 2024",
                 "%a %b %d %H:%M:%S %Y": "Sat May 11 15:26:00 2024"}
# Dates written with slashes and numbers only are month first (as US trackers and spreadsheets write them) or day
# first; a column is read the one way that reads more of it, month first when both read as much.
SLASHED_FORMATS = {
    "month first": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
                    "%m/%d/%y %H:%M", "%m/%d/%y"),
    "day first": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y"),
}
DATE_FAMILIES.update({fmt: f"{way} 5/11/2024" if way == "month first" else f"{way} 11/5/2024"
                      for way, formats in SLASHED_FORMATS.items() for fmt in formats})
DATE_EXAMPLES = "11/May/24 3:26 PM (Jira), ISO 2024-05-11 15:26, or 5/11/2024 15:26"


@dataclass(frozen=True)
class Controls:
    """How the reader of a message names a column or gives the team's size. The command line and the app read the
    same messages but set these differently (a flag, a picker), so the caller says which: a remedy never names a
    control its reader does not have."""

    column: Callable[[str], str]  # a field -> the words that name its column: "name the column with ..."
    engineers: str  # the words that give the number of engineers
    done: str = "name the statuses that mean delivered with --done S1,S2"
    waiting: str = "name the statuses that mean waiting on the client with --waiting S1,S2"


COMMAND_LINE = Controls(column=lambda name: f"name the column with --map {name}=COLUMN",
                        engineers="give the number of engineers with --engineers N")


class ExportError(ScenarioError):
    """An export that cannot be calibrated from; its message is one line naming what is missing and expected."""

    def __init__(self, message: str):
        super().__init__([message])


FIVE_DAYS = "1111100"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A weekday is a working day of the team when at least this share of a busy day's dates (the median of the five
# busiest weekdays) fall on it: a Monday-to-Friday team's odd weekend fix stays below it, a desk open every day not.
WORKED_DAY_SHARE = 0.25
WEEK_FROM_DATES = 100  # fewer dates than this keep Monday to Friday


@dataclass
class Export:
    """The usable tickets, one row each: created, resolved, due (datetimes, NaT when absent), type, client,
    assignee, skill (text, NA when absent), effort_hours, estimate_hours (floats); what was recognised; warnings."""

    tickets: pd.DataFrame
    format: Format
    mapping: dict[str, str]  # field -> column used
    columns: list[str]
    rows: int  # data rows in the file
    warnings: list[str] = field(default_factory=list)
    preview: pd.DataFrame | None = None
    # A change log's status history, one row per status a ticket was in: id, status, start, end (NaT while it is
    # still in it), and whether it means waiting on the client, delivered, or waiting for the team (the status
    # tickets are created in). None for one row per ticket.
    history: pd.DataFrame | None = None
    # The team's working week, Monday first ("1111100": Monday to Friday), from the weekdays its dates fall on.
    weekmask: str = FIVE_DAYS
    stages: tuple[str, ...] = ()  # a stage-date file's workflow stages, in order: its statuses


def working_week(dates: pd.Series) -> tuple[str, str | None]:
    """The team's working week as a weekmask, and a sentence saying so when it is not Monday to Friday (None
    when it is): every weekday on which the export's dates fall at least WORKED_DAY_SHARE as often as on a busy
    day. Times then count over those days, so a team that works weekends does not lose them."""
    when = pd.to_datetime(dates).dropna()
    if len(when) < WEEK_FROM_DATES:
        return FIVE_DAYS, None
    counts = np.bincount(when.dt.day_of_week.to_numpy(), minlength=7).astype(float)
    busy = float(np.median(np.sort(counts)[-5:]))
    mask = "".join("1" if c >= WORKED_DAY_SHARE * busy else "0" for c in counts)
    if mask == FIVE_DAYS:
        return mask, None
    first = next((i for i in range(7) if mask[i] == "1" and mask[i - 1] == "0"), 0)  # after a day off
    days = [WEEKDAYS[(first + k) % 7] for k in range(7) if mask[(first + k) % 7] == "1"]
    off = [WEEKDAYS[i] for i, bit in enumerate(mask) if bit == "0"]
    worked_off = [WEEKDAYS[i] for i in (5, 6) if mask[i] == "1"]
    share = sum(counts[i] for i in (5, 6) if mask[i] == "1") / counts.sum()
    said = (f"The team's working week is taken as {_days_words(days)} ({len(days)} days), from the weekdays the "
            f"export's dates fall on")
    if worked_off:
        said += f" ({share * 100:.0f} % of them on {' and '.join(worked_off)})"
    if off and off != ["Saturday", "Sunday"]:
        said += f"; hardly any fall on {' or '.join(off)}"
    return mask, said + ". Times count over those days, and the model's working week spans them."


def _days_words(days: list[str]) -> str:
    """"Sunday to Thursday" for a run of days (in the week's order from `days[0]`), else "Monday, Wednesday and
    Friday"."""
    index = [(WEEKDAYS.index(d) - WEEKDAYS.index(days[0])) % 7 for d in days]
    if len(days) > 2 and index == list(range(len(days))):
        return f"{days[0]} to {days[-1]}"
    return days[0] if len(days) == 1 else f"{', '.join(days[:-1])} and {days[-1]}"


def _short(text: str, most: int = 40) -> str:
    """A value from the user or the file, cut so a message never echoes a huge one back."""
    text = str(text)
    return text if len(text) <= most else text[: most - 3] + "..."


def parse_map(items: list[str] | None) -> dict[str, str]:
    """`--map FIELD=COLUMN` items as a dict; an unknown field or a missing '=' is refused."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, column = item.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise ExportError(f"--map {_short(item)!r}: write FIELD=COLUMN, e.g. client=Organization")
        if name not in FIELDS:
            raise ExportError(f"--map {_short(item)!r}: unknown field {_short(name)!r}; fields are "
                              f"{', '.join(FIELDS)}")
        out[name] = column.strip()
    return out


# Text that says its encoding in its first bytes: Excel's "Unicode text" is UTF-16 with a byte-order mark (and tabs
# between the columns). UTF-32's marks come first, since UTF-32-LE's begins with UTF-16-LE's.
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
SAVE_AS_UTF8 = "save it from the spreadsheet as \"CSV UTF-8 (comma delimited)\" and upload that"


def decode(data: bytes, source: str) -> str:
    """The file's text: UTF-16 or UTF-32 when a byte-order mark says so, else UTF-8 (with or without one), else
    Windows-1252, as spreadsheets save it."""
    if not data.strip():
        raise ExportError(f"{source}: the file is empty; expected {EXPECTED}")
    if len(data) > MAX_BYTES:
        raise ExportError(f"{source}: more than {MAX_BYTES:,} bytes; an export of at most that size is read "
                          "(export fewer months, or fewer columns)")
    for bom, codec in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise ExportError(f"{source}: not readable as the {codec.upper()} its first bytes announce; "
                                  f"{SAVE_AS_UTF8}") from None
    if b"\x00" in data[:65536]:
        if data[1:200:2].count(0) > 0.9 * len(data[1:200:2]) or data[0:200:2].count(0) > 0.9 * len(data[0:200:2]):
            raise ExportError(f"{source}: UTF-16 text without the byte-order mark that says so; {SAVE_AS_UTF8}")
        raise ExportError(f"{source}: a binary file, not a CSV; expected {EXPECTED}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ExportError(f"{source}: not a text file; expected {EXPECTED} in UTF-8") from None


def recognise(columns: list[str]) -> Format:
    """The first format whose signature headers are all present (case-insensitively); the generic one otherwise."""
    have = {c.strip().lower() for c in columns}
    for fmt in FORMATS:
        if all(s.lower() in have for s in fmt.signature):
            return fmt
    return FORMATS[-1]


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    by_lower: dict[str, str] = {}
    for c in columns:
        by_lower.setdefault(c.strip().lower(), c)
    for name in names:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def resolve_mapping(columns: list[str], fmt: Format, overrides: Mapping[str, str], source: str,
                    controls: Controls = COMMAND_LINE) -> dict[str, str]:
    """Field -> column: the format's headers, then `overrides` (which must name a column of the file; an empty
    name leaves the field out). A missing creation column says how to name one with the reader's `controls`."""
    mapping = {}
    for name in FIELDS:
        column = _find(columns, fmt.columns.get(name, ()))
        if column is not None:
            mapping[name] = column
    for name, column in overrides.items():
        if not column:  # the app's "not in this export"
            mapping.pop(name, None)
            continue
        found = _find(columns, (column,))
        if found is None:
            shown = ", ".join(_short(c) for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
            raise ExportError(f"{source}: --map {name}={_short(column)}: no such column; the columns are {shown}")
        mapping[name] = found
    if "created" not in mapping and "changed" not in mapping:  # a change log's first change is its creation
        raise ExportError(f"{source}: no creation-date column; expected Created (Jira, Linear), Created at "
                          f"(Zendesk) or created (generic CSV); {controls.column('created')}")
    return mapping


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as Jira writes them by default, ISO, or as spreadsheets write them (SLASHED_FORMATS, one way per
    column); NaT where none reads. Time zones are dropped, keeping the local clock time the tracker wrote."""
    return read_dates(values)[0]


def read_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`parse_dates`, and which way each value was written (DATE_FAMILIES' words; NA where none reads): a column
    written more than one way is worth a look, as 3/5 and 5/3 are both dates."""
    text = values.astype("string").str.strip().str.replace(r"\s+(UTC|GMT)$", "", regex=True)  # the zone, in words
    best, family = _first_reading(text, DATE_FORMATS)
    rest = best.isna() & text.notna() & (text != "")
    if rest.any():
        readings = [_first_reading(text[rest], formats) for formats in SLASHED_FORMATS.values()]
        chosen = max(readings, key=lambda r: int(r[0].notna().sum()))  # the first of equals: month first
        best[rest], family[rest] = chosen
    return best, family


def _first_reading(text: pd.Series, formats: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """Each value read by the first of `formats` that reads it, NaT where none does; and that format's family."""
    best = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    family = pd.Series(pd.NA, index=text.index, dtype="string")
    for fmt in formats:
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=fmt == "ISO8601")
        except (ValueError, TypeError):
            continue
        if fmt == "ISO8601":  # an offset is the tracker's zone: keep the clock time it wrote
            parsed = _local_clock(text, parsed)
        new = best.isna() & parsed.notna()
        family[new] = DATE_FAMILIES[fmt]
        best = best.fillna(parsed.astype("datetime64[ns]"))
    return best, family


def mixed_dates_warning(column: str, family: pd.Series) -> str | None:
    """A sentence when a date column is written more than one way, with how many of each; None when one way."""
    written = family.dropna()
    if written.nunique() < 2:
        return None
    first = {way: i for i, way in enumerate(dict.fromkeys(written))}
    counts = sorted(written.value_counts().items(), key=lambda c: (-c[1], first[c[0]]))  # most, then first seen
    ways = ", ".join(f"{n:,} as {way}" for way, n in counts)
    return (f"Column {_short(column)!r} mixes ways of writing dates ({ways}); each is read its own way, so check "
            "that the export did not write some dates day first and others month first.")


def _local_clock(text: pd.Series, parsed: pd.Series) -> pd.Series:
    """ISO times with their offset as the clock time written (10:22+01:00 is 10:22), without the offset."""
    without = text.str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "", regex=True)
    local = pd.to_datetime(without, format="ISO8601", errors="coerce")
    return local.where(local.notna(), parsed.dt.tz_localize(None))


def _hours(values: pd.Series, seconds: bool) -> pd.Series:
    number = pd.to_numeric(values, errors="coerce").astype(float)
    return number / SECONDS if seconds else number


def _text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _read_csv(text: str, source: str, **options: object) -> pd.DataFrame:
    first = text.partition("\n")[0]
    sep = "\t" if "\t" in first and "," not in first else ","  # tabs: Excel's "Unicode text"
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                           **options)
    except pd.errors.EmptyDataError:
        raise ExportError(f"{source}: the file is empty; expected {EXPECTED}") from None
    except (pd.errors.ParserError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
        raise ExportError(f"{source}: not a readable CSV ({reason}); expected {EXPECTED}") from None


def stage_columns(frame: pd.DataFrame, fmt: Format, overrides: Mapping[str, str]) -> list[str]:
    """The workflow stages of a stage-date file in the file's order: at least MIN_STAGES columns that hold dates,
    in a file no tracker's format recognises, with no creation column and none named as a field (a generic CSV
    that lacks only its creation column is not one, and keeps its message). [] for every other file."""
    if fmt.name != "generic" or _find(list(frame.columns), ("created",)) or {"created", "changed"} & set(overrides):
        return []
    stages = []
    for column in frame.columns:
        filled = _text(frame[column]).dropna()
        if len(filled) and parse_dates(filled).notna().mean() >= DATE_COLUMN_SHARE:
            stages.append(str(column))
    if len(stages) < MIN_STAGES or any(c.strip().lower() in FIELDS for c in stages):
        return []
    return stages


def _stage_changes(frame: pd.DataFrame, stages: list[str], overrides: Mapping[str, str]
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """A stage-date file as a change log: a row per stage a ticket entered, in stage order (a ticket that entered
    two stages on one day entered them in the file's order), with the ticket's other columns; and the mapping of
    the id, stage and date."""
    columns = [str(c) for c in frame.columns]
    ticket = overrides.get("id") or _find(columns, STAGE_FILE.columns["id"]) or columns[0]
    others = [c for c in columns if c not in stages and c not in (STAGE, ENTERED)]
    parts = [frame[others].assign(**{STAGE: stage, ENTERED: frame[stage], "_row": np.arange(len(frame)), "_k": k})
             for k, stage in enumerate(stages)]
    long = pd.concat(parts, ignore_index=True)
    long = long[long[ENTERED].astype(str).str.strip() != ""].sort_values(["_row", "_k"], kind="stable")
    return long.drop(columns=["_row", "_k"]).reset_index(drop=True), {"id": ticket, "status": STAGE,
                                                                      "changed": ENTERED}


def header(data: bytes, source: str = "export") -> tuple[Format, list[str]]:
    """The format recognised and the columns, reading the header row only: what the app offers to map."""
    columns = [str(c) for c in _read_csv(decode(data, source), source, nrows=0).columns]
    return recognise(columns), columns


def done_by_category(frame: pd.DataFrame, status: str) -> list[str]:
    """The statuses of `status` whose rows the export's status-category column (CATEGORY_COLUMNS) puts in a done
    category, in the order they first appear; [] without such a column."""
    category = _find([str(c) for c in frame.columns], CATEGORY_COLUMNS)
    if category is None or category == status or status not in frame.columns:
        return []
    done = _text(frame[category]).str.lower().isin(DONE_CATEGORIES).fillna(False).astype(bool)
    return list(dict.fromkeys(_text(frame.loc[done, status]).dropna()))


def usual_done(frame: pd.DataFrame, status: str) -> list[str]:
    """The statuses that mean delivered unless the user names them: DONE_STATUSES, and the statuses the tracker's
    own done category holds."""
    usual = list(DONE_STATUSES)
    known = {d.lower() for d in usual}
    return usual + [v for v in done_by_category(frame, status) if v.lower() not in known]


def _file_and_column(data: bytes, source: str, column: str) -> tuple[pd.DataFrame, str | None]:
    """The file's rows, and its column named `column` (compared without case); None when it has none."""
    frame = _read_csv(decode(data, source), source)
    return frame, _find([str(c) for c in frame.columns], (column,))


def read_export_done(data: bytes, source: str, column: str) -> list[str]:
    """`usual_done` of the file's status column `column`: what the app marks as delivered to start with."""
    frame, found = _file_and_column(data, source, column)
    return usual_done(frame, found) if found is not None else list(DONE_STATUSES)


def read_export_statuses(data: bytes, source: str, column: str) -> list[str]:
    """The distinct statuses of a change log's status column, in the order they first appear: what the app offers
    to mark as delivered. Empty when the column is not in the file."""
    frame, found = _file_and_column(data, source, column)
    if found is None:
        return []
    return list(dict.fromkeys(_text(frame[found]).dropna()))


def _either(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def collapse_changes(rows: pd.DataFrame, mapping: Mapping[str, str], done: Sequence[str], source: str,
                     controls: Controls = COMMAND_LINE, waiting: Sequence[str] = (), in_stage_order: bool = False
                     ) -> tuple[pd.DataFrame, str, pd.DataFrame | None]:
    """A change log's rows (one per change of a ticket) as one ticket per id, what was done in words, and the
    status history (Export.history; None without a status column), `waiting` naming the statuses that mean
    waiting on the client.

    A ticket is created at its earliest date (the creation column, else its first change) and resolved when it last
    entered a status of `done` (compared without case), if it ends in one; a ticket that ends elsewhere (reopened,
    or still in progress) is open. Without a status column, its latest resolution date counts. Every other field
    is the ticket's latest value."""
    ordered = rows.assign(_order=np.arange(len(rows)))
    when = ordered["changed"].fillna(ordered["created"])
    # Rows of one ticket at the same time (a minute's precision) come in no order a file keeps: a delivery goes
    # last among them, so a field's row written in the minute the ticket was closed does not reopen it. A
    # stage-date file's rows are `in_stage_order`: two stages entered on one day were entered in the file's order.
    done_words = {d.strip().lower() for d in done}
    entering_done = ordered["status"].str.lower().isin(done_words).fillna(False).astype(bool) & (not in_stage_order)
    ordered = ordered.assign(_when=when, _done=entering_done).sort_values(["id", "_when", "_done", "_order"],
                                                                         kind="stable")
    groups = ordered.groupby("id", sort=False)
    tickets = groups[["due", "type", "client", "effort_hours", "estimate_hours", "assignee", "skill"]].last()
    tickets["created"] = pd.concat([groups["created"].min(), groups["_when"].min()], axis=1).min(axis=1)
    if "status" in mapping:
        # a row of another field's change with its status left blank continues the status before it, as a
        # tracker's field-change rows do: a comment after delivery does not reopen the ticket
        status = ordered["status"].groupby(ordered["id"]).ffill()
        is_done = status.str.lower().isin(done_words).fillna(False).astype(bool)
        if not is_done.any():
            seen = ", ".join(_short(v, 30) for v in ordered["status"].dropna().unique()[:12])
            raise ExportError(f"{source}: no status in column {_short(mapping['status'])!r} means delivered "
                              f"({', '.join(done)}); its statuses are {seen}; {controls.done}")
        # the start of each ticket's last run of done statuses: where it entered done for the last time
        entered = is_done & ~is_done.groupby(ordered["id"]).shift(fill_value=False).astype(bool)
        last_entry = ordered["_when"].where(entered).groupby(ordered["id"]).max()
        ends_done = is_done.groupby(ordered["id"]).last()
        tickets["resolved"] = last_entry.where(ends_done)
        how = (f"a change log of {mapping['id']!r}, each ticket resolved when it last entered {_either(done)}; "
               f"{int((~ends_done).sum()):,} ending in another status are open.")
        history = _history(ordered, done_words, waiting, source, controls, mapping["status"])
    else:
        tickets["resolved"] = groups["resolved"].max()
        how = f"the rows of each {mapping['id']!r} taken as one ticket, its latest values kept."
        history = None
    tickets = tickets.assign(id=tickets.index, status=pd.NA, changed=pd.NaT).reset_index(drop=True)
    return tickets[rows.columns], how, history


def _history(ordered: pd.DataFrame, done_words: set[str], waiting: Sequence[str], source: str, controls: Controls,
             column: str) -> pd.DataFrame:
    """Each status a ticket was in, from the change that set it to the next change of that ticket: a row whose
    status did not change (another field changed) continues the status before it.

    The status most tickets are created in ("Open", "New") means waiting for the team whenever a ticket is in it.
    It is the most common status among each ticket's earliest rows, and it goes first among rows of the same
    minute: a ticket taken at once shows its first two statuses at the same minute, in either order in a file. A
    done status goes last among them, as collapse_changes orders them."""
    earliest = ordered["_when"] == ordered.groupby("id")["_when"].transform("min")
    created_in = ordered.loc[earliest, "status"].dropna().mode()
    queue_status = created_in.iloc[0] if len(created_in) else None
    ordered = ordered.assign(_later=ordered["status"].ne(queue_status).fillna(True)).sort_values(
        ["id", "_when", "_later", "_done", "_order"], kind="stable")
    status = ordered["status"].groupby(ordered["id"]).ffill()
    changed = status.ne(status.groupby(ordered["id"]).shift()).fillna(True).astype(bool)  # a first row: NA
    spans = ordered.loc[changed, ["id", "_when"]].assign(status=status[changed])
    spans["end"] = spans.groupby("id")["_when"].shift(-1)
    spans = spans.rename(columns={"_when": "start"}).dropna(subset=["status"])
    waiting_words = {w.strip().lower() for w in waiting}
    spans["waiting"] = spans["status"].str.lower().isin(waiting_words).fillna(False).astype(bool)
    spans["done"] = spans["status"].str.lower().isin(done_words).fillna(False).astype(bool)
    spans["queue"] = (spans["status"] == queue_status).fillna(False).astype(bool)
    if waiting_words and not spans["waiting"].any():
        seen = ", ".join(_short(v, 30) for v in spans["status"].unique()[:12])
        raise ExportError(f"{source}: no status in column {_short(column)!r} means waiting on the client "
                          f"({', '.join(waiting)}); its statuses are {seen}; {controls.waiting}")
    return spans[["id", "status", "start", "end", "waiting", "done", "queue"]].reset_index(drop=True)


def read_export(data: bytes, source: str = "export", overrides: Mapping[str, str] | None = None,
                controls: Controls = COMMAND_LINE, done: Sequence[str] | None = None,
                waiting: Sequence[str] = ()) -> Export:
    """The usable tickets of a CSV export, with the format recognised and the rows that cannot be used counted;
    its messages name the reader's `controls`. An export whose ticket ids repeat is a change log, read as one
    ticket per id (`collapse_changes`), `done` naming the statuses that mean delivered (DONE_STATUSES) and
    `waiting` those that mean waiting on the client."""
    frame = _read_csv(decode(data, source), source)
    columns = [str(c) for c in frame.columns]
    fmt = recognise(columns)
    stages = stage_columns(frame, fmt, overrides or {})
    preview = frame.head(10)
    if stages:  # read as the change log it stands for; the file's own columns are what a user maps
        rows_in_file = len(frame[~(frame == "").all(axis=1)])
        frame, stage_mapping = _stage_changes(frame, stages, overrides or {})
        fmt, overrides = STAGE_FILE, {**(overrides or {}), **stage_mapping}
        if done is None and not {d.lower() for d in DONE_STATUSES} & {s.strip().lower() for s in stages}:
            done = [stages[-1]]  # the last stage is delivery
    mapping = resolve_mapping([str(c) for c in frame.columns], fmt, overrides or {}, source, controls)
    if frame.empty:
        raise ExportError(f"{source}: only a header row, no tickets; expected one row per ticket")
    frame = frame[~(frame == "").all(axis=1)]
    rows = rows_in_file if stages else len(frame)
    copies = frame.duplicated(keep="first")
    copy_words = None
    if copies.any() and not stages:
        if "id" in mapping:  # the same change twice, or the same ticket's row twice: read once
            frame = frame[~copies]
            copy_words = f"{int(copies.sum()):,} rows are exact copies of another row and are read once."
        else:
            copy_words = (f"{int(copies.sum()):,} rows are exact copies of another row (every column the same). "
                          "Without a ticket id they cannot be told from tickets created alike, so each is read "
                          f"as a ticket; if the export holds some tickets twice, {controls.column('id')}.")
    if "client" not in (overrides or {}):  # of the format's client columns, the first that names any client
        present = [c for c in (_find([col], (name,)) for name in fmt.columns.get("client", ()) for col in columns)
                   if c is not None]
        filled = [c for c in dict.fromkeys(present) if (frame[c].astype(str).str.strip() != "").any()]
        if filled:
            mapping["client"] = filled[0]
    seconds = fmt.seconds

    def column(name: str) -> pd.Series:
        return frame[mapping[name]] if name in mapping else pd.Series(pd.NA, index=frame.index, dtype="string")

    tickets = pd.DataFrame(index=frame.index)
    date_warnings = []
    for name in ("created", "resolved", "due", "changed"):
        if name in mapping:
            tickets[name], ways = read_dates(column(name))
            if said := mixed_dates_warning(mapping[name], ways):
                date_warnings.append(said)
        else:
            tickets[name] = pd.NaT
    if "created" not in mapping:
        tickets["created"] = tickets["changed"]
    tickets["id"] = _text(column("id"))
    tickets["status"] = _text(column("status"))
    for name in ("type", "client", "assignee", "skill"):
        tickets[name] = _text(column(name)) if name in mapping else pd.Series(pd.NA, index=frame.index,
                                                                              dtype="string")
    for name in ("effort_hours", "estimate_hours"):
        tickets[name] = _hours(column(name), seconds) if name in mapping else np.nan
    if fmt.name == "linear" and mapping.get("type") in fmt.columns["type"]:  # "Bug, Frontend": the first label
        tickets["type"] = tickets["type"].str.split(",").str[0].str.strip().mask(lambda s: s == "")
    tickets["type"] = tickets["type"].fillna("general")

    warnings: list[str] = [*([copy_words] if copy_words else []), *date_warnings]
    created_text = _text(column("created"))
    if tickets["created"].isna().all():
        first = created_text.dropna()
        sample = f" (first: {first.iloc[0][:40]!r})" if len(first) else ""
        raise ExportError(f"{source}: column {_short(mapping['created'])!r}: no date could be read{sample}; expected "
                          f"dates such as {DATE_EXAMPLES}")
    skipped: dict[str, int] = {}
    history: pd.DataFrame | None = None

    def skip(mask: pd.Series, reason: str) -> None:
        nonlocal tickets
        count = int(mask.sum())
        if count:
            skipped[reason] = skipped.get(reason, 0) + count
            tickets = tickets[~mask]

    skip(tickets["created"].isna(), "no readable creation date")
    if "changed" in mapping:
        given = _text(column("changed")).reindex(tickets.index).notna()
        skip(given & tickets["changed"].isna(), f"an unreadable {_short(mapping['changed'])} date")
    if "id" in mapping and (stages or tickets["id"].duplicated().any()):
        if done is None and "status" in mapping and not stages:
            done = usual_done(frame, mapping["status"])
        tickets, words, history = collapse_changes(tickets, mapping, done or DONE_STATUSES, source, controls,
                                                   waiting, in_stage_order=bool(stages))
        if stages:
            open_now = int(tickets["resolved"].isna().sum())
            words = (f"a stage-date file of {_short(mapping['id'])!r}, a column per workflow stage "
                     f"({', '.join(stages)}) holding the date each ticket entered it; each ticket resolved when it "
                     f"last entered {_either(done or DONE_STATUSES)}; {open_now:,} not there yet are open.")
        warnings.append(f"Read {rows:,} rows as {len(tickets):,} tickets: {words}")
    elif waiting:
        warnings.append(f"The statuses that mean waiting on the client ({', '.join(waiting)}) are read from a "
                        "change log, one row per change of a ticket; this export has one row per ticket, so no "
                        "waits were fitted.")
    if waiting and history is None and "id" in mapping and "status" not in mapping:
        warnings.append(f"No status column, so the waits on the client ({', '.join(waiting)}) cannot be read "
                        f"({controls.column('status')}).")
    tickets = tickets.drop(columns=["status", "changed"])
    for name in ("resolved", "due"):
        if name in mapping:
            given = _text(column(name)).reindex(tickets.index).notna()
            skip(given & tickets[name].isna(), f"an unreadable {_short(mapping[name])} date")
    skip(tickets["resolved"] < tickets["created"], "resolved before created")
    for name in ("effort_hours", "estimate_hours"):
        skip(tickets[name] < 0, f"negative {_short(mapping.get(name, name))}")
    for reason, count in skipped.items():
        warnings.append(f"{count} of {rows} rows skipped: {reason}.")
    if len(tickets) < MIN_TICKETS:
        why = f" ({'; '.join(f'{c} with {r}' for r, c in skipped.items())})" if skipped else ""
        raise ExportError(f"{source}: only {len(tickets)} usable tickets{why}; at least {MIN_TICKETS} are needed "
                          "to fit a scenario")
    dates = [tickets["created"], tickets["resolved"]] + ([history["start"]] if history is not None else [])
    weekmask, week_words = working_week(pd.concat(dates, ignore_index=True))
    if week_words:
        warnings.append(week_words)
    if stages:  # the mapping names the file's own columns; the stages stand for the status and its date
        mapping = {k: v for k, v in mapping.items() if k not in ("status", "changed")}
    return Export(tickets.reset_index(drop=True), fmt, mapping, columns, rows, warnings, preview, history,
                  weekmask, tuple(stages))
