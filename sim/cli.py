"""Command line: `python -m sim run SCENARIO.toml ...`, `python -m sim advise SCENARIO.toml --budget B ...`,
`python -m sim robust SCENARIO.toml ...`, `python -m sim calibrate TICKETS.csv ...` and
`python -m sim report SCENARIO.toml --out report.html ...`.

Bad input is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from sim.links import DEFAULT_BASE_URL
from sim.presets import DEFAULT_PRESET, SCENARIOS_FOLDER
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.terminal import progress_bar

# Each command imports what it needs when it runs, so that `run` does not pay for the advisor's, the robustness
# analysis's or the calibration's imports (scipy among them): start-up is part of every command's time.
if TYPE_CHECKING:
    from concurrent.futures import Executor

    from sim.advisor import Advice, Objective
    from sim.experiment import Results
    from sim.robust import Robustness

USAGE_ERROR = 2
INTERRUPTED, TERMINATED = 130, 143  # 128 + the signal's number, as a shell reports a command a signal stopped
# The report's choices, here so that parsing them imports nothing heavy.
REPORT_OBJECTIVES = ("profit", "lead_time", "on_time")
REPORT_BUDGET = 150_000.0  # the Next hire page's default budget
MAX_MESSAGE_CHARS = 300  # argparse quotes a bad flag's value whole


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block, and never a huge flag echoed
        cut = message if len(message) <= MAX_MESSAGE_CHARS else f"{message[:MAX_MESSAGE_CHARS]}..."
        raise ScenarioError([f"{self.prog}: {cut}"])


def _designs(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; `command` (the first word after `python -m sim`, if known) spares `run` and `calibrate` the
    import that the defaults of `advise` and `robust` need."""
    if command in (None, "advise", "robust"):
        from sim.robust import Settings

        samples: int | None = Settings.samples
        replications: int | None = Settings.replications
        weeks: int | None = Settings.weeks
    else:  # the subcommand parsed is not one of those two: their defaults are never read
        samples = replications = weeks = None
    parser = _Parser(prog="python -m sim", description="Simulate org designs of a services firm.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="compare org designs on a scenario")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/default.toml")
    run.add_argument("--designs", type=_designs, help="comma-separated design names (default: all in the file)")
    run.add_argument("--reps", type=int, help="replications per design to start with (the scenario's "
                     "replications); more are added in batches of as many until the best design is clear")
    run.add_argument("--max-reps", type=int, help="most replications per design (the scenario's max_replications); "
                     "equal to --reps runs exactly that many")
    run.add_argument("--objective", default="profit",
                     help="what the best design is best on, and what replications are added until it is clear: "
                     "profit, lead_time or on_time, or a weighted mix such as profit:0.7,on_time:0.3")
    run.add_argument("--zone", type=float, help="the smallest difference that matters on the objective, in its units "
                     "($ a year, days, a rate: 0.02 is 2 points; default 20000, 0.25, 0.02, 1 for a mix): designs "
                     "within it of the best stop the run as practically the same")
    run.add_argument("--weeks", type=int, help="weeks measured after the warm-up")
    run.add_argument("--seed", type=int, help="random seed")
    run.add_argument("--format", choices=("table", "json", "csv"), default="table")
    run.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    run.set_defaults(handler=cmd_run)

    adv = commands.add_parser("advise", help="rank the hires and process changes a yearly budget affords")
    adv.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/default.toml")
    adv.add_argument("--budget", type=float, required=True, help="yearly budget for new salaries ($)")
    adv.add_argument("--objective", default="profit",
                     help="profit, lead_time or on_time, or a weighted mix such as profit:0.7,on_time:0.3")
    adv.add_argument("--growth", type=float,
                     help="also rank for demand grown by this fraction (0.3 = 30 %% more requests per client)")
    adv.add_argument("--weeks", type=int, help="weeks measured after the warm-up")
    adv.add_argument("--seed", type=int, help="random seed")
    adv.add_argument("--format", choices=("table", "json"), default="table")
    adv.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    adv.add_argument("--robust", action="store_true",
                     help="also test the best two options over the scenario's uncertain inputs (see `robust`)")
    adv.add_argument("--samples", type=int, default=samples, help="Monte Carlo samples with --robust")
    adv.set_defaults(handler=cmd_advise)

    rob = commands.add_parser("robust", help="how the best design depends on the uncertain inputs")
    rob.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/default.toml")
    rob.add_argument("--designs", type=_designs, help="comma-separated design names (default: all in the file)")
    rob.add_argument("--objective", default="profit",
                     help="profit, lead_time, on_time, mix (the three with equal weights) or a weighted mix such "
                     "as profit:0.7,on_time:0.3")
    rob.add_argument("--samples", type=int, default=samples,
                     help=f"Monte Carlo samples of the ranges (default {samples})")
    rob.add_argument("--reps", type=int, default=replications,
                     help=f"replications of every run (default {replications})")
    rob.add_argument("--weeks", type=int, default=weeks,
                     help=f"measured weeks of every run, at most the scenario's (default {weeks})")
    rob.add_argument("--format", choices=("table", "json"), default="table")
    rob.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    rob.set_defaults(handler=cmd_robust)

    why = commands.add_parser("explain", help="why one design beats another: its gain split by mechanism")
    why.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/default.toml")
    why.add_argument("--designs", type=_designs, help="two design names, the design and the one it is measured "
                     "against (default: the best on the objective and its runner-up)")
    why.add_argument("--objective", choices=REPORT_OBJECTIVES, default="profit", help="default: profit")
    why.add_argument("--reps", type=int, help="replications per design")
    why.add_argument("--weeks", type=int, help="weeks measured after the warm-up")
    why.add_argument("--seed", type=int, help="random seed")
    why.add_argument("--format", choices=("table", "json"), default="table")
    why.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    why.set_defaults(handler=cmd_explain)

    cal = commands.add_parser("calibrate", help="fit a scenario to a ticket export and back-test it")
    cal.add_argument("tickets", help="CSV export of tickets (Jira, Zendesk, Linear, or generic; see README)")
    cal.add_argument("--format", choices=("toml", "json"), default="toml")
    cal.add_argument("--base", help="scenario file for what the export does not tell (default: "
                     f"scenarios/{DEFAULT_PRESET}.toml)")
    cal.add_argument("--map", action="extend", nargs="+", metavar="FIELD=COLUMN",
                     help="read FIELD from COLUMN, e.g. client=Organization or skill=Component/s (repeatable)")
    cal.add_argument("--done", metavar="S1,S2", help="in a change log (ticket ids repeat, one row per change; "
                     "--map id=COLUMN status=COLUMN changed=COLUMN), the statuses that mean delivered (default: "
                     "Done,Resolved,Closed,Completed, and the statuses a Status Category column puts in "
                     "Done; in a stage-date file, else its last stage)")
    cal.add_argument("--waiting", metavar="S1,S2", help="in a change log, the statuses that mean waiting on the "
                     "client or a third party: the time tickets spend in them is fitted as waits on the client")
    cal.add_argument("--engineers", type=int, help="engineers today (default: distinct assignees who resolved "
                     "tickets, else, in a change log, how many tickets were being worked on at once)")
    cal.add_argument("--today", default="none", help="the org design the firm has today (default: none)")
    cal.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    cal.set_defaults(handler=cmd_calibrate)

    rep = commands.add_parser("report", help="write a self-contained HTML report to send (prints to A4 PDF)")
    rep.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/default.toml")
    rep.add_argument("--out", required=True, help="the HTML file to write, e.g. report.html")
    rep.add_argument("--designs", type=_designs, help="comma-separated design names (default: all in the file)")
    rep.add_argument("--baseline", help="the design the others are measured against (default: none, else the "
                     "first design)")
    rep.add_argument("--objective", choices=REPORT_OBJECTIVES, default="profit",
                     help="what the headline answer is best on (default: profit)")
    rep.add_argument("--advise", action="store_true", help="add the Next hire advice for --budget")
    rep.add_argument("--budget", type=float, default=REPORT_BUDGET,
                     help=f"yearly budget for new salaries with --advise (default {REPORT_BUDGET:,.0f})")
    rep.add_argument("--robust", action="store_true",
                     help="add how sure the answer is over the uncertain inputs (see `robust`; takes longer)")
    rep.add_argument("--explain", action="store_true",
                     help="add what carries the best design's gain over the runner-up (see `explain`; takes "
                     "longer)")
    rep.add_argument("--reps", type=int, help="replications per design")
    rep.add_argument("--weeks", type=int, help="weeks measured after the warm-up")
    rep.add_argument("--seed", type=int, help="random seed")
    rep.add_argument("--base-url", default=DEFAULT_BASE_URL,
                     help=f"the app's address, for the link that reproduces the report (default {DEFAULT_BASE_URL})")
    rep.add_argument("--serial", action="store_true", help="run in this process instead of the process pool")
    rep.set_defaults(handler=cmd_report)
    return parser


def _number(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


def results_json(results: Results) -> dict:
    s = results.scenario
    kpis = results.kpis()
    designs = {
        design: {row.metric: {"mean": _number(row.mean), "ci95": _number(row.ci95)} for row in group.itertuples()}
        for design, group in kpis.groupby("design", sort=False)
    }
    out = {"scenario": s.name, "seed": s.seed, "reps": results.replications, "weeks": s.weeks, "designs": designs}
    if results.stopping is not None:
        stop = results.stopping
        out["stopping"] = {"reason": stop.reason, "replications": stop.replications, "first_stage": stop.first_stage,
                           "cap": stop.cap, "objective": stop.objective, "zone": stop.zone,
                           "confidence": round(stop.confidence, 6)}
    return out


NOT_STEADY = "(not steady)"


def results_table(results: Results) -> str:
    from sim.measure import METRICS

    kpis = results.kpis()
    lines = [f"{results.scenario.name}: {results.replications} replications x {results.scenario.weeks} weeks, "
             f"seed {results.scenario.seed}; mean +/- 95 % half-width"]
    designs = results.designs
    trends = results.backlog_trends()
    heads = [d if trends[d].keeping_up else f"{d} {NOT_STEADY}" for d in designs]
    width = max(26, *(len(h) + 2 for h in heads))  # "-1,074,149 +/- 1,899,197" and a gap
    lines.append(f"{'metric':<26}" + "".join(f"{h:>{width}}" for h in heads))
    table = kpis.set_index(["metric", "design"])
    for metric in METRICS:
        cells = []
        for d in designs:
            mean, half = table.loc[(metric, d), ["mean", "ci95"]]
            cells.append(f"{_short(mean)} +/- {_short(half)}".rjust(width))
        lines.append(f"{metric:<26}" + "".join(cells))
    if not all(t.keeping_up for t in trends.values()):
        lines.append(f"{NOT_STEADY}: the design's backlog was still growing over the measured weeks, so its lead time "
                     "and on-time figures depend on the run length")
    return "\n".join(lines)


def warn(lines: Sequence[str], prefix: str) -> None:
    """Each line once on stderr, so that stdout stays the table, JSON or CSV asked for."""
    for line in dict.fromkeys(lines):
        print(f"{prefix}: {line}", file=sys.stderr)


def read_scenario(path: str) -> Scenario:
    """The scenario file, with a note on stderr for each key of an earlier version read as its new equivalent."""
    notes: list[str] = []
    scenario = load_scenario(path, notes=notes)
    warn(notes, "note")
    return scenario


def _short(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _default_executor() -> Executor:
    from sim.parallel import default_executor

    return default_executor()


def cmd_run(args: argparse.Namespace) -> int:
    from sim.answer import default_baseline, headline
    from sim.experiment import runs_in_process, with_overrides
    from sim.sequential import run_until_clear

    scenario = with_overrides(read_scenario(args.scenario), replications=args.reps, weeks=args.weeks, seed=args.seed,
                              max_replications=args.max_reps)
    objective = parse_objective(args.objective)
    serial = args.serial or runs_in_process(scenario, args.designs)  # the app's rule: a pool where it pays
    with progress_bar("replications") as progress:
        results = run_until_clear(scenario, args.designs, objective, args.zone,
                                  executor=None if serial else _default_executor(), progress=progress)
    warn([t.warning() for t in results.backlog_trends().values() if not t.keeping_up], "warning")
    answer = headline(results, objective, default_baseline(results.designs)).sentence.replace("**", "")
    if args.format == "json":
        print(json.dumps({**results_json(results), "answer": answer}, indent=2))
    elif args.format == "csv":
        print(results.summary.to_csv(index=False), end="")
    else:
        print(results_table(results))
        print(answer)
    return 0


def _signed(mean: float, half: float) -> str:
    return f"{'+' if mean > 0 else ''}{_short(mean)} +/- {_short(half)}"


def advice_table(advice: Advice, title: str) -> str:
    rows = [("rank", "option", "cost $/yr", "objective", "vs today", "vs best (paired)", "reps", "status")]
    for o in advice.options.itertuples(index=False):
        objective = f"{_short(o.objective_mean)} +/- {_short(o.objective_ci95)}"
        status = o.status if o.keeping_up else f"{o.status} {NOT_STEADY}"
        rows.append((str(o.rank), o.name, f"{o.cost:,.0f}", objective, _signed(o.vs_today_mean, o.vs_today_ci95),
                     _signed(o.vs_best_mean, o.vs_best_ci95), str(o.replications), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [title]
    left = (1, len(rows[0]) - 1)  # the option and the status read from the left
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i in left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    lines.append(advice.recommendation)
    if not advice.options["keeping_up"].all():
        lines.append(f"{NOT_STEADY}: the option's backlog was still growing over the measured weeks, so its lead time "
                     "and on-time figures depend on the run length")
    return "\n".join(lines)


def cmd_advise(args: argparse.Namespace) -> int:
    from sim.advisor import Objective, advise
    from sim.experiment import with_overrides
    from sim.robust import Settings, advice_robustness

    scenario = with_overrides(read_scenario(args.scenario), weeks=args.weeks, seed=args.seed)
    objective = Objective.parse(args.objective)
    settings = Settings(samples=args.samples)
    settings.check()
    executor = None if args.serial else _default_executor()
    # the grown ranking first: a bad --growth then fails before any replication has run
    grown = None
    if args.growth is not None:
        with progress_bar("ranking the options at the grown demand") as progress:
            grown = advise(scenario, args.budget, objective, args.growth, executor=executor, progress=progress)
    with progress_bar("ranking the options") as progress:
        this_year = advise(scenario, args.budget, objective, executor=executor, progress=progress)
    for ranked in (this_year, grown):
        if ranked is not None:
            warn(ranked.warnings(), "warning")

    def robust(advice: Advice) -> Robustness | None:
        if not args.robust or len(advice.options) < 2:
            return None
        with progress_bar("testing the best two against the ranges") as progress:
            return advice_robustness(scenario, advice, settings, executor=executor, progress=progress)

    sure, sure_grown = robust(this_year), (robust(grown) if grown is not None else None)
    if args.format == "json":
        out = this_year.to_dict()
        if sure is not None:
            out["robust"] = {**sure.to_dict(), "verdict": _advice_verdict(this_year, sure)}
        if grown is not None:
            out["grown"] = {"growth": args.growth, **grown.to_dict()}
            if sure_grown is not None:
                out["grown"]["robust"] = {**sure_grown.to_dict(), "verdict": _advice_verdict(grown, sure_grown)}
        print(json.dumps(out, indent=2))
        return 0
    what = f"{scenario.name}: yearly budget ${args.budget:,.0f}, objective {objective.label}"
    print(advice_table(this_year, f"{what}, this year's demand; mean +/- 95 % half-width, best first"))
    if sure is not None:
        print()
        print(robust_table(sure, "The best two options over the uncertain inputs"))
        print(_advice_verdict(this_year, sure))
    if grown is not None:
        print()
        print(advice_table(grown, f"{what}, demand {args.growth:+.0%}; mean +/- 95 % half-width, best first"))
        if sure_grown is not None:
            print()
            print(robust_table(sure_grown, f"The best two options over the uncertain inputs, demand "
                                           f"{args.growth:+.0%}"))
            print(_advice_verdict(grown, sure_grown))
    return 0


def _advice_verdict(advice: Advice, result: Robustness) -> str:
    """Both kinds of sureness about the recommended option."""
    from sim.robust import sureness

    best = advice.options["name"].iloc[0]
    return sureness(best, advice.confident, result.probability_best[best]).replace("**", "")


def parse_objective(text: str) -> Objective:
    """An objective as `--objective` takes it; `mix` alone weighs the three figures equally."""
    from sim.objective import OBJECTIVES, Objective

    return Objective.mix(**dict.fromkeys(OBJECTIVES, 1.0)) if text.strip() == "mix" else Objective.parse(text)


def robust_table(result: Robustness, title: str) -> str:
    """Probability best and expected regret per design, then the tornado: inputs beyond noise first, each group
    largest swing first, with the swing's 95 % half-width and the replications it rests on (more where refined)."""
    from sim.robust import sentence

    s = result.settings
    lines = [f"{title}: objective {result.objective.label}; {len(result.samples)} samples of {len(result.tornado)} "
             f"ranges, {s.replications} replications{f' x {s.weeks} weeks' if s.weeks else ''} for the best and "
             f"the rival at each end (the others 1; each sample 1 of its own), up to {s.refine_replications} for the "
             f"few inputs not clear on those; best at the scenario's values: {result.best}"]
    width = max(len(d) for d in result.designs) + 2
    lines.append(f"{'design':<{width}}{'P(best)':>9}{'expected regret':>30}")
    for d in result.designs:
        mean, half = result.expected_regret[d]
        lines.append(f"{d:<{width}}{result.probability_best[d]:>9.2f}{_short(mean) + ' +/- ' + _short(half):>30}")
    if not result.tornado.empty:
        rows = [("parameter", "low", "high", "best at low", "best at high", "swing", "+/-", "beyond noise", "flips",
                 "reps")]
        rows += [(r.parameter, _short(r.low), _short(r.high), r.best_at_low, r.best_at_high, _short(r.swing),
                  _short(r.swing_ci95), "yes" if r.beyond_noise else "no", "yes" if r.flips else "",
                  str(r.replications)) for r in result.tornado.itertuples(index=False)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines.append("")
        lines += ["  ".join(c.ljust(w) if i in (0, 3, 4) else c.rjust(w) for i, (c, w) in
                            enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]
    lines.append(sentence(result).replace("**", ""))
    return "\n".join(lines)


def cmd_robust(args: argparse.Namespace) -> int:
    from sim.robust import Settings, clearly_best, robustness, sureness
    from sim.sequential import run_until_clear

    scenario = read_scenario(args.scenario)
    settings = Settings(samples=args.samples, replications=args.reps, weeks=args.weeks)
    objective = parse_objective(args.objective)
    executor = None if args.serial else _default_executor()
    with progress_bar("robustness runs") as progress:
        result = robustness(scenario, args.designs, objective, settings, executor=executor, progress=progress)
    # the full comparison says how sure the best is over simulation noise, on the scenario's own assumptions
    with progress_bar("replications") as progress:  # the comparison's own stop
        full = run_until_clear(scenario, result.designs, objective, executor=executor, progress=progress)
    best, sure = clearly_best(full.summary, objective)
    verdict = sureness(best, sure, result.probability_best[best])
    if args.format == "json":
        print(json.dumps({**result.to_dict(), "best": best, "clearly_best_over_noise": sure,
                          "verdict": verdict.replace("**", "")}, indent=2))
    else:
        print(robust_table(result, scenario.name))
        print(verdict.replace("**", ""))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from sim.experiment import with_overrides
    from sim.explain import best_pair, explain
    from sim.sequential import run_until_clear

    scenario = with_overrides(read_scenario(args.scenario), replications=args.reps, weeks=args.weeks, seed=args.seed)
    executor = None if args.serial else _default_executor()
    full = None
    if args.designs:
        if len(args.designs) != 2:
            raise ScenarioError([f"--designs {','.join(args.designs)}: name two designs, the design and the one it "
                                 "is measured against, e.g. --designs am,none"])
        design, against = args.designs
    else:
        with progress_bar("replications") as progress:  # as Compare runs it
            full = run_until_clear(scenario, objective=args.objective, executor=executor, progress=progress)
        design, against = best_pair(full, args.objective)
    with progress_bar("one mechanism off at a time") as progress:
        explained = explain(scenario, design, against, args.objective, full=full, executor=executor,
                            progress=progress)
    if args.format == "json":
        print(json.dumps(explained.to_json(), indent=2))
    else:
        print("\n".join(explained.lines()))
    return 0


def _statuses(text: str | None) -> list[str]:
    """"Done, Closed" as the statuses it names."""
    return [d.strip() for d in (text or "").split(",") if d.strip()]


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibration.formats import MAX_BYTES, ExportError, parse_map
    from sim.calibration.pipeline import calibrate

    columns = parse_map(args.map)
    base = load_scenario(args.base or SCENARIOS_FOLDER / f"{DEFAULT_PRESET}.toml")
    try:
        with open(args.tickets, "rb") as file:
            data = file.read(MAX_BYTES + 1)  # enough to say it is too big, without reading all of /dev/zero
    except OSError as exc:
        raise ExportError(f"{args.tickets}: cannot read the file ({exc.strerror})") from None
    result = calibrate(data, base, source=os.path.basename(args.tickets), columns=columns,
                       engineers=args.engineers, today=args.today,
                       executor=None if args.serial else _default_executor(),
                       done=_statuses(args.done) or None, waiting=_statuses(args.waiting))
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.to_toml(), end="")
    return 0


def _writable(path: str) -> None:
    """Refuse an output file that cannot be written before anything runs, so no run is wasted."""
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise ScenarioError([f"--out {path}: is a folder; name the HTML file to write, e.g. report.html"])
    if not os.path.isdir(folder):
        raise ScenarioError([f"--out {path}: the folder {folder} does not exist"])
    if not os.access(folder, os.W_OK) or (os.path.exists(target) and not os.access(target, os.W_OK)):
        raise ScenarioError([f"--out {path}: cannot write there (permission denied)"])


def cmd_report(args: argparse.Namespace) -> int:
    from sim.experiment import with_overrides
    from sim.report import build, check_base_url, render

    _writable(args.out)
    check_base_url(args.base_url)
    scenario = with_overrides(read_scenario(args.scenario), replications=args.reps, weeks=args.weeks, seed=args.seed)
    executor = None if args.serial else _default_executor()
    command = shlex.join(["python", "-m", "sim", *args.argv])
    report = build(scenario, args.designs, args.objective, baseline=args.baseline,
                   budget=args.budget if args.advise else None, robust=args.robust, explain=args.explain,
                   base_url=args.base_url, executor=executor, command=command)
    if report.results is not None:
        warn([t.warning() for t in report.results.backlog_trends().values() if not t.keeping_up], "warning")
    text = render(report)
    try:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        raise ScenarioError([f"--out {args.out}: cannot write the report ({exc.strerror})"]) from None
    print(f"wrote {args.out} ({len(text.encode()) / 1e6:.1f} MB): open it in a browser; print it to PDF for A4 pages")
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `timeout`, systemd and CI runners send), raised where the command is, as Ctrl-C is, so that
    `finally` blocks run and the pool is stopped rather than left running without its parent."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in argv if not word.startswith("-")), None)
    in_main_thread = threading.current_thread() is threading.main_thread()  # signal handlers can only go there
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _command(argv, command)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: one line, as every other error, and the pool stopped
        parallel = sys.modules.get("sim.parallel")
        if parallel is not None:
            parallel.stop_local_pools()
        print("terminated" if isinstance(exc, Terminated) else "interrupted", file=sys.stderr)
        return TERMINATED if isinstance(exc, Terminated) else INTERRUPTED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _command(argv: list[str], command: str | None) -> int:
    try:
        args = build_parser(command).parse_args(argv)
        args.argv = argv  # for the report, which says the command that made it
        return args.handler(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # `python -m sim run ... | head` closed the pipe: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush does not fail again
        return 0
    except Exception as exc:
        # The cluster or pool failed (sim.parallel.ClusterError, not an input's fault): one line too. Looked up
        # rather than imported, so a command that never used the pool does not pay for its import.
        parallel = sys.modules.get("sim.parallel")
        if parallel is None or not isinstance(exc, parallel.ClusterError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
