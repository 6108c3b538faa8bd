"""The scenario sidebar every page shares: a preset, then the levers an owner moves, in a form with a Run button.

Each problem of the inputs is shown under the input it is about, found by the problem's path; a problem of a value
the form computes (the last work type's share, the team as the sum over skills) names the inputs the user sets.

Nothing runs until Run is pressed: a run of a big scenario takes seconds, and a slider step must not start one.
Values go into the state (preset + overrides) only then; see ui/state.py. The inputs are not in an `st.form`,
though: a form sends its values only on submit, so the app could not say that the results no longer match the
inputs, nor add up the team as the user moves it, and Enter in any of its boxes would start a run. Each input's
change reruns the page on the cached results instead, and the page says the results are for the previous inputs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import streamlit as st

from sim.paths import field_meta, flatten, merge, unflatten
from sim.scenario import (
    MAX_REQUESTS_PER_RUN,
    MAX_TEXT_CHARS,
    NO_VALUE,
    SHARES_PATH,
    STANDARD_DESIGNS,
    OrgDesign,
    Problem,
    Scenario,
    ScenarioError,
    uncertain_ranges,
)
from sim.scenario import (
    shown as shown_value,
)
from sim.wording import design_label, key_words, parameter_words, without_keys
from ui.labels import hires_after_label, plain
from ui.overrides import apply_overrides
from ui.state import (
    OVERRIDES_KEY,
    PRESET_KEY,
    WORDS_SHOWN,
    AppState,
    change_words,
    current_scenario,
    description_holds,
    input_key,
    last_good_scenario,
    named,
    presets,
    read_state,
    set_overrides,
    write_state,
)

CONTROLS_KEY = "sidebar.controls"  # paths the form showed in the last run that drew it whole, with their labels
WORK_TYPES_KEY = "sidebar.work_types"  # the work types it showed, in order: the last one takes the rest
# The controls of the run drawing the form now. They replace CONTROLS_KEY only once the whole form is drawn: a run
# cut short by a press of Run (a rerun) would otherwise leave half a form's controls beside every work type.
DRAWING_KEY = "sidebar.drawing"
PRESET_INPUT = input_key("preset")
INPUTS_KEY = "scenario_inputs"
RUN_KEY = "sidebar:run"
CHANGED_KEY = "sidebar.inputs_changed"  # the inputs differ from those of the results shown
RANGES_KEY = "sidebar.ranges"  # the uncertain inputs' ranges the form showed, by parameter path
RANGE_PREFIX = "uncertainty."
DESIGN_HIRES = ("project_managers", "account_managers", "hybrids", "sales_share", "extra_engineers")

# Upper ends of sliders and number inputs: the schema allows far more (500 engineers), but a slider over that
# range cannot be set to 14. A larger value in a preset or a link widens the control to include it.
UI_MAX = {"engineers": 60, "clients": 200, "replications": 100, "growth": 2.0}


def _label(path: str, label: str) -> str:
    st.session_state.setdefault(DRAWING_KEY, {})[path] = label
    return label


def _control_labels() -> dict[str, str]:
    """The label of every control drawn: the last whole form's, and this run's so far."""
    return {**st.session_state.get(CONTROLS_KEY, {}), **st.session_state.get(DRAWING_KEY, {})}


# Problems of the inputs as they are, each shown once under the input it is about (by the problem's path); what no
# input claims is shown at the top of the form. The labels they were shown under feed the page's banner.
PENDING_KEY = "sidebar.pending_problems"
BLAMED_KEY = "sidebar.blamed_labels"


def _names_skill(problem: Problem, skill: str) -> bool:
    """A work type's problem with the skill it needs (`skill`), which an engineer input of that skill can fix."""
    return problem.path.endswith(".skill") and problem.value == skill


def _take(match: Callable[[Problem], bool]) -> list[Problem]:
    """The problems not shown yet that `match` claims, now marked as shown."""
    pending: list[Problem] = st.session_state.get(PENDING_KEY, [])
    taken = [p for p in pending if match(p)]
    st.session_state[PENDING_KEY] = [p for p in pending if not match(p)]
    return taken


def _blame(*labels: str) -> None:
    blamed = st.session_state.setdefault(BLAMED_KEY, [])
    blamed.extend(label for label in labels if label not in blamed)


def _what(problem: Problem) -> str:
    """A problem in the words of the input it is shown under: what is allowed, and the value it has now."""
    now = f" (now {plain(shown_value(problem.value))})" if problem.value is not NO_VALUE else ""
    return f"{plain(problem.message)}{now}"


def _under(path: str, label: str) -> None:
    """Right under an input: the problems about it."""
    for problem in _take(lambda p: p.path == path):
        _blame(label)
        st.error(f"**{plain(label)}**: {_what(problem)}")


def _seed(path: str, value: Any) -> str:
    key = input_key(path)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _seeded(path: str, value: Any) -> dict[str, Any]:
    """A widget's key and, as its default, the value it holds now. Streamlit marks a value set through the state
    only on the run that set it; a browser that missed that run (a fresh page whose first run was overtaken by a
    rerun) shows the widget's default instead, which without this is its minimum or empty."""
    key = _seed(path, value)
    return {"key": key, "value": st.session_state[key]}


def _within(value: Any, lo: Any, hi: Any) -> Any:
    if lo is not None and value < lo:
        return lo
    return hi if hi is not None and value > hi else value


def _help(path: str, extra: str = "") -> str:
    text = without_keys(field_meta(path).get("help", ""))
    return f"{text} {extra}".strip()


def number(path: str, label: str, value: Any, step: float, fmt: str | None = None, ui_max: float | None = None,
           extra_help: str = "") -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(meta["min"], value)) if meta.get("min") is not None else None
    hi_limit = ui_max if ui_max is not None else meta.get("max")
    hi = kind(max(hi_limit, value)) if hi_limit is not None else None
    key = _seed(path, kind(value))
    st.number_input(
        _label(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        value=_within(kind(st.session_state[key]), lo, hi), key=key, help=_help(path, extra_help),
    )
    _under(path, label)


def slider(path: str, label: str, value: Any, step: float, ui_max: float | None = None, fmt: str | None = None,
           extra_help: str = "", ui_min: float | None = None) -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(ui_min if ui_min is not None else meta["min"], value))
    hi = kind(max(ui_max if ui_max is not None else meta["max"], value))
    key = _seed(path, kind(value))
    st.slider(
        _label(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        value=_within(kind(st.session_state[key]), lo, hi), key=key, help=_help(path, extra_help),
    )
    _under(path, label)


def toggle(path: str, label: str, value: bool) -> None:
    st.toggle(_label(path, label), **_seeded(path, bool(value)), help=_help(path))
    _under(path, label)


@dataclass(frozen=True)
class Shown:
    """What the form shows: every value by path, and the names of the entries of the named tables."""

    values: dict[str, Any]
    skills: list[str]
    work_types: dict[str, dict[str, Any]]
    designs: list[str]


def _shown(preset: Scenario, overrides: dict[str, Any]) -> Shown:
    """The current scenario when it is valid; otherwise the preset with every override a control can show. An
    override a control cannot show (text where a number belongs, a number out of range, an unknown key) leaves
    the preset's value in the control; the error message above the results names it."""
    try:
        nested = apply_overrides(preset, overrides).to_dict()
    except ScenarioError:
        nested = merge(preset.to_dict(), unflatten(_showable(preset, overrides)))
    return Shown(
        values=flatten(nested),
        skills=list(nested["firm"].get("skills", {})),
        work_types=dict(nested["demand"]["work_types"]),
        designs=[n for n, d in nested["designs"].items() if not d.get("removed")],
    )


def _showable(preset: Scenario, overrides: dict[str, Any]) -> dict[str, Any]:
    base = flatten(preset.to_dict())
    entries = {path.rsplit(".", 1)[0] for path in base}
    out: dict[str, Any] = {}
    for path, value in overrides.items():
        if value is None:
            if path in entries and path.count(".") >= 2:  # removes a named entry the preset has
                out[path] = None
            continue
        old = base.get(path)
        if isinstance(old, bool) or not isinstance(old, (int, float)):
            if isinstance(old, bool) and isinstance(value, bool):
                out[path] = value
            continue
        try:
            value = type(old)(value)
        except (TypeError, ValueError, OverflowError):
            continue
        meta = field_meta(path)
        lo, hi = meta.get("min"), meta.get("max")
        if math.isfinite(value) and (lo is None or value >= lo) and (hi is None or value <= hi):
            out[path] = value
    return out


PENDING_PRESET_KEY = "sidebar.pending_preset"  # a preset picked while the scenario has changes: load it only if asked


def _choose_preset() -> None:
    """Another preset picked: loaded at once when nothing was changed; else held until the user says whether to
    discard the changes, and the picker stays on the scenario shown meanwhile."""
    state = read_state()
    chosen = st.session_state[PRESET_INPUT]
    if state.overrides:
        st.session_state[PENDING_PRESET_KEY] = chosen
        st.session_state[PRESET_INPUT] = state.preset
        return
    write_state(AppState(chosen, {}, state.page))


def _load_pending_preset() -> None:
    state = read_state()
    chosen = st.session_state.pop(PENDING_PRESET_KEY, state.preset)
    write_state(AppState(chosen, {}, state.page))


def _keep_changes() -> None:
    st.session_state.pop(PENDING_PRESET_KEY, None)


def _ask_before_discarding(available: dict[str, Scenario], state: AppState) -> None:
    """The confirm step of a preset switch: what would be lost, and both ways out."""
    pending = st.session_state.get(PENDING_PRESET_KEY)
    if pending not in available or pending == state.preset or not state.overrides:
        st.session_state.pop(PENDING_PRESET_KEY, None)
        return
    preset = available[state.preset]
    try:
        words = change_words(preset, apply_overrides(preset, state.overrides))
    except ScenarioError:
        words = []
    what = f" ({plain(', '.join(words[:WORDS_SHOWN]))}{', ...' if len(words) > WORDS_SHOWN else ''})" if words else ""
    name = plain(available[pending].name)
    st.warning(f"Loading **{name}** discards your changes to this scenario{what}.")
    st.button(f"Discard my changes and load {name}", on_click=_load_pending_preset, type="primary",
              width="stretch")
    st.button("Keep my changes", on_click=_keep_changes, width="stretch")


def _reset_to_preset() -> None:
    state = read_state()
    write_state(AppState(state.preset, {}, state.page))


def _derived(names: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """Values the form computes rather than asks: the team is the sum of engineers per skill, and the last work
    type (of `names`) takes the share the others leave, so the inputs cannot disagree with each other."""
    out = {}
    skills = [p for p in values if p.startswith("firm.skills.")]
    if skills:
        out["firm.engineers"] = int(sum(values[p] for p in skills))
    if len(names) > 1:
        others = sum(values[f"demand.work_types.{n}.share"] for n in names[:-1])
        out[f"demand.work_types.{names[-1]}.share"] = round(1.0 - others, 6)
    return out


def _apply_inputs() -> None:
    """Run pressed: the inputs become overrides, keeping only what differs from the preset."""
    set_overrides(_overrides_from_inputs(clear=True))


def _overrides_from_inputs(clear: bool = False) -> dict[str, Any]:
    """The overrides the inputs make as they are now; `clear` empties the new design's name (Run took it)."""
    state = read_state()
    preset = presets()[0][state.preset]
    base = flatten(preset.to_dict())
    shown = st.session_state.get(CONTROLS_KEY, {})
    # An input the browser has not reported since the run that drew it (a run cut short by this Run) keeps the
    # value it showed, the scenario's: it was not changed.
    now = {**base, **state.overrides}
    values = {p: st.session_state[input_key(p)] if input_key(p) in st.session_state else now[p]
              for p in shown if input_key(p) in st.session_state or p in now}
    work_types = st.session_state.get(WORK_TYPES_KEY, [])
    for name in work_types:  # a share the form has not drawn keeps the scenario's
        share = f"demand.work_types.{name}.share"
        if share not in values and share in now:
            values[share] = now[share]
    values.update(_derived(work_types, values))
    if not str(values.get("name", "")).strip():  # no name of the user's: the preset's, with what changed
        values["name"] = base["name"]
    if not str(values.get("description", "")).strip():  # none of the user's: the preset's while it holds
        values["description"] = base["description"]
    designs = _design_changes(preset, state.overrides, values, clear)
    ranges = _edited_ranges(preset, state.overrides, base)
    shown_ranges = st.session_state.get(RANGES_KEY, {})
    kept = {p: v for p, v in state.overrides.items()  # set elsewhere (a link, a file)
            if p not in values and not (p.startswith(RANGE_PREFIX) and p[len(RANGE_PREFIX):] in shown_ranges)}
    changed = {p: v for p, v in values.items() if base.get(p) != v}
    merged = {**kept, **changed, **ranges}
    for name in designs.removed:  # every value of a removed design goes, and the design itself if the preset has it
        merged = {p: v for p, v in merged.items() if not p.startswith(f"designs.{name}.")}
        if name in STANDARD_DESIGNS:  # every scenario has these unless they are marked removed
            merged[f"designs.{name}.removed"] = True
        elif name in preset.designs:
            merged[f"designs.{name}"] = None
    return {**merged, **designs.added}


def inputs_changed() -> bool:
    """Whether the inputs differ from the scenario the results are for (the last Run): compared as scenarios, so a
    value typed back to what it was is no change."""
    state = read_state()
    pending = _overrides_from_inputs()
    if pending == state.overrides:
        return False
    preset = presets()[0][state.preset]
    try:
        return apply_overrides(preset, pending).to_dict() != apply_overrides(preset, state.overrides).to_dict()
    except ScenarioError:
        return True


@dataclass(frozen=True)
class DesignChanges:
    added: dict[str, Any]  # overrides of the design added
    removed: list[str]


def _design_changes(preset: Scenario, overrides: dict[str, Any], values: dict[str, Any],
                    clear: bool = False) -> DesignChanges:
    """The designs the form adds (a new label: a copy of the design it starts from, under a code made from the
    label) and removes (those ticked), read from their inputs, which are emptied for the next one."""
    current = list(st.session_state.get(DESIGNS_KEY, []))
    removed = [n for n in current if st.session_state.get(_remove_key(n))]
    label = " ".join(str(st.session_state.get(NEW_DESIGN_KEY, "")).split())[:MAX_LABEL_CHARS]
    added: dict[str, Any] = {}
    if label:
        source = st.session_state.get(NEW_DESIGN_FROM_KEY)
        code = design_code(label, [*current, *STANDARD_DESIGNS])  # a removed standard design keeps its code
        for field in DESIGN_HIRES:
            path = f"designs.{source}.{field}"
            added[f"designs.{code}.{field}"] = values.get(path, 0)
        added[f"designs.{code}.label"] = label
        if clear:
            st.session_state[NEW_DESIGN_KEY] = ""
    return DesignChanges(added, removed)


def design_code(label: str, taken: list[str]) -> str:
    """A design's code in files and links, made from its label: lower-case letters, digits and '_', at most 30
    characters, numbered when the code is taken ('Two PMs' -> 'two_pms', then 'two_pms_2')."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in label.lower()).split()
    code = "_".join(words)[:30].strip("_") or "design"
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code}_{n}", n + 1
    return candidate


def _edited_ranges(preset: Scenario, overrides: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The ranges as overrides: those that differ from the preset's table; when the preset has none (it uses the
    default ranges), every range once any was changed, since a scenario's table lists exactly its ranges."""
    shown = st.session_state.get(RANGES_KEY, {})
    edited = {}
    for path in shown:
        low, high = (st.session_state.get(_range_key(path, end)) for end in ("low", "high"))
        if low is not None and high is not None:
            edited[path] = [float(low), float(high)]
    if preset.uncertainty is not None:
        return {RANGE_PREFIX + p: v for p, v in edited.items() if base.get(RANGE_PREFIX + p) != v}
    touched = any(v != list(shown[p]) for p, v in edited.items()) or any(p.startswith(RANGE_PREFIX) for p in overrides)
    return {RANGE_PREFIX + p: v for p, v in edited.items()} if touched else {}


def _range_key(path: str, end: str) -> str:
    return f"{input_key(RANGE_PREFIX + path)}:{end}"


def render_sidebar() -> None:
    """Draw the preset picker and the scenario form in the sidebar."""
    available, problems = presets()
    state = read_state()
    st.session_state.setdefault(PRESET_KEY, state.preset)
    st.session_state.setdefault(OVERRIDES_KEY, {})
    preset = available[state.preset]
    shown = _shown(preset, state.overrides)
    st.session_state[DRAWING_KEY] = {}
    st.session_state[PENDING_KEY] = _problems_now()
    st.session_state[BLAMED_KEY] = []
    with st.sidebar:
        if PRESET_INPUT not in st.session_state:
            st.session_state[PRESET_INPUT] = state.preset
        st.selectbox(
            "Preset", list(available), key=PRESET_INPUT, format_func=lambda n: available[n].name,
            on_change=_choose_preset, help="A starting scenario from the scenarios folder; the inputs below start "
            "from its values, and picking another one discards your changes.",
        )
        st.caption(_preset_words(preset, state))
        for problem in problems:
            st.warning(f"A preset file could not be loaded: {plain(problem)}")
        _ask_before_discarding(available, state)
        with st.container(key=INPUTS_KEY):
            elsewhere = st.empty()  # problems no input below claims, filled once every input has taken its own
            _naming(preset, state)
            _team(shown)
            _designs(shown)
            _salaries(shown.values)
            _demand(shown)
            _process(shown.values)
            _money(shown.values)
            ranges = _uncertain(preset, state.overrides)
            in_assumptions = _assumptions(shown.values, ranges)
            _ranges({p: r for p, r in ranges.items() if p not in in_assumptions}, shown.values)
            _experiment(shown.values)
            st.caption("Changes apply when you press Run.")
            st.button("Run", type="primary", on_click=_apply_inputs, width="stretch", key=RUN_KEY)
            _unplaced(elsewhere)
        st.session_state[CONTROLS_KEY] = st.session_state.pop(DRAWING_KEY)  # the whole form is drawn
        st.session_state[WORK_TYPES_KEY] = list(shown.work_types)
        st.session_state[CHANGED_KEY] = inputs_changed()
        if state.overrides:
            st.button("Back to the preset's values", on_click=_reset_to_preset, width="stretch")


def _preset_words(preset: Scenario, state: AppState) -> str:
    """Under the picker: the preset's description while it holds, else what was changed from the preset (its
    description names numbers that are no longer the scenario's)."""
    try:
        scenario = apply_overrides(preset, state.overrides)
    except ScenarioError:
        return "Changed from this preset; some inputs below cannot run."
    if description_holds(preset, scenario):
        return preset.description
    return f"Changed from this preset: {', '.join(change_words(preset, scenario))}."


def _naming(preset: Scenario, state: AppState) -> None:
    """The scenario's own name and description. Left empty, the name is the preset's with what changed."""
    seeded = _seeded("name", state.overrides.get("name", ""))
    try:
        made = named(preset, apply_overrides(preset, state.overrides), {})
        now, now_described = made.name, made.description
    except ScenarioError:
        now, now_described = preset.name, ""
    st.text_input(_label("name", "Scenario name"), **seeded, max_chars=80, placeholder=now,
                  help="Shown on every page, in the report and in the file. Left empty, it is the preset's name "
                  "with what you changed.")
    _under("name", "Scenario name")
    st.text_area(_label("description", "Description"), **_seeded("description", state.overrides.get("description", "")),
                 max_chars=MAX_TEXT_CHARS, height=80, placeholder=now_described or None,
                 help="What this scenario is about; carried by the link and the file. Left empty, it is the "
                 "preset's while you change only the experiment's settings, and none once you change the firm.")
    _under("description", "Description")


def _team(shown: Shown) -> None:
    st.subheader("Team")
    values = shown.values
    if shown.skills:
        for skill in shown.skills:
            path = f"firm.skills.{skill}"
            label = f"Engineers in {skill}"
            slider(path, label, values[path], 1, ui_max=UI_MAX["engineers"], ui_min=0,
                   extra_help="The team is the sum over skills.")
            for problem in _take(partial(_names_skill, skill=skill)):
                _blame(label)  # a work type needs the skill this input took every engineer from
                name = problem.path.split(".")[-2]
                st.error(f"**{plain(label)}**: {plain(name)} requests need this skill, so at least one engineer "
                         "must have it.")
        # the inputs as they are now (each change reruns the page), so the total agrees with what is on screen
        total = sum(int(st.session_state.get(input_key(f"firm.skills.{s}"), values[f"firm.skills.{s}"]))
                    for s in shown.skills)
        label = _label('firm.engineers', 'Engineers in total (the sum over skills)')
        st.caption(f"{label}: {total}")
        for problem in _take(lambda p: p.path == "firm.engineers"):  # the total is the sum: name what the user sets
            labels = [f"Engineers in {skill}" for skill in shown.skills]
            _blame(*labels)
            listed = " and ".join(f"**{plain(label)}**" for label in labels)
            st.error(f"{listed}: the team of engineers in total {_what(problem)}.")
    else:
        slider("firm.engineers", "Engineers", values["firm.engineers"], 1, ui_max=UI_MAX["engineers"])


DESIGNS_KEY = "sidebar.designs"  # the designs the form showed, by code
NEW_DESIGN_KEY = input_key("designs:new")
NEW_DESIGN_FROM_KEY = input_key("designs:new_from")
MAX_LABEL_CHARS = 60


def _remove_key(name: str) -> str:
    return input_key(f"designs.{name}:remove")


def _designs(shown: Shown) -> None:
    """Each design's name and hires, a box to remove a design of one's own, and a new design from a label."""
    st.subheader("Org designs")
    values = shown.values
    st.session_state[DESIGNS_KEY] = list(shown.designs)
    for name in shown.designs:
        p = f"designs.{name}."
        now = OrgDesign(**{f: values[p + f] for f in (*DESIGN_HIRES, "label")})
        label, hires = design_label(name, now), hires_after_label(now)
        # a label comes from a link or a file: shown as text, never as a link or an image of its own
        with st.expander(plain(label if label.lower() == hires.lower() else f"{label}: {hires}")):
            st.text_input(_label(p + "label", "Name shown"), **_seeded(p + "label", values[p + "label"]),
                          max_chars=MAX_LABEL_CHARS, placeholder=design_label(name, dataclasses.replace(now, label="")),
                          help="What the pages and the report call this design; empty gives the standard words.")
            _under(p + "label", "Name shown")
            number(p + "project_managers", "Project managers", values[p + "project_managers"], 1)
            number(p + "account_managers", "Account managers", values[p + "account_managers"], 1)
            number(p + "hybrids", "Hybrid PM/AMs", values[p + "hybrids"], 1)
            number(p + "sales_share", "Salesperson (share of full time)", values[p + "sales_share"], 0.1, "%.2f")
            number(p + "extra_engineers", "Extra engineers", values[p + "extra_engineers"], 1)
            st.checkbox("Remove this design", key=_remove_key(name),
                        help="Takes the design out of the scenario when you press Run; *Back to the preset's "
                        "values* brings a standard design back.")
    _under("designs", "Org designs")
    with st.expander("Add a design"):
        st.text_input("Name of the new design", key=NEW_DESIGN_KEY, max_chars=MAX_LABEL_CHARS,
                      placeholder="e.g. Two project managers",
                      help="Added when you press Run, with the hires of the design below; set its own hires "
                      "in its box afterwards.")
        st.selectbox("Starting from", shown.designs, key=NEW_DESIGN_FROM_KEY,
                     format_func=lambda n: design_label(n, OrgDesign(**{
                         f: values[f"designs.{n}.{f}"] for f in (*DESIGN_HIRES, "label")})),
                     help="The new design starts with this design's hires.")


def _salaries(values: dict[str, Any]) -> None:
    with st.expander("Salaries ($ per year)"):
        for role, label in (("engineer", "Engineer"), ("project_manager", "Project manager"),
                            ("account_manager", "Account manager"), ("hybrid", "Hybrid PM/AM"),
                            ("sales", "Salesperson")):
            path = f"economics.salary.{role}"
            number(path, label, values[path], 5000.0, "%.0f")


def _demand(shown: Shown) -> None:
    values = shown.values
    st.subheader("Demand")
    slider("demand.clients", "Clients", values["demand.clients"], 1, ui_max=UI_MAX["clients"])
    number("demand.requests_per_client_per_week", "Requests per client per week",
           values["demand.requests_per_client_per_week"], 0.05, "%.2f")
    slider("demand.growth_per_year", "Demand growth (% a year)", values["demand.growth_per_year"], 0.05,
           ui_max=UI_MAX["growth"], ui_min=-0.5, fmt="percent")
    names = list(shown.work_types)
    if len(names) > 1:
        for name in names[:-1]:
            path = f"demand.work_types.{name}.share"
            wt = shown.work_types[name]
            slider(path, f"Share of {name} requests", values[path], 0.01, fmt="%.2f",
                   extra_help=f"A {name} request takes {wt['effort_hours']:g} hours on average and is due in "
                   f"{wt['deadline_days']:g} working days. {names[-1]} requests take the rest.")
        rest = 1.0 - sum(float(st.session_state.get(input_key(f"demand.work_types.{n}.share"),
                                                    values[f"demand.work_types.{n}.share"])) for n in names[:-1])
        label = _label(f"demand.work_types.{names[-1]}.share", f"Share of {names[-1]} requests (the rest)")
        _shares_problem(names)
        st.caption(f"{label}: {max(rest, 0.0):.2f}")
    _too_many_requests()


def _too_many_requests() -> None:
    """A run of more requests than a run allows comes from three inputs at once: named together, in their words."""
    if not _take(lambda p: p.path == "demand"):
        return
    labels = ["Clients", "Requests per client per week", "Weeks measured"]
    _blame(*labels)
    st.error(f"**{labels[0]}**, **{labels[1]}** and **{labels[2]}** (under Experiment) ask for more than "
             f"{MAX_REQUESTS_PER_RUN:,} requests in one run, the most a run allows: lower one of them and press Run.")


def _shares_problem(names: list[str]) -> None:
    """Shares that leave the last work type less than nothing (or do not sum to 1): said under the share inputs the
    user sets, naming them, never under the share the form computes."""
    rest_path = f"demand.work_types.{names[-1]}.share"
    if not _take(lambda p: p.path in (rest_path, SHARES_PATH)):
        return
    labels = [f"Share of {name} requests" for name in names[:-1]]
    entered = sum(float(st.session_state.get(input_key(f"demand.work_types.{n}.share"), 0)) for n in names[:-1])
    _blame(*labels)
    listed = " and ".join(f"**{plain(label)}**" for label in labels)
    together = "together " if len(labels) > 1 else ""
    st.error(f"{listed} {together}add up to {entered * 100:.0f} %; they can be at most 100 %, since {plain(names[-1])} "
             "requests take the rest. Lower one of them and press Run.")


def _unplaced(slot: Any) -> None:
    """Problems no input of the form is about (a value a file or a link set that no input shows)."""
    left = _take(lambda p: True)
    if left:
        _blame(*(p.path or "the scenario" for p in left))
        slot.error("This scenario cannot run:\n\n" + "\n".join(f"- {plain(p)}" for p in left))


def _problems_now() -> list[Problem]:
    try:
        current_scenario()
    except ScenarioError as exc:
        return list(exc.problems)
    return []


def _process(values: dict[str, Any]) -> None:
    st.subheader("Process")
    toggle("process.standardised_work", "Standardised work types with checklists", values["process.standardised_work"])
    toggle("process.checkins", "AM-PM check-ins", values["process.checkins"])
    toggle("process.status_updates", "Status updates to clients", values["process.status_updates"])


def _money(values: dict[str, Any]) -> None:
    with st.expander("Prices and costs"):
        number("economics.bill_rate", "Bill rate ($ per billable hour)", values["economics.bill_rate"], 5.0, "%.0f")
        number("economics.late_discount", "Discount on a late delivery (share of its bill)",
               values["economics.late_discount"], 0.01, "%.2f")
        number("economics.overhead_factor", "What a salary costs the firm (x salary)",
               values["economics.overhead_factor"], 0.05, "%.2f",
               extra_help="Staff cost and profit count every salary times this factor; the Next hire budget is "
               "in salaries. 1.4: BLS, wages are about 70 % of what employees cost.")


# Keys the assumptions section leaves to other inputs or files: the theory-check switch, and a table of values.
NOT_IN_ASSUMPTIONS = ("all_mechanisms_off", "context_switch_loss")


def _assumptions(values: dict[str, Any], ranges: dict[str, tuple[float, float]]) -> set[str]:
    """Every behavioural assumption and the client flow, each with its help, source grade and plausible range, and
    under each uncertain one the ends of its range; returns the paths whose ranges it showed."""
    ranged = set()
    with st.expander("Assumptions (how people and clients behave)"):
        st.caption("Defaults are sourced or marked assumption in the model's documentation; change them when you "
                   "know better for your firm.")
        paths = [f"demand.{n}" for n in ("share_of_wallet", "prospects_per_year", "referrals_per_client_per_year",
                                          "win_rate", "client_attrition_per_year")]
        paths += [p for p in values if p.startswith("behaviour.") and p.split(".")[1] not in NOT_IN_ASSUMPTIONS]
        for path in paths:
            meta, value = field_meta(path), values[path]
            grade = meta.get("grade")
            plausible = meta.get("plausible")
            extra = " ".join(filter(None, [
                f"Source: {grade}." if grade else "",
                f"Plausible range {plausible[0]:g} to {plausible[1]:g}." if plausible else "",
            ]))
            label = key_words(path)
            if isinstance(value, bool):
                st.toggle(_label(path, label), **_seeded(path, value), help=_help(path, extra))
                _under(path, label)
            else:
                step = 0.01 if (meta.get("max") or 0) <= 5 else 0.5
                number(path, label, value, step, "%.2f", extra_help=extra)
                if path in ranges:
                    _range_inputs(path, ranges[path])
                    ranged.add(path)
    return ranged


def _uncertain(preset: Scenario, overrides: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """The ranges the scenario is analysed over (its table, or the default ranges), remembered for Run."""
    try:
        scenario = apply_overrides(preset, overrides)
    except ScenarioError:
        scenario = preset
    ranges = uncertain_ranges(scenario)
    st.session_state[RANGES_KEY] = ranges
    return ranges


def _range_inputs(path: str, bounds: tuple[float, float]) -> None:
    """Two inputs side by side: the low and high end of a parameter's plausible range."""
    meta = field_meta(path)
    lo = float(meta["min"]) if meta.get("min") is not None else None
    hi = float(meta["max"]) if meta.get("max") is not None else None
    step = 0.01 if bounds[1] <= 5 else 1.0 if bounds[1] <= 1000 else 1000.0
    left, right = st.columns(2)
    for column, end, at in ((left, "low", bounds[0]), (right, "high", bounds[1])):
        key = _range_key(path, end)
        if key not in st.session_state:
            st.session_state[key] = float(at)
        column.number_input(f"{end} end of its range", min_value=lo, max_value=hi, step=step, format="%g", key=key,
                            value=_within(float(st.session_state[key]), lo, hi),
                            help=f"The {end} end of what you find plausible for {key_words(path).lower()}; *How sure "
                            "is this?* tests the answer over this range.")


def _ranges(ranges: dict[str, tuple[float, float]], values: dict[str, Any]) -> None:
    """The uncertain inputs the assumptions above do not show (salaries, prices, a preset's own choices)."""
    if not ranges:
        return
    with st.expander(f"Other uncertain inputs ({len(ranges)} ranges)"):
        st.caption("The ranges *How sure is this?* tests the answer over, for inputs not among the assumptions "
                   "above (MODEL.md, Default ranges).")
        for path, bounds in ranges.items():
            value = values.get(path)
            shown = f"{value:g}" if isinstance(value, (int, float)) else "?"
            st.markdown(f"{plain(parameter_words(path))}: {shown}", help=without_keys(field_meta(path).get("help", "")))
            _range_inputs(path, bounds)


def _experiment(values: dict[str, Any]) -> None:
    with st.expander("Experiment"):
        number("replications", "Replications per design", values["replications"], 1, ui_max=UI_MAX["replications"])
        number("max_replications", "Cap on replications (added until the answer is clear)",
               values["max_replications"], 1, ui_max=UI_MAX["replications"])
        number("weeks", "Weeks measured", values["weeks"], 1)
        number("seed", "Random seed", values["seed"], 1)


def show_problems(exc: ScenarioError) -> None:
    """Each problem with the input it comes from (by its path), so the user knows what to change."""
    labels = _control_labels()
    lines = [f"- **{plain(labels[p.path])}**: {_what(p)}" if p.path in labels else f"- {plain(p)}"
             for p in exc.problems]
    st.error("This scenario cannot run. Change these inputs in the sidebar and press Run:\n\n" + "\n".join(lines))


STALE_KEY = "stale_results"
# Everything the page draws after the banner, greyed: results of inputs that are no longer the sidebar's.
STALE_CSS = (
    "<style>[data-testid='stMain'] .stElementContainer:not(.st-key-" + STALE_KEY + " *)"
    "{opacity:.45;filter:grayscale(1);}</style>"
)


CHANGED_MESSAGE = ("Inputs changed: the results below are for the previous inputs. Press **Run** in the sidebar to "
                   "see the results of the inputs as they are now.")


def scenario_or_problems() -> Scenario | None:
    """The current scenario; while the inputs cannot run, the last valid one, under a banner saying so (the
    problems themselves are in the sidebar, under the inputs they are about). Inputs changed since the last Run
    grey the results the same way, under a banner that says so."""
    try:
        scenario = current_scenario()
        if st.session_state.get(CHANGED_KEY):
            with st.container(key=STALE_KEY):
                st.warning(CHANGED_MESSAGE)
            st.html(STALE_CSS)
        return scenario
    except ScenarioError:
        blamed = st.session_state.get(BLAMED_KEY) or []
        where = f" ({', '.join(f'**{plain(label)}**' for label in blamed)})" if blamed else ""
        with st.container(key=STALE_KEY):
            st.warning("These results are from your last valid inputs. The inputs marked in the sidebar"
                       f"{where} cannot run: change them and press Run.")
        st.html(STALE_CSS)
        return last_good_scenario()
