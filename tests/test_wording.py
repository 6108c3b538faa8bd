"""The words of designs: the standard codes, a scenario's own label, custom designs, and distinct labels."""

from __future__ import annotations

from sim.links import params_to_scenario, scenario_to_params
from sim.scenario import OrgDesign, Scenario, ScenarioError, dumps, from_dict, loads
from sim.wording import design_label, design_labels, hires_after_label


def test_standard_codes_read_as_the_roles_they_add():
    assert design_labels(Scenario().designs) == {"none": "No coordinator", "pm": "Project manager",
                                                 "am": "Account manager", "hybrid": "Hybrid PM/AM", "both": "PM + AM"}


def test_a_label_the_scenario_sets_wins_and_is_tidied_to_one_line():
    assert design_label("pm", OrgDesign(project_managers=1, label="  Delivery\n lead ")) == "Delivery lead"


def test_a_standard_code_with_other_hires_reads_as_its_hires():
    assert design_label("pm", OrgDesign(project_managers=2)) == "2 project managers"
    assert design_label("hybrid", OrgDesign(hybrids=1, standardised_work=True)) == "Hybrid PM/AM with standardised work"


def test_custom_designs_read_as_their_hires_and_process():
    assert design_label("x", OrgDesign()) == "No coordinator"
    assert design_label("x", OrgDesign(project_managers=1, extra_engineers=1)) == "Project manager + 1 extra engineer"
    assert design_label("x", OrgDesign(sales_share=0.5, extra_engineers=3)) == "Salesperson at 50 % + 3 extra engineers"
    assert (design_label("x", OrgDesign(account_managers=2, checkins=True, status_updates=False))
            == "2 account managers with AM-PM check-ins without status updates")


def test_two_designs_that_would_read_the_same_get_their_codes():
    labels = design_labels({"a": OrgDesign(hybrids=1), "b": OrgDesign(hybrids=1), "c": OrgDesign(label="a")})
    assert labels == {"a": "Hybrid PM/AM (a)", "b": "Hybrid PM/AM (b)", "c": "a"}
    assert len(set(design_labels({"x": OrgDesign(label="Same"), "y": OrgDesign(label="Same")}).values())) == 2


def test_a_label_travels_in_files_and_links():
    data = Scenario().to_dict()
    data["designs"]["pm"]["label"] = "Delivery lead"
    scenario = from_dict(data)
    assert loads(dumps(scenario)) == scenario
    presets = {"blank": Scenario()}
    params = scenario_to_params(scenario, "blank", presets)
    assert params["designs.pm.label"] == "Delivery lead"
    assert params_to_scenario(params, presets).scenario.designs["pm"].label == "Delivery lead"


def test_a_label_that_is_not_text_is_named():
    data = Scenario().to_dict()
    data["designs"]["pm"]["label"] = 3
    try:
        from_dict(data)
    except ScenarioError as exc:
        assert any(p.startswith("designs.pm.label") for p in exc.problems)
    else:
        raise AssertionError("a number as a label was accepted")


def test_the_hires_after_a_label_never_repeat_it():
    assert hires_after_label(OrgDesign()) == "engineers deal with clients themselves"
    assert hires_after_label(OrgDesign(project_managers=1, extra_engineers=2)) == \
        "a project manager and 2 extra engineers"
