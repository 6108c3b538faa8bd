"""Shared fixtures: small scenarios so the suite stays fast on two cores."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import settings
from streamlit.components.v2 import manifest_scanner

from sim.scenario import Scenario, from_dict, load_scenario

ROOT = Path(__file__).resolve().parents[1]

# Two tiers. `make test` runs every test not marked deep, with HYPOTHESIS_EXAMPLES["fast"] examples per property;
# `make test-deep` runs the deep tier and the properties again with HYPOTHESIS_EXAMPLES["deep"]
# (`--hypothesis-profile=deep`). CI runs both.
HYPOTHESIS_EXAMPLES = {"fast": 25, "deep": 200}
for _profile, _examples in HYPOTHESIS_EXAMPLES.items():
    settings.register_profile(_profile, max_examples=_examples)
settings.load_profile("fast")  # the command line's --hypothesis-profile, when given, is loaded after this
DEEP_SAYS_SO = "Deep tier"


@pytest.hookimpl(trylast=True)  # after pytest-xdist has named each test's group
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test in the deep tier says so, in its docstring or its module's, so that a reader of the test knows that
    `make test` does not run it. Checked on every collection: a deep test that does not say so stops the run.

    And tests of one group (the browser's, a module's shared runs) go to one worker only if pytest-xdist could
    add the group to their ids; pytest 9.2 made that silently impossible, so each worker started its own browser."""
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if getattr(config.option, "loadgroup", False) and grouped and "@" not in grouped[0].nodeid:
        raise pytest.UsageError(f"pytest-xdist could not group {grouped[0].nodeid} with its xdist_group: this "
                                "pytest and pytest-xdist do not work together (see requirements-dev.txt)")
    silent = [item.nodeid for item in items if item.get_closest_marker("deep") and not any(
        DEEP_SAYS_SO in (doc or "") for doc in (getattr(item, "function", None).__doc__,  # type: ignore[union-attr]
                                               getattr(item.module, "__doc__", None)))]
    if silent:
        raise pytest.UsageError("marked deep without saying so in a docstring (write 'Deep tier: why'): "
                                + ", ".join(silent))


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
