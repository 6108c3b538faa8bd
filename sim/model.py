"""The life of a client request in a services firm under one org design, as a SimPy model.

The clock runs in working hours. Actors are long-lived processes, as in SimPy's own examples: each client sends
requests and judges what it gets (`sim.clients`), coordinators (project managers, account managers, hybrids) take
them from a shared desk and spend their free hours on accounts, engineers work on what they hold and what they may
take, a salesperson grows accounts. Every mechanism applies to every design by the same rule; a design changes only
who does which step (MODEL.md tells the same story with every source).

Its events are SimPy's, and in the hot paths the plain alarms of `sim.clock`, which is also where the model reads
SimPy's clock and runs it.
"""

from __future__ import annotations

import functools
import gc
import heapq
import math
import typing
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.clients import Client, ClientBook, ClientClock, outbound
from sim.clock import NORMAL, Alarm, Message, first_of, ring, run_until, send, set_alarm, waiting_alarm
from sim.demand import random_streams, todays_client_sizes
from sim.scenario import OrgDesign, Process, Scenario, ScenarioError

# Where an engineer's busy hours go; idle time is what is left of the hours available.
CATEGORIES = (
    "billable_work", "rework", "communication", "handoff", "context_switch", "skill_mismatch", "overhead",
)
# A request's work content by category, fixed when an engineer starts it and consumed slice by slice: a tuple of
# (billable, rework, talk, handoff, overhead) hours (`Request.todo`).
NOTHING_LEFT = (0.0,) * 5
# A run's work blocks are kept flat, this many numbers each: start, end, then the hours by category. A tuple per
# block would be two objects more per slice for the cycle collector to walk once the run is over.
WORK_BLOCK_WIDTH = 2 + len(CATEGORIES)
CLIENT_STAGE, PLANNING_STAGE = "client", "planning"
# Where a request is; every request is in exactly one state, so conservation can be counted, not inferred.
AT_DESK, QUEUED, HELD, WITH_CLIENT, DELIVERED, DROPPED = ("at_desk", "queued", "held", "with_client", "delivered",
                                                          "dropped")
OPEN_STATES = (AT_DESK, QUEUED, HELD, WITH_CLIENT)
# Account time comes in blocks of this many hours, cut short when a request reaches the desk: a granularity of the
# simulation, not a behaviour (a coordinator drops account work for a request at once).
ACCOUNT_BLOCK_HOURS = 2.0


@dataclass(frozen=True)
class Staffing:
    """An org design applied to a scenario: who works here and which process levers hold."""

    engineer_skills: tuple[str, ...]
    project_managers: int
    account_managers: int
    hybrids: int
    sales_share: float
    process: Process

    @functools.cached_property  # read once per request: the stored answer, not a call
    def plans_centrally(self) -> bool:
        return self.project_managers + self.hybrids > 0

    @functools.cached_property
    def manages_accounts(self) -> bool:
        return self.account_managers + self.hybrids > 0


def staff(scenario: Scenario, design_name: str) -> Staffing:
    """Headcounts of a design; extra engineers join, one by one, the skill with the most demand per engineer."""
    if design_name not in scenario.designs:
        known = ", ".join(scenario.designs)
        raise ScenarioError([f"design {design_name!r} is not in the scenario; designs: {known}"])
    design: OrgDesign = scenario.designs[design_name]
    per_skill = Counter(scenario.skills)
    demand_hours: defaultdict[str, float] = defaultdict(float)
    for wt in scenario.demand.work_types.values():
        demand_hours[wt.skill] += wt.share * wt.effort_hours
    for _ in range(design.extra_engineers):
        busiest = max(per_skill, key=lambda s: (demand_hours[s] / per_skill[s], s))
        per_skill[busiest] += 1
    skills = tuple(skill for skill, count in per_skill.items() for _ in range(count))
    return Staffing(
        engineer_skills=skills,
        project_managers=design.project_managers,
        account_managers=design.account_managers,
        hybrids=design.hybrids,
        sales_share=design.sales_share,
        process=design.process(scenario.process),
    )


@dataclass(slots=True, eq=False)
class Request:
    id: int
    client: int
    kind: int
    skill: str
    effort: float  # billable hours at standard speed
    arrival: float
    deadline: float  # the deadline in force: the client's ask, or what an account manager negotiated
    asked_deadline: float  # what the client asked for; on-time is judged against it
    clarity_draw: float
    review_draw: float
    client_wait: float = 0.0  # hours the finished work waits on the client before it counts as delivered
    built_wrong: bool = False
    account_care: float = 0.0  # strength of the AM effects on this request: 1 AM, hybrid_strength, 0 none
    review_care: float = 0.0  # strength of the PM review on this request
    informed: bool = False  # the client hears of delays
    state: str = AT_DESK
    desk_stage: str = ""  # the stage it waits at while at the desk
    desk_since: float = 0.0
    waiting: bool = False  # in a desk queue, no coordinator has taken it yet
    started: float = math.nan
    done: float = math.nan
    dropped: bool = False
    fix_hours: float = 0.0  # client-found rework still to do
    client_saw_rework: bool = False
    revised: bool = False  # a wrong build caught in review and fixed before delivery: a revision round
    billed: float = 0.0
    todo: tuple[float, ...] = ()  # work content left: billable, rework, talk, handoff, overhead
    todo_total: float = 0.0

    @property
    def hours_to_do(self) -> float:
        """Work left at standard speed: the fix if the client sent it back, else the request itself."""
        return self.fix_hours or self.effort

    @property
    def urgency(self) -> tuple[float, int]:
        return (self.deadline, self.id)


@dataclass(eq=False)
class Engineer:
    index: int
    skill: str
    queue: list = field(default_factory=list)  # waiting requests handed to this engineer: (deadline, id, request)
    queue_hours: float = 0.0  # standard hours of the waiting requests
    held: list[Request] = field(default_factory=list)  # started and not finished, the one in hand included
    last_client: int = -1
    last_worked: dict[int, float] = field(default_factory=dict)  # client -> when this engineer last worked for them
    wake: Alarm | None = None  # set while idle; rung when work arrives
    at_desk: deque[Request] = field(default_factory=deque)  # requests of their clients waiting at a busy desk
    offered: int = 0  # requests put in their queue so far: the engineer looks again at a slice's end only after one

    def put(self, req: Request) -> None:
        heapq.heappush(self.queue, (req.deadline, req.id, req))
        self.queue_hours += req.hours_to_do
        req.state = QUEUED
        self.offered += 1

    def pop(self) -> Request:
        req = heapq.heappop(self.queue)[2]
        self.queue_hours -= req.hours_to_do
        return req

    def backlog_hours(self) -> float:
        """Standard hours handed to this engineer and not finished: what an AM sees when promising a deadline."""
        return self.queue_hours + sum(r.hours_to_do for r in self.held)

    def most_urgent_held(self) -> Request | None:
        held = self.held
        if len(held) < 2:  # the common case, without building keys
            return held[0] if held else None
        return min(held, key=lambda r: r.urgency)


class IdleEngineers(dict[Engineer, None]):
    """The idle engineers of one skill, in the order they went idle: the latest is the one woken first. A dict as
    an ordered set, so that waking one is O(1) at any size (a list's remove scanned hundreds in a big firm), and
    asking whether any is idle costs no call."""

    def add(self, eng: Engineer) -> None:
        self[eng] = None

    def remove(self, eng: Engineer) -> None:
        del self[eng]

    def latest(self) -> Engineer:
        return next(reversed(self))


class Desk:
    """Coordinators' work waiting, one first-come queue per stage and skill; an idle coordinator is handed a task
    directly. A desk is a service, not a wall: a request that waits too long, or that an idle engineer of its skill
    could take, goes past it (`Firm.bypass`).

    A specialist is preferred to a hybrid for its own stage, and a hybrid takes planning before new intake, so a PM
    beside a hybrid plans the requests the hybrid has clarified."""

    ROLE_STAGES = {"pm": (PLANNING_STAGE,), "am": (CLIENT_STAGE,), "hybrid": (PLANNING_STAGE, CLIENT_STAGE)}
    SPECIALIST = {PLANNING_STAGE: "pm", CLIENT_STAGE: "am"}

    def __init__(self, env: simpy.Environment, skills: list[str]) -> None:
        self.env = env
        self.waiting: dict[str, dict[str, deque[Request]]] = {
            stage: {skill: deque() for skill in skills} for stage in (CLIENT_STAGE, PLANNING_STAGE)}
        self.idle: dict[str, list[Message]] = {"pm": [], "am": [], "hybrid": []}

    def put(self, stage: str, req: Request) -> bool:
        """Hand the request to an idle coordinator (True), or leave it waiting (False)."""
        req.state = AT_DESK
        req.desk_stage = stage
        for role in (self.SPECIALIST[stage], "hybrid"):
            if self.idle[role]:
                send(self.env, self.idle[role].pop(), (stage, req))
                return True
        req.desk_since = self.env._now
        req.waiting = True
        self.waiting[stage][req.skill].append(req)
        return False

    def _oldest(self, stage: str) -> Request | None:
        oldest: deque[Request] | None = None  # the queue whose head came first (earliest, then lowest id)
        for queue in self.waiting[stage].values():
            if queue and (oldest is None or (queue[0].desk_since, queue[0].id) < (oldest[0].desk_since,
                                                                                 oldest[0].id)):
                oldest = queue
        if oldest is None:
            return None
        req = oldest.popleft()
        req.waiting = False
        return req

    def take(self, role: str) -> Message:
        """The coordinator's next task as a message: sent at once if one waits, else when one is put."""
        message = Message()
        for stage in self.ROLE_STAGES[role]:
            if (req := self._oldest(stage)) is not None:
                send(self.env, message, (stage, req))
                return message
        self.idle[role].append(message)
        return message

    def stop_waiting(self, role: str, event: Message) -> None:
        """A coordinator that was free for a task goes back to its accounts: it is no longer waiting at the desk."""
        self.idle[role].remove(event)

    def remove(self, req: Request) -> None:
        """Take a waiting request off the desk (it goes past it)."""
        self.waiting[req.desk_stage][req.skill].remove(req)
        req.waiting = False


class OwnQueues:
    """No planner: each request goes to the client's usual engineer; an idle engineer helps a same-skill colleague
    whose waiting work exceeds theirs by the threshold (peer help), as self-organised teams do."""

    def __init__(self, firm: Firm) -> None:
        self.firm = firm
        b = firm.b
        self.threshold = b.peer_help_threshold_hours if b.peer_help else math.inf
        # Per skill, the engineers whose waiting work reaches the threshold: an idle engineer looks for the busiest
        # colleague among them rather than over the whole team (which made cost per request grow with size).
        self.loaded: dict[str, set[Engineer]] = {skill: set() for skill in firm.by_skill}
        for eng in firm.engineers:
            self.note(eng)
        self.pooled = dict.fromkeys(firm.by_skill, 0)  # no pool: nothing is ever put in one

    def note(self, eng: Engineer) -> None:
        """Keep `loaded` in step after a change to this engineer's queue."""
        if eng.queue_hours >= self.threshold:
            self.loaded[eng.skill].add(eng)
        else:
            self.loaded[eng.skill].discard(eng)

    def assign(self, req: Request, eng: Engineer | None = None) -> None:
        """A request ready for engineering: to its usual engineer (a fix to whoever delivered it)."""
        firm = self.firm
        owner = eng or firm.usual_engineer(req)
        owner.put(req)
        self.note(owner)
        if owner.wake is not None:
            firm.wake(owner)
        elif owner.queue_hours >= self.threshold and firm.idle[req.skill]:
            firm.wake(firm.idle[req.skill].latest())  # a colleague is idle: they will take some of the queue

    def next_for(self, eng: Engineer) -> Request | None:
        held = eng.most_urgent_held()
        # Entries are (deadline, id, request): ids are unique, so an entry compares as its (deadline, id).
        if eng.queue and (held is None or eng.queue[0] < held.urgency):
            req = eng.pop()
            self.note(eng)
            return req
        if held is not None:
            return held
        return self.help_colleague(eng)

    def help_colleague(self, eng: Engineer) -> Request | None:
        loaded = self.loaded[eng.skill]
        if not loaded:  # then the busiest is below the threshold too
            return None
        # The busiest of the team is among the loaded, and the key (hours, then the lower index) names one engineer.
        busiest = max(loaded, key=lambda e: (e.queue_hours, -e.index))
        if busiest is eng or not busiest.queue or busiest.queue_hours < self.threshold:
            return None
        req = busiest.pop()
        self.note(busiest)
        return req

    def direct(self, req: Request, eng: Engineer) -> None:
        """A request that went past the desk, into this engineer's queue."""
        self.assign(req, eng)

    def finished(self, req: Request, hours: float) -> None:
        """Nothing to update: an engineer's backlog is read from their queue and what they hold."""

    def work_ahead(self, req: Request) -> float:
        return self.firm.usual_engineer(req).backlog_hours()


class CentralPlanning:
    """A planner keeps one queue per skill by deadline and hands work to idle engineers (the usual engineer first);
    an engineer helps another skill when the wait there would cost more than working outside their skill."""

    def __init__(self, firm: Firm) -> None:
        self.firm = firm
        self.pool: dict[str, list] = {s: [] for s in firm.by_skill}
        self.pool_hours: defaultdict[str, float] = defaultdict(float)
        self.pooled = dict.fromkeys(firm.by_skill, 0)  # per skill: requests put in its pool so far
        # per skill: standard hours planned and not yet finished
        self.open_hours: defaultdict[str, float] = defaultdict(float)

    def assign(self, req: Request, eng: Engineer | None = None) -> None:
        firm = self.firm
        self.open_hours[req.skill] += req.hours_to_do
        idle = firm.idle[req.skill]
        chosen: Engineer | None
        if idle:
            usual = firm.usual_engineer(req)
            chosen = usual if usual.wake is not None else idle.latest()
        else:
            chosen = self.idle_helper(req)
        if chosen is not None:
            chosen.put(req)
            firm.wake(chosen)
            return
        heapq.heappush(self.pool[req.skill], (req.deadline, req.id, req))
        self.pool_hours[req.skill] += req.hours_to_do
        self.pooled[req.skill] += 1
        req.state = QUEUED

    def direct(self, req: Request, eng: Engineer) -> None:
        """A request that went past the desk, into this engineer's own queue as without a planner."""
        self.open_hours[req.skill] += req.hours_to_do
        eng.put(req)

    def finished(self, req: Request, hours: float) -> None:
        self.open_hours[req.skill] -= hours

    def worth_helping(self, req: Request) -> bool:
        firm = self.firm
        expected = firm.work_types[req.kind].effort_hours
        wait = self.pool_hours[req.skill] / len(firm.by_skill[req.skill])
        return wait > expected * (firm.b.skill_mismatch_factor - 1.0)

    def idle_helper(self, req: Request) -> Engineer | None:
        if not self.worth_helping(req):
            return None
        for skill, idle in self.firm.idle.items():
            if skill != req.skill and idle:
                return idle.latest()
        return None

    def take_from_pool(self, queue: list) -> Request:
        req = heapq.heappop(queue)[2]
        self.pool_hours[req.skill] -= req.hours_to_do
        return req

    def next_for(self, eng: Engineer) -> Request | None:
        held = eng.most_urgent_held()
        own = self.pool[eng.skill]
        first = held.urgency if held is not None else None
        # Entries are (deadline, id, request): ids are unique, so an entry compares as its (deadline, id).
        if eng.queue and (first is None or eng.queue[0] < first) and (not own or eng.queue[0] < own[0]):
            return eng.pop()
        if own and (first is None or own[0] < first):
            return self.take_from_pool(own)
        if held is not None:
            return held
        for skill, queue in self.pool.items():
            if skill != eng.skill and queue and self.worth_helping(queue[0][2]):
                return self.take_from_pool(queue)
        return None

    def work_ahead(self, req: Request) -> float:
        return self.open_hours[req.skill] / len(self.firm.by_skill[req.skill])


class Firm:
    """The state the actors share and the hand-offs between them. A request's hops, in order:

    1. `send`: a client sends it (`sim.clients.ClientClock`);
    2. client stage: with an AM or hybrid, it waits at the desk for `clarify` (clearer needs, a negotiated deadline,
       an informed client, and the client talk on the AM's hours); without, the engineers take it from the client
       as it is (`understand`);
    3. planning: with a PM or hybrid, it waits at the desk to be planned into the pool (`CentralPlanning`); without,
       it goes to the client's usual engineer (`OwnQueues`, with peer help);
       at either stage a request that waits too long at a busy desk, or that an idle engineer of its skill could
       take, goes straight to an engineer as without that role (`bypass`) and misses the stage's effects;
    4. work: an engineer works on it slice by slice (`work_slice`), paying talk, hand-off, switching and mismatch;
    5. `finish_work`: a wrong build caught in review was fixed in the work; one the client finds comes back as a fix;
    6. `wait_on_client`: a request that waits on the client (an answer, an approval) sits with it, on no one's
       hours, its deadlines moved by the wait (the clock stops while the client has it);
    7. `deliver`: billed, and the client judges it (`ClientBook.judge`).
    """

    def __init__(self, env: simpy.Environment, scenario: Scenario, staffing: Staffing, replication: int) -> None:
        self.env, self.scenario, self.staffing = env, scenario, staffing
        self.b = scenario.behaviour
        self.process = staffing.process
        self.hours_per_day = scenario.firm.hours_per_week / 5
        self.familiarity_hours = self.b.familiarity_weeks * scenario.firm.hours_per_week
        self.work_types = list(scenario.demand.work_types.values())
        self.engineers = [Engineer(i, s) for i, s in enumerate(staffing.engineer_skills)]
        by_skill: dict[str, list[Engineer]] = {}
        for eng in self.engineers:
            by_skill.setdefault(eng.skill, []).append(eng)
        self.by_skill = by_skill
        self.idle = {s: IdleEngineers() for s in by_skill}
        self.desk = Desk(env, list(by_skill))
        self.bypass_after = self.b.desk_bypass_hours if self.b.desk_bypass else math.inf
        self.watched: set[tuple[str, str]] = set()  # the desk queues whose timer is set (`watch`)
        self.planning = CentralPlanning(self) if staffing.plans_centrally else OwnQueues(self)
        self.book = ClientBook(scenario, replication, on_leave=self.lose)
        # Each client has a usual engineer per skill, dealt by size to the least loaded (no round-robin).
        self.dealt_load = {eng.index: 0.0 for eng in self.engineers}
        # per skill, (dealt load, index) of every engineer, least first; an entry whose load is no longer the
        # engineer's is dropped when it comes to the top
        self.dealing = {skill: [(0.0, eng.index) for eng in team] for skill, team in by_skill.items()}
        self.usual: dict[tuple[int, str], Engineer] = {}
        self.requests: list[Request] = []
        self.work_blocks: list[float] = []  # flat, WORK_BLOCK_WIDTH numbers a block
        self.coordinator_blocks: list[tuple[float, float]] = []
        self.account_blocks: list[tuple[float, float, float]] = []  # (start, end, account hours)

    def open_book(self, sizes: list[float]) -> list[Client]:
        """Today's clients, dealt to their usual engineers largest first."""
        today = [self.book.join((1, i), size, 0.0) for i, size in enumerate(sizes)]
        for client in sorted(today, key=lambda c: (-c.size, c.index)):
            self.deal(client)
        return today

    def detach(self) -> None:
        """Leave the records to the Run alone. The firm, its actors and the environment point at one another, so
        only the cycle collector frees them, and whatever they still hold waits with them (20 long replications
        piled up hundreds of MiB); detached, a replication's requests and blocks go as soon as its Run does."""
        self.requests, self.coordinator_blocks, self.account_blocks = [], [], []
        self.work_blocks.clear()  # the engineers' processes hold this very list; the Run has its own copy
        for eng in self.engineers:
            eng.queue, eng.held = [], []
            eng.at_desk.clear()  # the engineer's process holds this very deque
        if isinstance(self.planning, CentralPlanning):
            self.planning.pool = {skill: [] for skill in self.planning.pool}
        self.desk.waiting = {stage: {} for stage in self.desk.waiting}

    # -- clients ----------------------------------------------------------------------------------------------

    def deal(self, client: Client) -> None:
        """To the least loaded engineer of each skill, the lower index first among equals."""
        load = self.dealt_load
        for skill, heap in self.dealing.items():
            while heap[0][0] != load[heap[0][1]]:  # a load since changed
                heapq.heappop(heap)
            index = heap[0][1]
            self.usual[(client.index, skill)] = self.engineers[index]
            load[index] += client.size
            heapq.heapreplace(heap, (load[index], index))

    def win(self, key: tuple[int, ...], size: float) -> None:
        """A prospect won: a new client from today, with its own streams, dealt to its usual engineers."""
        client = self.book.join(key, size, self.env._now)
        self.deal(client)
        ClientClock(self.env, self.book, self, client)

    def lose(self, client: Client) -> None:
        for skill, heap in self.dealing.items():
            index = self.usual[(client.index, skill)].index
            self.dealt_load[index] -= client.size
            heapq.heappush(heap, (self.dealt_load[index], index))

    def usual_engineer(self, req: Request) -> Engineer:
        return self.usual[(req.client, req.skill)]

    def knows(self, eng: Engineer, client: int) -> bool:
        if self.usual.get((client, eng.skill)) is eng:
            return True
        last = eng.last_worked.get(client)
        return last is not None and self.env._now - last <= self.familiarity_hours

    # -- intake ---------------------------------------------------------------------------------------------

    def send(self, client: Client, kind: int, raw_effort: float, clarity: float, review: float,
             wait: float = 0.0) -> None:
        """A client's request reaches the firm."""
        self.receive(self.new_request(client.index, kind, raw_effort, clarity, review, wait))

    def new_request(self, client: int, kind: int, raw_effort: float, clarity: float, review: float,
                    wait: float = 0.0) -> Request:
        wt = self.work_types[kind]
        effort = raw_effort
        if self.process.standardised_work:  # checklists shrink the spread of effort around its mean
            effort = wt.effort_hours + self.b.standardised_cv_factor * (raw_effort - wt.effort_hours)
        now = self.env._now
        deadline = now + wt.deadline_days * self.hours_per_day
        # Positional, in the order of Request's fields (id, client, kind, skill, effort, arrival, deadline,
        # asked_deadline, clarity_draw, review_draw, client_wait): keywords cost twice the construction, matched
        # one by one against its 27 fields.
        return Request(len(self.requests), client, kind, wt.skill, effort, now, deadline, deadline, clarity, review,
                       wait)

    def receive(self, req: Request) -> None:
        """A request goes to intake: the client stage with an AM or hybrid, else the engineers take it as it is."""
        self.requests.append(req)
        if self.staffing.manages_accounts:
            self.to_desk(CLIENT_STAGE, req)
        else:
            self.understand(req, clarity=self.b.clarity_without_am)
            self.after_client_stage(req)

    def stage_hours(self, stage: str, req: Request, care: float = 1.0) -> float:
        """Coordinator hours for one stage of one request. Planning: a fixed part plus a share of the effort.
        Client stage: the client talk and the interruptions it takes off the engineers (at its care), plus its own
        clarifying and negotiating, fixed plus a share of the effort."""
        b = self.b
        if stage == PLANNING_STAGE:
            return b.pm_hours_fixed + b.pm_effort_share * req.effort
        checkins = self.process.checkins and self.staffing.plans_centrally
        return (b.client_contact_hours + care * b.interruption_hours + b.am_hours_fixed
                + b.am_effort_share * req.effort + (b.checkin_hours_per_request if checkins else 0.0))

    def to_desk(self, stage: str, req: Request) -> None:
        if self.stage_hours(stage, req) <= 0:
            # Free coordination needs no queue: the effect at once, by the specialist if there is one.
            role = Desk.SPECIALIST[stage] if self.has_role(Desk.SPECIALIST[stage]) else "hybrid"
            self.finish_stage(stage, req, role)
            return
        if self.desk.put(stage, req):
            return
        if self.bypass_after < math.inf:
            usual = self.usual_engineer(req)
            if usual.wake is not None:  # the client's usual engineer is free: they take it from the client
                self.desk.remove(req)
                self.bypass(req, usual)
                return
            usual.at_desk.append(req)
            self.watch(stage, req.skill, req.desk_since)

    def watch(self, stage: str, skill: str, since: float) -> None:
        """Set the desk queue's timer for the request at its head, put there at `since`, unless one is set. A queue
        is first come, first served, so its head is always the next to wait too long: one timer per queue, not one
        per request."""
        if (stage, skill) in self.watched:
            return
        self.watched.add((stage, skill))
        now = self.env._now
        delay = self.bypass_after if since == now else since + self.bypass_after - now
        # names the queue, not its head: a timer left at the end holds no request
        set_alarm(self.env, delay, lambda _alarm: self.waited_too_long(stage, skill))

    def waited_too_long(self, stage: str, skill: str) -> None:
        """The requests at the head of the queue that have waited `desk_bypass_hours` go past the desk; the timer
        is set again for the next."""
        self.watched.discard((stage, skill))
        queue = self.desk.waiting[stage].get(skill)
        now = self.env._now
        while queue and now - queue[0].desk_since >= self.bypass_after - 1e-9:
            req = queue[0]
            self.desk.remove(req)
            self.bypass(req, self.usual_engineer(req))
        if queue:
            self.watch(stage, skill, queue[0].desk_since)

    def take_waiting(self, eng: Engineer) -> bool:
        """An idle engineer takes the longest-waiting request of their own clients at a busy desk, if there is one."""
        while eng.at_desk:
            req = eng.at_desk.popleft()
            if req.waiting:
                self.desk.remove(req)
                self.bypass(req, eng)
                return True
        return False

    def bypass(self, req: Request, eng: Engineer) -> None:
        """Past a busy desk straight to the client's usual engineer, as without coordinators: they take it from the
        client as it is (if its client stage was not done) and it skips planning and review."""
        if req.desk_stage == CLIENT_STAGE:
            self.understand(req, clarity=self.b.clarity_without_am)
        self.planning.direct(req, eng)
        if eng.wake is not None:
            self.wake(eng)

    def has_role(self, role: str) -> bool:
        s = self.staffing
        return {"pm": s.project_managers, "am": s.account_managers, "hybrid": s.hybrids}[role] > 0

    def care_of(self, role: str) -> float:
        return self.b.hybrid_strength if role == "hybrid" else 1.0

    def finish_stage(self, stage: str, req: Request, role: str) -> None:
        care = self.care_of(role)
        if stage == CLIENT_STAGE:
            self.clarify(req, care, has_planner_view=role == "hybrid")
            self.after_client_stage(req)
        else:
            req.review_care = care
            self.planning.assign(req)

    def understand(self, req: Request, clarity: float) -> None:
        wrong = 1.0 - clarity
        if self.process.standardised_work:
            wrong *= self.b.standardised_rework_factor
        req.built_wrong = self.b.rework_effort_share > 0 and req.clarity_draw < wrong

    def clarify(self, req: Request, care: float, has_planner_view: bool) -> None:
        """Intake by an AM (care 1) or hybrid: clearer requirements, a negotiated deadline, an informed client."""
        b = self.b
        self.understand(req, clarity=b.clarity_without_am + care * (b.clarity_with_am - b.clarity_without_am))
        req.account_care = care
        req.informed = True
        req.deadline = max(req.deadline, self.promise(req, has_planner_view))

    def promise(self, req: Request, has_planner_view: bool) -> float:
        """The deadline an AM negotiates from the backlog they can see; without a view, the client's own ask."""
        if self.staffing.plans_centrally and not (has_planner_view or self.process.checkins):
            return req.deadline
        expected = self.work_types[req.kind].effort_hours
        return self.env._now + self.b.negotiation_buffer * (self.planning.work_ahead(req) + expected)

    def after_client_stage(self, req: Request) -> None:
        if self.staffing.plans_centrally:
            self.to_desk(PLANNING_STAGE, req)
        else:
            self.planning.assign(req)

    # -- work -----------------------------------------------------------------------------------------------

    def wake(self, eng: Engineer) -> None:
        self.idle[eng.skill].remove(eng)
        event, eng.wake = eng.wake, None
        assert event is not None, "an idle engineer waits on its wake-up alarm"
        ring(self.env, event)

    def start_work(self, eng: Engineer, req: Request) -> None:
        """The work content of this piece of work, fixed when this engineer starts it (MODEL.md, "Mechanisms,
        formulas and defaults")."""
        b = self.b
        billable = rework = talk = handoff = overhead = 0.0
        if req.fix_hours:
            rework = req.fix_hours
        else:
            billable = req.effort
            talk = b.interruption_hours * (1.0 - req.account_care)
            if req.account_care == 0:  # nobody else owns the client: the engineer does the talking
                talk += b.client_contact_hours
                if self.process.status_updates:
                    talk += b.status_update_hours
            if self.process.standardised_work:
                overhead = b.standardised_overhead_hours
            if req.built_wrong and req.review_draw < self.catch_chance(req):
                rework = b.rework_effort_share * req.effort  # caught in review, fixed before delivery
                req.built_wrong = False
                req.revised = True
        if not self.knows(eng, req.client):
            handoff = b.handoff_hours
        req.todo = todo = (billable, rework, talk, handoff, overhead)
        req.todo_total = sum(todo)
        req.state = HELD
        eng.held.append(req)
        if math.isnan(req.started):
            req.started = self.env._now

    def catch_chance(self, req: Request) -> float:
        """The chance a wrong build is caught before delivery: by a PM's review at its care, and by the team's own
        review (every design's) of what that misses."""
        b = self.b
        chance = b.review_catch_rate * req.review_care
        if b.team_review_catch_rate:
            chance = 1.0 - (1.0 - b.team_review_catch_rate) * (1.0 - chance)
        return chance

    def work_slice(self, eng: Engineer, req: Request) -> tuple[float, ...]:
        """Hours of the next slice by category: the content it covers, slowed by mismatch and concurrent work.

        Written out category by category rather than in loops: it runs once per slice, the model's hottest path,
        and the arithmetic is the same operation for operation."""
        b = self.b
        slice_hours = b.work_slice_hours
        total = req.todo_total
        covered = slice_hours if 0 < slice_hours < total else total  # min(total, slice_hours), or all of it
        billable, rework, talk, handoff, overhead = req.todo
        if covered == total:  # the last slice, most often the only one: all of it (x * 1.0 and x - x, exactly)
            done_billable, done_rework, done_talk, done_handoff, done_overhead = billable, rework, talk, handoff, \
                overhead
            req.todo = NOTHING_LEFT
        else:
            fraction = covered / total
            done_billable, done_rework, done_talk = billable * fraction, rework * fraction, talk * fraction
            done_handoff, done_overhead = handoff * fraction, overhead * fraction
            req.todo = (billable - done_billable, rework - done_rework, talk - done_talk, handoff - done_handoff,
                        overhead - done_overhead)
        req.todo_total = total - covered
        productive = done_billable + done_rework
        mismatch = productive * (b.skill_mismatch_factor - 1.0) if eng.skill != req.skill else 0.0
        table = b.context_switch_loss
        held = eng.held
        loss = table[0] if len(held) == 1 else table[min(len({r.client for r in held}), len(table)) - 1]
        switching = (productive + mismatch) * loss / (1.0 - loss)
        client = req.client
        if eng.last_client not in (-1, client):
            switching += b.switch_setup_hours
        eng.last_client = client
        return (done_billable, done_rework, done_talk, done_handoff, switching, mismatch, done_overhead)

    def finish_work(self, eng: Engineer, req: Request) -> None:
        eng.held.remove(req)
        eng.last_worked[req.client] = self.env._now
        self.planning.finished(req, req.hours_to_do)
        if req.built_wrong:  # the client finds it: the fix costs more and comes back to the queue
            req.built_wrong = False
            req.client_saw_rework = True
            req.fix_hours = self.b.rework_effort_share * req.effort * self.b.client_found_rework_factor
            self.planning.assign(req, eng)
            return
        req.fix_hours = 0.0
        if req.client_wait > 0:
            self.wait_on_client(req)
        else:
            self.deliver(req)

    def wait_on_client(self, req: Request) -> None:
        """The finished work waits on the client for its drawn wait, then is delivered. Every design waits the
        same: no role shortens it. The deadlines move by the wait, as a tracker's clock stops while the ticket
        waits on the customer, so the client does not hold its own wait against the firm."""
        req.state = WITH_CLIENT
        req.deadline += req.client_wait
        req.asked_deadline += req.client_wait
        set_alarm(self.env, req.client_wait, lambda _alarm: self.deliver(req))

    # -- delivery and the client's judgement ----------------------------------------------------------------

    def deliver(self, req: Request) -> None:
        """Billed against the deadline agreed (negotiated or asked); the client judges against what it asked for,
        and minds a moderate delay less when it was told of it."""
        now = self.env._now
        req.done = now
        req.state = DELIVERED
        economics = self.scenario.economics
        req.billed = req.effort * economics.bill_rate * (1.0 - economics.late_discount if now > req.deadline else 1.0)
        self.book.judge(
            self.book.clients[req.client], asked_hours=req.asked_deadline - req.arrival,
            late_by=now - req.asked_deadline, informed=req.informed or self.process.status_updates,
            saw_rework=req.client_saw_rework, now=now,
        )


# -- the actors -------------------------------------------------------------------------------------------------


def engineer(env: simpy.Environment, firm: Firm, eng: Engineer):
    """Take the most urgent work held or allowed and work on it slice by slice; at a slice's end, finish it, or
    keep it and look again for more urgent work if some was offered meanwhile. With nothing to do, take a request
    of one's own clients waiting at a busy desk, or wait."""
    # Bound once: this loop runs once per slice of work, the model's innermost loop.
    next_for, start_work, work_slice, finish_work = (firm.planning.next_for, firm.start_work, firm.work_slice,
                                                     firm.finish_work)
    idle, blocks = firm.idle[eng.skill], firm.work_blocks
    queue, push, sequence = env._queue, heapq.heappush, env._eid
    at_desk, take_waiting, pooled, skill = eng.at_desk, firm.take_waiting, firm.planning.pooled, eng.skill
    while True:
        req = next_for(eng)
        if req is None:
            if at_desk and take_waiting(eng):
                continue
            eng.wake = wake = waiting_alarm()
            idle.add(eng)
            yield wake
            continue
        if req.state != HELD:
            start_work(eng, req)
        while True:
            hours = work_slice(eng, req)
            start, took = env._now, sum(hours)
            offered, pooled_before = eng.offered, pooled[skill]
            slice_end = Alarm()  # set_alarm(env, took), written out: once a slice
            slice_end.callbacks = []
            push(queue, (start + took, NORMAL, next(sequence), slice_end))  # type: ignore[misc]
            yield slice_end
            blocks.append(start)  # flat (WORK_BLOCK_WIDTH); the end is the alarm's own time
            blocks.append(start + took)
            blocks.extend(hours)
            if req.todo_total <= 1e-9:
                finish_work(eng, req)
                break
            # Only work put in this engineer's queue or their skill's pool can be more urgent than the request in
            # hand (taking work out of them leaves what is left less urgent): without it, they carry on.
            if eng.offered != offered or pooled[skill] != pooled_before:
                break


def coordinator(env: simpy.Environment, firm: Firm, role: str):
    """A PM plans, an AM talks to clients, a hybrid does both; each takes the next task of their stages. An AM or
    hybrid with no task spends the time on the account with the most room to grow, until a task comes."""
    desk, book = firm.desk, firm.book
    grows = role != "pm" and firm.b.account_growth_per_hour > 0
    care = firm.care_of(role)
    while True:
        task = desk.take(role)
        if grows and not task.triggered and (account := book.best_account(env._now)) is not None:
            start = env._now
            yield first_of(env, task, set_alarm(env, ACCOUNT_BLOCK_HOURS))
            firm.account_blocks.append((start, env._now, env._now - start))
            book.grow(account, env._now - start)
            if not task.triggered:
                desk.stop_waiting(role, task)
                continue
            stage, req = typing.cast(tuple[str, Request], task.value)
        else:
            stage, req = yield task
        start = env._now
        yield set_alarm(env, firm.stage_hours(stage, req, care))
        firm.coordinator_blocks.append((start, env._now))
        firm.finish_stage(stage, req, role)


def salesperson(env: simpy.Environment, firm: Firm, share: float):
    """A salesperson (or a share of one) spends account time, in the same unit as an AM: hours on the account with
    the most room to grow."""
    book = firm.book
    while True:
        start = env._now
        yield set_alarm(env, ACCOUNT_BLOCK_HOURS)
        account = book.best_account(env._now)
        if account is not None:
            firm.account_blocks.append((start, env._now, share * ACCOUNT_BLOCK_HOURS))
            book.grow(account, share * ACCOUNT_BLOCK_HOURS)


@dataclass(frozen=True)
class ScriptedRequest:
    """A request a test sends at a chosen hour, with chosen coin flips, instead of the clients' own draws."""

    hour: float
    client: int
    kind: int
    clarity: float = 0.99
    review: float = 0.99
    wait: float = 0.0  # hours on the client after the work


def scripted(env: simpy.Environment, firm: Firm, script: list[ScriptedRequest]):
    """Send the scripted requests at their hours, each at its work type's mean effort."""
    for item in sorted(script, key=lambda r: r.hour):
        yield env.timeout(item.hour - env._now)
        client = firm.book.clients[item.client]
        if firm.book.settle(client, env._now):
            firm.send(client, item.kind, firm.work_types[item.kind].effort_hours, item.clarity, item.review, item.wait)


@dataclass(frozen=True)
class Run:
    """Everything one replication produced, before it becomes frames."""

    scenario: Scenario
    design: str
    replication: int
    staffing: Staffing
    requests: list[Request]
    clients: list[Client]
    work_blocks: list[float]  # flat: WORK_BLOCK_WIDTH numbers a block (`work_block_table`)
    coordinator_blocks: list[tuple[float, float]]
    account_blocks: list[tuple[float, float, float]]

    def work_block_table(self) -> np.ndarray:
        """The engineers' blocks of work as rows: start, end, then the hours of each of CATEGORIES."""
        return np.array(self.work_blocks, dtype=float).reshape(-1, WORK_BLOCK_WIDTH)


def simulate(scenario: Scenario, design: str, replication: int,
             script: list[ScriptedRequest] | None = None,
             checkpoint: Callable[[], object] | None = None) -> Run:
    """One replication of one design: build the firm, start every actor, run to the end of the horizon.

    `script` replaces the clients' own requests (tests send single requests whose hours can be worked out by
    hand); the clients still judge what they get. `checkpoint` is called after each simulated week and may raise
    to end the run there: a run in the app's own process is stopped within a week, not at its end. The numbers are
    the same with it or without it (SimPy keeps every event's order across the pauses)."""
    staffing = staff(scenario, design)
    env = simpy.Environment()
    firm = Firm(env, scenario, staffing, replication)
    today = firm.open_book(todays_client_sizes(scenario, replication).tolist())
    if script is None:
        for client in today:
            ClientClock(env, firm.book, firm, client)
        if scenario.demand.prospects_per_year > 0:
            env.process(outbound(env, firm.book, firm, random_streams(scenario.seed, replication)["outbound"]))
    else:
        env.process(scripted(env, firm, script))
    for eng in firm.engineers:
        env.process(engineer(env, firm, eng))
    for role, count in (("pm", staffing.project_managers), ("am", staffing.account_managers),
                        ("hybrid", staffing.hybrids)):
        for _ in range(count):
            env.process(coordinator(env, firm, role))
    if staffing.sales_share > 0 and scenario.behaviour.account_growth_per_hour > 0:
        env.process(salesperson(env, firm, staffing.sales_share))
    end = scenario.measured_hours[1]
    # Every request stays alive until the run ends, so the cycle collector would walk them all again and again
    # (a quarter of the run time, bench/README.md) to find almost nothing: pause it for the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if checkpoint is None:
            run_until(env, end)
        else:
            while env.now < end:
                run_until(env, min(env.now + scenario.firm.hours_per_week, end))
                checkpoint()
    finally:
        if collecting:
            gc.enable()
    for client in firm.book.clients:  # departures up to the end, which no event has looked at yet
        firm.book.settle(client, end)
    run = Run(scenario, design, replication, staffing, firm.requests, list(firm.book.clients),
              list(firm.work_blocks), firm.coordinator_blocks, firm.account_blocks)
    firm.detach()
    return run
