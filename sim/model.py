"""The life of a client request in a services firm under one org design, as a SimPy model.

The clock runs in working hours. Actors are long-lived processes, as in SimPy's own examples: the clients send
requests, coordinators (project managers, account managers, hybrids) take them from a shared desk, engineers take
them from their inbox and work, a salesperson sells extra work. MODEL.md tells the same story in prose, with the
source of every default.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import Counter
from dataclasses import dataclass, field

import simpy

from sim.demand import RequestDraws, draw_demand, draw_work
from sim.scenario import OrgDesign, Process, Scenario, ScenarioError

# Where an engineer's busy hours go; idle time is what is left of the hours available.
CATEGORIES = ("billable_work", "rework", "communication", "context_switch", "skill_mismatch", "overhead")
CLIENT_STAGE, PLANNING_STAGE = "client", "planning"


@dataclass(frozen=True)
class Staffing:
    """An org design applied to a scenario: who works here and which process levers hold."""

    engineer_skills: tuple[str, ...]
    project_managers: int
    account_managers: int
    hybrids: int
    sales_share: float
    process: Process

    @property
    def plans_centrally(self) -> bool:
        return self.project_managers + self.hybrids > 0

    @property
    def manages_accounts(self) -> bool:
        return self.account_managers + self.hybrids > 0


def staff(scenario: Scenario, design_name: str) -> Staffing:
    """Headcounts of a design; extra engineers join, one by one, the skill with the most demand per engineer."""
    if design_name not in scenario.designs:
        known = ", ".join(scenario.designs)
        raise ScenarioError([f"design {design_name!r} is not in the scenario; designs: {known}"])
    design: OrgDesign = scenario.designs[design_name]
    per_skill = Counter(scenario.skills)
    demand_hours = Counter()
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
    upsell_draw: float
    is_upsell: bool = False
    built_wrong: bool = False
    account_care: float = 0.0  # strength of the AM effects on this request: 1 AM, hybrid_strength, 0 none
    review_care: float = 0.0  # strength of the PM review on this request
    informed: bool = False  # the client hears of delays
    started: float = math.nan
    done: float = math.nan
    dropped: bool = False
    fix_hours: float = 0.0  # client-found rework still to do
    client_saw_rework: bool = False
    billed: float = 0.0

    @property
    def hours_to_do(self) -> float:
        """Work left at standard speed: the fix if the client sent it back, else the request itself."""
        return self.fix_hours or self.effort


@dataclass(eq=False)
class Engineer:
    index: int
    skill: str
    inbox: simpy.Store
    backlog_hours: float = 0.0  # effort assigned and not yet delivered (own-queue designs)
    busy_until: float = 0.0  # when the request in hand will be done
    open_clients: Counter = field(default_factory=Counter)

    def take(self, req: Request) -> None:
        """Queue a request; an engineer does the earliest deadline first (the client's ask is all they know)."""
        self.inbox.put(simpy.PriorityItem((req.deadline, req.id), req))

    def clients_at_once(self) -> int:
        return max(1, len(self.open_clients))


@dataclass(frozen=True)
class Task:
    stage: str
    request: Request


class Firm:
    """The state the actors share and the hand-offs between them."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, staffing: Staffing, rng: dict) -> None:
        self.env, self.scenario, self.staffing, self.rng = env, scenario, staffing, rng
        self.b = scenario.behaviour
        self.process = staffing.process
        self.hours_per_day = scenario.firm.hours_per_week / 5
        self.work_types = list(scenario.demand.work_types.values())
        self.engineers = [Engineer(i, s, simpy.PriorityStore(env)) for i, s in enumerate(staffing.engineer_skills)]
        by_skill: dict[str, list[Engineer]] = {}
        for eng in self.engineers:
            by_skill.setdefault(eng.skill, []).append(eng)
        self.by_skill = by_skill
        self.pool: dict[str, list] = {s: [] for s in by_skill}  # central planning: requests waiting, by deadline
        self.pool_hours = Counter()
        self.idle: dict[str, list[Engineer]] = {s: list(reversed(e)) for s, e in by_skill.items()}
        self.desk = simpy.FilterStore(env)
        clients = scenario.demand.clients
        self.satisfaction = [1.0] * clients
        self.lost_at = [math.inf] * clients
        self.requests: list[Request] = []
        self.work_blocks: list[tuple[float, float, tuple[float, ...]]] = []
        self.coordinator_blocks: list[tuple[float, float]] = []

    # -- intake ---------------------------------------------------------------------------------------------

    def new_request(self, client: int, kind: int, raw_effort: float, draws: tuple[float, float, float],
                    is_upsell: bool = False) -> Request:
        wt = self.work_types[kind]
        effort = raw_effort
        if self.process.standardised_work:  # checklists shrink the spread of effort around its mean
            effort = wt.effort_hours + self.b.standardised_cv_factor * (raw_effort - wt.effort_hours)
        now = self.env.now
        return Request(
            id=len(self.requests), client=client, kind=kind, skill=wt.skill, effort=effort, arrival=now,
            deadline=now + wt.deadline_days * self.hours_per_day,
            asked_deadline=now + wt.deadline_days * self.hours_per_day, clarity_draw=draws[0], review_draw=draws[1],
            upsell_draw=draws[2], is_upsell=is_upsell,
        )

    def receive(self, req: Request) -> None:
        """A request reaches the firm: a lost client's is dropped, the rest go to intake."""
        self.requests.append(req)
        if self.lost_at[req.client] <= self.env.now:
            req.dropped = True
            return
        if self.staffing.manages_accounts:
            self.hand_to_desk(CLIENT_STAGE, req, self.client_stage_hours(req))
        else:
            self.understand(req, clarity=self.b.clarity_without_am)
            self.after_client_stage(req)

    def client_stage_hours(self, req: Request) -> float:
        checkins = self.process.checkins and self.staffing.plans_centrally
        b = self.b
        return b.am_hours_fixed + b.am_effort_share * req.effort + (b.checkin_hours_per_request if checkins else 0.0)

    def planning_hours(self, req: Request) -> float:
        return self.b.pm_hours_fixed + self.b.pm_effort_share * req.effort

    def hand_to_desk(self, stage: str, req: Request, hours: float) -> None:
        if hours > 0:
            self.desk.put(Task(stage, req))
        elif stage == CLIENT_STAGE:  # free coordination needs no queue: the specialist's effect, at once
            hybrid_only = not self.staffing.account_managers
            self.clarify(req, care=self.b.hybrid_strength if hybrid_only else 1.0, has_planner_view=hybrid_only)
            self.after_client_stage(req)
        else:
            self.finish_planning(req, care=1.0 if self.staffing.project_managers else self.b.hybrid_strength)

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
        expected = self.work_types[req.kind].effort_hours
        if not self.staffing.plans_centrally:
            ahead = self.owner(req).backlog_hours
        elif has_planner_view or self.process.checkins:
            team = self.by_skill[req.skill]
            in_hand = sum(max(0.0, e.busy_until - self.env.now) for e in team)
            ahead = (self.pool_hours[req.skill] + in_hand) / len(team)
        else:
            return req.deadline
        return self.env.now + self.b.negotiation_buffer * (ahead + expected)

    def after_client_stage(self, req: Request) -> None:
        if self.staffing.plans_centrally:
            self.hand_to_desk(PLANNING_STAGE, req, self.planning_hours(req))
        else:
            self.assign_to_owner(req)

    def finish_planning(self, req: Request, care: float) -> None:
        req.review_care = care
        self.plan(req)

    # -- assignment -----------------------------------------------------------------------------------------

    def owner(self, req: Request) -> Engineer:
        """The client's usual engineer for this skill: clients spread round-robin over those who have it."""
        team = self.by_skill[req.skill]
        return team[req.client % len(team)]

    def assign_to_owner(self, req: Request) -> None:
        eng = self.owner(req)
        eng.backlog_hours += req.effort
        eng.open_clients[req.client] += 1
        eng.take(req)

    def plan(self, req: Request) -> None:
        """Central planning: an idle engineer with the skill, else one outside it if the wait would cost more."""
        idle = self.idle[req.skill]
        if idle:
            idle.pop().take(req)
            return
        helper = self.idle_helper(req)
        if helper is not None:
            helper.take(req)
            return
        heapq.heappush(self.pool[req.skill], (req.deadline, req.id, req))
        self.pool_hours[req.skill] += req.hours_to_do

    def worth_helping(self, req: Request) -> bool:
        expected = self.work_types[req.kind].effort_hours
        wait = self.pool_hours[req.skill] / len(self.by_skill[req.skill])
        return wait > expected * (self.b.skill_mismatch_factor - 1.0)

    def idle_helper(self, req: Request) -> Engineer | None:
        if not self.worth_helping(req):
            return None
        for skill, idle in self.idle.items():
            if skill != req.skill and idle:
                return idle.pop()
        return None

    def next_for(self, eng: Engineer) -> None:
        """An engineer under central planning is free: earliest deadline of their skill, else help elsewhere."""
        candidates = [self.pool[eng.skill]] + [q for s, q in self.pool.items() if s != eng.skill]
        for queue in candidates:
            if queue and (queue is candidates[0] or self.worth_helping(queue[0][2])):
                req = heapq.heappop(queue)[2]
                self.pool_hours[req.skill] -= req.hours_to_do
                eng.take(req)
                return
        self.idle[eng.skill].append(eng)

    # -- work -----------------------------------------------------------------------------------------------

    def work_hours(self, eng: Engineer, req: Request) -> dict[str, float]:
        """Hours this visit costs the engineer, by category; see MODEL.md 'An engineer's hours'."""
        b = self.b
        hours = dict.fromkeys(CATEGORIES, 0.0)
        if req.fix_hours:
            hours["rework"] = req.fix_hours
        else:
            hours["billable_work"] = req.effort
            talk = b.interruption_hours * (1.0 - req.account_care)
            if req.account_care == 0:  # nobody else owns the client: the engineer does the talking
                talk += b.client_contact_hours
                if self.process.status_updates:
                    talk += b.status_update_hours
            hours["communication"] = talk
            if self.process.standardised_work:
                hours["overhead"] = b.standardised_overhead_hours
            if req.built_wrong and req.review_draw < b.review_catch_rate * req.review_care:
                hours["rework"] = b.rework_effort_share * req.effort  # caught in review, fixed before delivery
                req.built_wrong = False
        productive = hours["billable_work"] + hours["rework"]
        if eng.skill != req.skill:
            hours["skill_mismatch"] = productive * (b.skill_mismatch_factor - 1.0)
        loss = self.switch_loss(eng)
        hours["context_switch"] = (productive + hours["skill_mismatch"]) * loss / (1.0 - loss)
        return hours

    def switch_loss(self, eng: Engineer) -> float:
        table = self.b.context_switch_loss
        return table[min(eng.clients_at_once(), len(table)) - 1]

    def after_work(self, eng: Engineer, req: Request) -> None:
        if req.built_wrong:  # the client finds it: the fix costs more and comes back to the queue
            req.built_wrong = False
            req.client_saw_rework = True
            req.fix_hours = self.b.rework_effort_share * req.effort * self.b.client_found_rework_factor
            if self.staffing.plans_centrally:
                self.plan(req)
            else:
                eng.take(req)
            return
        req.fix_hours = 0.0
        if not self.staffing.plans_centrally:
            eng.backlog_hours -= req.effort
            eng.open_clients[req.client] -= 1
            if not eng.open_clients[req.client]:
                del eng.open_clients[req.client]
        self.deliver(req)

    # -- delivery and the client's reaction -----------------------------------------------------------------

    def deliver(self, req: Request) -> None:
        b, now = self.b, self.env.now
        req.done = now
        late = now > req.deadline
        req.billed = req.effort * self.scenario.economics.bill_rate * (
            1.0 - self.scenario.economics.late_discount if late else 1.0
        )
        relief = b.informed_delay_relief if (req.informed or self.process.status_updates) else 0.0
        outcome = (1.0 - late * b.late_dissatisfaction * (1.0 - relief)
                   - req.client_saw_rework * b.rework_dissatisfaction)
        c = req.client
        self.satisfaction[c] += b.satisfaction_memory * (max(outcome, 0.0) - self.satisfaction[c])
        if b.churn and self.satisfaction[c] < b.churn_threshold and self.lost_at[c] == math.inf:
            self.lost_at[c] = now
        if b.upsell and self.is_happy(c) and req.upsell_draw < b.upsell_per_delivery * req.account_care:
            self.receive(self.upsell_request(c))

    def is_happy(self, client: int) -> bool:
        return self.lost_at[client] == math.inf and self.satisfaction[client] >= self.b.churn_threshold

    def upsell_request(self, client: int) -> Request:
        rng = self.rng["upsell"]
        kind, effort = draw_work(rng, self.scenario, 1)
        return self.new_request(client, int(kind[0]), float(effort[0]), tuple(rng.uniform(size=3)), is_upsell=True)


# -- the actors -------------------------------------------------------------------------------------------------


def clients(env: simpy.Environment, firm: Firm, draws: RequestDraws):
    """Clients send their requests at the pre-drawn times (identical under every design)."""
    arrivals = zip(draws.arrival_hours.tolist(), draws.client.tolist(), draws.work_type.tolist(),
                   draws.raw_effort.tolist(), draws.clarity_draw.tolist(), draws.review_draw.tolist(),
                   draws.upsell_draw.tolist(), strict=True)
    for at, client, kind, effort, clarity, review, upsell in arrivals:
        yield env.timeout(at - env.now)
        firm.receive(firm.new_request(client, kind, effort, (clarity, review, upsell)))


def engineer(env: simpy.Environment, firm: Firm, eng: Engineer):
    """Take the next request from the inbox, do it (with talk, switching and rework), hand it on; repeat."""
    while True:
        req = (yield eng.inbox.get()).item
        if math.isnan(req.started):
            req.started = env.now
        hours = firm.work_hours(eng, req)
        start = env.now
        eng.busy_until = start + sum(hours.values())
        yield env.timeout(eng.busy_until - start)
        firm.work_blocks.append((start, env.now, tuple(hours.values())))
        firm.after_work(eng, req)
        if firm.staffing.plans_centrally:
            firm.next_for(eng)


def coordinator(env: simpy.Environment, firm: Firm, role: str):
    """A PM plans, an AM talks to clients, a hybrid does both for the same request, one after the other."""
    stages = {"pm": (PLANNING_STAGE,), "am": (CLIENT_STAGE,), "hybrid": (CLIENT_STAGE, PLANNING_STAGE)}[role]
    care = firm.b.hybrid_strength if role == "hybrid" else 1.0
    while True:
        task = yield firm.desk.get(lambda t: t.stage in stages)
        req, start = task.request, env.now
        if task.stage == CLIENT_STAGE:
            yield env.timeout(firm.client_stage_hours(req))
            firm.clarify(req, care, has_planner_view=role == "hybrid")
            if role == "hybrid":  # the hybrid plans the request too, from their own view of capacity
                yield env.timeout(firm.planning_hours(req))
                firm.finish_planning(req, care)
            else:
                firm.after_client_stage(req)
        else:
            yield env.timeout(firm.planning_hours(req))
            firm.finish_planning(req, care)
        firm.coordinator_blocks.append((start, env.now))


def salesperson(env: simpy.Environment, firm: Firm, share: float):
    """A salesperson (or a share of one) sells extra requests to satisfied clients."""
    rng = firm.rng["sales"]
    rate = share * firm.b.sales_upsells_per_week / firm.scenario.firm.hours_per_week
    while True:
        yield env.timeout(rng.exponential(1.0 / rate))
        happy = [c for c in range(firm.scenario.demand.clients) if firm.is_happy(c)]
        if happy:
            firm.receive(firm.upsell_request(happy[int(rng.integers(len(happy)))]))


@dataclass(frozen=True)
class Run:
    """Everything one replication produced, before it becomes frames."""

    scenario: Scenario
    design: str
    replication: int
    staffing: Staffing
    requests: list[Request]
    lost_at: list[float]
    work_blocks: list[tuple[float, float, tuple[float, ...]]]
    coordinator_blocks: list[tuple[float, float]]


def simulate(scenario: Scenario, design: str, replication: int) -> Run:
    """One replication of one design: build the firm, start every actor, run to the end of the horizon."""
    staffing = staff(scenario, design)
    draws, rng = draw_demand(scenario, replication)
    env = simpy.Environment()
    firm = Firm(env, scenario, staffing, rng)
    env.process(clients(env, firm, draws))
    for eng in firm.engineers:
        env.process(engineer(env, firm, eng))
    for role, count in (("pm", staffing.project_managers), ("am", staffing.account_managers),
                        ("hybrid", staffing.hybrids)):
        for _ in range(count):
            env.process(coordinator(env, firm, role))
    if staffing.sales_share > 0 and scenario.behaviour.upsell and scenario.behaviour.sales_upsells_per_week > 0:
        env.process(salesperson(env, firm, staffing.sales_share))
    # Every request stays alive until the run ends, so the cycle collector would walk them all again and again
    # (a quarter of the run time, bench/README.md) to find almost nothing: pause it for the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        env.run(until=(scenario.warmup_weeks + scenario.weeks) * scenario.firm.hours_per_week)
    finally:
        if collecting:
            gc.enable()
    return Run(scenario, design, replication, staffing, firm.requests, firm.lost_at, firm.work_blocks,
               firm.coordinator_blocks)

