"""Where the app keeps the user's scenario: a few keys in st.session_state, read and written in one place.

The state is (preset name, overrides by dotted path, page settings as text). That shape maps onto a share link
directly, so binding it to the URL is one call to `read_state` and one to `write_state`. Widgets have their own
keys derived from the same paths; they are seeded from this state, and the state is updated only when the user
presses Run, so a half-finished edit never starts a simulation.

Two more things live here: the last inputs that made a valid scenario (the pages show their results, greyed, while
the inputs cannot run), and the scenario's name in words when it differs from its preset and the user has not named
it (`named`), which the pages, the file and the report show and a link leaves out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from sim.presets import SCENARIOS_FOLDER, read_presets
from sim.problems import shown
from sim.scenario import Scenario, ScenarioError
from sim.wording import PROCESS_WORDS, design_label, plain, weeks_words
from ui.overrides import Overrides, apply_overrides, overrides_between

PRESET_KEY = "scenario.preset"
OVERRIDES_KEY = "scenario.overrides"
PAGE_KEY = "page.settings"
LAST_GOOD_KEY = "scenario.last_good"  # (preset, overrides) of the last inputs that made a valid scenario
INPUT_PREFIX = "input:"  # sidebar widget of a scenario path
PAGE_INPUT_PREFIX = "page:"  # widget of a page setting


@dataclass(frozen=True)
class AppState:
    """Everything that defines what the user sees; a share link encodes exactly this."""

    preset: str
    overrides: Overrides = field(default_factory=dict)
    page: dict[str, str] = field(default_factory=dict)


@st.cache_data(show_spinner=False)
def presets() -> tuple[dict[str, Scenario], list[str]]:
    """The preset files, read once per server; editing a file needs a restart (or the cache cleared). With no
    valid file the app still opens, on the model's built-in defaults."""
    found, problems = read_presets(SCENARIOS_FOLDER)
    return found or {"defaults": Scenario(name="Built-in defaults")}, problems


def default_preset() -> str:
    names = list(presets()[0])
    return names[0] if names else ""


def read_state() -> AppState:
    """The scenario state as it is now, with the default preset when nothing was chosen yet."""
    ss = st.session_state
    preset = ss.get(PRESET_KEY)
    if preset not in presets()[0]:
        preset = default_preset()
    return AppState(preset, dict(ss.get(OVERRIDES_KEY, {})), dict(ss.get(PAGE_KEY, {})))


def write_state(state: AppState) -> None:
    """Replace the whole state (a new preset, a decoded link); widgets re-read their values on the next run."""
    ss = st.session_state
    ss[PRESET_KEY] = state.preset
    ss[OVERRIDES_KEY] = dict(state.overrides)
    ss[PAGE_KEY] = dict(state.page)
    for key in [k for k in ss if isinstance(k, str) and k.startswith((INPUT_PREFIX, PAGE_INPUT_PREFIX))]:
        del ss[key]


def state_for(preset: str, scenario: Scenario, page: Mapping[str, str]) -> AppState:
    """The state that shows `scenario` (read from a link or a file) as the named preset plus overrides. A name the
    app made from the changes is not kept as the user's: it follows the changes again."""
    base = presets()[0][preset]
    overrides = overrides_between(base, scenario)
    if is_made_name(scenario.name, base):
        overrides.pop("name", None)
    return AppState(preset, overrides, dict(page))


def set_overrides(overrides: Mapping[str, Any]) -> None:
    st.session_state[OVERRIDES_KEY] = dict(overrides)


def current_preset() -> Scenario:
    return presets()[0][read_state().preset]


def scenario_as_set() -> Scenario:
    """The preset with the user's overrides, its name as the user set it (a link carries only that); raises
    ScenarioError naming every bad input. A valid one is remembered as the last good inputs, whose results the
    pages keep showing while the inputs are bad."""
    state = read_state()
    scenario = apply_overrides(presets()[0][state.preset], state.overrides)
    st.session_state[LAST_GOOD_KEY] = (state.preset, dict(state.overrides))
    return scenario


def current_scenario() -> Scenario:
    """The scenario the pages run and the file carries: as set, named in words when it differs from its preset
    and the user has not named it ("Default firm, changed: 10 engineers, 18 clients")."""
    state = read_state()
    return named(presets()[0][state.preset], scenario_as_set(), state.overrides)


def last_good_scenario() -> Scenario:
    """The scenario of the last inputs that were valid (the preset itself if none were in this session)."""
    available = presets()[0]
    preset, overrides = st.session_state.get(LAST_GOOD_KEY, (read_state().preset, {}))
    if preset not in available:
        return available[default_preset()]
    try:
        return named(available[preset], apply_overrides(available[preset], overrides), overrides)
    except ScenarioError:  # the presets were re-read since: fall back to the preset itself
        return available[preset]


# ---------------------------------------------------------------------------------------------------------------
# A scenario's own name: the user's, or the preset's with what changed, in words.

CHANGED = ", changed: "
WORDS_SHOWN = 3  # changes named in a name; the rest are counted
NOT_CHANGES = ("name", "description")  # editing these renames the scenario, it does not change it
# The order changes are named in: the firm and its demand first, the experiment's own settings last.
SECTION_ORDER = ("firm", "demand", "designs", "economics", "process", "behaviour", "uncertainty")


# Changes that leave a preset's description true: how long and how often the firm is simulated, and the ranges of
# what is uncertain. Any other change may contradict it ("12 engineers... 25 clients").
DESCRIPTION_HOLDS = ("seed", "weeks", "warmup_weeks", "replications", "max_replications", "uncertainty")


def named(preset: Scenario, scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """`scenario` with its name in words when it differs from the preset and the user did not name it, and without
    the preset's description once a change may contradict it (unless the user wrote one)."""
    if "description" not in overrides and not description_holds(preset, scenario):
        scenario = scenario.replace(description="")
    if "name" in overrides:
        return scenario
    words = change_words(preset, scenario)
    if not words:
        return scenario
    shown = ", ".join(words[:WORDS_SHOWN])
    more = f" and {len(words) - WORDS_SHOWN} more" if len(words) > WORDS_SHOWN else ""
    return scenario.replace(name=f"{preset.name}{CHANGED}{shown}{more}")


def description_holds(preset: Scenario, scenario: Scenario) -> bool:
    """Whether the preset's description still describes `scenario`: nothing changed but the experiment's settings."""
    changed = [p for p in overrides_between(preset, scenario) if p not in NOT_CHANGES]
    return all(p.split(".")[0] in DESCRIPTION_HOLDS for p in changed)


def is_made_name(name: str, preset: Scenario) -> bool:
    """Whether a name is one `named` made (a downloaded file read back): such a name is not the user's own."""
    return name.startswith(f"{preset.name}{CHANGED}")


def _section(path: str) -> int:
    top = path.split(".")[0]
    return SECTION_ORDER.index(top) if top in SECTION_ORDER else len(SECTION_ORDER)


def change_words(preset: Scenario, scenario: Scenario) -> list[str]:
    """What differs from the preset, in words, most telling first: "10 engineers", "18 clients", "+20 % demand a
    year", "Project manager changed". Each design, the request mix and the ranges count once."""
    changes = {p: v for p, v in overrides_between(preset, scenario).items() if p not in NOT_CHANGES}
    words: list[str] = []
    for path in sorted(changes, key=_section):  # sorted() is stable: within a section, the schema's order
        value = changes[path]
        parts = path.split(".")
        if parts[0] == "designs":
            name = parts[1]
            if name not in scenario.designs:
                word = f"without {design_label(name, preset.designs[name])}"
            elif name not in preset.designs:
                word = f"with {design_label(name, scenario.designs[name])}"
            else:
                word = f"{design_label(name, scenario.designs[name])} changed"
        elif path.startswith("demand.work_types."):
            word = "another request mix"
        elif parts[0] == "uncertainty":
            word = "own ranges"
        elif path.startswith("firm.skills.") and "firm.engineers" in changes:
            continue  # the team's size says it
        else:
            word = _value_words(path, value)
        if word not in words:
            words.append(word)
    return words


def _value_words(path: str, value: Any) -> str:
    """One changed value in words."""
    if value is None:  # an entry the preset has, removed (a skill)
        return f"without {path.rsplit('.', 1)[-1].replace('_', ' ')}"
    fixed = {
        "firm.engineers": lambda v: f"{v} engineers",
        "demand.clients": lambda v: f"{v} clients",
        "demand.requests_per_client_per_week": lambda v: f"{v:g} requests per client a week",
        "demand.growth_per_year": lambda v: f"{v * 100:+.0f} % demand a year",
        "economics.bill_rate": lambda v: f"bill rate ${v:,.0f}",
        "replications": lambda v: f"{v} replications",
        "max_replications": lambda v: f"at most {v} replications",
        "weeks": weeks_words,
        "warmup_weeks": lambda v: f"{weeks_words(v)} of warm-up",
        "seed": lambda v: f"seed {v}",
    }
    if path in fixed:
        return fixed[path](value)
    parts = path.split(".")
    if path.startswith("firm.skills."):
        return f"{value} engineers in {parts[-1]}"
    if parts[0] == "process" and parts[-1] in PROCESS_WORDS:
        return f"{PROCESS_WORDS[parts[-1]]} {'on' if value else 'off'}"
    if path.startswith("economics.salary."):
        return f"{parts[-1].replace('_', ' ')} salary ${value:,.0f}"
    words = parts[-1].replace("_", " ")
    if isinstance(value, bool):
        return f"{words} {'on' if value else 'off'}"
    if isinstance(value, float):
        return f"{words} {value:g}"
    return f"{words} {value}"


def input_key(path: str) -> str:
    return INPUT_PREFIX + path


def page_input_key(name: str, page: str) -> str:
    """Each page has its own widget for a shared setting: Streamlit ties a widget's value to the widget, and a
    widget on another page is another widget, so sharing the key would lose the value on the way."""
    return f"{PAGE_INPUT_PREFIX}{page}:{name}"


def page_setting(name: str, default: str) -> str:
    return st.session_state.get(PAGE_KEY, {}).get(name, default)


def number_words(x: float) -> str:
    """A number as a notice echoes it: "2,000,000", "3.5", and "1e+308" for one too long to read in full."""
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:,.4g}"


def number_setting(name: str, default: float, lo: float, hi: float, words: str = "",
                   show: Callable[[float], str] = number_words, uses: str = "uses") -> float:
    """A number from the page settings, kept in [lo, hi]; text that is not a finite number (a link edited by hand)
    gives the default. Only a link (or a hand-edited one) can set such a value, since the page's own inputs keep
    within the range; with `words` naming the input ("a yearly budget of {}", the value `show`n in the braces) a
    warning says what the link asked, what the page takes and what it `uses` instead, so the page never answers
    another question than the one asked without saying so."""
    text = page_setting(name, str(default))
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        if words:
            st.warning(f"The link asked for {words.format(plain(shown(text)))}, which is not a number; the page "
                       f"{uses} {show(default)}.")
        return default
    kept = min(max(value, lo), hi)
    if words and kept != value:
        bound = f"at most {show(hi)}" if value > hi else f"at least {show(lo)}"
        st.warning(f"The link asked for {words.format(show(value))}; the page takes {bound}, so it {uses} "
                   f"{show(kept)}.")
    return kept


def set_page_setting(name: str, value: str) -> None:
    settings = dict(st.session_state.get(PAGE_KEY, {}))
    settings[name] = value
    st.session_state[PAGE_KEY] = settings


def drop_page_settings(*names: str) -> None:
    """Forget page settings, so the page falls back to its defaults for them."""
    settings = st.session_state.get(PAGE_KEY, {})
    st.session_state[PAGE_KEY] = {k: v for k, v in settings.items() if k not in names}


def seed_page_input(name: str, page: str, value: Any) -> str:
    """The widget key of a page setting, seeded from the state the first time the widget shows."""
    key = page_input_key(name, page)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def seeded_page_input(name: str, page: str, value: Any, options: Sequence[Any] | None = None,
                      argument: str = "value") -> dict[str, Any]:
    """A page widget's key and, as its default, the value it holds now: a browser that missed the run which set
    the value shows the default, and without this the default is the widget's minimum or first option. With
    `options`, the default is given as a selectbox's index; `argument` names it for other widgets (a
    multiselect's `default`)."""
    key = seed_page_input(name, page, value)
    now = st.session_state[key]
    if options is None:
        return {"key": key, argument: now}
    return {"key": key, "index": list(options).index(now) if now in options else 0}


def page_input_saver(name: str, page: str, encode: Callable[[Any], str] = str) -> Callable[[], None]:
    """An on_change callback that stores the widget's value as the page setting's text."""
    key = page_input_key(name, page)
    return lambda: set_page_setting(name, encode(st.session_state[key]))


def chosen_designs(scenario: Scenario) -> list[str]:
    """The designs the user compares (all by default), shared by the pages; unknown names are dropped."""
    names = list(scenario.designs)
    chosen = [d for d in page_setting("designs", ",".join(names)).split(",") if d in names]
    return chosen
