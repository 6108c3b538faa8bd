"""The app's page style, so every page fits the screen it is read on: a laptop beside the sidebar, a phone at 420 px.

Streamlit's data grids draw on a canvas at each column's full text width and scroll sideways inside their frame, so
a table of many "mean ± interval" columns is cut off on a laptop. Tables a person must read whole go through
`responsive_table`: an HTML table whose cells wrap, and on a narrow screen one card per row instead. The CSS below
switches between the two by the window's width and keeps charts, Markdown tables and code inside their column.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.labels import plain

NARROW_PX = 640  # at most this wide, tables show as cards: a phone, or a small window with the sidebar closed
WIDE, NARROW = "orgsim-wide-", "orgsim-narrow-"  # prefixes of the containers' keys (Streamlit's st-key-* classes)
SCROLL_ROWS = 15  # a longer table scrolls inside a frame of about this many rows, so the page stays short
ROW_PX = 36

CSS = f"""
<style>
@media (max-width: {NARROW_PX}px) {{ [class*="st-key-{WIDE}"] {{ display: none; }} }}
@media (min-width: {NARROW_PX + 1}px) {{ [class*="st-key-{NARROW}"] {{ display: none; }} }}
[class*="st-key-{WIDE}"] table {{ width: 100%; }}
/* cells wrap between words, never inside one: "$1.24M" must not read "$1.2" over "4M" */
[class*="st-key-{WIDE}"] th, [class*="st-key-{WIDE}"] td {{ overflow-wrap: normal; word-break: keep-all; }}
[class*="st-key-{WIDE}"] [data-testid="stTable"] {{ overflow-x: auto; }}
[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas {{
  max-width: 100%; height: auto;
}}
[data-testid="stMarkdownContainer"] table {{ table-layout: auto; max-width: 100%; }}
[data-testid="stMarkdownContainer"] th, [data-testid="stMarkdownContainer"] td {{ overflow-wrap: anywhere; }}
/* on a phone a document's table breaks long words at their syllables, and one still too wide for the screen (six
   columns and more) scrolls sideways in its own box: breaking anywhere to fit, "Context switching" read
   "Co nte xt swi tch ing" down a column of letters */
@media (max-width: {NARROW_PX}px) {{
  [data-testid="stMarkdownContainer"] table {{ display: block; overflow-x: auto; }}
  [data-testid="stMarkdownContainer"] th, [data-testid="stMarkdownContainer"] td {{
    overflow-wrap: normal; hyphens: auto; }}
}}
/* break-spaces, not pre-wrap: a run of spaces at a wrap would hang past the edge */
[data-testid="stMarkdownContainer"] code, [data-testid="stCode"] code, pre code span {{
  white-space: break-spaces !important; overflow-wrap: anywhere; word-break: break-all;
}}
/* room on the right for the copy button that shows on hover: without it the button sat on the link's first line */
[data-testid="stCode"] pre {{ padding-right: 2.75rem !important; }}
[data-testid="stDownloadButton"] p {{ white-space: normal; }}
/* a picker's chips wrap onto more lines: Streamlit caps the box at one line (40 px), so a phone showed 2 of 5 */
[data-testid="stMultiSelectTagsContainer"] {{ flex-wrap: wrap !important; overflow: visible !important;
  height: auto !important; }}
.stMultiSelect [role="group"]:has([data-testid="stMultiSelectTagsContainer"]) {{ max-height: none !important;
  height: auto !important; }}
</style>
"""


def inject() -> None:
    """The page style; app.py calls it on every run, before any page draws (a run re-sends all its elements)."""
    st.html(CSS)


def responsive_table(frame: pd.DataFrame, key: str) -> None:
    """`frame` whole on any screen: a wrapping table on wide screens, one card per row on narrow ones. `key` names
    the table on its page (two tables on one page need two keys)."""
    with st.container(key=f"{WIDE}{key}"):
        st.table(frame, height=SCROLL_ROWS * ROW_PX if len(frame) > SCROLL_ROWS else "content")
    with st.container(key=f"{NARROW}{key}"):
        for label, row in frame.iterrows():
            title = f"{frame.index.name}: {label}" if frame.index.name and not isinstance(label, str) else label
            lines = [f"**{plain(title)}**"] + [f"{plain(column)}: **{plain(value)}**" for column, value in row.items()]
            with st.container(border=True):
                st.markdown("  \n".join(lines))
