"""The scenario sidebar every page shares: a preset, then the levers an owner moves, in a form with a Run button.

The form matters: a run of a big scenario takes seconds, and without it every slider step would start one. Values
go into the state (preset + overrides) only when Run is pressed; see ui/state.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import streamlit as st

from sim.paths import field_meta, flatten, merge, unflatten
from sim.scenario import OrgDesign, Scenario, ScenarioError, uncertain_ranges
from ui.labels import describe_design, plain
from ui.overrides import apply_overrides
from ui.state import (
    OVERRIDES_KEY,
    PRESET_KEY,
    AppState,
    current_scenario,
    input_key,
    presets,
    read_state,
    set_overrides,
    write_state,
)

CONTROLS_KEY = "sidebar.controls"  # paths the form showed last run, with their labels
WORK_TYPES_KEY = "sidebar.work_types"  # the work types it showed, in order: the last one takes the rest
PRESET_INPUT = input_key("preset")
FORM_KEY = "scenario_form"
RANGES_KEY = "sidebar.ranges"  # the uncertain inputs' ranges the form showed, by parameter path
RANGE_PREFIX = "uncertainty."
DESIGN_HIRES = ("project_managers", "account_managers", "hybrids", "sales_share", "extra_engineers")

# Upper ends of sliders and number inputs: the schema allows far more (500 engineers), but a slider over that
# range cannot be set to 14. A larger value in a preset or a link widens the control to include it.
UI_MAX = {"engineers": 60, "clients": 200, "replications": 100, "growth": 2.0}


def _label(path: str, label: str) -> str:
    st.session_state.setdefault(CONTROLS_KEY, {})[path] = label
    return label


def _seed(path: str, value: Any) -> str:
    key = input_key(path)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _help(path: str, extra: str = "") -> str:
    text = field_meta(path).get("help", "")
    return f"{text} {extra}".strip()


def number(path: str, label: str, value: Any, step: float, fmt: str | None = None, ui_max: float | None = None,
           extra_help: str = "") -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(meta["min"], value)) if meta.get("min") is not None else None
    hi_limit = ui_max if ui_max is not None else meta.get("max")
    hi = kind(max(hi_limit, value)) if hi_limit is not None else None
    st.number_input(
        _label(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        key=_seed(path, kind(value)), help=_help(path, extra_help),
    )


def slider(path: str, label: str, value: Any, step: float, ui_max: float | None = None, fmt: str | None = None,
           extra_help: str = "", ui_min: float | None = None) -> None:
    meta = field_meta(path)
    kind = int if isinstance(value, int) and not isinstance(value, bool) else float
    lo = kind(min(ui_min if ui_min is not None else meta["min"], value))
    hi = kind(max(ui_max if ui_max is not None else meta["max"], value))
    st.slider(
        _label(path, label), min_value=lo, max_value=hi, step=kind(step), format=fmt,
        key=_seed(path, kind(value)), help=_help(path, extra_help),
    )


def toggle(path: str, label: str, value: bool) -> None:
    st.toggle(_label(path, label), key=_seed(path, bool(value)), help=_help(path))


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
        designs=list(nested["designs"]),
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


def _choose_preset() -> None:
    state = read_state()
    write_state(AppState(st.session_state[PRESET_INPUT], {}, state.page))


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
    state = read_state()
    preset = presets()[0][state.preset]
    base = flatten(preset.to_dict())
    shown = st.session_state.get(CONTROLS_KEY, {})
    values = {p: st.session_state[input_key(p)] for p in shown if input_key(p) in st.session_state}
    values.update(_derived(st.session_state.get(WORK_TYPES_KEY, []), values))
    ranges = _edited_ranges(preset, state.overrides, base)
    shown_ranges = st.session_state.get(RANGES_KEY, {})
    kept = {p: v for p, v in state.overrides.items()  # set elsewhere (a link, a file)
            if p not in values and not (p.startswith(RANGE_PREFIX) and p[len(RANGE_PREFIX):] in shown_ranges)}
    changed = {p: v for p, v in values.items() if base.get(p) != v}
    set_overrides({**kept, **changed, **ranges})


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
    st.session_state[CONTROLS_KEY] = {}
    st.session_state[WORK_TYPES_KEY] = list(shown.work_types)
    with st.sidebar:
        if PRESET_INPUT not in st.session_state:
            st.session_state[PRESET_INPUT] = state.preset
        st.selectbox(
            "Preset", list(available), key=PRESET_INPUT, format_func=lambda n: available[n].name,
            on_change=_choose_preset, help="A starting scenario from the scenarios folder; the inputs below start "
            "from its values, and picking another one discards your changes.",
        )
        st.caption(preset.description)
        for problem in problems:
            st.warning(f"A preset file could not be loaded: {plain(problem)}")
        with st.form(FORM_KEY, border=False):
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
            st.form_submit_button("Run", type="primary", on_click=_apply_inputs, width="stretch")
        if state.overrides:
            st.button("Back to the preset's values", on_click=_reset_to_preset, width="stretch")


def _team(shown: Shown) -> None:
    st.subheader("Team")
    values = shown.values
    if shown.skills:
        for skill in shown.skills:
            path = f"firm.skills.{skill}"
            slider(path, f"Engineers in {skill}", values[path], 1, ui_max=UI_MAX["engineers"], ui_min=0,
                   extra_help="The team is the sum over skills.")
        total = sum(values[f"firm.skills.{s}"] for s in shown.skills)
        st.caption(f"{_label('firm.engineers', 'Engineers in total (the sum over skills)')}: {total}")
    else:
        slider("firm.engineers", "Engineers", values["firm.engineers"], 1, ui_max=UI_MAX["engineers"])


def _designs(shown: Shown) -> None:
    st.subheader("Hires per org design")
    values = shown.values
    for name in shown.designs:
        p = f"designs.{name}."
        now = OrgDesign(**{f: values[p + f] for f in DESIGN_HIRES})
        with st.expander(f"{name}: {describe_design(now)}"):
            number(p + "project_managers", "Project managers", values[p + "project_managers"], 1)
            number(p + "account_managers", "Account managers", values[p + "account_managers"], 1)
            number(p + "hybrids", "Hybrid PM/AMs", values[p + "hybrids"], 1)
            number(p + "sales_share", "Salesperson (share of full time)", values[p + "sales_share"], 0.1, "%.2f")
            number(p + "extra_engineers", "Extra engineers", values[p + "extra_engineers"], 1)


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
    slider("demand.growth_per_year", "Demand growth per year", values["demand.growth_per_year"], 0.05,
           ui_max=UI_MAX["growth"], ui_min=-0.5, fmt="%.2f")
    names = list(shown.work_types)
    if len(names) > 1:
        for name in names[:-1]:
            path = f"demand.work_types.{name}.share"
            wt = shown.work_types[name]
            slider(path, f"Share of {name} requests", values[path], 0.01, fmt="%.2f",
                   extra_help=f"A {name} request takes {wt['effort_hours']:g} hours on average and is due in "
                   f"{wt['deadline_days']:g} working days. {names[-1]} requests take the rest.")
        rest = values[f"demand.work_types.{names[-1]}.share"]
        label = _label(f"demand.work_types.{names[-1]}.share", f"Share of {names[-1]} requests (the rest)")
        st.caption(f"{label}: {rest:.2f} when last run")


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


def _assumption_label(name: str) -> str:
    return name.replace("_", " ").replace(" am", " AM").replace(" pm", " PM").replace("am ", "AM ").capitalize()


def _assumptions(values: dict[str, Any], ranges: dict[str, tuple[float, float]]) -> set[str]:
    """Every behavioural assumption and the client flow, each with its help, source grade and plausible range, and
    under each uncertain one the ends of its range; returns the paths whose ranges it showed."""
    ranged = set()
    with st.expander("Assumptions (how people and clients behave)"):
        st.caption("Defaults are sourced or marked assumption in the model's documentation; change them when you "
                   "know better for your firm.")
        paths = [f"demand.{n}" for n in ("new_clients_per_year", "client_attrition_per_year")]
        paths += [p for p in values if p.startswith("behaviour.") and p.split(".")[1] not in NOT_IN_ASSUMPTIONS]
        for path in paths:
            meta, value = field_meta(path), values[path]
            grade = meta.get("grade")
            plausible = meta.get("plausible")
            extra = " ".join(filter(None, [
                f"Source: {grade}." if grade else "",
                f"Plausible range {plausible[0]:g} to {plausible[1]:g}." if plausible else "",
            ]))
            label = _assumption_label(path.split(".")[-1])
            if isinstance(value, bool):
                st.toggle(_label(path, label), key=_seed(path, value), help=_help(path, extra))
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
                            help=f"The {end} end of what you find plausible for {path}; *How sure is this?* "
                            "tests the answer over this range.")


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
            st.markdown(f"`{path}`: {shown}", help=field_meta(path).get("help"))
            _range_inputs(path, bounds)


def _experiment(values: dict[str, Any]) -> None:
    with st.expander("Experiment"):
        number("replications", "Replications per design", values["replications"], 1, ui_max=UI_MAX["replications"])
        number("weeks", "Weeks measured", values["weeks"], 1)
        number("seed", "Random seed", values["seed"], 1)


def show_problems(exc: ScenarioError) -> None:
    """Each problem with the input it comes from, so the user knows what to change."""
    labels = st.session_state.get(CONTROLS_KEY, {})
    lines = []
    for problem in exc.problems:
        head = problem.split(" ", 1)[0].rstrip(":")
        path = max((p for p in labels if head == p or head.startswith(p + "[")), key=len, default=None)
        where = f"**{labels[path]}** (`{path}`)" if path else f"**{plain(head)}**"
        lines.append(f"- {where}: {plain(problem)}")
    st.error("This scenario cannot run. Change these inputs in the sidebar and press Run:\n\n" + "\n".join(lines))


def scenario_or_problems() -> Scenario | None:
    """The current scenario, or None after showing why it cannot run."""
    try:
        return current_scenario()
    except ScenarioError as exc:
        show_problems(exc)
        return None
