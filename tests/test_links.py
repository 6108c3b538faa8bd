"""Share links: any valid scenario survives the trip through a link, and no link, however broken, breaks the app."""

from __future__ import annotations

import dataclasses
import typing
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from sim import paths
from sim.links import (
    ALIASES,
    LINK_VERSION,
    MAX_SETTINGS,
    PAGE_KEYS,
    params_to_scenario,
    scenario_to_params,
)
from sim.presets import load_presets
from sim.scenario import (
    Behaviour,
    Demand,
    Economics,
    Firm,
    OrgDesign,
    Process,
    Salary,
    Scenario,
    ScenarioError,
    WorkType,
    from_dict,
    to_dict,
)

PRESETS = {**load_presets(), "blank": Scenario()}
# As many examples as the tier's Hypothesis profile gives (tests/conftest.py): fewer in `make test`, more in
# `make test-deep`.
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------------------------
# Valid scenarios, drawn from the schema's own bounds.


def _value(f: paths.Field) -> st.SearchStrategy:
    hint, lo, hi = f.hint, f.meta.get("min"), f.meta.get("max")
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(int(lo), int(hi))
    if hint is float and f.meta.get("zero_or_at_least") is not None:
        return st.one_of(st.just(0.0), st.floats(f.meta["zero_or_at_least"], hi, allow_nan=False))
    if hint is float:
        return st.floats(lo, hi, allow_nan=False)
    if typing.get_origin(hint) is list:
        return st.lists(st.floats(lo, hi, allow_nan=False), min_size=1, max_size=6)
    if hint is str:
        return st.text(max_size=40)
    if typing.get_origin(hint) in (typing.Union, type(int | None)):
        return st.sampled_from([None, True, False])
    raise AssertionError(hint)


def _fields(cls: type, skip: tuple[str, ...] = ()) -> dict[str, st.SearchStrategy]:
    """The section's own single values (not those of its subsections, not its tables)."""
    return {f.path: _value(f) for f in paths.walk(cls) if "." not in f.path and f.path not in skip and not f.is_table}


def _some(cls: type, skip: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A subset of the section's values."""
    return st.fixed_dictionaries({}, optional=_fields(cls, skip))


names = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)


@st.composite
def work_types(draw: st.DrawFn, skills: list[str]) -> dict[str, dict]:
    """Two to four work types whose shares sum to 1, each needing one of the firm's skills."""
    kinds = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    weights = draw(st.lists(st.integers(1, 100), min_size=len(kinds), max_size=len(kinds)))
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1 - sum(shares[:-1])
    out = {}
    for kind, share in zip(kinds, shares, strict=True):
        fields = draw(_some(WorkType, skip=("share", "skill")))
        out[kind] = {**fields, "share": share, "skill": draw(st.sampled_from(skills))}
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    preset = draw(st.sampled_from(sorted(PRESETS)))
    data = PRESETS[preset].to_dict()
    data.update(draw(_some(Scenario)))
    for section, cls in (("firm", Firm), ("demand", Demand), ("behaviour", Behaviour), ("process", Process)):
        data[section].update(draw(_some(cls, skip=("engineers",))))
    data["economics"].update(draw(_some(Economics)))
    data["economics"]["salary"].update(draw(_some(Salary)))
    if draw(st.booleans()):  # a new split of the team into skills
        skill_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
        counts = draw(st.lists(st.integers(1, 40), min_size=len(skill_names), max_size=len(skill_names)))
        data["firm"]["skills"] = dict(zip(skill_names, counts, strict=True))
        data["firm"]["engineers"] = sum(counts)
        data["demand"]["work_types"] = draw(work_types(skill_names))
    elif draw(st.booleans()):
        data["demand"]["work_types"] = draw(work_types(list(data["firm"].get("skills") or {"general": 1})))
    if draw(st.booleans()):  # a change of headcount in today's skill mix (Firm.resized), as the engineers lever does
        firm = Firm(**data["firm"])
        data["firm"] = to_dict(firm.resized(max(1, firm.engineers + draw(st.integers(-3, 20)))))
    for name in draw(st.lists(names, max_size=3)):
        data["designs"][name] = {**data["designs"].get(name, {}), **draw(_some(OrgDesign))}
    try:
        return from_dict(data)
    except ScenarioError:  # only the size cap can refuse these draws (too many requests per run): draw again
        reject()


@FAST
@given(scenarios(), st.sampled_from(sorted(PRESETS)), st.sampled_from([{}, {"designs": "pm,am"}]))
def test_any_valid_scenario_survives_a_link_and_url_encoding(scenario, preset, page):
    query = urlencode(scenario_to_params(scenario, preset, PRESETS, page), safe=",")
    decoded = params_to_scenario(dict(parse_qsl(query, keep_blank_values=True)), PRESETS)
    assert decoded.scenario == scenario
    assert decoded.warnings == []
    assert decoded.preset == preset
    assert decoded.page == page


# ---------------------------------------------------------------------------------------------------------------
# Broken links never break the app.

KNOWN_KEYS = [*ALIASES, "rate", "v", "preset", *PAGE_KEYS, "firm.skills.development", "designs.pm.checkins",
              "demand.work_types.support.share", "designs.new.hybrids", "behaviour.context_switch_loss"]


def _assert_valid(decoded) -> None:
    assert isinstance(decoded.scenario, Scenario)
    assert from_dict(decoded.scenario.to_dict()) == decoded.scenario
    assert decoded.preset in PRESETS


@FAST
@given(st.dictionaries(st.text(), st.one_of(st.text(), st.lists(st.text(), max_size=3))))
def test_decoding_arbitrary_text_never_raises(params):
    _assert_valid(params_to_scenario(params, PRESETS))


@FAST
@given(st.dictionaries(st.sampled_from(KNOWN_KEYS), st.one_of(
    st.text(max_size=20), st.integers().map(str), st.floats().map(repr), st.sampled_from(["remove", "inherit", ""]),
)))
def test_decoding_known_keys_with_any_value_never_raises(params):
    decoded = params_to_scenario(params, PRESETS)
    _assert_valid(decoded)
    assert all(isinstance(w, str) and w for w in decoded.warnings)


def decode(**params: str):
    return params_to_scenario(params, PRESETS)


def test_a_typical_link_is_short_and_readable(default_scenario):
    s = dataclasses.replace(default_scenario, demand=dataclasses.replace(default_scenario.demand, clients=35))
    params = scenario_to_params(s, "default", PRESETS, {"designs": "pm,am"})
    assert params == {"v": str(LINK_VERSION), "preset": "default", "clients": "35", "designs": "pm,am"}


def test_only_changed_values_are_written(default_scenario):
    assert scenario_to_params(default_scenario, "default", PRESETS) == {"v": "1", "preset": "default"}


def test_aliases_and_dotted_paths_mean_the_same():
    by_alias = decode(preset="default", requests="0.8", checkins="true", pm_salary="90000")
    by_path = decode(**{"preset": "default", "demand.requests_per_client_per_week": "0.8", "process.checkins": "1",
                        "economics.salary.project_manager": "90000"})
    by_other_word = decode(preset="default", rate="0.8", checkins="yes", pm_salary="9e4")
    assert by_alias.scenario == by_path.scenario == by_other_word.scenario
    assert by_alias.scenario.demand.requests_per_client_per_week == 0.8
    assert by_alias.warnings == []


def test_engineers_alone_grow_the_largest_skill_group(default_scenario):
    decoded = decode(preset="default", engineers="14")
    assert decoded.scenario.firm.skills == {"development": 11, "operations": 3}
    assert decoded.warnings == []
    assert scenario_to_params(decoded.scenario, "default", PRESETS) == {"v": "1", "preset": "default",
                                                                        "engineers": "14"}


def test_engineers_out_of_range_leave_the_skills_alone():
    decoded = decode(preset="default", engineers="600")
    assert decoded.warnings == ["Ignored engineers=600: firm.engineers = 600: must be a whole number from 1 to 500."]
    assert decoded.scenario == PRESETS["default"]


def test_a_skill_split_other_than_the_implied_one_is_written():
    s = from_dict({**PRESETS["default"].to_dict(), "firm": {"engineers": 14, "skills": {"development": 10,
                                                                                        "operations": 4}}})
    params = scenario_to_params(s, "default", PRESETS)
    assert params["firm.skills.development"] == "10" and params["firm.skills.operations"] == "4"
    assert params_to_scenario(params, PRESETS).scenario == s


def test_new_and_removed_designs_and_work_types_round_trip():
    base = from_dict({**PRESETS["default"].to_dict(), "designs": {"engineer": {"extra_engineers": 1}}})
    presets = {**PRESETS, "extra": base}
    data = base.to_dict()
    del data["designs"]["engineer"]
    data["designs"]["lean"] = {"hybrids": 1, "checkins": True}
    data["designs"]["blank"] = {}
    data["demand"]["work_types"] = {"support": {**data["demand"]["work_types"]["support"], "share": 1.0}}
    data["designs"]["pm"]["status_updates"] = False
    target = from_dict(data)
    target = dataclasses.replace(target, designs={k: v for k, v in target.designs.items() if k != "engineer"})
    params = scenario_to_params(target, "extra", presets)
    assert params["designs.engineer"] == "remove" and params["demand.work_types.project"] == "remove"
    assert params["designs.lean.hybrids"] == "1" and params["designs.blank.project_managers"] == "0"
    assert params_to_scenario(params, presets).scenario == target


def test_a_design_override_can_be_unset_again():
    base = from_dict({**PRESETS["default"].to_dict(), "designs": {"pm": {"checkins": True}}})
    presets = {"default": base}
    params = scenario_to_params(PRESETS["default"], "default", presets)
    assert params["designs.pm.checkins"] == "inherit"
    assert params_to_scenario(params, presets).scenario == PRESETS["default"]


def test_page_settings_pass_through_untouched():
    decoded = decode(preset="default", designs="pm,am", baseline="none", lever="clients", steps="5", page="growth")
    assert decoded.page == {"designs": "pm,am", "baseline": "none", "lever": "clients", "steps": "5", "page": "growth"}
    assert decoded.warnings == [] and decoded.scenario == PRESETS["default"]


def test_a_page_setting_may_not_hide_a_scenario_value(default_scenario):
    with pytest.raises(KeyError, match="engineers"):
        scenario_to_params(default_scenario, "default", PRESETS, {"engineers": "3"})


# ---------------------------------------------------------------------------------------------------------------
# Each kind of broken link: the nearest valid scenario, and a warning naming the key.


def test_unknown_key_is_named_with_a_suggestion():
    decoded = decode(preset="default", enginers="14", clients="30")
    assert decoded.warnings == ["Ignored enginers: not a setting of this app (did you mean engineers?)."]
    assert decoded.scenario.demand.clients == 30


def test_wrong_type_names_key_value_and_what_is_allowed_and_keeps_the_rest():
    decoded = decode(preset="default", clients="many", growth="0.2")
    assert decoded.warnings == [
        "Ignored clients=many: demand.clients = 'many': must be a whole number from 1 to 2000."
    ]
    assert decoded.scenario.demand.growth_per_year == 0.2
    assert decoded.scenario.demand.clients == PRESETS["default"].demand.clients


def test_out_of_range_value_is_dropped():
    decoded = decode(preset="default", **{"demand.win_rate": "1.5", "designs.pm.project_managers": "2"})
    assert decoded.warnings == ["Ignored demand.win_rate=1.5: demand.win_rate = 1.5: must be a "
                                "number from 0 to 1."]
    assert decoded.scenario.designs["pm"].project_managers == 2


def test_not_a_number_and_infinity_are_dropped():
    decoded = decode(preset="default", growth="nan", requests="inf", bill_rate="1e999")
    assert [w.split(":")[0] for w in decoded.warnings] == ["Ignored growth=nan", "Ignored requests=inf",
                                                           "Ignored bill_rate=1e999"]
    assert decoded.scenario == PRESETS["default"]


def test_unknown_preset_opens_the_default_with_a_warning():
    decoded = decode(preset="../../etc/passwd", clients="30")
    assert decoded.preset == "default" and decoded.scenario.demand.clients == 30
    assert decoded.warnings[0].startswith("Ignored preset=../../etc/passwd: there is no such preset")


def test_missing_preset_with_values_says_so_but_a_bare_link_does_not():
    assert decode().warnings == [] and decode().scenario == PRESETS["default"]
    assert decode(clients="30").warnings == [
        "The link names no preset: its values were applied to the default preset."
    ]


def test_future_version_is_read_best_effort():
    decoded = decode(v="7", preset="default", clients="30", **{"behaviour.telepathy": "1"})
    assert decoded.scenario.demand.clients == 30
    assert any("newer version of the app (link version 7" in w for w in decoded.warnings)
    assert any(w.startswith("Ignored behaviour.telepathy") for w in decoded.warnings)


def test_garbage_version_reads_as_version_1():
    decoded = decode(v="x'); DROP TABLE", preset="default")
    assert decoded.warnings == ["Ignored v=x'); DROP TABLE: the link version must be a whole number; read as "
                                "version 1."]


def test_shares_that_no_longer_sum_to_one_are_dropped_together():
    decoded = decode(preset="default", clients="30", **{"demand.work_types.support.share": "0.4"})
    assert decoded.scenario.demand.clients == 30
    assert decoded.scenario.demand.work_types == PRESETS["default"].demand.work_types
    (warning,) = decoded.warnings
    assert warning.startswith("Ignored demand.work_types.support.share=0.4: together they give an impossible")
    assert "shares must sum to 1" in warning


def test_a_work_type_needing_a_skill_nobody_has_is_named():
    decoded = decode(preset="default", **{"demand.work_types.support.skill": "astrology"})
    (warning,) = decoded.warnings
    assert warning.startswith("Ignored demand.work_types.support.skill=astrology")
    assert "no engineer has this skill" in warning


def test_bad_list_and_bad_boolean_are_named():
    decoded = decode(preset="default", checkins="maybe", **{"behaviour.context_switch_loss": "0,0.2,lots"})
    assert decoded.warnings == [
        "Ignored checkins=maybe: process.checkins = 'maybe': must be true or false.",
        "Ignored behaviour.context_switch_loss=0,0.2,lots: behaviour.context_switch_loss = '0,0.2,lots': must be a "
        "list of 1 to 50 numbers.",
    ]


def test_a_section_or_a_path_below_a_value_is_unknown():
    decoded = decode(preset="default", firm="3", **{"firm.engineers.count": "3", "designs.x": "big"})
    assert decoded.warnings[1:] == ["Ignored firm: not a setting of this app (did you mean firm.engineers?).",
                                    "Ignored firm.engineers.count: not a setting of this app (did you mean "
                                    "firm.engineers?)."]
    assert decoded.warnings[0].startswith("Ignored designs.x=big: write designs.x=remove to drop it")


def test_a_huge_link_is_cut_with_a_warning():
    params = {f"junk{i}": "x" for i in range(5000)}
    decoded = params_to_scenario({"preset": "default", "clients": "30", **params}, PRESETS)
    assert decoded.scenario.demand.clients == 30
    assert decoded.warnings == [
        f"The link is too long: read its first {MAX_SETTINGS} of 5002 settings (at most {MAX_SETTINGS} settings and "
        "10,000 characters).",
        f"Ignored {MAX_SETTINGS - 2} settings this app does not know: junk0, junk1, junk2, junk3, junk4, ...",
    ]


def test_a_huge_value_is_dropped():
    decoded = decode(preset="default", name="x" * 100_000, clients="30")
    assert decoded.warnings == ["Ignored name: it is 100,004 characters long; at most 2,000 are allowed."]
    assert decoded.scenario.demand.clients == 30


def test_repeated_keys_take_the_last_value():
    decoded = params_to_scenario({"preset": ["default"], "clients": ["30", "31"]}, PRESETS)
    assert decoded.scenario.demand.clients == 31


def test_the_same_value_twice_under_two_names_is_reported():
    decoded = decode(preset="default", requests="0.7", rate="0.9")
    assert decoded.scenario.demand.requests_per_client_per_week == 0.9
    assert decoded.warnings == ["requests and rate set the same value; used rate=0.9."]

