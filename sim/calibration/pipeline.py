"""From an export's bytes to a calibrated scenario: read, fit, back-test; and the two ways to print the result.
The command line and the app's Calibrate page both call `calibrate`, so they give the same numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sim.calibration.backtest import VERDICT_WORDS, Backtest, Progress, backtest
from sim.calibration.fit import Fit, Note, fit
from sim.calibration.formats import COMMAND_LINE, Controls, Export, read_export
from sim.experiment import check_designs
from sim.scenario import Scenario, dumps
from sim.wording import design_label, key_words, weeks_words

RATE = "demand.requests_per_client_per_week"
OBSERVED = ("tickets", "weeks", "throughput_per_week", "lead_time_days", "lead_time_p90_days", "on_time_rate",
            "open_at_end", "client_fix_share", "revised_share")


@dataclass
class Calibration:
    export: Export
    fit: Fit
    backtest: Backtest | None

    @property
    def scenario(self) -> Scenario:
        """The fitted scenario, with the fitted behaviour assumptions when the back-test found any."""
        if self.backtest is not None and self.backtest.scenario is not None:
            return self.backtest.scenario
        return self.fit.scenario

    @property
    def warnings(self) -> list[str]:
        """The fit's warnings, and each fitted assumption at an end of its plausible range, said so as to agree
        with the verdict: beside "close" the edge value is one to check; otherwise the gap is wider than plausible
        values of it can close, so the model lacks or overstates something for this firm."""
        out = list(self.fit.warnings)
        if self.backtest is not None:
            ranges = {row["path"]: (row["low"], row["high"]) for row in self.backtest.screen}
            for path, value in self.backtest.fitted.items():
                if path in ranges and any(abs(value - end) < 1e-9 for end in ranges[path]):
                    out.append(edge_warning(path, value, *ranges[path], self.backtest.verdict))
        return out

    @property
    def notes(self) -> list[Note]:
        """What was fitted and from what, the behaviour assumptions included."""
        notes = list(self.fit.notes)
        if self.backtest is not None and self.backtest.demand is not None and self.backtest.demand.changed:
            notes = [self.rate_note if n.path == RATE else n for n in notes]
        if self.backtest is not None:
            for path, value in self.backtest.fitted.items():
                notes.append(Note(path, value, f"fitted so that today's organisation ({self.today_words}) matches "
                                  "the firm's lead time and on-time rate"))
        return notes

    @property
    def rate_note(self) -> Note:
        """The request rate matched in the back-test, and why it is not the export's tickets over its weeks."""
        assert self.backtest is not None and self.backtest.demand is not None
        demand, observed = self.backtest.demand, self.fit.observed
        weeks = observed["weeks"]
        reason = (f"so that the model's clients, judging the service {self.today_words} gives them, send the "
                  f"export's {observed['tickets']:,} tickets over its {weeks:.1f} working weeks")
        if demand.arrived_at_export_rate is not None:
            sent = demand.arrived_at_export_rate * weeks / self.backtest.weeks
            why = ("served well, clients give more of their work and refer others" if sent > observed["tickets"]
                   else "served late, clients give less of their work and leave")
            reason += f" (at the export's {demand.export_rate:g} a client a week they send {sent:,.0f}: {why})"
        return Note(RATE, demand.rate, reason)

    @property
    def today_words(self) -> str:
        """The back-tested design as people read it ("No coordinator"), not its code."""
        if self.backtest is None:
            return ""
        designs = self.scenario.designs
        design = self.backtest.design
        return design_label(design, designs[design]) if design in designs else design

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario.to_dict(),
            "observed": {k: _clean(self.fit.observed[k]) for k in OBSERVED},
            "format": self.export.format.name,
            "columns": dict(self.export.mapping),
            "fitted": [note.code for note in self.notes],
            "warnings": self.warnings,
        }
        if self.backtest is not None:
            out["backtest"] = self.backtest.to_dict()
        return out

    def to_toml(self) -> str:
        """The scenario file, loadable by `sim run` and the app, headed by comments saying where it comes from."""
        lines = [f"Calibrated from {self.export.format.label}: {self.fit.observed['tickets']} tickets over "
                 f"{self.fit.observed['weeks']:.1f} working weeks."]
        if self.backtest is not None:
            lines.append(f"Back-test of {self.today_words} over {weeks_words(self.backtest.weeks)} "
                         f"(the model is {self.backtest.verdict_words}): {self.backtest.sentence}")
        lines += [f"Fitted: {n.words}" for n in self.notes] + [f"Warning: {w}" for w in self.warnings]
        head = "".join(f"# {' '.join(line.split())}\n" for line in lines)  # a name from the file stays in its line
        return head + "\n" + dumps(self.scenario)


def edge_warning(path: str, value: float, low: float, high: float, verdict: str) -> str:
    """A fitted assumption at an end of its plausible range, in words that agree with the back-test's verdict: a
    close model is not told its gap cannot be closed."""
    end = "low" if abs(value - low) < abs(value - high) else "high"
    fitted = (f"{key_words(path)} was fitted to {value:g}, the {end} end of its plausible range ({low:g} to "
              f"{high:g})")
    if verdict == "close":
        return (f"{fitted}. With it the model is close to your record, but a value at the edge of what is "
                "plausible is worth checking against what you know of your firm.")
    return (f"{fitted}, and the model is still {VERDICT_WORDS[verdict]} your record: the gap is wider than "
            "plausible values of it can close, so the model lacks or overstates something for this firm.")


def _clean(x: float) -> float | int | None:
    if isinstance(x, int):
        return x
    return None if not math.isfinite(x) else round(float(x), 6)


def calibrate(data: bytes, base: Scenario, *, source: str = "export", columns: Mapping[str, str] | None = None,
              engineers: int | None = None, today: str = "none", run_backtest: bool = True,
              executor: Executor | None = None, progress: Progress | None = None,
              controls: Controls = COMMAND_LINE, done: Sequence[str] | None = None,
              waiting: Sequence[str] = ()) -> Calibration:
    """Read the export, fit the scenario on top of `base`, and back-test `today` against the firm's record; the
    messages' remedies name `controls`, the command line's flags unless the app passes its own; `done` names the
    statuses that mean delivered in a change log (sim.calibration.formats.DONE_STATUSES by default), `waiting`
    those that mean waiting on the client."""
    check_designs(base, [today])  # a bad --today fails before any work
    export = read_export(data, source, columns, controls, done, waiting)
    fitted = fit(export, base, engineers=engineers, source=source, controls=controls, today=today)
    result = None
    if run_backtest and math.isfinite(fitted.observed["lead_time_days"]):
        from_record = frozenset(note.path for note in fitted.notes)  # the record's to say, not the back-test's
        result = backtest(fitted.scenario, fitted.observed, today, executor=executor, progress=progress,
                          kept=from_record)
    elif run_backtest:
        fitted.warnings.append("No ticket was resolved, so there is nothing to back-test against.")
    return Calibration(export, fitted, result)
