"""The app's shared parts: scenario state, the sidebar, cached runs, charts and tables.

The modules that draw or keep state import streamlit: `state`, `sidebar` (with its parts: `inputs` bound to
scenario paths, `input_problems` placed under them, `input_overrides` read from them on Run, the preset picker
`sidebar_presets`, and the form's sections `sidebar_firm`, `sidebar_work` and `sidebar_assumptions`), `runner`,
`share`, `sureness`, `why`, `report`, `style` and `exports` (the Calibrate page's cached reads of an export). The
rest (`overrides`, `tables`, `charts`, `labels`, `calibration`) are plain functions on scenarios and frames, so they
can be tested and reused (for example by share links) without a server; tests/test_layers.py holds both lists to
this.
"""
