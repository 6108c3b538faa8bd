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

from sim.clock import Alarm, set_alarm
from sim.demand import (
    BLOCK,
    CLIENT_STREAMS,
    WEEKS_PER_YEAR,
    CandidateDraws,
    Candidates,
    client_streams,
    one_gamma_with_cv,
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
    clock: ClientClock | None = None  # its events on the firm's clock; None when a test scripts its requests


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
        self.draws = CandidateDraws(s)
        # a client's streams: the waits only where some work type waits on the client
        self.stream_names = CLIENT_STREAMS if self.draws.waits else tuple(n for n in CLIENT_STREAMS if n != "waits")
        self.base_leaving = d.client_attrition_per_year / hours_per_year
        self.referral_rate = d.referrals_per_client_per_year / hours_per_year
        self.log_growth_per_hour = math.log1p(d.growth_per_year) / hours_per_year
        self.b = b

    # -- joining and leaving ---------------------------------------------------------------------------------

    def join(self, key: tuple[int, ...], size: float, now: float) -> Client:
        streams = client_streams(self.scenario.seed, self.replication, key, self.stream_names)
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
        outcome = 1.0 - late * b.late_dissatisfaction * (1.0 - relief) - saw_rework * b.rework_dissatisfaction
        if outcome < 0.0:  # max(0, ...) and min(..., 1) below, written out: once per delivery
            outcome = 0.0
        weight = b.satisfaction_memory * (b.bad_experience_weight if outcome < client.satisfaction else 1.0)
        if weight > 1.0:
            weight = 1.0
        share, leaving = client.share, client.leaving
        client.satisfaction += weight * (outcome - client.satisfaction)
        client.leaving = self.leaving_rate(client)
        neutral = b.neutral_satisfaction
        gap = client.satisfaction - neutral
        if gap > 0:
            client.share += b.share_response * gap / (1.0 - neutral) * (1.0 - client.share)
        else:
            client.share += b.share_response * gap / neutral * client.share
        if client.clock is not None and (client.share > share or client.leaving > leaving):
            client.clock.look_again()  # only a rise can bring the client's next event forward

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
        if client.clock is not None:
            client.clock.look_again()

    # -- what the client sends -------------------------------------------------------------------------------

    def accepts(self, client: Client, draw: float, now: float) -> bool:
        """Thinning (Lewis & Shedler 1979): a candidate becomes a request with probability (rate now) / (highest
        rate), the rate now being wallet x share x growth."""
        growth = math.exp(self.log_growth_per_hour * now) if self.log_growth_per_hour else 1.0
        return draw < client.share * growth / self.peak


class ClientClock:
    """A client's life on the firm's clock: it sends the candidates its share accepts and refers prospects as
    satisfied as it is, until it leaves. Two clocks, each drawn from the client's own streams: its next candidate
    request (at its highest possible rate), its next referral.

    A candidate the share turns down changes nothing, so it needs no event of its own: the clock looks ahead to
    the first candidate the share accepts (or the referral, the client's departure or the end of the run, if one
    comes first) and sets one event there. Only a rise in the share or in the hazard of leaving can bring that
    moment forward, so `ClientBook.judge` and `grow` have the clock look again at the candidates before it; a
    look-ahead it replaces fires as a stale event that does nothing. The requests are the ones a clock with an event
    per candidate sends, at the same times (up to rounding in the last digit), in every design. Its events are the
    plain alarms of `sim.clock`."""

    __slots__ = ("env", "book", "intake", "client", "unit_gap", "horizon", "referral_rng", "drawn", "next",
                 "next_time", "next_referral", "pending", "pending_candidate", "pending_time")

    def __init__(self, env: simpy.Environment, book: ClientBook, intake: Intake, client: Client) -> None:
        self.env, self.book, self.intake, self.client = env, book, intake, client
        client.clock = self
        self.unit_gap = client.wallet * book.peak  # candidates per working hour
        s = book.scenario
        self.horizon = s.measured_hours[1]
        self.referral_rng = client.streams["referrals"]
        # Candidates drawn and not yet decided, from `next` on, as one Candidates of growing lists (blocks of BLOCK
        # from the client's stream: the same draws in the same order whenever they are made).
        self.drawn = Candidates([], [], [], [], [], [], [])
        self.next = 0  # the next candidate not yet decided, due at `next_time`
        now = env._now
        self.next_time = now + self.gap(0) if client.wallet > 0 else math.inf
        rate = book.referral_rate
        self.next_referral = now + self.referral_rng.exponential(1.0 / rate) if rate > 0 else math.inf
        self.pending: Alarm | None = None
        self.pending_candidate = -1  # the candidate the pending event is for; -1 for the referral
        self.pending_time = math.inf
        self.plan(self.look_ahead(self.next, self.next_time, math.inf))

    def draw(self) -> None:
        streams = self.client.streams
        self.drawn.extend(self.book.draws.block(streams["requests"], streams.get("waits")))

    def gap(self, k: int) -> float:
        """Hours from candidate k - 1 to candidate k."""
        while k >= len(self.drawn.gaps):
            self.draw()
        return self.drawn.gaps[k] / self.unit_gap

    def advance(self) -> None:
        """Candidate `next` is decided: move on to the one after it."""
        self.next += 1
        self.next_time += self.gap(self.next)

    def pass_by(self, now: float) -> None:
        """Decide the candidates due before `now`: each was turned down, at the share of its own time (a share that
        would have taken one had moved the clock's event to it)."""
        while self.next_time < now:
            self.advance()

    def look_ahead(self, k: int, t: float, before: float) -> tuple[float, int]:
        """From candidate k at time t, the client's next event before `before`: the first candidate today's share
        accepts or by whose time today's hazard has the client gone (that candidate), else the referral (-1), else
        nothing (inf) before the end of the run. The arithmetic is `ClientBook.accepts`' and `ClientBook.settle`'s."""
        book, client = self.book, self.client
        share, peak, log_growth = client.share, book.peak, book.log_growth_per_hour
        left, hazard, leaving, since, threshold = (client.left, client.hazard, client.leaving, client.hazard_since,
                                                   client.departure_threshold)
        accept, gaps, unit_gap = self.drawn.accept, self.drawn.gaps, self.unit_gap
        stop = min(self.next_referral, self.horizon, before)
        while t <= stop:
            growth = math.exp(log_growth * t) if log_growth else 1.0
            if accept[k] < share * growth / peak or left <= t or hazard + leaving * (t - since) >= threshold:
                return t, k
            k += 1
            if k >= len(gaps):
                self.draw()
            t += gaps[k] / unit_gap
        if self.next_referral <= self.horizon and self.next_referral < before:
            return self.next_referral, -1
        return math.inf, -1

    def plan(self, step: tuple[float, int]) -> None:
        at, k = step
        self.pending_time, self.pending_candidate = at, k
        if at == math.inf:
            self.pending = None
            return
        self.pending = set_alarm(self.env, at - self.env._now, self.tick)

    def look_again(self) -> None:
        """The share or the hazard moved: the candidates already past were turned down at the share of their time;
        if one before the clock's event now passes, the event moves forward to it."""
        self.pass_by(self.env._now)
        if self.next_time < self.pending_time:
            sooner = self.look_ahead(self.next, self.next_time, self.pending_time)
            if sooner[0] < self.pending_time:
                self.plan(sooner)

    def tick(self, event: Alarm) -> None:
        if event is not self.pending:
            return  # a look-ahead replaced by a sooner one
        self.pending = None
        book, client = self.book, self.client
        now = self.env._now
        if not book.settle(client, now):
            return
        k = self.pending_candidate
        if k >= 0:
            self.next = k  # the candidates before it were turned down at the share of their times
            drawn = self.drawn
            if book.accepts(client, drawn.accept[k], now):
                self.intake.send(client, drawn.kind[k], drawn.effort[k], drawn.clarity[k], drawn.review[k],
                                 drawn.wait[k])
            self.next_time = now
            self.advance()
            if self.next >= BLOCK:
                drawn.forget(self.next)
                self.next = 0
        else:  # the referral
            self.pass_by(now)
            self.refer(now)
        self.plan(self.look_ahead(self.next, self.next_time, math.inf))

    def refer(self, now: float) -> None:
        book, client, rng = self.book, self.client, self.referral_rng
        refers, wins = rng.uniform(size=2)
        size = one_gamma_with_cv(rng, 1.0, book.scenario.demand.client_size_cv)
        key = (*client.key, client.referrals)
        client.referrals += 1
        if refers < client.satisfaction and wins < book.scenario.demand.win_rate:
            self.intake.win(key, size)
        self.next_referral = now + rng.exponential(1.0 / book.referral_rate)


def outbound(env: simpy.Environment, book: ClientBook, intake: Intake, rng: np.random.Generator):
    """Prospects from the firm's own outbound effort and reputation, each won at the win rate; the same prospects,
    at the same times, under every design."""
    d = book.scenario.demand
    rate = d.prospects_per_year / (WEEKS_PER_YEAR * book.scenario.firm.hours_per_week)
    k = 0
    while True:
        yield set_alarm(env, rng.exponential(1.0 / rate))
        wins = rng.uniform()
        size = one_gamma_with_cv(rng, 1.0, d.client_size_cv)
        if wins < d.win_rate:
            intake.win((2, k), size)
        k += 1
