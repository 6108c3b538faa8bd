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


def write_ranges(path: str | Path) -> None:
    """Write a preset's [uncertainty] table out in full: the ranges it sets, plus the model's default range of every
    uncertain input it does not name (so a preset says which ranges it is analysed over, and a new graded
    parameter joins them on the next write). The table is the file's last section, as `dumps` writes it."""
    from sim.scenario import default_ranges, dumps

    path = Path(path)
    scenario = load_scenario(path)
    ranges = {**default_ranges(scenario), **(scenario.uncertainty or {})}
    text = path.read_text(encoding="utf-8")
    head = text.split("\n[uncertainty]\n", 1)[0].rstrip("\n") + "\n"
    table = dumps(scenario.replace(uncertainty=ranges)).split("\n[uncertainty]\n", 1)[1]
    note = "# Plausible ranges (MODEL.md, Default ranges); `python -m sim.presets` adds new ones\n"
    path.write_text(f"{head}\n[uncertainty]\n{note}{table}", encoding="utf-8")
    if load_scenario(path) != scenario.replace(uncertainty=ranges):  # a programming error, not user input
        raise AssertionError(f"{path}: the written table does not read back")


if __name__ == "__main__":  # python -m sim.presets: write every preset's ranges out
    for preset in sorted(SCENARIOS_FOLDER.glob("*.toml")):
        write_ranges(preset)
