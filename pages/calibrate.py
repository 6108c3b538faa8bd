"""Calibrate: a ticket export in, a scenario fitted to it out, back-tested against the firm's own record.

The uploaded file lives in this session's memory only: never written to disk, never put in a link. "Use this
scenario" makes the fitted scenario the sidebar's, so its link carries the fitted parameters and nothing else."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from sim.calibration.backtest import VERDICT_WORDS, ModelSamples, far_words, model_samples
from sim.calibration.formats import (
    DONE_STATUSES,
    FIELDS,
    GENERIC_HEADER,
    ExportError,
    resolve_mapping,
)
from sim.calibration.pipeline import Calibration, calibrate
from sim.parallel import ClusterError
from sim.scenario import ScenarioError
from sim.wording import in_sentence, key_words
from ui import calibration as views
from ui import exports, sureness
from ui.labels import design_labels, plain
from ui.runner import holding_run_slot, shared_executor, show_server_problem
from ui.share import closest_preset
from ui.sidebar import scenario_or_problems
from ui.state import current_scenario, presets, read_state, state_for, write_state

SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "samples" / "jira_sample.csv"
DATA_KEY = "calibrate.data"  # (file name, bytes): this session's memory only
RESULT_KEY = "calibrate.result"  # (inputs key, Calibration, the model's ModelSamples or None without a back-test)
UPLOAD_KEY = "calibrate.upload"
MESSAGE_KEY = "calibrate.message"
MAX_UPLOAD_MB = 10  # the server's own bound (.streamlit/config.toml); larger exports go through the command line
MAP_PREFIX = "calibrate:map:"  # not "page:": the mapping is about the file, and never goes into a link
NOT_IN_FILE = "(not in this export)"


def _take(name: str, data: bytes) -> None:
    """A new file replaces the last one when it can be fitted, or when only its columns need naming (no creation
    column recognised: the pickers can name one); otherwise its message shows and the last file stays."""
    try:
        fmt, columns = exports.export_header(data, name)
        try:
            resolve_mapping(columns, fmt, {}, name)
        except ExportError:
            pass  # the user names the columns next
        else:
            exports.page_export(data, name)
    except ExportError as exc:
        st.session_state[MESSAGE_KEY] = f"**{plain(name)}** was not read; the last export and your scenario " \
            f"are unchanged. {plain(exc.problems[0])}"
        return
    st.session_state[DATA_KEY] = (name, data)
    st.session_state[MESSAGE_KEY] = None
    st.session_state.pop(RESULT_KEY, None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(MAP_PREFIX)]:
        del st.session_state[key]


def _upload() -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is not None:
        _take(file.name, file.getvalue())


def _mapping(columns: list[str], recognised: dict[str, str]) -> dict[str, str]:
    """Field -> column as the user set it; only differences from what was recognised are passed on."""
    st.markdown(f"**{views.COLUMNS_HEADING}**: which column holds what. Change one if the export names it "
                "differently.")
    cols = st.columns(len(FIELDS) // 2 + 1)
    overrides = {}
    for i, name in enumerate(FIELDS):
        options = [NOT_IN_FILE, *columns]
        key = MAP_PREFIX + name
        if key not in st.session_state:
            st.session_state[key] = recognised.get(name, NOT_IN_FILE)
        chosen = cols[i % len(cols)].selectbox(views.FIELD_LABELS[name], options, key=key)
        if chosen != recognised.get(name, NOT_IN_FILE):
            overrides[name] = "" if chosen == NOT_IN_FILE else chosen
    return overrides


def _statuses(data: bytes, name: str, mapping: dict[str, str], stages: tuple[str, ...]) -> list[str]:
    """The file's statuses: a stage-date file's stages, else the named status column's values; [] for neither."""
    if stages:
        return list(stages)
    status = mapping.get("status")
    return exports.export_statuses(data, name, status) if status else []


def _done_statuses(values: list[str], stages: tuple[str, ...], usual_names: list[str]) -> list[str] | None:
    """In a change log (a status column named) or a stage-date file, the statuses that mean delivered, offered from
    the file's own: `usual_names` (those trackers call so, and the tracker's own done category) to start with, else
    a stage-date file's last stage, as the command line reads them. None when the file has no statuses."""
    if not values:
        return None
    usual = {d.lower() for d in usual_names}
    key = f"{MAP_PREFIX}done"
    if key not in st.session_state or not set(st.session_state[key]) <= set(values):
        st.session_state[key] = [v for v in values if v.lower() in usual] or ([stages[-1]] if stages else [])
    return st.multiselect(views.DONE_LABEL, values, key=key, help="A ticket is resolved when it last entered one "
                          "of these, and open if it ends in another status (reopened, or still in progress).")


def _waiting_statuses(values: list[str], done: list[str] | None) -> list[str]:
    """In a change log or a stage-date file, the statuses that mean waiting on the client, offered from the file's
    own (none to start with, as on the command line, so both fit the same file alike)."""
    if not values:
        return []
    values = [v for v in values if v not in (done or [])]
    key = f"{MAP_PREFIX}waiting"
    if key in st.session_state and not set(st.session_state[key]) <= set(values):
        st.session_state[key] = [v for v in st.session_state[key] if v in values]
    return st.multiselect(views.WAITING_LABEL, values, key=key, help="Time tickets spend in these is fitted as "
                          "waiting on the client or a third party: it adds to lead time, on nobody's hours, and no "
                          "hire shortens it.")


def _fit(name: str, data: bytes, overrides: dict[str, str], engineers: int | None, today: str, base,
         done: list[str] | None = None, waiting: list[str] | None = None) -> None:
    slot = st.empty()
    with holding_run_slot(slot, "Calibration: "):
        bar = slot.progress(0.0, text="Reading the export")
        steps = [0]

        def progress(text: str) -> None:
            steps[0] += 1
            bar.progress(min(steps[0] / 60, 1.0), text=text)

        result = calibrate(data, base, source=name, columns=overrides, engineers=engineers, today=today,
                           executor=shared_executor(), progress=progress, controls=views.CONTROLS, done=done,
                           waiting=waiting or [])
        samples = None
        if result.backtest is not None:
            bar.progress(1.0, text="Drawing the model's distributions")
            samples = model_samples(result.scenario, today, result.backtest.weeks)
    st.session_state[RESULT_KEY] = (_inputs_key(data, overrides, engineers, today, done, waiting), result, samples)


def _inputs_key(data: bytes, overrides: dict[str, str], engineers: int | None, today: str,
                done: list[str] | None = None, waiting: list[str] | None = None) -> str:
    """What a shown result was fitted from. Not the sidebar's scenario: using the result changes that, and the
    result must stay in view."""
    text = f"{sorted(overrides.items())}|{engineers}|{today}|{done}|{waiting or []}"
    return hashlib.sha256(data).hexdigest() + hashlib.sha256(text.encode()).hexdigest()


def _use(result: Calibration, samples: ModelSamples | None = None) -> None:
    scenario = result.scenario
    state = read_state()
    preset = closest_preset(scenario, state.preset)
    write_state(state_for(preset, scenario, state.page))
    charts = views.history_charts(result, samples) if samples is not None and result.backtest is not None else []
    sureness.remember_fit(current_scenario(), result.backtest, charts)  # as the pages will read it back
    st.session_state[MESSAGE_KEY] = None
    st.session_state["calibrate.used"] = (f"**{plain(scenario.name)}** is now the scenario in the sidebar (as the "
                                          f"{presets()[0][preset].name} preset with {len(read_state().overrides)} "
                                          "changed values); every page and share link uses it.")


def _show(result: Calibration, samples: ModelSamples | None) -> None:
    st.subheader("What was fitted")
    st.markdown("\n".join(f"- {plain(n.words)}" for n in result.notes))  # they quote the file's columns and values
    if result.warnings:
        st.warning("\n".join(f"- {plain(w)}" for w in result.warnings))
    bt = result.backtest
    if bt is None or samples is None:
        return
    st.subheader(f"Back-test: {result.today_words} (today's organisation) over {bt.weeks} weeks")
    box = {"close": st.success, "far": st.warning}[bt.verdict]
    box(f"{bt.sentence} The model is **{VERDICT_WORDS[bt.verdict]}** your record"
        + ("." if bt.verdict == "close" else f" on {far_words(bt.far_on)}: read its other answers with that in "
           "mind."))
    st.dataframe(views.comparison_table(bt.observed, bt.after, bt.before if bt.fitted else None),
                 hide_index=True, width="stretch")
    if bt.fitted:
        st.markdown("Behaviour assumptions fitted to close the gap (within their plausible ranges): "
                    + ", ".join(f"{in_sentence(key_words(p))} = {v:g}" for p, v in bt.fitted.items()) + ".")
    elif bt.screen:
        st.markdown("No behaviour assumption within its plausible range brought the model closer.")
    if bt.screen:
        with st.expander("Which assumptions move lead time and on-time most (each at both ends of its range)"):
            st.dataframe(views.screen_table(bt.screen), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.altair_chart(views.lead_time_chart(views.lead_time_frame(result.fit.lead_days, samples.leads)),
                      width="stretch")
    right.altair_chart(views.arrivals_chart(views.arrivals_frame(result.fit.weekly_arrivals, samples.arrivals)),
                       width="stretch")
    _history(result, samples)


def _history(result: Calibration, samples: ModelSamples) -> None:
    """The team's own history beside the model's run (ui.calibration.history_charts), two to a row."""
    st.subheader("Your history beside the model")
    charts = views.history_charts(result, samples)
    for row in range(0, len(charts), 2):
        for column, (_, chart) in zip(st.columns(2), charts[row:row + 2], strict=False):
            column.altair_chart(chart, width="stretch")


def main() -> None:
    st.title("Calibrate")
    st.write(f"Upload a ticket export (Jira, Zendesk, Linear, or a CSV with the header row `{GENERIC_HEADER}`). "
             "Orgsim fits clients, demand, work types and the team to it, then simulates your organisation today "
             "against your own record. The file stays in this session's memory: it is never saved and never put "
             "in a link.")
    if used := st.session_state.pop("calibrate.used", None):
        st.success(used)
    base = scenario_or_problems()
    if base is None:
        return
    left, right = st.columns([3, 1])
    left.file_uploader("Ticket export (CSV)", type=["csv"], key=UPLOAD_KEY, on_change=_upload,
                       max_upload_size=MAX_UPLOAD_MB,
                       help=f"Up to {MAX_UPLOAD_MB} MB here; `python -m sim calibrate` reads exports of up to "
                       "50 MB.")
    right.button("Try the sample export", on_click=_take, args=(SAMPLE.name, SAMPLE.read_bytes()),
                 help="A synthetic year of a firm of 6 engineers and 20 clients, in Jira's export format.")
    if message := st.session_state.get(MESSAGE_KEY):
        st.error(message)
    if DATA_KEY not in st.session_state:
        return
    name, data = st.session_state[DATA_KEY]
    fmt, columns = exports.export_header(data, name)
    try:
        first_read = exports.page_export(data, name)  # as _take read it: only what it recognised is used
        recognised, stages, fmt = first_read.mapping, first_read.stages, first_read.format
    except ExportError:
        recognised, stages = {}, ()
    st.markdown(f"**{plain(name)}**: recognised as a **{fmt.label}** with {len(columns)} columns.")
    overrides = _mapping(columns, recognised)
    statuses = _statuses(data, name, {**recognised, **overrides}, stages)
    status = {**recognised, **overrides}.get("status")
    done = _done_statuses(statuses, stages, exports.export_done(data, name, status) if status and not stages
                          else list(DONE_STATUSES))
    waiting = _waiting_statuses(statuses, done)
    try:
        export = exports.page_export(data, name, overrides, done, waiting)
    except ExportError as exc:
        st.error(plain(exc.problems[0]))
        return
    with st.expander(f"Preview: the first rows of {export.rows} ({len(export.tickets)} usable tickets)"):
        st.dataframe(export.preview, hide_index=True)
    cols = st.columns([1, 1, 2])
    engineers = cols[0].number_input(views.ENGINEERS_LABEL, min_value=0, max_value=500, value=0, step=1,
                                     help="0 counts the distinct assignees who resolved tickets; without "
                                     "assignees, a change log's tickets worked on at once.")
    words = design_labels(base.designs)
    today = cols[1].selectbox("Your organisation today", list(base.designs), format_func=words.__getitem__,
                              index=list(base.designs).index(
        "none") if "none" in base.designs else 0, help="The org design the firm has today, simulated against "
        "its record.")
    key = _inputs_key(data, overrides, engineers or None, today, done, waiting)
    if cols[2].button("Fit and back-test", type="primary"):
        try:
            _fit(name, data, overrides, engineers or None, today, base, done, waiting)
        except ScenarioError as exc:
            st.error(plain(exc.problems[0]))
            return
        except ClusterError as exc:
            show_server_problem(exc)
            return
    stored = st.session_state.get(RESULT_KEY)
    if stored is None or stored[0] != key:
        st.info("Press **Fit and back-test** to fit a scenario to this export.")
        return
    _, result, samples = stored
    st.button("Use this scenario", type="primary", on_click=_use, args=(result, samples),
              help="It becomes the sidebar's scenario for every page, shareable by link like any other.")
    _show(result, samples)


main()
