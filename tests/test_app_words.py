"""Words, not code: every page, on the defaults, shows no code name (a dotted scenario key, a snake_case name, a
design's code in a sentence) and none of the model builders' jargon. Scenario keys may show only as code (in
backticks), which the Model page uses for people who edit the files."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app_pages import PAGES, open_app

MODEL_TEXT = (ROOT / "MODEL.md").read_text(encoding="utf-8")
KEY_COLUMN = "Key in the scenario file"

CODE_NAMES = [
    re.compile(r"\b[a-z]+_[a-z_]+\b"),  # snake_case: new_clients_per_year
    re.compile(r"\b[a-z_]+\.[a-z_]+\b"),  # a dotted name: a scenario key (demand.clients), a module (sim.model)
    re.compile(r"\b(none|pm|am|hybrid|both)\b"),  # a design's code, as a whole word in lower case
    re.compile(r"\bKN\b|Latin.hypercube|\bregret\b", re.IGNORECASE),  # jargon
]
# Ordinary words a pattern above also matches.
ALLOWED = {"none", "both", "hybrid"}  # English words as well as design codes: judged in context below
CODE_SPAN = re.compile(r"`[^`]*`")


def visible_text(at: AppTest) -> list[str]:
    """What a user reads on the page and in the sidebar: text elements, widget labels and choices, table cells."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error",
                 "text", "latex"):
        texts += [str(e.value) for e in at.get(kind)]
    for kind in ("button", "toggle", "checkbox", "slider", "number_input", "text_input", "text_area",
                 "selectbox", "multiselect", "radio", "download_button", "expander", "tab"):
        for e in at.get(kind):
            texts.append(str(getattr(e, "label", "")))
            for option in getattr(e, "options", []) or []:
                texts.append(str(option))
    for kind in ("dataframe", "table"):
        for e in at.get(kind):
            frame = e.value.drop(columns=[KEY_COLUMN], errors="ignore")  # keys for people who edit the files
            texts += [str(c) for c in frame.columns]
            texts += [str(v) for v in frame.astype(str).to_numpy().ravel()]
    # MODEL.md, shown whole on the Model page, is the model's own documentation and names its keys and methods;
    # it is checked where it is written, not here.
    return [t for t in texts if t.strip() != MODEL_TEXT.strip()]


def code_names(text: str) -> list[str]:
    prose = CODE_SPAN.sub(" ", text)
    prose = re.sub(r"https?://\S+", " ", prose)  # a link's address is not prose
    prose = re.sub(r"[\w/-]+\.(?:csv|toml|html|py|md)\b", " ", prose)  # nor a file's name (jira_sample.csv)
    found = []
    for pattern in CODE_NAMES:
        for match in pattern.finditer(prose):
            word = match.group(0)
            if word in ALLOWED and not _design_code_in_context(prose, match):
                continue
            found.append(word)
    return found


def _design_code_in_context(text: str, match: re.Match) -> bool:
    """'none' and 'both' are English; as design codes they stand where a design's name would ('am is best', "today's
    design (none)")."""
    after = text[match.end():match.end() + 12]
    in_brackets = text[match.start() - 1:match.start()] == "(" and after.startswith(")")
    return in_brackets or bool(re.match(r"\s+\(?(is|was|ties|design)\b", after))


@pytest.mark.parametrize(("text", "found"), [
    ("am is best", ["am"]), ("am (design 2 of 5)", ["am"]), ("none (design 1 of 5)", ["none"]),
    ("today's design (none)", ["none"]), ("both is best", ["both"]), ("hybrid ties with pm", ["hybrid", "pm"]),
    ("none of the designs keeps up", []), ("both designs", []), ("a hybrid PM/AM", []),
    ("`demand.clients` in code", []), ("new_clients_per_year", ["new_clients_per_year"]),
])
def test_the_checker_finds_design_codes_where_a_name_would_stand_and_leaves_english_alone(text, found):
    assert code_names(text) == found


@pytest.mark.parametrize("page", [pytest.param(page, marks=pytest.mark.deep) if page.endswith("next_hire.py")
                                  else page for page in PAGES])
def test_no_page_shows_a_code_name_on_the_defaults(page):
    """Deep tier: the Next hire page's case only (about 10 s, as it ranks every default option); the other pages
    run in `make test`."""
    at = open_app(page)
    assert not at.exception
    found = {text[:120]: code_names(text) for text in visible_text(at) if code_names(text)}
    assert not found, found


def test_progress_bars_name_designs_and_points_in_words(monkeypatch):
    """What a progress bar says while Compare and Growth run ("Account manager (design 3 of 5)"), read as each bar
    is made: bars are emptied when the run ends, so the page's final text never shows them. A seed no other test
    uses, so that no cached run skips its bar."""
    import ui.runner
    from tests.test_app_pages import FAST

    said: list[str] = []
    real = ui.runner._progress_bar

    def recording(slot, prefix, *args, **kwargs):
        said.append(prefix)
        return real(slot, prefix, *args, **kwargs)

    monkeypatch.setattr(ui.runner, "_progress_bar", recording)
    at = open_app(overrides={**FAST, "seed": 424242})
    assert not at.exception
    assert len(said) == 5 and all(not code_names(text) for text in said), said
    assert said[2] == "Account manager (design 3 of 5): "
