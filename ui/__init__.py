"""The app's shared parts: scenario state, the sidebar, cached runs, charts and tables.

Only the modules named after Streamlit things (`state`, `sidebar`, `runner`) import streamlit; the rest are plain
functions on scenarios and frames, so they can be tested and reused (for example by share links) without a server.
"""
