"""Why one design beats another: its gain split by mechanism, on the same paired replications as the gain itself.

Each mechanism is switched off alone (every other one as the scenario has it); its contribution is how much of the
gain goes with it, replication by replication. The hires' salaries are a contribution of their own, and so is what
is left with every mechanism switched off at once (the hours the hires add with nothing else at work). What these
leave of the gain is the interaction: the part the mechanisms make only together.

    total = salaries + left with all off + sum of one-at-a-time contributions + interaction

Signs follow the objective: a positive figure is better for the design (more profit, a shorter lead time, a higher
on-time rate)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment import Progress, Results, run_experiment
from sim.objective import OBJECTIVES
from sim.paths import field_meta
from sim.scenario import OrgDesign, Scenario, ScenarioError, from_dict
from sim.stats import t_half_width
from sim.wording import CARRIED, EXPLAINED_OBJECTIVES, EXPLANATION_HEADER, design_labels, gain_words, range_words

UNGRADED = "assumption"  # a switch with no source of its own is the model's assumption
SALARY_KEYS = {"project_managers": "project_manager", "account_managers": "account_manager", "hybrids": "hybrid",
               "sales_share": "sales", "extra_engineers": "engineer"}
ALL_OFF = "behaviour.all_mechanisms_off"
Runner = Callable[[Scenario, list[str]], pd.DataFrame]
CARRIES = 0.5  # one assumption carrying more than this share of the gain is said beside the answer


@dataclass(frozen=True)
class Mechanism:
    """A mechanism the model can switch off: its scenario key and the value that switches it off (a callable gets
    the scenario's table of that key, for an off value that depends on another key)."""

    parameter: str
    label: str
    off: Any

    def off_value(self, table: Mapping[str, Any]) -> Any:
        return self.off(table) if callable(self.off) else self.off


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("behaviour.clarity_with_am", "An account manager's clarifying (requests understood right)",
              lambda b: b["clarity_without_am"]),
    Mechanism("behaviour.rework_effort_share", "Rework of requests built wrong", 0.0),
    Mechanism("behaviour.review_catch_rate", "A project manager's review catching wrong builds", 0.0),
    Mechanism("behaviour.negotiation_buffer", "Deadlines an account manager negotiates", 1.0),
    Mechanism("behaviour.context_switch_loss", "Time lost juggling several clients at once", [0.0]),
    Mechanism("behaviour.switch_setup_hours", "Picking up the thread between clients", 0.0),
    Mechanism("behaviour.skill_mismatch_factor", "Slower work outside an engineer's skill", 1.0),
    Mechanism("behaviour.handoff_hours", "Learning an unfamiliar client's context", 0.0),
    Mechanism("behaviour.client_contact_hours", "Intake and client talk per request", 0.0),
    Mechanism("behaviour.interruption_hours", "Client interruptions of engineers", 0.0),
    Mechanism("behaviour.pm_hours_fixed", "A project manager's planning hours per request", 0.0),
    Mechanism("behaviour.am_hours_fixed", "An account manager's intake hours per request", 0.0),
    Mechanism("behaviour.peer_help", "Engineers helping busy colleagues without a planner", False),
    Mechanism("behaviour.informed_delay_relief", "Clients kept informed forgiving a delay", 0.0),
    Mechanism("behaviour.churn_sensitivity", "Unhappy clients leaving sooner", 0.0),
    Mechanism("behaviour.share_response", "Clients sending more work as their satisfaction rises", 0.0),
    Mechanism("behaviour.account_growth_per_hour", "Account time growing clients' spend", 0.0),
    Mechanism("demand.referrals_per_client_per_year", "Referrals from clients", 0.0),
)


@dataclass(frozen=True)
class Contribution:
    parameter: str
    label: str
    grade: str
    mean: float
    ci95: float

    @property
    def beyond_noise(self) -> bool:
        return bool(abs(self.mean) > self.ci95)


@dataclass(frozen=True)
class Explanation:
    """A design's gain over another on one objective, and what carries it (largest first)."""

    design: str
    against: str
    objective: str
    replications: int
    total: tuple[float, float]
    contributions: tuple[Contribution, ...]
    interaction: tuple[float, float]
    labels: tuple[str, str] = ("", "")  # the two designs in words, as the scenario names them

    def to_json(self) -> dict[str, Any]:
        return {
            "design": self.design, "against": self.against, "objective": self.objective,
            "total": {"mean": self.total[0], "ci95": self.total[1]},
            "contributions": [{"parameter": c.parameter, "label": c.label, "grade": c.grade, "mean": c.mean,
                               "ci95": c.ci95} for c in self.contributions],
            "interaction": {"mean": self.interaction[0], "ci95": self.interaction[1]},
        }

    def frame(self) -> pd.DataFrame:
        """One row per contribution, then the interaction: a tidy frame for tables and the waterfall chart."""
        rows = [{"parameter": c.parameter, "label": c.label, "grade": c.grade, "mean": c.mean, "ci95": c.ci95}
                for c in self.contributions]
        rows.append({"parameter": "", "label": "The mechanisms acting together (interaction)", "grade": "",
                     "mean": self.interaction[0], "ci95": self.interaction[1]})
        return pd.DataFrame(rows)

    @property
    def acts_together(self) -> bool:
        """Whether the interaction outweighs every single mechanism: the gain comes from them together."""
        largest = max((abs(c.mean) for c in self.contributions if c.parameter != ALL_OFF), default=0.0)
        return abs(self.interaction[0]) > largest and abs(self.interaction[0]) > self.interaction[1]

    def carried_by_assumption(self) -> Contribution | None:
        """The one input graded "assumption" that carries more than half of the gain, beyond noise, if any."""
        mean, half = self.total
        if abs(mean) <= half:
            return None
        for c in self.contributions:
            if c.grade == "assumption" and c.beyond_noise and c.mean * mean > 0 and abs(c.mean) > CARRIES * abs(mean):
                return c
        return None

    def sentences(self) -> list[str]:
        """What the answer rests on, in sentences for the page, the report and the CLI: the one assumption that
        carries most of the gain, and whether the mechanisms act together rather than one by one."""
        design, against = self.labels
        mean, half = self.total
        words = EXPLAINED_OBJECTIVES[self.objective][0]
        out = [f"{design} against {against}: {gain_words(mean, half, self.objective)} {words}, over "
               f"{self.replications} paired replications."]
        if abs(mean) <= half:
            out.append("This gain is within the simulation's noise, so no mechanism can be said to carry it.")
        carried = self.carried_by_assumption()
        if carried is not None:
            span = range_words(carried.parameter)
            out.append(f"Most of this gain ({gain_words(carried.mean, carried.ci95, self.objective)}) {CARRIED}: "
                       f"{carried.label.lower()}, which is not measured at your firm"
                       + (f" (plausible range {span})" if span else "") + ". Check it before you hire on this answer.")
        if self.acts_together:
            out.append("The mechanisms act together rather than one by one: switched off one at a time, they leave "
                       f"{gain_words(*self.interaction, self.objective)} of the gain unexplained.")
        return out

    def rows(self) -> list[tuple[str, str, str]]:
        """The table in words (EXPLANATION_HEADER), largest contribution first, then what they do together: the
        one table the page, the report and the command line show."""
        return [(row.label, row.grade or "-", gain_words(row.mean, row.ci95, self.objective))
                for row in self.frame().itertuples(index=False)]

    def lines(self) -> list[str]:
        """The explanation as plain text for the command line: the sentences, then the table."""
        rows = [EXPLANATION_HEADER, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = self.sentences() + [""]
        lines += ["  ".join((r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]))) for r in rows]
        lines.append("Each mechanism is switched off alone on the same replications; ± is the 95 % half-width.")
        return lines


def grade_of(parameter: str) -> str:
    return str(field_meta(parameter).get("grade") or UNGRADED)


def switched_off(scenario: Scenario, mechanisms: Sequence[Mechanism]) -> Scenario:
    """The scenario with these mechanisms at their switched-off values, everything else as it is."""
    data = scenario.to_dict()
    for m in mechanisms:
        table, key = m.parameter.split(".", 1)
        data[table] = {**data[table], key: m.off_value(data[table])}
    return from_dict(data)


def active_mechanisms(scenario: Scenario) -> list[Mechanism]:
    """The mechanisms the scenario has on: one already at its off value contributes nothing and costs no run."""
    data = scenario.to_dict()
    out = []
    for m in MECHANISMS:
        table, key = m.parameter.split(".", 1)
        if data[table][key] != m.off_value(data[table]):
            out.append(m)
    return out


def _gain(summary: pd.DataFrame, design: str, against: str, objective: str) -> np.ndarray:
    metric, sign = OBJECTIVES[objective][:2]  # the summary's column and the sign that makes better positive
    wide = summary.pivot(index="replication", columns="design", values=metric).sort_index()
    return sign * (wide[design] - wide[against]).to_numpy(dtype=float)


def _salary_key(design: OrgDesign, other: OrgDesign) -> str:
    """The salary behind a pair's cost difference: the one hire they differ in, else all salaries."""
    differing = [SALARY_KEYS[k] for k in SALARY_KEYS if getattr(design, k) != getattr(other, k)]
    return f"economics.salary.{differing[0]}" if len(differing) == 1 else "economics.salary"


def _described(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(t_half_width(values)) if values.size > 1 else float("nan")


def best_pair(results: Results, objective: str) -> tuple[str, str]:
    """The best design on the objective and its runner-up, by mean over the replications."""
    metric, sign = OBJECTIVES[objective][:2]  # the summary's column and the sign that makes better positive
    means = results.summary.groupby("design", sort=False)[metric].mean() * sign
    ranked = list(means.sort_values(ascending=False, kind="stable").index)
    if len(ranked) < 2:
        raise ScenarioError(["designs: an explanation compares two designs; the scenario has one"])
    return str(ranked[0]), str(ranked[1])


def explain(scenario: Scenario, design: str, against: str, objective: str = "profit", *,
            full: Results | None = None, executor: Executor | None = None, progress: Progress | None = None,
            should_stop: Callable[[], bool] | None = None, runner: Runner | None = None) -> Explanation:
    """Split `design`'s gain over `against` by mechanism. `full` is a run of the scenario as it is that holds both
    designs (the page's comparison): it is reused rather than run again. `runner` replaces the model (a test's
    model with effects known by hand): it gets a scenario and the two designs and returns a summary frame."""
    if objective not in OBJECTIVES:
        raise ScenarioError([f"objective = {objective}: choose from {', '.join(OBJECTIVES)}"])
    for name in (design, against):
        if name not in scenario.designs:
            raise ScenarioError([f"designs = {name}: choose from {', '.join(scenario.designs)}"])
    if design == against:
        raise ScenarioError([f"designs = {design},{against}: name two different designs"])
    pair = [design, against]
    mechanisms = active_mechanisms(scenario)
    variants = [switched_off(scenario, [m]) for m in mechanisms] + [switched_off(scenario, MECHANISMS)]
    reuse = full is not None and full.scenario == scenario and set(pair) <= set(full.designs)
    # the variants run the replications of the gain they split: a comparison may have run more than the scenario's
    replications = range(full.replications) if reuse and full is not None else range(scenario.replications)
    runs = len(variants) + (0 if reuse else 1)
    done = [0]

    def run(s: Scenario) -> pd.DataFrame:
        step = done[0]

        def told(i: int, n: int) -> None:
            if progress:
                progress(step * n + i, runs * n)

        if runner is not None:
            out = runner(s, pair)
        else:
            out = run_experiment(s, pair, executor=executor, progress=told, should_stop=should_stop,
                                 replications=replications).summary
        done[0] += 1
        return out

    base = full.summary if reuse and full is not None else run(scenario)
    gain = _gain(base, design, against, objective)
    without = [gain - _gain(run(v), design, against, objective) for v in variants[:-1]]
    all_off = _gain(run(variants[-1]), design, against, objective)

    rows = [Contribution(m.parameter, m.label, grade_of(m.parameter), *_described(c))
            for m, c in zip(mechanisms, without, strict=True)]
    if objective == "profit":  # the salaries are exact: the same every replication
        wide = base.pivot(index="replication", columns="design", values="cost").sort_index()
        salaries = -(wide[design] - wide[against]).to_numpy(dtype=float)
        key = _salary_key(scenario.designs[design], scenario.designs[against])
        rows.append(Contribution(key, "The hires' salaries", grade_of(key) if key.count(".") == 2 else "firm",
                                 *_described(salaries)))
        left = all_off - salaries
    else:
        left = all_off
    rows.append(Contribution(ALL_OFF, "The hires' hours with every mechanism listed here switched off", "firm",
                             *_described(left)))
    explained = sum(without, np.zeros_like(gain)) + all_off
    rows.sort(key=lambda c: -abs(c.mean))
    words = design_labels(scenario.designs)
    return Explanation(design, against, objective, int(gain.size), _described(gain), tuple(rows),
                       _described(gain - explained), (words[design], words[against]))


def waterfall_frame(explained: Explanation) -> pd.DataFrame:
    """The bars of the waterfall: every contribution that moves the gain, then the interaction, then the total."""
    rows = [r for r in explained.frame().itertuples(index=False) if not (r.mean == 0 and r.ci95 == 0)]
    out, at = [], 0.0
    for r in rows:
        stop = at + r.mean
        out.append({"row": r.label, "start": at, "stop": stop, "value": r.mean, "ci95": r.ci95,
                    "grade": r.grade or "together", "kind": "adds to the gain" if r.mean >= 0 else "takes from it"})
        at = stop
    mean, half = explained.total
    out.append({"row": "Total gain", "start": 0.0, "stop": mean, "value": mean, "ci95": half, "grade": "",
                "kind": "total"})
    frame = pd.DataFrame(out)
    frame["right"] = frame[["start", "stop"]].max(axis=1)
    return frame
