"""The firm's clients: each one joins, sends requests, judges what it gets, refers others, and leaves.

A client buys a wallet of this kind of work a week from all its providers and gives the firm a share of it; its
request rate is its wallet times that share. What it experiences moves its satisfaction (a late delivery, a fix it
had to ask for, whether it was told of a moderate delay), satisfaction moves its share and sets how soon it leaves,
and account time spent on it grows its share. The same rule holds under every design: a role changes what a client
experiences, never how the client responds (MODEL.md, "Clients").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.demand import (
    WEEKS_PER_YEAR,
    Candidates,
    client_streams,
    draw_candidates,
    gamma_with_cv,
    peak_growth,
)
from sim.scenario import Scenario

if TYPE_CHECKING:
    import simpy


@dataclass(eq=False, slots=True)
class Client:
    """One client's state. `wallet` is in candidate requests per working hour at share 1, before growth."""

    index: int
    key: tuple[int, ...]
    size: float
    wallet: float
    share: float
    satisfaction: float
    joined: float
    departure_threshold: float  # an Exp(1) draw: the client leaves when its accumulated hazard reaches it
    streams: dict[str, np.random.Generator]
    hazard: float = 0.0
    hazard_since: float = 0.0
    leaving: float = 0.0  # hazard of leaving per working hour at today's satisfaction (ClientBook.leaving_rate)
    left: float = math.inf
    referrals: int = 0  # referral candidates so far, which number the referred prospects' keys
    candidates: Candidates | None = None
    next_candidate: int = 0


class Intake(Protocol):
    """What a client needs of the firm: to send a request and to bring in a client it referred."""

    def send(self, client: Client, kind: int, raw_effort: float, clarity: float, review: float,
             wait: float = 0.0) -> None: ...

    def win(self, key: tuple[int, ...], size: float) -> None: ...


@dataclass
class ClientBook:
    """Every client the firm has had, and the one rule by which clients respond to service."""

    scenario: Scenario
    replication: int
    on_leave: Callable[[Client], None]
    clients: list[Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        s, d, b = self.scenario, self.scenario.demand, self.scenario.behaviour
        hours_per_year = WEEKS_PER_YEAR * s.firm.hours_per_week
        self.hours_per_day = s.firm.hours_per_week / 5
        # Candidates per working hour of a client of size 1 at share 1: today's rate over today's share.
        self.wallet_per_size = d.requests_per_client_per_week / d.share_of_wallet / s.firm.hours_per_week
        self.peak = peak_growth(s)
        self.base_leaving = d.client_attrition_per_year / hours_per_year
        self.referral_rate = d.referrals_per_client_per_year / hours_per_year
        self.log_growth_per_hour = math.log1p(d.growth_per_year) / hours_per_year
        self.b = b

    # -- joining and leaving ---------------------------------------------------------------------------------

    def join(self, key: tuple[int, ...], size: float, now: float) -> Client:
        streams = client_streams(self.scenario.seed, self.replication, key)
        client = Client(
            index=len(self.clients), key=key, size=size, wallet=size * self.wallet_per_size,
            share=self.scenario.demand.share_of_wallet, satisfaction=self.b.neutral_satisfaction, joined=now,
            departure_threshold=float(streams["departure"].exponential()), streams=streams, hazard_since=now,
        )
        client.leaving = self.leaving_rate(client)
        self.clients.append(client)
        return client

    def leaving_rate(self, client: Client) -> float:
        """Hazard of leaving per working hour: the base rate at neutral satisfaction, proportional to
        e^(sensitivity x (neutral - satisfaction)) (a proportional hazard of satisfaction, after Bolton 1998)."""
        if not self.b.churn:
            return self.base_leaving
        return self.base_leaving * math.exp(
            self.b.churn_sensitivity * (self.b.neutral_satisfaction - client.satisfaction))

    def settle(self, client: Client, now: float) -> bool:
        """Bring the client's accumulated hazard up to `now` (its satisfaction was constant since the last
        update); if it reached the threshold, the client left at the exact moment it did. True while it stays."""
        if client.left <= now:
            return False
        rate = client.leaving
        gained = rate * (now - client.hazard_since)
        if client.hazard + gained >= client.departure_threshold:
            client.left = client.hazard_since + (client.departure_threshold - client.hazard) / rate
            client.hazard = client.departure_threshold
            self.on_leave(client)
            return False
        client.hazard += gained
        client.hazard_since = now
        return True

    # -- the client's judgement ------------------------------------------------------------------------------

    def judge(self, client: Client, asked_hours: float, late_by: float, informed: bool, saw_rework: bool,
              now: float) -> None:
        """A delivery moves satisfaction towards its outcome, a worse one `bad_experience_weight` times as much
        (Mittal, Ross & Baldasare 1998); satisfaction then moves the share of wallet (MODEL.md, "Clients")."""
        if not self.settle(client, now):
            return
        b = self.b
        late = late_by > 0
        moderate = late_by <= b.moderate_delay_share * asked_hours
        relief = b.informed_delay_relief if (late and informed and moderate) else 0.0
        outcome = max(0.0, 1.0 - late * b.late_dissatisfaction * (1.0 - relief)
                      - saw_rework * b.rework_dissatisfaction)
        weight = b.satisfaction_memory * (b.bad_experience_weight if outcome < client.satisfaction else 1.0)
        client.satisfaction += min(weight, 1.0) * (outcome - client.satisfaction)
        client.leaving = self.leaving_rate(client)
        neutral = b.neutral_satisfaction
        gap = client.satisfaction - neutral
        if gap > 0:
            client.share += b.share_response * gap / (1.0 - neutral) * (1.0 - client.share)
        else:
            client.share += b.share_response * gap / neutral * client.share

    # -- account time ----------------------------------------------------------------------------------------

    def best_account(self, now: float) -> Client | None:
        """The client where an hour of account time adds most requests: wallet x room to grow x satisfaction.
        None when no client has room: an AM with nothing to grow sells nothing."""
        best, best_gain = None, 0.0
        for client in self.clients:
            if client.left <= now:
                continue
            gain = client.wallet * (1.0 - client.share) * client.satisfaction
            if gain > best_gain and self.settle(client, now):
                best, best_gain = client, gain
        return best

    def grow(self, client: Client, hours: float) -> None:
        """Account time closes `account_growth_per_hour` of the room to grow per hour, scaled by satisfaction: a
        client who is unhappy with the work buys little more of it."""
        rate = self.b.account_growth_per_hour * client.satisfaction
        client.share += (1.0 - client.share) * (1.0 - math.exp(-rate * hours))

    # -- what the client sends -------------------------------------------------------------------------------

    def next_request_gap(self, client: Client) -> tuple[float, int]:
        """Hours to the client's next candidate request (at its highest possible rate) and the candidate's
        position in its block of draws."""
        if client.candidates is None or client.next_candidate == len(client.candidates.gaps):
            client.candidates = draw_candidates(client.streams["requests"], self.scenario, client.streams["waits"])
            client.next_candidate = 0
        i = client.next_candidate
        client.next_candidate += 1
        return client.candidates.gaps[i] / (client.wallet * self.peak), i

    def accepts(self, client: Client, draw: float, now: float) -> bool:
        """Thinning (Lewis & Shedler 1979): a candidate becomes a request with probability (rate now) / (highest
        rate), the rate now being wallet x share x growth."""
        growth = math.exp(self.log_growth_per_hour * now) if self.log_growth_per_hour else 1.0
        return draw < client.share * growth / self.peak


def client_life(env: simpy.Environment, book: ClientBook, intake: Intake, client: Client):
    """A client sends the candidates its share accepts and refers prospects as satisfied as it is, until it
    leaves. Two clocks, each drawn from the client's own streams: its next candidate request, its next referral."""
    referral_rng = client.streams["referrals"]
    referral_rate = book.referral_rate
    horizon = (book.scenario.warmup_weeks + book.scenario.weeks) * book.scenario.firm.hours_per_week
    gap, i = book.next_request_gap(client) if client.wallet > 0 else (math.inf, 0)
    next_request = env.now + gap
    next_referral = env.now + referral_rng.exponential(1.0 / referral_rate) if referral_rate > 0 else math.inf
    while True:
        at = min(next_request, next_referral)
        if at > horizon:
            return
        yield env.timeout(at - env.now)
        if not book.settle(client, env.now):
            return
        if at == next_request:
            c = client.candidates
            assert c is not None
            if book.accepts(client, c.accept[i], env.now):
                intake.send(client, c.kind[i], c.effort[i], c.clarity[i], c.review[i], c.wait[i])
            gap, i = book.next_request_gap(client)
            next_request = env.now + gap
        else:
            refers, wins = referral_rng.uniform(size=2)
            size = float(gamma_with_cv(referral_rng, 1.0, book.scenario.demand.client_size_cv, 1)[0])
            key = (*client.key, client.referrals)
            client.referrals += 1
            if refers < client.satisfaction and wins < book.scenario.demand.win_rate:
                intake.win(key, size)
            next_referral = env.now + referral_rng.exponential(1.0 / referral_rate)


def outbound(env: simpy.Environment, book: ClientBook, intake: Intake, rng: np.random.Generator):
    """Prospects from the firm's own outbound effort and reputation, each won at the win rate; the same prospects,
    at the same times, under every design."""
    d = book.scenario.demand
    rate = d.prospects_per_year / (WEEKS_PER_YEAR * book.scenario.firm.hours_per_week)
    k = 0
    while True:
        yield env.timeout(rng.exponential(1.0 / rate))
        wins = rng.uniform()
        size = float(gamma_with_cv(rng, 1.0, d.client_size_cv, 1)[0])
        if wins < d.win_rate:
            intake.win((2, k), size)
        k += 1
