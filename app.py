"""Orgsim's app: `streamlit run app.py`. Pages live in pages/, the parts they share in ui/."""

from __future__ import annotations

import streamlit as st

# Imported here so the process pool's forkserver, which imports this file as __mp_main__, has the model loaded
# before it forks workers: they start without importing numpy, pandas and SimPy again.
import sim.experiment  # noqa: F401

# Pages are scripts that Streamlit runs; nothing imports them, so a pool worker (which imports only this file)
# never runs one. They may draw at top level; this file may not.
# URL paths differ from the file names on purpose: a `pages/` folder also makes Streamlit look for pages by file
# name, and a page found that way runs without this script, so without the sidebar.
PAGES = [
    ("pages/compare.py", "Compare org designs", "compare-designs"),
    ("pages/growth.py", "Growth what-if", "growth-what-if"),
    ("pages/model.py", "Model and assumptions", "model-and-assumptions"),
]


def main() -> None:
    from ui.sidebar import render_sidebar  # here, not above: the forkserver needs none of the app's caches

    st.set_page_config(page_title="Orgsim", layout="wide")
    navigation = st.navigation(
        [st.Page(path, title=title, url_path=url, default=i == 0) for i, (path, title, url) in enumerate(PAGES)]
    )
    render_sidebar()
    navigation.run()


# Only when Streamlit runs this file: pool workers import it as __mp_main__ and must not start the app.
if __name__ == "__main__":
    main()
