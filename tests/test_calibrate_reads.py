"""The Calibrate page reads an uploaded export once per file and choices (ui.exports): a rerun that changes neither
(a click elsewhere, the page run again) parses nothing, since each parse of a large change log takes seconds; a
changed choice reads only what it changes. The cached reads give what formats gives, and a caller changing what it
got does not change what the next rerun gets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from sim.calibration.formats import ExportError, read_export
from tests.conftest import ROOT
from tests.test_calibrate_changelog import change_log
from ui import calibration as views
from ui import exports

READS = ("header", "read_export", "read_export_statuses", "read_export_done")


def log_with_ids() -> bytes:
    """A change log of 40 tickets whose headers the generic format recognises (id, status, changed, client), so the
    page reads it, its statuses and its usual done statuses without a column picked."""
    data, _ = change_log()
    head, rest = data.split(b"\n", 1)
    assert head.strip() == b"key,status,changed,client"
    return b"id,status,changed,client\n" + rest


@pytest.fixture
def parses(monkeypatch) -> Counter[str]:
    """How often each of formats' reads runs, with the page's caches emptied first (another test may have read the
    same file in this process)."""
    calls: Counter[str] = Counter()

    def counting(name: str, read: Callable) -> Callable:
        def counted(*args, **kwargs):
            calls[name] += 1
            return read(*args, **kwargs)
        return counted

    for name in READS:
        monkeypatch.setattr(exports, name, counting(name, getattr(exports, name)))
    for cached in (exports.export_header, exports._read, exports.export_statuses, exports.export_done):
        cached.clear()
    return calls


def uploaded(data: bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = {"weeks": 6, "replications": 2}
    at.run()
    at = at.switch_page("pages/calibrate.py").run()
    return at.file_uploader(key="calibrate.upload").upload("history.csv", data, "text/csv").run()


def preview_label(at: AppTest) -> str:
    (preview,) = [e.label for e in at.expander if "usable tickets" in e.label]
    return preview


@pytest.mark.deep
def test_a_rerun_with_the_same_file_and_choices_parses_nothing_again(parses):
    """Deep tier: about 2 s, as it makes whole calibrations and their back-tests."""
    at = uploaded(log_with_ids())
    assert not at.exception and not at.error
    shown = preview_label(at)
    assert shown.endswith("(40 usable tickets)")
    # Each distinct parse once: the header and the first read on upload serve the page's own; then the statuses,
    # the usual done statuses, and the read with the done statuses marked.
    assert parses == {"header": 1, "read_export": 2, "read_export_statuses": 1, "read_export_done": 1}
    first = dict(parses)
    at = at.run()
    (engineers,) = [n for n in at.number_input if n.label == views.ENGINEERS_LABEL]
    at = engineers.set_value(3).run()  # a choice of the fit, not of the reading
    assert not at.exception and not at.error and preview_label(at) == shown
    assert parses == first
    waiting = at.multiselect(key="calibrate:map:waiting")
    at = waiting.set_value(["Waiting on client"]).run()
    assert not at.exception and not at.error
    assert parses == {**first, "read_export": 3}  # the choice changed: that read only
    at = at.multiselect(key="calibrate:map:waiting").set_value([]).run()
    assert not at.exception and preview_label(at) == shown
    assert parses == {**first, "read_export": 3}  # back to a choice read before


def test_the_cached_read_is_formats_own_and_a_change_to_it_stays_with_the_caller(parses):
    data = log_with_ids()
    done, waiting = ["Done", "Closed"], ["Waiting on client"]
    direct = read_export(data, "history.csv", {}, views.CONTROLS, done, waiting)
    for _ in range(2):
        cached = exports.page_export(data, "history.csv", {}, done, waiting)
        assert cached.tickets.equals(direct.tickets) and cached.preview is not None
        assert cached.preview.equals(direct.preview) and cached.history is not None
        assert cached.history.equals(direct.history)
        assert (cached.format, cached.mapping, cached.columns, cached.rows, cached.warnings, cached.weekmask,
                cached.stages) == (direct.format, direct.mapping, direct.columns, direct.rows, direct.warnings,
                                   direct.weekmask, direct.stages)
        cached.warnings.append("added by a caller")
        cached.tickets["client"] = "changed by a caller"
    assert parses["read_export"] == 1
    assert exports.page_export(data, "history.csv", None, done, tuple(waiting)).warnings == direct.warnings
    assert parses["read_export"] == 1  # no overrides and {} are one read, as a list and a tuple are


def test_a_file_that_cannot_be_read_says_so_on_every_read(parses):
    for _ in range(2):
        with pytest.raises(ExportError) as refused:
            exports.page_export(b"created,type\nnot a date,bug\n", "bad.csv")
        assert refused.value.problems[0].startswith("bad.csv: column 'created': no date could be read")
    assert parses["read_export"] == 2  # an error is not kept: the next read says it again
