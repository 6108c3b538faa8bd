"""Revision rounds and reopenings, read from a change log's status history: which delivered tickets were sent back
from a later stage of work to an earlier one before their first delivery, which left a done status and came back,
and the working hours of work each of those rounds took. `sim.calibration.fit` sets the model's rework
assumptions from them (MODEL.md, "Calibrating to a firm's record")."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.formats import Export
from sim.model import staff
from sim.scenario import Behaviour, Scenario
from sim.wording import in_sentence, key_words

# Fewer tickets than this sent back (or reopened) tell too little to fit a rework assumption from.
MIN_ROUNDS = 5


def status_order(history: pd.DataFrame) -> pd.Series:
    """Each status's place in the workflow: the median of its first entry's position among each ticket's statuses
    (the status tickets are created in first, done statuses last), ties broken by the mean. A tracker's export names
    statuses but not their order; the order tickets usually enter them in is the workflow."""
    first = history.drop_duplicates(["id", "status"])
    position = first.groupby("id").cumcount()
    stats = position.groupby(first["status"]).agg(["median", "mean"])
    stats["class"] = 1
    stats.loc[stats.index.isin(history.loc[history["queue"], "status"]), "class"] = 0
    stats.loc[stats.index.isin(history.loc[history["done"], "status"]), "class"] = 2
    ordered = stats.sort_values(["class", "median", "mean"], kind="stable")
    return pd.Series(np.arange(len(ordered)), index=ordered.index)


@dataclass(frozen=True)
class Rounds:
    """Of a change log's delivered tickets (by id): whether each was sent back before its first delivery and
    whether it was reopened after one; the working hours spent in statuses of work (not the one tickets are created
    in, waiting or done) during its revision rounds (from a send-back until it again reached the stage it was sent
    back from, or was delivered) and during its fixes (from leaving done until done again)."""

    sent_back: pd.Series
    reopened: pd.Series
    revision_hours: pd.Series
    fix_hours: pd.Series
    moves: Counter[tuple[str, str]] = dataclasses.field(default_factory=Counter)  # (from, to) of each send-back

    def moves_words(self, most: int = 3) -> str:
        """The commonest send-backs in words: “Review” to “In Progress” (40), ..."""
        return ", ".join(f"“{a}” to “{b}” ({count})" for (a, b), count in self.moves.most_common(most))

    @property
    def revised_share(self) -> float:
        return float(self.sent_back.mean()) if len(self.sent_back) else float("nan")

    @property
    def reopened_share(self) -> float:
        return float(self.reopened.mean()) if len(self.reopened) else float("nan")


def rounds(export: Export, hours: np.ndarray) -> Rounds | None:
    """The rounds of a change log's delivered tickets; `hours` holds the working hours of each span of
    `export.history` (as `sim.calibration.fit` counts them). None without a history or a delivered ticket.

    A send-back is a move from a status of work past the first stage of work to an earlier status that is not a
    wait on the client, before the ticket was first delivered: review to work, approval to review. Coming back from
    the client is the flow, not a revision; a move from the first stage of work back to the queue is a ticket put
    down, not sent back; and a status held for no time is not one a ticket was sent back from."""
    history, tickets = export.history, export.tickets
    if history is None:
        return None
    delivered = tickets.loc[tickets["resolved"].notna(), "id"]
    if delivered.empty:
        return None
    rank = history["status"].map(status_order(history)).to_numpy()
    work = (~history["waiting"] & ~history["done"] & ~history["queue"]).to_numpy()
    first_work = rank[work].min() if work.any() else np.inf
    ids, done, waiting = history["id"].to_numpy(), history["done"].to_numpy(), history["waiting"].to_numpy()
    names = history["status"].to_numpy()
    # a status held for no time is two changes written in the same minute, in whatever order the file keeps them
    held = (history["end"] > history["start"]).to_numpy()

    def sent_back(came_from: int, now: int) -> bool:
        return bool(work[came_from] and held[came_from] and rank[came_from] > first_work and not waiting[now]
                    and not done[now] and rank[now] < rank[came_from])

    def round_end(start: int, end: int, back_at: float = np.inf) -> int:
        """The first span from `start` (before `end`, the ticket's last) that ends the round: done, or a stage at
        least as far on as `back_at`, where it was sent back from."""
        return next((k for k in range(start, end) if done[k] or rank[k] >= back_at), end)

    def work_hours(start: int, end: int) -> float:
        return float(hours[start:end][work[start:end]].sum())

    sent, reopened, moves = set(), set(), Counter[tuple[str, str]]()
    revision: dict[object, float] = {}
    fixes: dict[object, float] = {}
    wanted = set(delivered)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]).tolist()
    for lo, hi in zip(starts, [*starts[1:], len(ids)], strict=True):
        ticket = ids[lo]
        if ticket not in wanted:
            continue
        delivered_once, now = False, lo + 1
        while now < hi:
            came_from = now - 1
            delivered_once = delivered_once or bool(done[came_from])
            if done[came_from] and not done[now]:  # reopened: fixed until it is done again
                back = round_end(now, hi)
                reopened.add(ticket)
                fixes[ticket] = fixes.get(ticket, 0.0) + work_hours(now, back)
                now = back + 1
            elif not delivered_once and sent_back(came_from, now):  # a round, until back where it was sent from
                back = round_end(now, hi, back_at=rank[came_from])
                sent.add(ticket)
                moves[(str(names[came_from]), str(names[now]))] += 1
                revision[ticket] = revision.get(ticket, 0.0) + work_hours(now, back)
                now = max(back, now + 1)
            else:
                now += 1
    index = pd.Index(delivered)
    return Rounds(pd.Series(index.isin(list(sent)), index=index), pd.Series(index.isin(list(reopened)), index=index),
                  pd.Series(revision, dtype=float), pd.Series(fixes, dtype=float), moves)


@dataclass(frozen=True)
class Rework:
    """Rework assumptions set from a history's rounds, each with where its value came from, and a warning for each
    value the rounds gave beyond what the model allows."""

    values: dict[str, float]
    reasons: dict[str, str]
    warnings: list[str] = dataclasses.field(default_factory=list)

    def set(self, name: str, value: float, reason: str, least: float = 0.0) -> None:
        """`value` for behaviour field `name`, within the schema's bounds (and at least `least`), said if moved."""
        meta = next(f.metadata for f in dataclasses.fields(Behaviour) if f.name == name)
        low = max(meta["min"], least)
        kept = float(min(max(value, low), meta["max"]))
        if abs(kept - value) > 1e-9:
            self.warnings.append(f"Your rounds give {in_sentence(key_words(f'behaviour.{name}'))} {value:.3g}, "
                                 f"beyond what the model allows ({low:g} to {meta['max']:g}); {kept:g} is used.")
        self.values[name], self.reasons[name] = kept, reason


def fit_rework(found: Rounds, effort: pd.Series, hours_scale: float, base: Scenario, today: str) -> Rework:
    """The model's wrong builds, the team's own review and the size of a rework from the rounds of `today`'s
    firm: revised and reopened shares give the wrong share and the share caught before delivery; the hours of the
    rounds (times `hours_scale`, as the effort's) against `effort`, each delivered ticket's fitted effort, give
    their size. Fewer than MIN_ROUNDS rounds of a kind leave its size assumed.

    The model reads the shares through `today`'s roles: an account manager's clarifying (by the ratio of wrong
    builds the base assumes with and without one) and a PM's review (the team's own review catching a share of what
    it misses), so a firm that has them is not credited with their effect twice."""
    b, staffing = base.behaviour, staff(base, today)
    care = {"pm": 1.0 if staffing.project_managers else b.hybrid_strength if staffing.hybrids else 0.0,
            "am": 1.0 if staffing.account_managers else b.hybrid_strength if staffing.hybrids else 0.0}
    revised, reopened = found.revised_share, found.reopened_share
    out = Rework({}, {})
    delivered = len(found.sent_back)
    wrong = revised + reopened
    am_ratio = (1.0 - b.clarity_with_am) / (1.0 - b.clarity_without_am) if b.clarity_without_am < 1 else 1.0
    factor = b.standardised_rework_factor if staffing.process.standardised_work else 1.0
    misunderstood = wrong / (factor * (1.0 - care["am"] + care["am"] * am_ratio))
    out.set("clarity_without_am", 1.0 - misunderstood,
            f"the share of {delivered} delivered tickets sent back before delivery ({revised:.1%}) or reopened after "
            f"it ({reopened:.1%}), taken as built wrong" + (f"; sent back: {found.moves_words()}" if found.moves
                                                            else ""))
    out.set("clarity_with_am", 1.0 - misunderstood * am_ratio,
            f"assumed: an account manager cuts the wrong builds by the base's ratio ({am_ratio:.2g} of them left)")
    caught = revised / wrong if wrong > 0 else 0.0
    pm = b.review_catch_rate * care["pm"]
    out.set("team_review_catch_rate", 1.0 - (1.0 - caught) / (1.0 - pm) if pm < 1 else 0.0,
            "the share of the wrong builds caught before delivery (sent back rather than reopened)"
            + (", less what a PM's review catches" if pm else ""))
    sent = found.sent_back[found.sent_back].index
    if len(sent) >= MIN_ROUNDS:
        size = found.revision_hours.reindex(sent, fill_value=0.0).sum() * hours_scale / effort.reindex(sent).sum()
        out.set("rework_effort_share", size, f"the working hours {len(sent)} tickets spent in work statuses from "
                "being sent back until back where they were sent back from, against their effort",
                least=0.01)  # 0 would switch rework off
    share = out.values.get("rework_effort_share", b.rework_effort_share)
    again = found.reopened[found.reopened].index
    if len(again) >= MIN_ROUNDS:
        size = found.fix_hours.reindex(again, fill_value=0.0).sum() * hours_scale / effort.reindex(again).sum()
        out.set("client_found_rework_factor", size / share, f"the working hours {len(again)} reopened tickets spent "
                "in work statuses until done again, against their effort and the rework of a ticket sent back")
    return out
