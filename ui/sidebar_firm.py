"""The sidebar's sections about the firm: the scenario's name and description, the team, the org designs with
their hires, and what the firm pays and charges (salaries, prices and costs)."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import streamlit as st

from sim.scenario import MAX_TEXT_CHARS, OrgDesign, Scenario, ScenarioError
from sim.wording import design_label
from ui.input_overrides import (
    DESIGN_HIRES,
    DESIGNS_KEY,
    MAX_LABEL_CHARS,
    NEW_DESIGN_FROM_KEY,
    NEW_DESIGN_KEY,
    remove_key,
)
from ui.input_problems import blame, names_skill, take, under, what
from ui.inputs import UI_MAX, Shown, labelled, number, seeded, slider
from ui.labels import hires_after_label, plain
from ui.overrides import apply_overrides
from ui.state import AppState, input_key, named


def naming(preset: Scenario, state: AppState) -> None:
    """The scenario's own name and description. Left empty, the name is the preset's with what changed."""
    name_seeded = seeded("name", state.overrides.get("name", ""))
    try:
        made = named(preset, apply_overrides(preset, state.overrides), {})
        now, now_described = made.name, made.description
    except ScenarioError:
        now, now_described = preset.name, ""
    st.text_input(labelled("name", "Scenario name"), **name_seeded, max_chars=80, placeholder=now,
                  help="Shown on every page, in the report and in the file. Left empty, it is the preset's name "
                  "with what you changed.")
    under("name", "Scenario name")
    described_seeded = seeded("description", state.overrides.get("description", ""))
    st.text_area(labelled("description", "Description"), **described_seeded,
                 max_chars=MAX_TEXT_CHARS, height=80, placeholder=now_described or None,
                 help="What this scenario is about; carried by the link and the file. Left empty, it is the "
                 "preset's while you change only the experiment's settings, and none once you change the firm.")
    under("description", "Description")


def team(shown: Shown) -> None:
    st.subheader("Team")
    values = shown.values
    if shown.skills:
        for skill in shown.skills:
            path = f"firm.skills.{skill}"
            label = f"Engineers in {skill}"
            slider(path, label, values[path], 1, ui_max=UI_MAX["engineers"], ui_min=0,
                   extra_help="The team is the sum over skills.")
            for problem in take(partial(names_skill, skill=skill)):
                blame(label)  # a work type needs the skill this input took every engineer from
                name = problem.path.split(".")[-2]
                st.error(f"**{plain(label)}**: {plain(name)} requests need this skill, so at least one engineer "
                         "must have it.")
        # the inputs as they are now (each change reruns the page), so the total agrees with what is on screen
        total = sum(int(st.session_state.get(input_key(f"firm.skills.{s}"), values[f"firm.skills.{s}"]))
                    for s in shown.skills)
        label = labelled('firm.engineers', 'Engineers in total (the sum over skills)')
        st.caption(f"{label}: {total}")
        for problem in take(lambda p: p.path == "firm.engineers"):  # the total is the sum: name what the user sets
            labels = [f"Engineers in {skill}" for skill in shown.skills]
            blame(*labels)
            listed = " and ".join(f"**{plain(label)}**" for label in labels)
            st.error(f"{listed}: the team of engineers in total {what(problem)}.")
    else:
        slider("firm.engineers", "Engineers", values["firm.engineers"], 1, ui_max=UI_MAX["engineers"])


def designs(shown: Shown) -> None:
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
            st.text_input(labelled(p + "label", "Name shown"), **seeded(p + "label", values[p + "label"]),
                          max_chars=MAX_LABEL_CHARS, placeholder=design_label(name, dataclasses.replace(now, label="")),
                          help="What the pages and the report call this design; empty gives the standard words.")
            under(p + "label", "Name shown")
            number(p + "project_managers", "Project managers", values[p + "project_managers"], 1)
            number(p + "account_managers", "Account managers", values[p + "account_managers"], 1)
            number(p + "hybrids", "Hybrid PM/AMs", values[p + "hybrids"], 1)
            number(p + "sales_share", "Salesperson (share of full time)", values[p + "sales_share"], 0.1, "%.2f")
            number(p + "extra_engineers", "Extra engineers", values[p + "extra_engineers"], 1)
            st.checkbox("Remove this design", key=remove_key(name),
                        help="Takes the design out of the scenario when you press Run; *Back to the preset's "
                        "values* brings a standard design back.")
    under("designs", "Org designs")
    with st.expander("Add a design"):
        st.text_input("Name of the new design", key=NEW_DESIGN_KEY, max_chars=MAX_LABEL_CHARS,
                      placeholder="e.g. Two project managers",
                      help="Added when you press Run, with the hires of the design below; set its own hires "
                      "in its box afterwards.")
        st.selectbox("Starting from", shown.designs, key=NEW_DESIGN_FROM_KEY,
                     format_func=lambda n: design_label(n, OrgDesign(**{
                         f: values[f"designs.{n}.{f}"] for f in (*DESIGN_HIRES, "label")})),
                     help="The new design starts with this design's hires.")


def salaries(values: dict[str, Any]) -> None:
    with st.expander("Salaries ($ per year)"):
        for role, label in (("engineer", "Engineer"), ("project_manager", "Project manager"),
                            ("account_manager", "Account manager"), ("hybrid", "Hybrid PM/AM"),
                            ("sales", "Salesperson")):
            path = f"economics.salary.{role}"
            number(path, label, values[path], 5000.0, "%.0f")


def money(values: dict[str, Any]) -> None:
    with st.expander("Prices and costs"):
        number("economics.bill_rate", "Bill rate ($ per billable hour)", values["economics.bill_rate"], 5.0, "%.0f")
        number("economics.late_discount", "Discount on a late delivery (share of its bill)",
               values["economics.late_discount"], 0.01, "%.2f")
        number("economics.overhead_factor", "What a salary costs the firm (x salary)",
               values["economics.overhead_factor"], 0.05, "%.2f",
               extra_help="Staff cost and profit count every salary times this factor; the Next hire budget is "
               "in salaries. 1.4: BLS, wages are about 70 % of what employees cost.")
