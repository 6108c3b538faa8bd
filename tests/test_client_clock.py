"""A client's clock looks ahead past the candidates its share turns down (`sim.clients.ClientClock`). Held here
against the plain way of thinning, one event per candidate, written out in the test: both must send the same
requests at the same times, and lose the same clients, in firms where shares rise (account growth, good service),
fall (late work) and clients leave (churn), and where demand grows."""

from __future__ import annotations

import dataclasses
import math

import pytest

import sim.model
from sim.clients import Client, ClientBook, Intake
from sim.demand import Candidates, one_gamma_with_cv
from sim.model import simulate
from sim.presets import load_presets
from tests.conftest import small


def one_event_per_candidate(env, book: ClientBook, intake: Intake, client: Client):
    """Thinning as Lewis & Shedler write it: wake at every candidate, settle the client, accept with probability
    (rate now) / (highest rate)."""
    streams = client.streams
    block: Candidates | None = None
    i = 0

    def next_gap() -> float:
        nonlocal block, i
        if block is None or i == len(block.gaps) - 1:
            block, i = book.draws.block(streams["requests"], streams.get("waits")), 0
        else:
            i += 1
        return block.gaps[i] / (client.wallet * book.peak)

    referral_rng = streams["referrals"]
    horizon = (book.scenario.warmup_weeks + book.scenario.weeks) * book.scenario.firm.hours_per_week
    next_request = env.now + next_gap() if client.wallet > 0 else math.inf
    rate = book.referral_rate
    next_referral = env.now + referral_rng.exponential(1.0 / rate) if rate > 0 else math.inf
    while True:
        at = min(next_request, next_referral)
        if at > horizon:
            return
        yield env.timeout(at - env.now)
        if not book.settle(client, env.now):
            return
        if at == next_request:
            assert block is not None
            if book.accepts(client, block.accept[i], env.now):
                intake.send(client, block.kind[i], block.effort[i], block.clarity[i], block.review[i],
                            block.wait[i])
            next_request = env.now + next_gap()
        else:
            refers, wins = referral_rng.uniform(size=2)
            size = one_gamma_with_cv(referral_rng, 1.0, book.scenario.demand.client_size_cv)
            key = (*client.key, client.referrals)
            client.referrals += 1
            if refers < client.satisfaction and wins < book.scenario.demand.win_rate:
                intake.win(key, size)
            next_referral = env.now + referral_rng.exponential(1.0 / rate)


def plain_thinning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim.model, "ClientClock",
                        lambda env, book, intake, client: env.process(
                            one_event_per_candidate(env, book, intake, client)))


def record(run: sim.model.Run) -> tuple[list, list]:
    requests = [(r.client, r.kind, r.arrival, r.effort, r.done, r.state) for r in run.requests]
    clients = [(c.key, c.joined, c.left, c.share) for c in run.clients]
    return requests, clients


def same(a: list, b: list) -> bool:
    """Equal, times and shares to rounding in the last digits."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        for p, q in zip(x, y, strict=True):
            if isinstance(p, float):
                if not (p == q or (math.isnan(p) and math.isnan(q)) or abs(p - q) <= 1e-9 * max(1.0, abs(p))):
                    return False
            elif p != q:
                return False
    return True


FIRMS = {
    "default": 0.0,
    "account_growth": 0.0,  # AMs raise shares with account time, many times a week
    "overloaded": 0.0,  # late work lowers shares and clients leave
    "small_firm": 0.4,  # thinning against a rate that grows 40 % a year
}


@pytest.mark.parametrize("preset", FIRMS)
def test_the_look_ahead_sends_what_one_event_per_candidate_sends(preset, monkeypatch):
    scenario = small(load_presets()[preset], weeks=30, replications=2)
    scenario = dataclasses.replace(scenario, demand=dataclasses.replace(scenario.demand,
                                                                         growth_per_year=FIRMS[preset]))
    looked_ahead = {d: record(simulate(scenario, d, 0)) for d in scenario.designs}
    plain_thinning(monkeypatch)
    for design, (requests, clients) in looked_ahead.items():
        plain_requests, plain_clients = record(simulate(scenario, design, 0))
        assert len(requests) > 50
        assert same(requests, plain_requests), design
        assert same(clients, plain_clients), design
