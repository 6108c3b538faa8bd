"""Orgsim's app: `streamlit run app.py`. Pages live in pages/, the parts they share in ui/."""

from __future__ import annotations

# Process-pool workers (forkserver, like spawn) import this file as __mp_main__ to find what they unpickle. So it
# imports nothing at top level, which keeps a worker's start cheap, and it does its work only under the guard at
# the bottom, so a worker never starts the app. Pages are scripts that Streamlit runs and nothing imports, so a
# worker never runs one; they may draw at top level.

# URL paths differ from the file names on purpose: a `pages/` folder also makes Streamlit look for pages by file
# name, and a page found that way runs without this script, so without the sidebar.
PAGES = [
    ("pages/compare.py", "Compare org designs", "compare-designs"),
    ("pages/growth.py", "Growth what-if", "growth-what-if"),
    ("pages/next_hire.py", "Next hire", "next-hire"),
    ("pages/calibrate.py", "Calibrate", "calibrate"),
    ("pages/model.py", "Model and assumptions", "model-and-assumptions"),
]


# The first page after the server starts imports the model, its statistics and the charts, then runs the first
# comparison: up to half a minute on a busy machine, with nothing on screen but Streamlit's own running sign.
STARTING = ("Starting Orgsim: the first page after the server starts loads the model and runs the first comparison, "
            "which can take up to half a minute. Later pages and changes are much quicker.")


def main() -> None:
    import sys
    from pathlib import Path

    import streamlit as st

    starting = None
    if "ui.runner" not in sys.modules:  # a cold start of this server: say what is happening before it happens
        starting = st.empty()
        starting.info(STARTING, icon=":material/hourglass_top:")

    from ui.share import AppPage, share_box, show_notices, sync_link
    from ui.sidebar import render_sidebar
    from ui.style import inject

    st.set_page_config(page_title="Orgsim", layout="wide")
    inject()
    pages = [AppPage(Path(path).stem, st.Page(path, title=title, url_path=url, default=i == 0))
             for i, (path, title, url) in enumerate(PAGES)]
    navigation = st.navigation([p.page for p in pages])
    current = next(p for p in pages if p.page.title == navigation.title)
    # The link is read before the sidebar exists: its values must be in the state when the widgets are made.
    params = sync_link(pages, current)
    share_box(params, pages)  # at the top of the sidebar, where it is seen without scrolling
    render_sidebar()
    show_notices()
    try:
        navigation.run()
    finally:  # gone once the first page is drawn
        if starting is not None:
            starting.empty()


if __name__ == "__main__":
    main()
