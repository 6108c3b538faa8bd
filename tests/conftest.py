"""Shared fixtures: small scenarios so the suite stays fast on two cores."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner

from sim.scenario import Scenario, from_dict, load_scenario

ROOT = Path(__file__).resolve().parents[1]

# Every AppTest scans all installed packages for Streamlit components (about 0.2 s each, over a hundred AppTests);
# the packages do not change during a test run, so one scan per process serves them all.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "default.toml")


def small(scenario: Scenario, weeks: int = 12, replications: int = 3, **changes) -> Scenario:
    """The scenario on a short horizon, validated again so tests cannot build an invalid one."""
    data = scenario.to_dict()
    data.update(weeks=weeks, warmup_weeks=2, replications=replications, **changes)
    return from_dict(data)


# Fixtures for tests in a real browser (a module of fixtures, not of tests).
pytest_plugins = ["tests.browser"]


@pytest.fixture
def offered_reports(monkeypatch) -> list[dict]:
    """Every report a page offers to download, made at once as a press of its button would make it."""
    import streamlit

    offered: list[dict] = []
    real = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        if kwargs.get("mime") == "text/html":
            offered.append({"label": label, "page": data(), **kwargs})
            return False
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return offered
