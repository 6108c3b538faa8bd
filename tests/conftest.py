"""Shared fixtures: small scenarios so the suite stays fast on two cores."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Scenario, from_dict, load_scenario

ROOT = Path(__file__).resolve().parents[1]


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
