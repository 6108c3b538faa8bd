"""The next-hire advisor: it finds the move a firm obviously needs, spends replications only where the ranking is in
doubt, gives the same answer wherever it runs, and says so plainly when the budget buys nothing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.advisor import (
    BEST,
    HIRE_KEYS,
    TIED,
    WORSE,
    NothingAffordable,
    Objective,
    Procedure,
    advise,
    affordable_moves,
    clearly_behind,
    grown,
    shown_replications,
)
from sim.cli import main
from sim.kn import Selection
from sim.parallel import DASK_SCHEDULER_VARIABLE, ClusterError, dask_client, default_executor, local_pool
from sim.scenario import OrgDesign, ScenarioError, dumps, from_dict
from sim.wording import TODAY_NAME, move_name

QUICK = Procedure(first_stage=5, cap=20)


@pytest.fixture(scope="module")
def drowning():
    """Engineers who do all the client talk, are interrupted all day and build a lot wrong: an AM takes the talk
    onto its own hours (which hold it at this volume) and clarifies requirements, which a PM cannot and a hybrid (at
    0.3 strength, with planning on the same hours) does only in part."""
    return from_dict({
        "name": "Drowning in client talk", "seed": 7, "weeks": 26, "warmup_weeks": 4,
        "firm": {"engineers": 4},
        "demand": {"clients": 12, "requests_per_client_per_week": 0.9,
                   "work_types": {"general": {"effort_hours": 8, "deadline_days": 5}}},
        "behaviour": {"client_contact_hours": 1.5, "interruption_hours": 1.5, "clarity_without_am": 0.4,
                      "clarity_with_am": 0.95, "rework_effort_share": 1.0, "account_growth_per_hour": 0.0,
                      "hybrid_strength": 0.3,
                      "context_switch_loss": [0.0]},
        "process": {"standardised_work": True},
    })


@pytest.fixture(scope="module")
def chaotic():
    """Four skills, a few huge clients each tied to one engineer, engineers who never help each other: requests
    queue behind the big clients' engineers while others sit idle, until a PM pools the work (pooling beats separate
    queues, as queueing theory says)."""
    skills = ("web", "data", "cloud", "mobile")
    return from_dict({
        "name": "Idle engineers, chaotic assignment", "seed": 11, "weeks": 26, "warmup_weeks": 4,
        "firm": {"engineers": 12, "skills": dict.fromkeys(skills, 3)},
        "demand": {"clients": 20, "requests_per_client_per_week": 0.8, "client_size_cv": 1.5,
                   "work_types": {k: {"share": 0.25, "effort_hours": 10, "deadline_days": 5, "skill": k}
                                  for k in skills}},
        "behaviour": {"peer_help": False, "account_growth_per_hour": 0.0},
        "process": {"standardised_work": True},
    })


def only(hires: pd.Series, **expected) -> bool:
    """The move adds exactly these hires and nothing else."""
    zero = {k: (False if k in ("standardised_work", "checkins") else 0) for k in HIRE_KEYS}
    return all(hires[k] == v for k, v in {**zero, **expected}.items())


@pytest.mark.deep
def test_account_manager_wins_for_a_firm_drowning_in_client_talk(drowning):
    """Deep tier: about 2 s, as it runs the command in a process of its own."""
    advice = advise(drowning, 150_000, "profit", procedure=QUICK)
    top = advice.options.iloc[0]
    assert only(top, account_managers=1), advice.options
    assert advice.confident
    assert top["vs_today_mean"] - top["vs_today_ci95"] > 0
    assert advice.recommendation.startswith("+1 account manager first: +$")
    assert {"+1 project manager", "+1 hybrid PM/AM", "+1 engineer"} <= set(advice.options["name"])


def test_project_manager_wins_with_idle_engineers_and_chaotic_assignment(chaotic):
    # $110k buys a PM, an AM or some sales time, not a hybrid ($115k) nor an engineer ($132k)
    advice = advise(chaotic, 110_000, "lead_time", procedure=QUICK)
    top = advice.options.iloc[0]
    assert only(top, project_managers=1), advice.options
    assert advice.confident
    assert top["vs_today_mean"] + top["vs_today_ci95"] < 0  # shorter lead time, surely
    assert "days of mean lead time" in advice.recommendation


@pytest.mark.deep
def test_clearly_worse_candidates_are_dropped_early_and_shown_on_their_own_replications(drowning):
    """Deep tier: about 2 s, as it runs the advisor's rankings."""
    advice = advise(drowning, 150_000, "profit", procedure=QUICK)
    options = advice.options.set_index("name")
    assert options.loc["+1 salesperson", "dropped_after"] == QUICK.first_stage  # $110k, grows nothing (no growth)
    assert options.loc["+1 salesperson", "status"] == WORSE
    assert options.loc["+1 salesperson", "replications"] == QUICK.first_stage  # not run on: clearly behind
    common = int(options["replications"].iloc[0])
    fewer = options[options["replications"] < common]
    assert len(fewer) > 0 and (fewer["replications"] == fewer["dropped_after"]).all()
    assert (fewer["status"] == WORSE).all()
    assert (fewer["vs_best_mean"] + fewer["vs_best_ci95"] < 0).all()  # profit: clearly behind the best
    # nothing ran but what is shown: KN's replications, and none after it for an option shown on fewer
    assert advice.replications == len(advice.scores) == options["replications"].sum()
    assert advice.decided_after <= advice.replications < len(options) * common
    per_option = advice.scores.groupby("option", sort=False)["replication"].agg(list)
    assert all(reps == list(range(options.loc[name, "replications"])) for name, reps in per_option.items())


@pytest.mark.deep
def test_ranks_means_and_status_words_come_from_the_replications_shown(drowning):
    """Deep tier: about 2 s, as it runs the advisor's rankings. An option on the best's replications shows plain
    means and paired differences; one on fewer, the best's figures plus its paired gap to the best."""
    advice = advise(drowning, 150_000, "profit", procedure=QUICK)
    scores = advice.scores.pivot(index="replication", columns="option", values="objective")
    options = advice.options
    assert list(options["objective_mean"]) == sorted(options["objective_mean"], reverse=True)
    best = options.iloc[0]
    assert best["status"] == BEST and best["vs_best_mean"] == 0 and best["vs_best_ci95"] == 0
    top, today = scores[best["name"]], scores[TODAY_NAME]

    def half(values: pd.Series) -> float:
        return values.std(ddof=1) * stats.t.ppf(0.975, len(values) - 1) / np.sqrt(len(values))

    for row in options.iloc[1:].itertuples():
        mine = scores[row.name].dropna()
        gap = mine - top[: len(mine)]
        assert row.vs_best_mean == pytest.approx(gap.mean())
        assert row.vs_best_ci95 == pytest.approx(half(gap))
        if row.replications == len(top):
            assert row.objective_mean == pytest.approx(mine.mean())
            assert row.vs_today_mean == pytest.approx((mine - today).mean())
            assert row.status == (TIED if abs(gap.mean()) <= half(gap) else WORSE)
        else:
            assert row.objective_mean == pytest.approx(top.mean() + gap.mean())
            assert row.objective_ci95 == pytest.approx(half(top) + half(gap))
            assert row.vs_today_mean == pytest.approx((top - today).mean() + gap.mean())
            assert row.vs_today_ci95 == pytest.approx(half(top - today) + half(gap))
            assert row.status == WORSE
    assert advice.confident == (TIED not in set(options["status"]))


def test_a_dropped_option_not_clearly_behind_the_best_runs_on_until_every_shorter_one_is():
    """Constructed numbers, no simulation. Option 2, dropped at 3, is not clearly behind the best (1) there, so it
    runs on to 5 and becomes the best; option 3, clearly behind 1 but not behind 2, then runs on too; option 4 stays
    on its 3; today (0), which runs every stage, shows all 5 even where KN dropped it."""
    values = {0: [0, 0, 0, 0, 0], 1: [10, 10, 10, 10, 10], 2: [5, 12, 3, 40, 40], 3: [5, 6, 4, 7, 7],
              4: [-50, -51, -49, 0, 0]}
    calls: list[tuple[list[int], int]] = []
    chosen = Selection(contenders=[1], dropped_at={0: 3, 2: 3, 3: 3, 4: 3}, replications=5)
    own = shown_replications(chosen, lambda i, n: np.array(values[i][:n], dtype=float),
                             lambda which, start: calls.append((which, start)), [0.0] * 5)
    assert own == {0: 5, 1: 5, 2: 5, 3: 5, 4: 3}
    assert calls == [([2], 3), ([3], 3)]
    assert clearly_behind(np.array([-50.0, -51, -49]), np.array([5.0, 12, 3]))
    assert not clearly_behind(np.array([5.0, 6, 4]), np.array([5.0, 12, 3]))


@pytest.mark.deep
def test_same_seed_same_ranking_serial_pool_and_dask(chaotic, monkeypatch):
    """Deep tier: about 4 s, as it runs the advisor's rankings."""
    from distributed import LocalCluster

    scenario = chaotic.replace(weeks=8)
    serial = advise(scenario, 110_000, "profit", procedure=QUICK)
    pooled = advise(scenario, 110_000, "profit", procedure=QUICK, executor=local_pool(2))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv(DASK_SCHEDULER_VARIABLE, cluster.scheduler_address)
        try:
            on_dask = advise(scenario, 110_000, "profit", procedure=QUICK, executor=default_executor())
        finally:
            dask_client(cluster.scheduler_address).close()
            dask_client.cache_clear()
    for other in (pooled, on_dask):
        pd.testing.assert_frame_equal(serial.options, other.options)
        pd.testing.assert_frame_equal(serial.scores, other.scores)
        assert other.recommendation == serial.recommendation


def test_a_budget_that_affords_nothing_says_so(drowning):
    with pytest.raises(NothingAffordable) as caught:
        advise(drowning, 50_000, "profit")
    assert str(caught.value) == (
        "A yearly budget of $50,000 affords no move: the cheapest hire is a salesperson at 0.5 time at $55,000 a "
        "year, and the free process changes are already in place or need an account manager and a project manager"
    )


def test_moves_stay_within_budget_and_check_ins_need_an_account_manager_and_a_planner(drowning):
    moves = affordable_moves(drowning, 400_000)
    assert all(0 < m.cost <= 400_000 for m in moves)
    assert len({m.name for m in moves}) == len(moves)
    with_checkins = [m.hires for m in moves if m.hires["checkins"]]
    assert with_checkins
    assert all(h["account_managers"] and h["project_managers"] + h["hybrids"] for h in with_checkins)
    assert not any(m.hires["standardised_work"] for m in moves)  # already in place in this firm
    # a firm that has a PM today gets check-ins offered with a single AM hire
    names = {m.name for m in affordable_moves(drowning, 100_000, OrgDesign(project_managers=1))}
    assert "+1 account manager with AM-PM check-ins" in names
    assert "+1 account manager with AM-PM check-ins" not in {m.name for m in affordable_moves(drowning, 100_000)}


def test_objective_mix_and_growth():
    assert Objective.parse("profit:3,on_time:1").weights == (("profit", 0.75), ("on_time", 0.25))
    with pytest.raises(ScenarioError, match="objective speed: unknown; choose from profit, lead_time, on_time"):
        Objective.parse("speed")
    scenario = from_dict({"demand": {"requests_per_client_per_week": 0.5}})
    assert grown(scenario, 0.3).demand.requests_per_client_per_week == pytest.approx(0.65)
    with pytest.raises(ScenarioError, match="growth = 9: must be a number from -0.9 to 5"):
        advise(scenario, 100_000, "profit", growth=9)


@pytest.mark.deep
def test_cli_json_has_the_documented_shape(chaotic, tmp_path, capsys):
    """Deep tier: about 1 s, as it runs the command in a process of its own."""
    path = tmp_path / "chaotic.toml"
    path.write_text(dumps(chaotic.replace(weeks=8)))
    code = main(["advise", str(path), "--budget", "110000", "--objective", "lead_time", "--growth", "0.2",
                 "--format", "json", "--serial"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out) == {"objective", "confident", "recommendation", "options", "grown"}
    assert out["objective"] == "lead_time" and isinstance(out["confident"], bool)
    first = out["options"][0]
    assert set(first) == {"name", "hires", "cost", "objective", "vs_today", "vs_best", "status", "replications",
                          "backlog_growth_per_week", "keeping_up"}
    assert set(first["hires"]) == set(HIRE_KEYS)
    assert set(first["objective"]) == set(first["vs_today"]) == set(first["vs_best"]) == {"mean", "ci95"}
    assert first["status"] == "best" and {o["status"] for o in out["options"][1:]} <= {"tied", "worse"}
    assert out["grown"]["growth"] == 0.2 and len(out["grown"]["options"]) == len(out["options"])
    assert {o["replications"] for o in out["options"]} <= set(range(2, first["replications"] + 1))  # the best has most


def test_cli_errors_are_one_line_and_exit_2(drowning, tmp_path, capsys):
    path = tmp_path / "drowning.toml"
    path.write_text(dumps(drowning))
    assert main(["advise", str(path), "--budget", "1000", "--serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: A yearly budget of $1,000 affords no move") and err.count("\n") == 1


@pytest.mark.deep
def test_an_unreachable_cluster_is_a_plain_error(monkeypatch):
    """Deep tier: about 10 s, as it runs the advisor's rankings."""
    import sim.parallel

    monkeypatch.setattr(sim.parallel, "CONNECT_TIMEOUT_SECONDS", 1)
    monkeypatch.setenv(DASK_SCHEDULER_VARIABLE, "tcp://127.0.0.1:1")
    with pytest.raises(ClusterError, match=r"SIM_DASK_SCHEDULER = 'tcp://127.0.0.1:1': no Dask scheduler answers"):
        default_executor()


def test_hires_are_worded_in_one_place_for_moves_designs_and_the_budget_message(drowning, monkeypatch):
    import sim.wording
    from ui.labels import describe_design

    hires = {"hybrids": 1, "sales_share": 0.5, "standardised_work": True, "checkins": True}
    assert move_name(hires) == "+1 hybrid PM/AM and +0.5 salesperson with standardised work and AM-PM check-ins"
    assert move_name({"extra_engineers": 2}) == "+2 engineers" and move_name({}) == TODAY_NAME
    assert describe_design(OrgDesign(hybrids=1, extra_engineers=2)) == "a hybrid PM/AM and 2 extra engineers"
    # one home: a role renamed there is renamed in the advisor's moves, the app's descriptions and the messages
    monkeypatch.setitem(sim.wording.HIRE_WORDS, "hybrids", ("coordinator", "coordinators"))
    monkeypatch.setitem(sim.wording.HIRE_WORDS, "account_managers", ("client lead", "client leads"))
    names = {m.name for m in affordable_moves(drowning, 120_000)}
    assert {"+1 coordinator", "+1 client lead"} <= names and not any("hybrid" in n for n in names)
    assert describe_design(OrgDesign(hybrids=2)) == "2 coordinators"
    with pytest.raises(NothingAffordable, match="the cheapest hire is a salesperson"):
        advise(drowning, 1_000, "profit")
    monkeypatch.setattr(sim.wording, "SALESPERSON", "seller")
    assert move_name({"sales_share": 1.0}) == "+1 seller"


def test_a_small_stage_starts_the_next_ahead_and_the_next_stage_takes_only_what_it_asks_for(monkeypatch, drowning):
    """No simulation: a stand-in for a replication. What was started ahead and asked for is not started again; what
    was not asked for is neither kept nor counted; the numbers are what a stage run afresh would give."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sim import advisor

    started: list[tuple[str, int]] = []
    lock = threading.Lock()

    def stand_in(scenario, design, replication):
        with lock:
            started.append((design, replication))
        return dict.fromkeys((*(m for m, *_ in advisor.OBJECTIVES.values()), *advisor.TREND_METRICS),
                             float(replication))

    monkeypatch.setattr(advisor, "objective_metrics", stand_in)
    s = drowning.replace(designs={"today": OrgDesign(), "a": OrgDesign(account_managers=1)})
    counted: list[int] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = advisor._Runs(s, pool, lambda done, total: counted.append(done), total=10)
        runs.run([("today", 0), ("a", 0)], then=[("today", 1), ("a", 1)])
        assert set(runs.values) == {("today", 0), ("a", 0)}
        runs.run([("today", 1)], then=[("today", 2)])  # "a" dropped: its replication 1 is not asked for
        runs.settle()
    assert set(runs.values) == {("today", 0), ("a", 0), ("today", 1)}
    assert runs.values["today", 1]["profit"] == 1.0
    assert sorted(started).count(("today", 1)) == 1  # started ahead once, then taken, not started again
    assert counted == [1, 2, 3]  # only what was asked for
    assert runs.ahead == {}
