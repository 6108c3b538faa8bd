"""The preset scenarios in scenarios/: the choices the app offers and a share link names."""

from __future__ import annotations

from pathlib import Path

from sim.scenario import Scenario, ScenarioError, load_scenario

SCENARIOS_FOLDER = Path(__file__).resolve().parents[1] / "scenarios"
DEFAULT_PRESET = "default"


def read_presets(folder: str | Path = SCENARIOS_FOLDER) -> tuple[dict[str, Scenario], list[str]]:
    """Every valid scenario file by file stem, the default first (it is what the app opens with), and the problems
    of the files that are not valid, so one broken file does not take the others down."""
    presets: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in sorted(Path(folder).glob("*.toml"), key=lambda p: (p.stem != DEFAULT_PRESET, p.stem)):
        try:
            presets[path.stem] = load_scenario(path)
        except ScenarioError as exc:
            problems.extend(f"{path.name}: {p}" for p in exc.problems)
    return presets, problems


def load_presets(folder: str | Path = SCENARIOS_FOLDER) -> dict[str, Scenario]:
    """The presets, refusing a folder with any broken file: for tests and tools that must see every file."""
    presets, problems = read_presets(folder)
    if problems:
        raise ScenarioError(problems)
    return presets
