"""The scenario in the URL, and the "Share this scenario" box: a link to copy, a TOML file to download or upload.

`app.py` calls `sync_link` once per run, before any scenario widget exists, then `share_box` and `show_notices`, so
every page (also pages added later) keeps its scenario in the URL without code of its own.

Why not `bind="query-params"` on the widgets: the sidebar's inputs sit in a form, and a bound widget in a form
writes the URL as soon as it moves, before Run, so a link copied then would show a scenario that never ran; a
bound widget drops its value when it equals the widget's default, while a link must drop values equal to the
*preset's*, which changes with the preset; a bound widget's key is its parameter's name, while each page has its
own widget for a shared setting such as `designs`; bound parameters cannot be set or removed through
`st.query_params`, which is how the whole query string is rewritten here; and the state lives in session state, so
that it survives page switches, which clear both the query string and the widgets of the page left. So the state is
the one source, and the query string is written from it on every run with `sim.links`, which also says what it
ignored and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from sim.links import MAX_LINK_CHARS, MAX_SETTINGS, PAGE_KEYS, link_fits, params_to_scenario, scenario_to_params
from sim.scenario import MAX_FILE_BYTES, Scenario, ScenarioError, check_size, decode, dumps, loads, short
from ui.labels import plain
from ui.overrides import overrides_between
from ui.state import AppState, current_scenario, presets, read_state, scenario_as_set, state_for, write_state

PAGE_PARAM = "page"
WRITTEN_KEY = "share.written"  # the query parameters this session wrote last (or read from the link)
NOTICES_KEY = "share.notices"  # (kind, text) to show once: what a link or an uploaded file did
UPLOAD_KEY = "share.upload"
MAX_UPLOAD_MB = MAX_FILE_BYTES // 1_000_000  # the same cap as the CLI's; the browser refuses larger files itself


@dataclass(frozen=True)
class AppPage:
    """A page as a link names it (`page=growth`, the file's stem) and as the navigation knows it."""

    name: str
    page: st.Page


def _query() -> dict[str, str]:
    return st.query_params.to_dict()


def _notify(kind: str, text: str) -> None:
    st.session_state.setdefault(NOTICES_KEY, []).append((kind, text))


def _page_warnings(scenario: Scenario, page: Mapping[str, str], names: Sequence[str]) -> list[str]:
    """What the pages would silently drop from a link: designs the scenario lacks, a page that does not exist."""
    warnings = []
    designs = [d for d in page.get("designs", "").split(",") if d]
    unknown = [d for d in designs if d not in scenario.designs]
    if unknown:
        warnings.append(f"Ignored designs {', '.join(u[:30] for u in unknown[:5])}: not an org design of this "
                        f"scenario (designs: {', '.join(scenario.designs)}).")
    baseline = page.get("baseline")
    if baseline is not None and baseline not in scenario.designs:
        warnings.append(f"Ignored baseline={baseline[:30]}: not an org design of this scenario.")
    wanted = page.get(PAGE_PARAM)
    if wanted is not None and wanted not in names:
        warnings.append(f"Ignored {PAGE_PARAM}={wanted[:30]}: there is no such page (pages: {', '.join(names)}).")
    return warnings


def _open_link(params: Mapping[str, str], pages: Sequence[AppPage], current: AppPage) -> None:
    """Replace the state with what the link says; switch to the page it names when that is another one."""
    available = presets()[0]
    decoded = params_to_scenario(params, available)
    preset = decoded.preset if decoded.preset in available else next(iter(available))  # no valid default.toml
    page = dict(decoded.page)
    warnings = decoded.warnings + _page_warnings(decoded.scenario, page, [p.name for p in pages])
    wanted = page.pop(PAGE_PARAM, current.name)
    write_state(state_for(preset, decoded.scenario, page))
    st.session_state[WRITTEN_KEY] = dict(params)
    if warnings:
        _notify("warning", "Some of this link could not be used as written; the app opened the nearest valid "
                "scenario:\n\n" + "\n".join(f"- {plain(w)}" for w in warnings))
    _notify_renamed("This link", decoded.notes)
    target = next((p for p in pages if p.name == wanted), current)
    if target is not current:
        st.switch_page(target.page)


def _notify_renamed(what: str, notes: Sequence[str]) -> None:
    """Keys of an earlier version read as their new equivalents: said once, as information, not as a problem."""
    if notes:
        _notify("info", f"{what} was written by an earlier version of the app; it opened with its values in "
                "today's terms:\n\n" + "\n".join(f"- {plain(n)}." for n in notes))


def current_params(current: AppPage) -> dict[str, str] | None:
    """The link's query parameters for the state now, or None while the inputs do not make a valid scenario."""
    state = read_state()
    try:
        scenario = scenario_as_set()  # a name made from the changes is made again by whoever opens the link
    except ScenarioError:
        return None
    page = {k: v for k, v in state.page.items() if k in PAGE_KEYS and k != PAGE_PARAM}
    return scenario_to_params(scenario, state.preset, presets()[0], {**page, PAGE_PARAM: current.name})


def sync_link(pages: Sequence[AppPage], current: AppPage) -> dict[str, str] | None:
    """Read the URL into the state when it holds a link this session did not write (a link just opened, or one
    edited by hand), then write the state back into the URL. Returns the link's query parameters, or None while
    the inputs do not make a valid scenario; the URL then keeps the last valid one.

    An empty query string after the first run is not a link: Streamlit clears the URL when the user switches
    pages, and the state then writes it again."""
    query = _query()
    first_run = WRITTEN_KEY not in st.session_state
    if query and (first_run or query != st.session_state[WRITTEN_KEY]):
        _open_link(query, pages, current)
    params = current_params(current)
    written = params
    if written is None and st.session_state.get(WRITTEN_KEY):
        written = {**st.session_state[WRITTEN_KEY], PAGE_PARAM: current.name}
    if written and written != _query():
        st.query_params.from_dict(written)
    st.session_state[WRITTEN_KEY] = written or {}
    return params


def link_for(params: Mapping[str, str], pages: Sequence[AppPage]) -> str:
    """The absolute link when the browser's URL is known (`st.context.url`, without its query), else `?...`.

    The link points at the app's root and names its page with `page=`: a link straight to a page's own path makes
    Streamlit show "Page not found" to the first session after a server start (the page is only known once the
    entry script has run), while the root always runs the entry script, which then switches to the page.
    """
    query = "?" + _encode(params)
    url = (st.context.url or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        return query
    for page in pages:  # the URL of the page the session is on: back to the app's root
        suffix = "/" + page.page.url_path
        if page.page.url_path and url.endswith(suffix):
            url = url[: -len(suffix)]
            break
    return f"{url}/{query}"


def _encode(params: Mapping[str, str]) -> str:
    return urlencode(params, safe=",")  # commas stay readable in design lists, as browsers leave them


def closest_preset(scenario: Scenario, preferred: str) -> str:
    """The preset a scenario differs least from (the current one on a tie): its link lists fewest values."""
    available = presets()[0]
    return min(available, key=lambda n: (len(overrides_between(available[n], scenario)), n != preferred))


def _upload() -> None:
    """A scenario file chosen: a valid one replaces the scenario, an invalid one changes nothing."""
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    name = short(file.name)
    try:
        check_size(file.size, name)  # before reading: the browser's own limit is only advice to the browser
        notes: list[str] = []
        scenario = loads(decode(file.getvalue(), name), source=name, notes=notes)
    except ScenarioError as exc:
        _notify("error", f"**{plain(name)}** was not loaded; your scenario is unchanged. Its problems:\n\n"
                + "\n".join(f"- {plain(p)}" for p in exc.problems))
        return
    state = read_state()
    preset = closest_preset(scenario, state.preset)
    write_state(state_for(preset, scenario, state.page))
    _notify("success", f"Loaded **{plain(name)}** ({plain(scenario.name)}) as the {presets()[0][preset].name} "
            f"preset with {len(read_state().overrides)} changed values.")
    _notify_renamed(f"**{plain(name)}**", notes)


def show_notices() -> None:
    """What opening a link or a file did, shown once at the top of the page."""
    for kind, text in st.session_state.pop(NOTICES_KEY, []):
        getattr(st, kind)(text)


def share_box(params: Mapping[str, str] | None, pages: Sequence[AppPage]) -> None:
    """The sidebar's "Share this scenario": the link ready to copy, and the scenario as a TOML file."""
    state: AppState = read_state()
    with st.sidebar.expander("Share this scenario", expanded=False):
        if params and not link_fits(params):
            st.caption(f"This scenario changes more than a link carries ({len(params)} settings; a link is read up "
                       f"to {MAX_SETTINGS} settings and {MAX_LINK_CHARS:,} characters), so there is no link for it: "
                       "share the scenario file below instead.")
        elif params:
            link = link_for(params, pages)
            st.caption(f"Anyone with this link sees this scenario, this page and the same numbers "
                       f"({len(link)} characters). The copy button shows when you point at it.")
            st.code(link, language=None, wrap_lines=True)
        else:
            st.caption("The inputs do not make a valid scenario yet, so there is no link for them.")
        try:
            scenario = current_scenario()
        except ScenarioError:
            scenario = None
        if scenario is not None:
            st.download_button("Download the scenario (TOML)", dumps(scenario), file_name=f"{state.preset}-"
                               "scenario.toml", mime="application/toml", width="stretch",
                               help="The same format as the files in scenarios/: keep it, or add it there as a "
                               "preset.")
        st.file_uploader("Open a scenario file (TOML)", type=["toml"], key=UPLOAD_KEY, on_change=_upload,
                         max_upload_size=MAX_UPLOAD_MB,
                         help="A file downloaded here or one from scenarios/. It replaces the scenario; a file "
                         "with problems changes nothing.")
