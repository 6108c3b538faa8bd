"""A run cannot depend on an input it never reads (sim.reads), and the robustness screen, which takes the runs at
the scenario's values for the tornado ends whose input a design never read, gives the numbers it gave when it
simulated every end: checked here by simulating those ends afresh and by running the screen without the shortcut."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import sim.robust
from sim.experiment import run_replication
from sim.reads import reading
from sim.robust import Settings, robustness, unread, with_values
from sim.scenario import Scenario, from_dict, load_scenario, uncertain_ranges

SALES_SALARY = "economics.salary.sales"
LEVER_COST = "behaviour.standardised_overhead_hours"
PM_HOURS = "behaviour.pm_hours_fixed"
ROOT = Path(__file__).resolve().parents[1]


def firm() -> Scenario:
    """The default firm, short, with a design that has a salesperson and standardised work, and one with neither."""
    data = load_scenario(ROOT / "scenarios" / "default.toml").to_dict()
    data.update(weeks=6, warmup_weeks=2, replications=2)
    data["designs"] = {"none": {}, "pm": {"project_managers": 1},
                       "am_sales_standard": {"account_managers": 1, "sales_share": 0.5, "standardised_work": True}}
    return from_dict(data)


def watched_reads(s: Scenario, design: str, replications: int = 1) -> set[str]:
    watched, read = reading(s)
    for replication in range(replications):
        run_replication(watched, design, replication)
    return read


@pytest.fixture(scope="module")
def reads() -> dict[str, set[str]]:
    s = firm()
    return {design: watched_reads(s, design) for design in s.designs}


def test_a_watched_run_gives_the_same_figures_and_reads_what_its_design_uses(reads):
    s = firm()
    watched, _ = reading(s)
    assert run_replication(watched, "pm", 0)[0] == run_replication(s, "pm", 0)[0]
    assert PM_HOURS in reads["pm"] and PM_HOURS not in reads["none"]
    assert SALES_SALARY in reads["am_sales_standard"] and SALES_SALARY not in reads["pm"]
    assert LEVER_COST in reads["am_sales_standard"] and LEVER_COST not in reads["none"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        watched.behaviour.pm_hours_fixed = 1.0  # type: ignore[misc]


@pytest.mark.deep
def test_every_input_a_run_never_read_leaves_it_unchanged_at_both_ends_of_its_range(reads):
    """Deep tier: about 2 s, as it simulates long or many runs for a statistical or comparative check."""
    s = firm()
    checked = 0
    for design, read in reads.items():
        at_value = run_replication(s, design, 0)
        for path, ends in uncertain_ranges(s).items():
            if not unread(path, frozenset(read)):
                continue
            for end in ends:
                assert run_replication(with_values(s, {path: end}), design, 0) == at_value, (design, path, end)
                checked += 1
    assert checked >= 2 * 20  # the shortcut has something to skip: 10 or more inputs per design on average


def test_inputs_outside_the_watched_tables_are_never_taken_as_unread():
    assert not unread("firm.hours_per_week", frozenset())
    assert unread(PM_HOURS, frozenset({LEVER_COST}))
    assert not unread(PM_HOURS, frozenset({PM_HOURS}))


@pytest.mark.deep
def test_the_screen_with_the_shortcut_equals_the_screen_without_it_and_counts_only_the_runs_it_makes(monkeypatch):
    """Deep tier: about 3 s, as it simulates long or many runs for a statistical or comparative check."""
    few = {path: uncertain_ranges(firm())[path] for path in
           (PM_HOURS, LEVER_COST, SALES_SALARY, "behaviour.clarity_without_am", "behaviour.hybrid_strength")}
    data = firm().to_dict()
    data.update(weeks=4, uncertainty={path: list(ends) for path, ends in few.items()})
    s = from_dict(data)
    assert list(uncertain_ranges(s)) == list(few)
    settings = Settings(samples=2, replications=2, weeks=4, refine_replications=3)
    counts: list[tuple[int, int]] = []
    quick = robustness(s, settings=settings, progress=lambda done, total: counts.append((done, total)))
    monkeypatch.setattr(sim.robust, "unread", lambda path, read: False)
    every: list[tuple[int, int]] = []
    full = robustness(s, settings=settings, progress=lambda done, total: every.append((done, total)))
    assert quick.tornado.equals(full.tornado)
    assert quick.samples.equals(full.samples)
    assert quick.probability_best == full.probability_best
    skipped = [(path, d) for d in s.designs for path in uncertain_ranges(s)
               if unread(path, frozenset(watched_reads(s, d, settings.replications)))]
    assert counts[-1][0] == counts[-1][1] and every[-1][0] == every[-1][1]
    # without the shortcut each skipped end runs: the best all the screen's replications, another design the first,
    # and the rest too when it is that end's rival (with the shortcut the rival had them from the values)
    r = settings.replications
    least = 2 * sum(r if d == quick.best else 1 for _, d in skipped)
    rivals_could = 2 * len({path for path, d in skipped if d != quick.best})
    assert least > 0 and least <= every[-1][1] - counts[-1][1] <= least + rivals_could * (r - 1)
