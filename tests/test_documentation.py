"""The documentation cannot drift from the schema: README holds the key reference generated from it."""

from __future__ import annotations

from sim.reference import markdown_reference, parameter_rows
from tests.conftest import ROOT


def test_readme_documents_every_scenario_key_as_the_validator_sees_it():
    assert markdown_reference() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_parameter_rows_show_the_scenarios_own_values(default_scenario):
    rows = {row["key"]: row for row in parameter_rows(default_scenario)}
    assert rows["firm.engineers"]["value"] == 12
    assert rows["demand.work_types.support.effort_hours"]["value"] == 4
    assert rows["designs.both.project_managers"]["value"] == 1
    assert "firm.skills" not in rows and "designs" not in rows  # tables come entry by entry
    skill = rows["firm.skills.development"]
    assert (skill["value"], skill["default"], skill["allowed"]) == (9, None, "whole number 0 to 500")
    clarity = rows["uncertainty.behaviour.clarity_without_am"]
    assert clarity["value"] == default_scenario.uncertainty["behaviour.clarity_without_am"]
    assert clarity["meaning"].startswith("Plausible range (low, high) of: Probability that a request is understood")
    assert rows["designs.pm.checkins"]["value"] is None  # an unset override is a row too


def test_model_md_names_every_behaviour_and_process_key():
    model = (ROOT / "MODEL.md").read_text(encoding="utf-8")
    keys = [r["key"].split(".")[-1] for r in parameter_rows() if r["key"].startswith(("behaviour.", "process."))]
    missing = [k for k in keys if k not in model]
    assert not missing


def test_every_section_of_model_md_cited_in_the_code_and_readme_exists():
    import re

    headings = {line.lstrip("#").strip() for line in (ROOT / "MODEL.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("#")}
    code = [path for folder in ("sim", "ui", "pages") for path in (ROOT / folder).rglob("*.py")]
    files = [ROOT / "README.md", ROOT / "app.py", *code]
    # Source strings split over lines ("... (MODEL.md, "\n "Default ranges)") are joined back first.
    texts = {str(path.relative_to(ROOT)): re.sub(r"\"\s*\n\s*\"", "", path.read_text(encoding="utf-8"))
             for path in files}
    cited = {(name, " ".join("".join(m.groups(default="")).split())) for name, text in texts.items()
             for m in re.finditer(r"MODEL\.md, (?:\"([^\"]+)\"|'([^']+)'|([^),]+))", text)}
    assert len(cited) > 5
    assert [(name, section) for name, section in sorted(cited) if section not in headings] == []
