"""Every page on a laptop (1400 px wide, sidebar open) and a phone (420 px): nothing sticks out sideways.

A page is opened on a small link, drawn, then checked in the browser by tests/layout.js: the page no wider than the
window, no element of the main block past the window or past the box that clips or scrolls it, and no data grid
wider than its frame (a grid draws on a canvas, so its cells are measured by its scroller). The key figures read as
a table beside the sidebar and as one card per design on a phone. Screenshots of each page at both widths go to
test-artifacts/layout_<page>_<width>.png for a person to look at.

Deep tier: every test here runs in a real browser (`make test-deep`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app import PAGES
from sim.charts import LINE_PLOT_HEIGHT
from tests.browser import ROOT, save_screenshot
from ui.labels import KPIS
from ui.style import NARROW, NARROW_PX, WIDE

LAYOUT_JS = (ROOT / "tests" / "layout.js").read_text()
WIDTHS = (1400, 420)
HEIGHT = 1000
TALL_PX = 8000  # the tallest screenshot: Streamlit scrolls inside its own frame, so the window must hold the page
WAIT_MS = 90_000  # a Next hire ranking on a busy 2-core machine
# Small runs: 6 weeks after 1 of warm-up, 2 replications; Next hire on a budget of a few options.
SMALL = "v=1&preset=default&weeks=6&warmup=1&reps=2&max_reps=2"
LINKS = {"next_hire": f"{SMALL}&page=next_hire&budget=60000"}
# The drawn height of each line chart's plot (its frame's background, in the SVG Vega draws), in the main block.
LINE_PLOTS_JS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stVegaLiteChart] svg')]
    .filter(svg => svg.querySelector('.mark-line'))
    .map(svg => Math.round(svg.querySelector('.role-frame > g > path.background').getBoundingClientRect().height))"""


def settle(page: Page) -> None:
    """Wait until the app's run is over and what it drew has replaced what was stale."""
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=WAIT_MS)


def overflows(page: Page, width: int) -> list[str]:
    """The page opened afresh in a window of this width, as a phone or a laptop opens it (charts lay out their
    legends for the width they start at); its results come from the server's cache."""
    if page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.reload()
        page.get_by_test_id("stMain").get_by_role("heading").first.wait_for(timeout=WAIT_MS)
        settle(page)
    page.wait_for_timeout(1000)  # tables and charts draw after the run ends
    return page.evaluate(LAYOUT_JS)


def photograph(page: Page, name: str, width: int) -> None:
    """The whole page: the window is made as tall as Streamlit's scrolling frame for the picture."""
    tall = page.evaluate('() => document.querySelector("[data-testid=stMain]").scrollHeight')
    page.set_viewport_size({"width": width, "height": max(HEIGHT, min(tall, TALL_PX))})
    page.wait_for_timeout(500)
    save_screenshot(page, f"layout_{name}_{width}")
    page.set_viewport_size({"width": width, "height": HEIGHT})


@pytest.fixture(scope="module")
def layout_page(browser: Browser):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def laptop(layout_page: Page) -> Page:
    """The module's page, in a laptop's window to start with."""
    layout_page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    return layout_page


@pytest.mark.parametrize("path, title", [(path, title) for path, title, _ in PAGES],
                         ids=[Path(path).stem for path, *_ in PAGES])
def test_no_page_sticks_out_sideways_on_a_laptop_or_a_phone(app_url: str, laptop: Page, path: str, title: str):
    layout_page, name = laptop, Path(path).stem
    layout_page.goto(f"{app_url}/?{LINKS.get(name, f'{SMALL}&page={name}')}")
    layout_page.get_by_role("heading", name=title).wait_for(timeout=WAIT_MS)
    settle(layout_page)
    problems = {}
    for width in WIDTHS:
        problems[width] = overflows(layout_page, width)
        photograph(layout_page, name, width)
    assert problems == {width: [] for width in WIDTHS}


def test_the_key_figures_are_a_table_beside_the_sidebar_and_cards_on_a_phone(app_url: str, laptop: Page):
    layout_page = laptop
    layout_page.goto(f"{app_url}/?{SMALL}&page=compare&designs=none,pm,hybrid")
    settle(layout_page)
    wide = layout_page.locator(f".st-key-{WIDE}key-figures")
    narrow = layout_page.locator(f".st-key-{NARROW}key-figures")
    expect(wide.locator("table")).to_be_visible(timeout=WAIT_MS)
    expect(wide.locator("tbody tr")).to_have_count(3)
    expect(narrow).to_be_hidden()
    header = wide.locator("thead th").all_inner_texts()
    first_row = wide.locator("tbody tr").nth(0)
    design = first_row.locator("th").inner_text()
    profit = first_row.locator("th, td").nth(header.index(KPIS["profit"].short)).inner_text()
    # a cell wraps between its words, never inside a figure ("$2.4" above "4M"): the rule reaches every cell
    breaks = wide.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c).wordBreak + ' '"
                                             " + getComputedStyle(c).overflowWrap)")
    assert len(breaks) >= 20 and set(breaks) == {"keep-all normal"}

    layout_page.set_viewport_size({"width": NARROW_PX, "height": HEIGHT})
    layout_page.wait_for_timeout(500)
    expect(wide).to_be_hidden()
    cards = narrow.get_by_test_id("stMarkdownContainer")
    expect(cards).to_have_count(3)
    first = cards.nth(0).inner_text().splitlines()
    assert first[0] == design and f"{KPIS['profit'].short}: {profit}" in first


def test_a_phone_shows_every_design_the_picker_holds(app_url: str, laptop: Page):
    """Streamlit caps a multiselect at one line: on a phone the five designs' chips wrap onto more lines, each
    inside the picker's box rather than clipped below it."""
    layout_page = laptop
    layout_page.set_viewport_size({"width": WIDTHS[1], "height": HEIGHT})
    layout_page.goto(f"{app_url}/?{SMALL}&page=compare")
    settle(layout_page)
    picker = layout_page.get_by_test_id("stMain").get_by_test_id("stMultiSelect").first
    box = picker.locator(".react-aria-ComboBox [data-testid=stMultiSelectTagsContainer]").bounding_box()
    chips = picker.locator(".react-aria-ComboBox [data-tag]")
    expect(chips).to_have_count(5)
    for i in range(5):
        chip = chips.nth(i).bounding_box()
        assert box is not None and chip is not None
        inside_down = box["y"] <= chip["y"] and chip["y"] + chip["height"] <= box["y"] + box["height"] + 1
        inside_across = box["x"] <= chip["x"] and chip["x"] + chip["width"] <= box["x"] + box["width"] + 1
        assert inside_down and inside_across, (i, chip, box)


@pytest.mark.parametrize("name, charts", [("compare", 2), ("growth", 3)])
def test_line_charts_keep_their_plot_tall_with_their_key_below_on_a_laptop_and_a_phone(app_url: str, laptop: Page,
                                                                                      name: str, charts: int):
    """Compare's week by week and Growth's sweeps: a key of five designs below the lines once squashed the plot
    flat in Streamlit's fixed box (the axis's 0 and 80 drawn on one line); each plot keeps its own height."""
    layout_page = laptop
    layout_page.goto(f"{app_url}/?{SMALL}&page={name}")
    settle(layout_page)
    heights = {}
    lines = layout_page.locator("[data-testid=stMain] [data-testid=stVegaLiteChart] svg .mark-line")
    for width in WIDTHS:
        overflows(layout_page, width)
        expect(lines.nth(charts - 1)).to_be_attached(timeout=WAIT_MS)  # drawn after the run's figures
        heights[width] = layout_page.evaluate(LINE_PLOTS_JS)
    assert all(len(h) >= charts for h in heights.values()), heights
    assert all(h >= LINE_PLOT_HEIGHT - 1 for drawn in heights.values() for h in drawn), heights


# Compare's hours chart (bars stacked by activity, with a key): its plot's width against the chart's, and the height
# of its bars.
HOURS_PLOT_JS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stVegaLiteChart] svg')]
    .filter(svg => svg.querySelector('.mark-rect') && svg.querySelector('.role-legend'))
    .map(svg => ({plot: svg.querySelector('.role-frame > g > path.background').getBoundingClientRect().width
                        / svg.getBoundingClientRect().width,
                  bar: Math.min(...[...svg.querySelectorAll('.mark-rect path')]
                                  .map(path => path.getBoundingClientRect().height))}))"""


def test_the_hours_chart_keeps_its_bars_wide_and_tall_on_a_laptop_and_a_phone(app_url: str, laptop: Page):
    """The key of eight activities beside the bars left a phone's chart a third bars; below them, the bars keep
    most of the chart's width, at either width, and every bar stays a readable height."""
    layout_page = laptop
    layout_page.goto(f"{app_url}/?{SMALL}")
    settle(layout_page)
    for width in WIDTHS:
        overflows(layout_page, width)
        # drawn after the run's figures: wait for this chart itself, not any chart with a key
        layout_page.wait_for_function(f"({HOURS_PLOT_JS})().length === 1", timeout=WAIT_MS)
        (drawn,) = layout_page.evaluate(HOURS_PLOT_JS)
        assert drawn["plot"] >= 0.6 and drawn["bar"] >= 12, (width, drawn)


# The names on the first chart's axes, a label of several lines read as one (its lines joined by a space).
AXIS_LABELS_JS = """() => [...document.querySelector('[data-testid=stMain] [data-testid=stVegaLiteChart] svg')
    .querySelectorAll('.role-axis-label text')]
    .map(text => text.querySelectorAll('tspan').length
         ? [...text.querySelectorAll('tspan')].map(line => line.textContent).join(' ') : text.textContent)"""


def test_a_phone_shows_each_options_name_whole_on_the_next_hire_chart(app_url: str, laptop: Page):
    """A combined move's name ("+0.5 salesperson with standardised work") was cut short on a phone; it now takes
    two lines, and no name is cut or hidden."""
    layout_page = laptop
    layout_page.set_viewport_size({"width": WIDTHS[1], "height": HEIGHT})
    layout_page.goto(f"{app_url}/?{LINKS['next_hire']}")
    settle(layout_page)
    chart = layout_page.locator("[data-testid=stMain] [data-testid=stVegaLiteChart] svg").first
    expect(chart.locator(".mark-symbol")).not_to_have_count(0, timeout=WAIT_MS)
    names = layout_page.evaluate(AXIS_LABELS_JS)
    assert "+0.5 salesperson with standardised work" in names, names
    assert {"standardised work", "today's organisation", "+0.5 salesperson"} <= set(names), names
    assert not any("…" in name for name in names), names


# Words of the document's table cells (code aside) that the browser broke into scraps: a piece of a word on a line
# narrower than three letters (a word hyphenated at its syllables keeps pieces of three letters or more).
BROKEN_WORDS_JS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('[data-testid=stMain] [data-testid=stMarkdownContainer] td, '
                                               + '[data-testid=stMain] [data-testid=stMarkdownContainer] th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('code')) continue;
      for (const match of node.textContent.matchAll(/[A-Za-z]{4,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
        const pieces = [...range.getClientRects()];
        if (pieces.length > 1 && pieces.some((piece) => piece.width < 1.5 * size)) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_a_phone_reads_the_models_tables_in_whole_words(app_url: str, laptop: Page):
    """The Model page's tables on a phone break long words at their syllables, never into scraps of letters, and
    fit the screen."""
    layout_page = laptop
    layout_page.set_viewport_size({"width": WIDTHS[1], "height": HEIGHT})
    layout_page.goto(f"{app_url}/?{SMALL}&page=model")
    layout_page.get_by_role("heading", name="Mechanisms, formulas and defaults").wait_for(timeout=WAIT_MS)
    settle(layout_page)
    assert layout_page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer] td").count() > 100
    assert layout_page.evaluate(BROKEN_WORDS_JS) == []
    assert overflows(layout_page, WIDTHS[1]) == []


# The model's diagram (MODEL.md's Mermaid flowchart, drawn by Streamlit as an image): its drawn width against the
# width it was drawn for. Laid out left to right it had to shrink to a third, its words about 5 px tall.
DIAGRAM_SCALE_JS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMarkdownContainer] img')]
    .filter(img => img.naturalWidth > 0)
    .map(img => img.getBoundingClientRect().width / img.naturalWidth)"""
DIAGRAM_SCALE = 0.75  # words at three quarters of their size or more: 16 px text reads at 12 px


@pytest.mark.parametrize("width", WIDTHS)
def test_the_model_diagram_is_drawn_large_enough_to_read(app_url: str, laptop: Page, width: int):
    layout_page = laptop
    layout_page.set_viewport_size({"width": width, "height": HEIGHT})
    layout_page.goto(f"{app_url}/?{SMALL}&page=model")
    layout_page.get_by_role("heading", name="The life of a request").wait_for(timeout=WAIT_MS)
    settle(layout_page)
    expect(layout_page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer] img")).to_have_count(
        1, timeout=WAIT_MS)
    layout_page.wait_for_function("() => document.querySelector('[data-testid=stMain] "
                                  "[data-testid=stMarkdownContainer] img').naturalWidth > 0", timeout=WAIT_MS)
    (scale,) = layout_page.evaluate(DIAGRAM_SCALE_JS)
    assert scale >= DIAGRAM_SCALE, f"the diagram is drawn at {scale:.0%} of its size at {width} px"


# The share box's link against the copy button that shows on hover: the rectangles of the link's text that the
# button's rectangle meets.
UNDER_COPY_BUTTON_JS = """() => {
  const code = document.querySelector('[data-testid=stSidebar] [data-testid=stCode]');
  const button = code.querySelector('button').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(code.querySelector('code'));
  const lines = [...range.getClientRects()];
  return {lines: lines.length, covered: lines.filter(r => r.left < button.right && r.right > button.left
                                                    && r.top < button.bottom && r.bottom > button.top).length};
}"""


def test_the_copy_button_leaves_the_share_link_readable(app_url: str, laptop: Page):
    """Pointing at the share box's link shows Streamlit's copy button in its top right corner; it sat on the end of
    the link's first line."""
    layout_page = laptop
    layout_page.goto(f"{app_url}/?{SMALL}&engineers=14")
    settle(layout_page)
    layout_page.get_by_text("Share this scenario").click()
    box = layout_page.locator("[data-testid=stSidebar] [data-testid=stCode]")
    expect(box).to_be_visible(timeout=WAIT_MS)
    for _ in range(10):  # the expander opens with an animation: point again until the pointer lands on the box
        box.hover()
        layout_page.wait_for_timeout(300)
        if box.locator("button").is_visible():
            break
    expect(box.locator("button")).to_be_visible()
    found = layout_page.evaluate(UNDER_COPY_BUTTON_JS)
    assert found["lines"] >= 3 and found["covered"] == 0, found
