"""The Calibrate page's reads of the uploaded export, cached on the file's bytes and the page's choices.

Every rerun of the page (each click, each picker) asks for the file's header, its statuses, the statuses it marks
as delivered to start with, and the export read with the choices made; on a change log of tens of thousands of
rows each read takes seconds. Cached here, a rerun that changes neither the file nor a choice reads nothing again.

`st.cache_data` keeps a pickled copy and hands each caller its own, so a caller that changes what it got (an
Export's list of warnings) never changes what the next rerun gets. An ExportError is not cached: a bad file raises
its message on every read, as the page expects. The entries are few: a full read of a large export is megabytes,
and the cache is the server's, shared by every session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from sim.calibration.formats import Export, Format, header, read_export, read_export_done, read_export_statuses
from ui.calibration import CONTROLS

READS = 8  # full reads kept: a rerun needs two (the columns recognised, and the choices'), so four sessions' worth
LISTS = 16  # headers and status lists kept: small, one per file (and status column)


@st.cache_data(show_spinner=False, max_entries=LISTS)
def export_header(data: bytes, source: str) -> tuple[Format, list[str]]:
    """`formats.header`, once per file: the format recognised and the columns, what the page offers to map."""
    return header(data, source)


def page_export(data: bytes, source: str, overrides: Mapping[str, str] | None = None,
                done: Sequence[str] | None = None, waiting: Sequence[str] = ()) -> Export:
    """`formats.read_export` with the page's controls (its messages name the page's pickers), once per file and
    choices: the columns named, the statuses that mean delivered and those that mean waiting on the client.

    The choices are keyed as read_export reads them: no overrides and {} alike, a list and a tuple alike, so the
    page's first read (what the file's columns are recognised as) and its read with no choice changed are one."""
    return _read(data, source, tuple((overrides or {}).items()), None if done is None else tuple(done),
                 tuple(waiting))


@st.cache_data(show_spinner=False, max_entries=READS)
def _read(data: bytes, source: str, overrides: tuple[tuple[str, str], ...], done: tuple[str, ...] | None,
          waiting: tuple[str, ...]) -> Export:
    # The overrides keep their order: a column named for a field the format does not know goes last in the mapping.
    return read_export(data, source, dict(overrides), CONTROLS, done, waiting)


@st.cache_data(show_spinner=False, max_entries=LISTS)
def export_statuses(data: bytes, source: str, column: str) -> list[str]:
    """`formats.read_export_statuses`, once per file and status column: the statuses offered as delivered."""
    return read_export_statuses(data, source, column)


@st.cache_data(show_spinner=False, max_entries=LISTS)
def export_done(data: bytes, source: str, column: str) -> list[str]:
    """`formats.read_export_done`, once per file and status column: the statuses marked as delivered to start
    with."""
    return read_export_done(data, source, column)
