"""A report to send: one self-contained HTML file with the answer, the scenario, the figures with their intervals,
the charts, the advice and how sure it is, the assumptions that matter most and the link that reproduces it.

The file must open offline and on any partner's laptop, and print to clean A4 pages, so charts are inline SVG
(altair specs drawn by vl-convert, which bundles Vega: no script, no request), the style sheet is inline and has a
print section, and a Content-Security-Policy forbids the browser any request at all. A shared scenario is
untrusted, so escaping is the default: the page is a Jinja2 template with autoescape, and every section is built
as markupsafe `Markup` whose `format` and `join` escape whatever is not itself Markup (a name, a description, a
label). Only HTML this module writes is Markup; the headline's Markdown is turned into HTML only after escaping.

`python -m sim report` (sim/cli.py) and the app's "Download report" buttons (ui/report.py) both call `render`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup, escape

import sim
from sim import charts, tables
from sim.links import DEFAULT_BASE_URL
from sim.paths import field_at
from sim.scenario import Scenario, ScenarioError, dumps, uncertain_ranges
from sim.wording import (
    AXIS_FORMAT,
    CARRIED,
    EXPLAINED_OBJECTIVES,
    EXPLANATION_HEADER,
    KPIS,
    OVERLAP_NOTE,
    describe_design,
    design_labels,
    far_fit_sentence,
    weeks_words,
)

if TYPE_CHECKING:
    import altair as alt

    from sim.advisor import Advice, Objective
    from sim.answer import Answer
    from sim.experiment import Results
    from sim.explain import Explanation
    from sim.robust import Robustness

TEMPLATE = Path(__file__).with_name("report_template.html")
CHART_WIDTH = 560  # px: fits an A4 page's 180 mm between 15 mm margins
FIGURE_METRICS = ("profit", "lead_time_days", "on_time_rate", "throughput_per_week")
DIFFERENCE_METRICS = ("profit", "lead_time_days")
ADVICE_ROWS = 10  # the best options in the table; the chart draws as many as the app's
ADVICE_CHART_ROWS = 25
TORNADO_ROWS = 8  # "the assumptions that matter most"
# Keys the scenario table shows in its own rows (firm, demand, designs, run) or that another section covers.
_OWN_ROWS = ("name", "description", "seed", "weeks", "warmup_weeks", "replications", "firm.engineers", "firm.skills",
             "demand.clients", "demand.requests_per_client_per_week", "demand.growth_per_year", "uncertainty")
_OWN_TABLES = ("designs.", "demand.work_types.")


_INLINE = re.compile(r"\\(.)|\*\*(.+?)\*\*|\*(.+?)\*|`([^`]+)`", re.S)


def inline_markdown(text: str) -> Markup:
    """The little Markdown the app's sentences use (**bold**, *italic*, `code`, backslash escapes) as HTML; every
    other character is escaped, so a label like `<img src=x>` stays text."""
    out: list[Markup] = []
    last = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[last:m.start()]))
        escaped, bold, italic, code = m.groups()
        if escaped is not None:
            out.append(escape(escaped))
        elif bold is not None:
            out.append(Markup("<strong>{}</strong>").format(inline_markdown(bold)))
        elif italic is not None:
            out.append(Markup("<em>{}</em>").format(inline_markdown(italic)))
        else:
            out.append(Markup("<code>{}</code>").format(code))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


KEEP_ROWS = 25  # a table up to this long stays on one printed page; a longer one breaks between rows


def table(header: Sequence[object], rows: Iterable[Sequence[object]], numeric: Sequence[int] = (),
          css: str = "labelled") -> Markup:
    """An HTML table; every cell escaped unless it is Markup. `numeric` columns are right-aligned; `css` names
    the table's style (labelled: a first column of row names). Printed, a short table is kept on one page; a long
    one breaks between rows and repeats its header."""
    def cell(tag: str, i: int, value: object) -> Markup:
        return Markup("<{0} class=\"num\">{1}</{0}>" if i in numeric else "<{0}>{1}</{0}>").format(Markup(tag), value)

    rows = list(rows)
    head = Markup("").join(cell("th", i, h) for i, h in enumerate(header))
    body = Markup("").join(Markup("<tr>{}</tr>").format(Markup("").join(cell("td", i, v) for i, v in enumerate(row)))
                         for row in rows)
    return Markup('<table class="{} {}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        "keep" if len(rows) <= KEEP_ROWS else "long", css, head, body)


# ---------------------------------------------------------------------------------------------------------------
# Charts: altair specs drawn to SVG here, so the file needs no script to show them.

_SVG_ID = re.compile(r'\bid="([^"]+)"')


def svg(chart: alt.TopLevelMixin, key: str) -> Markup:
    """The chart as inline SVG. Ids inside it (clip paths, gradients) get the chart's `key` as a prefix: several
    SVGs share one document, and a repeated id would clip one chart by another's path."""
    import vl_convert

    drawn = vl_convert.vegalite_to_svg(chart.to_dict())
    for name in set(_SVG_ID.findall(drawn)):
        new = f"{key}-{name}"
        drawn = drawn.replace(f'id="{name}"', f'id="{new}"').replace(f"url(#{name})", f"url(#{new})")
        drawn = drawn.replace(f'href="#{name}"', f'href="#{new}"')
    return Markup(drawn)  # drawn by vl-convert from our own spec, whose texts Vega escapes in the SVG


def figure(chart: alt.TopLevelMixin, key: str, caption: str = "") -> Markup:
    sized = chart.properties(width=CHART_WIDTH)
    note = Markup("<figcaption>{}</figcaption>").format(inline_markdown(caption)) if caption else ""
    return Markup('<figure class="chart" id="chart-{}">{}{}</figure>').format(key, svg(sized, key), note)


# ---------------------------------------------------------------------------------------------------------------
# What the report holds


@dataclass(frozen=True, eq=False)
class Report:
    """Everything one report shows; `results` (a comparison) or `advice` (Next hire, with `grown_advice` when the
    page also ranked for grown demand) or both. `robust` tests the
    comparison's designs, `advice_robust` the advice's best two options, over the uncertain inputs."""

    scenario: Scenario
    objective: Objective
    link: str
    results: Results | None = None
    baseline: str | None = None
    advice: Advice | None = None
    grown_advice: Advice | None = None  # the same ranking at grown demand (Next hire's second ranking)
    robust: Robustness | None = None
    advice_robust: Robustness | None = None
    explanation: Explanation | None = None  # what carries the best design's gain over the runner-up
    command: str = ""
    # The figures in words on which the back-test of the calibration this scenario comes from was far ("" when it
    # was close, or the scenario is not a fit): said beside the answer, as the pages say it.
    far_fit: str = ""
    # The pictures of the firm's own history beside the model, (key, Altair chart), when the scenario comes from a
    # calibration: the record the answers rest on.
    history: Sequence[tuple[str, Any]] = ()
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))


def compare_settings(designs: Sequence[str], baseline: str, objective: Objective) -> dict[str, str]:
    """Compare's page settings in a link: its designs, baseline and the objective of its headline."""
    settings = {"page": "compare", "designs": ",".join(designs), "baseline": baseline}
    if objective.single:
        settings["robust_objective"] = objective.single  # the page's one objective (headline and How sure)
    return settings


def share_link(scenario: Scenario, page: Mapping[str, str], base_url: str = DEFAULT_BASE_URL,
               preset: str | None = None, presets: Mapping[str, Scenario] | None = None) -> str:
    """The app's link to this scenario and page settings (`sim.links`), written against a preset (the default
    one unless named) as the app writes it."""
    from sim.links import scenario_to_params
    from sim.presets import DEFAULT_PRESET, read_presets

    check_base_url(base_url)
    available = dict(presets) if presets is not None else read_presets()[0]
    name = preset if preset in available else DEFAULT_PRESET
    if name not in available:  # no valid default preset to write against: the scenario's own values go in full
        available = {name: Scenario()}
    params = scenario_to_params(scenario, name, available, page)
    return f"{base_url.rstrip('/')}/?{urlencode(params)}"


def check_base_url(base_url: str) -> None:
    """The app's address must be a plain web address: the report puts it in a link a partner will click."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in base_url) \
            or parts.query or parts.fragment:
        raise ScenarioError([f"base URL = {base_url[:80]!r}: must be the app's address, e.g. {DEFAULT_BASE_URL}"])


def version() -> str:
    """Orgsim's version and a fingerprint of the model's code, known without git: two reports with the same
    fingerprint were computed by the same code."""
    digest = hashlib.sha256()
    for path in sorted(Path(sim.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{sim.__version__} (code {digest.hexdigest()[:10]})"


# ---------------------------------------------------------------------------------------------------------------
# Words


def _label(scenario: Scenario) -> Callable[[str], str]:
    """A design's words (sim.wording), distinct within the scenario so that no two columns or legend entries
    read the same; a name the scenario lacks (an advisor's option) reads as itself."""
    labels = design_labels(scenario.designs)
    return lambda name: labels.get(name, name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items()) or "(none)"
    if value is None:
        return "(unset)"
    return str(value)


def meaning(path: str) -> str:
    """An input's help text from the schema (sim.paths), its plain-words name; empty for a path it lacks."""
    found = field_at(path)
    return str(found.meta.get("help", "")).rstrip(".") if found is not None else ""


def _parameter(path: str) -> Markup:
    """An input in plain words with its dotted path beneath, to find it in a file or the app."""
    words = meaning(path)
    return Markup("{}<br><code>{}</code>").format(words, path) if words else Markup("<code>{}</code>").format(path)


# ---------------------------------------------------------------------------------------------------------------
# Sections


def _header(report: Report) -> Markup:
    s = report.scenario
    description = (Markup('<p class="muted">{}</p>').format(" ".join(s.description.split()))
                   if s.description.strip() else "")
    when = report.generated.strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<header><h1 id="title">{}</h1>{}<p class="note">Orgsim report, {}. Every figure is a mean over '
                "simulated replications with its 95 % interval (±): how sure the number is over simulation noise "
                "on these assumptions.</p></header>").format(s.name, description, when)


def _answer_section(report: Report, answer: Answer | None) -> Markup:
    parts = [Markup('<section id="answer"><h2>The answer</h2>')]
    if report.far_fit:
        parts.append(Markup('<p class="warning" id="far-fit">{}, or see the app\'s Calibrate page.</p>').format(
            far_fit_sentence(report.far_fit)))
    if answer is not None and report.results is not None:
        label = _label(report.scenario)
        parts.append(Markup('<p class="{}" id="headline">{}</p>').format(
            "headline" if answer.sure else "headline unsure", inline_markdown(answer.sentence)))
        parts.append(_carried(report))
        marks = [Markup("{}: {}").format(label(d), _mark_html(answer.marks.get(d, ""))) for d in report.results.designs
                 if answer.marks.get(d)]
        if marks:
            parts.append(Markup('<p class="note">Marks on {}: {}. ★ is best beyond simulation noise (paired 95 % '
                              "interval over the same replications); “tied” cannot be told from the best.</p>").format(
                _objective_words(report.objective), Markup("; ").join(marks)))
    if report.advice is not None:
        parts.append(_advice_headline(report.advice, report.results is None))
        if report.results is None:
            parts.append(_carried(report))
    if report.grown_advice is not None:
        parts.append(_advice_headline(report.grown_advice, False))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _mark_html(mark: str) -> Markup:
    if mark == "★":
        return Markup('<span class="mark-best">★ best</span>')
    return Markup('<span class="mark-tied">{}</span>').format(mark) if mark else Markup("")


def _objective_words(objective: Objective) -> str:
    return tables.objective_label(objective)[0].lower()


def _advice_headline(advice: Advice, main: bool) -> Markup:
    what = "Next hire" if not advice.growth else f"Next hire at {_demand_words(advice)}"
    sure = ("95 % sure over simulation noise, on these assumptions." if advice.confident
            else "Not a sure answer: the options named are within simulation noise of each other, on these "
            "assumptions.")
    said = advice.recommendation.strip().rstrip(".")
    start = Markup('<p class="{}" id="headline">') if main else Markup('<p class="{}">')
    return start.format("headline" if advice.confident else "headline unsure") + Markup(
        "<strong>{}</strong>: {}. {}</p>").format(what, inline_markdown(said), sure)


def _scenario_section(report: Report) -> Markup:
    s = report.scenario
    label = _label(s)
    skills = f" ({_value(s.firm.skills)})" if s.firm.skills else ""
    rows: list[tuple[object, object]] = [
        ("Engineers", f"{s.firm.engineers}{skills}, {s.firm.hours_per_week:g} hours a week"),
        ("Clients", f"{s.demand.clients}, each sending {s.demand.requests_per_client_per_week:g} requests a week"),
        ("Demand growth", f"{s.demand.growth_per_year * 100:+g} % a year"),
    ]
    for name, wt in s.demand.work_types.items():
        rows.append((f"Requests: {name}", f"{wt.share * 100:.0f} % of requests, {wt.effort_hours:g} hours on average, "
                     f"due in {wt.deadline_days:g} working days"))
    if report.results is not None:
        for name in report.results.designs:
            rows.append((f"Design: {label(name)}", describe_design(s.designs[name])))
    else:  # the advice adds hires to today's team, whatever designs the file names
        rows.append(("Today", "the engineers, no coordinator; the options below add hires to them"))
    rows.append(("Bill rate", f"${s.economics.bill_rate:,.0f} per billable hour"))
    parts = [Markup('<section id="scenario"><div class="keep"><h2>The scenario</h2>'),
             table(["", "This scenario"], rows), Markup("</div>")]
    changed = changed_inputs(s)
    if changed:
        parts.append(Markup("<h3>Inputs that differ from the default firm</h3>"))
        parts.append(table(["Input", "This scenario", "Default firm"],
                           [(_parameter(p), _value(now), _value(before)) for p, (now, before)
                            in changed.items()], numeric=(1, 2)))
    else:
        parts.append(Markup('<p class="note">Every other input is the default firm\'s (MODEL.md gives the '
                          "sources).</p>"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def changed_inputs(scenario: Scenario) -> dict[str, tuple[Any, Any]]:
    """Inputs (dotted paths) whose values differ from the default preset's, as (this scenario's, the preset's;
    None where one has no value), leaving out what the scenario table shows in its own rows."""
    from sim.paths import diff, get
    from sim.presets import DEFAULT_PRESET, read_presets

    base = read_presets()[0].get(DEFAULT_PRESET, Scenario()).to_dict()
    target = scenario.to_dict()
    shown_elsewhere = (*_OWN_TABLES, *(f"{key}." for key in _OWN_ROWS))
    return {path: (value, get(base, path)) for path, value in diff(base, target).items()
            if path not in _OWN_ROWS and not path.startswith(shown_elsewhere)}


def _figures_section(report: Report, results: Results) -> Markup:
    label = _label(report.scenario)
    kpis = tables.kpi_intervals(results)  # the app's frames: designs in words, each in its own colour
    shown = tables.kpi_table(kpis, tables.kpi_marks(results)).T  # a design per column: five fit an A4 page
    columns = list(shown.columns)
    rows = [(metric, *values) for metric, values in zip(shown.index, shown.to_numpy(), strict=True)]
    parts = [Markup('<section id="figures"><div class="keep"><h2>Key figures</h2>'),
             Markup('<p class="note">{} replications of {} per design (after {} of warm-up), all on the same '
                  "simulated clients and requests. Mean ± the half-width of its 95 % interval. On time: by the "
                  "deadline the client asked for; as promised: by the deadline in force (an account manager may "
                  "have negotiated a later one). Cost: salaries times the overhead factor. ★ marks a design ahead "
                  "of every other beyond simulation noise; “tied”, the best and those it cannot be told from "
                  "(paired over the same replications).</p>").format(
                 results.replications, weeks_words(report.scenario.weeks),
                 weeks_words(report.scenario.warmup_weeks)),
             table(["", *columns], rows, numeric=range(1, len(columns) + 1)), Markup("</div>")]
    for trend in results.backlog_trends().values():
        if not trend.keeping_up:
            parts.append(Markup('<p class="note">{}</p>').format(tables.sentence(trend.warning())))
    parts.append(Markup("</section>"))

    charts_html = [Markup('<section id="charts"><h2>Charts</h2>'),
                   Markup('<p class="note">{}</p>').format(OVERLAP_NOTE)]
    for metric in FIGURE_METRICS:
        kpi = KPIS[metric]
        frame = kpis[kpis["metric"] == metric]
        charts_html.append(figure(charts.interval_chart(frame, kpi.label, kpi.label,
                                                        value_format=AXIS_FORMAT[kpi.unit]), f"kpi-{metric}"))
    if len(results.designs) > 1 and report.baseline is not None:
        diffs = tables.differences(results, report.baseline)
        for metric in DIFFERENCE_METRICS:
            kpi = KPIS[metric]
            frame = diffs[diffs["metric"] == metric]
            title = f"{kpi.label}: difference from {label(report.baseline)}"
            charts_html.append(figure(charts.interval_chart(frame, title, kpi.label, zero_line=True,
                                                            value_format=AXIS_FORMAT[kpi.unit]), f"diff-{metric}",
                                      "Paired: each replication of a design minus the same replication of the "
                                      "baseline."))
    for measure, title in (("backlog", "Open requests at the end of the week"),
                           ("throughput", "Requests delivered in the week")):
        frame = tables.weekly_means(results, measure)
        charts_html.append(figure(charts.weekly_chart(frame, title, title, counts=True), f"weekly-{measure}"))
    charts_html.append(figure(charts.time_use_chart(tables.time_use_means(results)), "time-use"))
    charts_html.append(Markup("</section>"))
    return Markup("").join(parts + charts_html)


def _demand_words(advice: Advice) -> str:
    return "this year's demand" if not advice.growth else f"demand {advice.growth * 100:g} % higher"


def _ranking(advice: Advice, heading: Markup, key: str) -> Markup:
    """One ranking of the advisor: the sentence, the best options in a table and every option in a chart."""
    label, unit = tables.objective_label(advice.objective)
    frame = tables.advice_table(advice)
    shown = frame.head(ADVICE_ROWS)
    rows = [(rank, *values) for rank, values in zip(shown.index, shown.to_numpy(), strict=True)]
    parts = [Markup('<div class="keep">{}').format(heading),
             Markup('<p class="note">Every move a yearly budget of ${:,.0f} for new salaries affords, ranked by {} '
                  "at {} against today's organisation, on the same simulated clients and requests ({} replications of "
                  "the best; an option dropped early, worse beyond noise, on its own fewer, paired with the "
                  "best).</p>").format(advice.budget, label.lower(), _demand_words(advice),
                                               int(advice.options["replications"].iloc[0])),
             _advice_headline(advice, False),
             table(["Rank", *frame.columns], rows, numeric=(0, 2, 3, 4, 5, 6), css="advice"), Markup("</div>")]
    if len(frame) > len(shown):
        parts.append(Markup('<p class="note">The {} best of {} options.</p>').format(len(shown), len(frame)))
    options = tables.advice_options(advice).head(ADVICE_CHART_ROWS)
    chart = charts.ranking_chart(options, f"{label}: difference from today's organisation", label,
                                 value_format=AXIS_FORMAT.get(unit))
    parts.append(figure(chart, key))
    return Markup("").join(parts)


def _advice_section(report: Report, advice: Advice) -> Markup:
    parts = [Markup('<section id="advice">'), _ranking(advice, Markup("<h2>Next hire</h2>"), "advice")]
    if report.advice_robust is not None:
        best = str(advice.options["name"].iloc[0])
        parts.append(_robust_body(report, report.advice_robust, best, advice.confident, str, "advice-robust",
                                  Markup("<h3>How sure is the advice</h3>")))
    if report.grown_advice is not None:
        grown = report.grown_advice
        parts.append(_ranking(grown, Markup("<h3>Next hire at {}</h3>").format(_demand_words(grown)), "advice-grown"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _robust_body(report: Report, result: Robustness, best: str, noise_sure: bool, name: Callable[[str], str],
                 key: str, heading: Markup) -> Markup:
    from sim.robust import sentence, sureness
    def words(path: str) -> str:
        text = meaning(path).split(";")[0].rstrip(".")
        return f"*{text[:1].lower()}{text[1:]}* (`{path}`)" if text else f"`{path}`"

    label, unit = tables.objective_label(result.objective)
    verdict = (sureness(best, noise_sure, result.probability_best.get(best, 0.0), name) + " "
               + sentence(result, words, name, share=False))
    frame = tables.robust_table(result, unit)
    rows = [(name(d), *values) for d, values in zip(frame.index, frame.to_numpy(), strict=True)]
    tornado = tables.tornado_frame(result)
    parts = [Markup('<div class="keep">{}<p class="headline">{}</p>').format(heading, inline_markdown(verdict)),
             Markup('<p class="note">{} uncertain inputs each at the low and high end of its range, then {} '
                  "Latin-hypercube samples of all at once; at each end {} replications of the best design and of "
                  "the one nearest it (the others one), on the same random numbers, each sample one replication of "
                  "its own, and up to {} for the few inputs whose swing or flip was not clear on those. A swing no "
                  "larger than its 95 % interval, or than the smallest difference that matters, is within noise "
                  "(pale in the chart).</p>").format(
                 len(result.tornado), len(result.samples), result.settings.replications,
                 result.settings.refine_replications),
             table(["Design", *frame.columns], rows, numeric=(1, 2)), Markup("</div>")]
    if not tornado.empty:
        tornado["best"] = tornado["best"].map(name)
        chart = charts.tornado_chart(tornado, f"{label}: lead of {name(result.best)} over the best other design",
                                     label, value_format=AXIS_FORMAT.get(unit))
        parts.append(figure(chart, key, "Each input at its low and high end, the others at their values; inputs "
                            "beyond noise on top, largest swing first, then those within noise, pale. Left of the "
                            "dashed line another design wins; \"(flips)\" marks an input at one of whose ends it "
                            "wins beyond noise."))
    return Markup("").join(parts)


def _carried(report: Report) -> Markup:
    """Beside the answer: the sentence naming the one assumption that carries the gain, if the explanation found
    one."""
    if report.explanation is None:
        return Markup("")
    line = next((line for line in report.explanation.sentences() if CARRIED in line), "")
    if not line:
        return Markup("")
    return Markup('<p class="headline unsure" id="carried">{}</p>').format(inline_markdown(line))


def _why_section(report: Report) -> Markup:
    """What carries the gain: the sentences, the waterfall and the table the app's Why this answer shows."""
    explained = report.explanation
    if explained is None:
        return Markup("")
    from sim.explain import waterfall_frame

    first, *rest = explained.sentences()
    words, unit, axis = EXPLAINED_OBJECTIVES[explained.objective]
    parts = [Markup('<section id="why"><div class="keep"><h2>Why this answer</h2>'),
             Markup("<p>{}</p>").format(inline_markdown(first)),
             *(Markup('<p class="headline unsure">{}</p>').format(inline_markdown(line)) for line in rest),
             Markup('<p class="note">Each mechanism of the model is switched off alone, the others as the scenario has '
             "them, on the same replications as the total; its row is how much of the gain goes with it. A row "
             "whose ± is larger than itself is within the simulation's noise. Source: firm (measured at firms like "
             "yours), soft (published, loosely), rule of thumb, or assumption (the model's judgement, with a "
             "plausible range).</p>"),
             table(EXPLANATION_HEADER, explained.rows(), numeric=(2,)), Markup("</div>")]
    title = f"Gain of {explained.labels[0]} over {explained.labels[1]}, {words}"
    chart = charts.waterfall_chart(waterfall_frame(explained), title, axis,
                                   value_format=AXIS_FORMAT.get(unit))
    parts.append(figure(chart, "why", "Each bar starts where the one above it ended; the last is the total gain "
                        "from zero. The text beside a bar is its source."))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _robust_section(report: Report, answer: Answer | None) -> Markup:
    if report.robust is None or report.results is None:
        return Markup("")
    best = answer.best if answer is not None else report.robust.best
    sure = answer.sure if answer is not None else False
    return Markup('<section id="robustness">{}</section>').format(
        _robust_body(report, report.robust, best, sure, _label(report.scenario), "robust",
                     Markup("<h2>How sure is this</h2>")))


def _assumptions_section(report: Report) -> Markup:
    s = report.scenario
    result = report.robust if report.robust is not None else report.advice_robust
    name = _label(s) if report.robust is not None else str
    parts = [Markup('<section id="assumptions"><div class="keep"><h2>The assumptions that matter most</h2>')]
    if result is not None and not result.tornado.empty:
        from sim.wording import figure as shown_figure
        from sim.wording import interval

        unit = tables.objective_label(result.objective)[1]
        parts.append(Markup('<p class="note">The uncertain inputs that move the answer most (the analysis above): how '
                          "far the lead of {} moves between the two ends of the input's range, those beyond "
                          "simulation noise first, largest swing first. An input flips the answer only where another "
                          "design leads beyond noise.</p>").format(name(result.best)))
        rows = [(_parameter(r.parameter), _value(r.value), f"{_value(r.low)} to {_value(r.high)}",
                 name(r.best_at_low), name(r.best_at_high),
                 f"{shown_figure(r.swing, unit)} ± {interval(r.swing_ci95, unit)}",
                 "yes" if r.beyond_noise else "no", "yes" if r.flips else "no")
                for r in result.tornado.head(TORNADO_ROWS).itertuples(index=False)]
        parts.append(table(["Input", "Value", "Plausible range", "Best at low end", "Best at high end",
                            "Swing ± (95 %)", "Beyond noise", "Flips the answer"], rows, numeric=(1, 2, 5)))
        parts.append(Markup("</div>"))
    else:
        ranges = uncertain_ranges(s)
        from sim.scenario import value_at

        if ranges:
            parts.append(Markup('<p class="note">Not tested in this report (<em>How sure is this?</em> in the app '
                              "moves them over their ranges). These inputs are judgement or soft figures, each with "
                              "the range of values found plausible (MODEL.md, Default ranges):</p>"))
        listed: list[tuple[object, ...]] = []
        for path, (low, high) in ranges.items():
            try:
                value = _value(value_at(s, path))
            except KeyError:
                value = "?"
            listed.append((_parameter(path), value, f"{_value(low)} to {_value(high)}"))
        parts.append(Markup("</div>"))  # a long list breaks between its rows
        parts.append(table(["Input", "Value", "Plausible range"], listed, numeric=(1, 2)) if listed
                     else Markup('<p class="note">This scenario names no uncertain input: only simulation noise is '
                               "left, and the ± of every figure covers it.</p>"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


# Addresses only the machine that made the report can open: a partner who clicks one gets nothing.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def _link_note(link: str) -> str:
    if (urlsplit(link).hostname or "") in LOCAL_HOSTS:
        return ("The link opens the same scenario in the app on the computer that made this report, where the app "
                "was running; anywhere else, load the scenario file below into the app where it is served; ")
    return "The link opens the same scenario in the app (at the address it was made for); "


def _reproduce_section(report: Report) -> Markup:
    s = report.scenario
    rows: list[tuple[object, object]] = [
        ("Link", Markup('<a class="link" href="{0}">{0}</a>').format(report.link)),
        ("Seed", s.seed),
        ("Replications and weeks", f"{s.replications} replications of {weeks_words(s.weeks)} after "
                                   f"{weeks_words(s.warmup_weeks)} of warm-up"),
        ("Version", version()),
        ("Made", report.generated.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if report.command:
        rows.append(("Command", Markup("<code>{}</code>").format(report.command)))
    return Markup('<section id="reproduce"><div class="keep"><h2>Reproduce this report</h2><p class="note">{}the same '
                "seed and version give the same numbers.</p>{}</div><details><summary>The scenario file (TOML)"
                "</summary><pre>{}</pre></details></section>").format(_link_note(report.link), table(["", ""], rows),
                                                                      dumps(s))


HISTORY_CAPTIONS = {
    "cycle": "Each resolved ticket's lead time by when it was resolved, with the firm's 50, 85 and 95 % lines "
             "and the model's 85 % dashed.",
    "throughput": "Tickets delivered each whole week, the firm's and the model's.",
    "wip": "Work in progress at the end of each week, the firm's and the model's.",
    "status": "The mean working days a ticket spent in each status, in workflow order.",
}


def _history_section(report: Report) -> Markup:
    """The firm's tracker history beside the fitted model, as the Calibrate page showed it; nothing when the
    scenario is not a calibration's."""
    if not report.history:
        return Markup("")
    figures = Markup("").join(figure(chart, f"history-{key}", HISTORY_CAPTIONS.get(key, ""))
                            for key, chart in report.history)
    return Markup('<section id="history"><h2>The firm\'s history beside the model</h2><p class="note">This scenario '
                "was calibrated to the firm's tracker export; the model's side is the back-test of today's "
                "organisation over the export's span.</p>{}</section>").format(figures)


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    answer = None
    if report.results is not None:
        from sim.answer import headline

        baseline = report.baseline if report.baseline in report.results.designs else None
        answer = headline(report.results, report.objective, baseline)
    body = [_header(report), _answer_section(report, answer), _scenario_section(report)]
    if report.results is not None:
        body.append(_figures_section(report, report.results))
    if report.advice is not None:
        body.append(_advice_section(report, report.advice))
    body += [_why_section(report), _robust_section(report, answer), _assumptions_section(report),
             _history_section(report), _reproduce_section(report),
             Markup("<footer>Orgsim {}: a simulation of how a services firm organises. Figures depend on the "
                  "scenario's assumptions; the sections above say which matter most.</footer>").format(version())]
    return _page().render(title=f"{report.scenario.name}: Orgsim report", generator=f"Orgsim {sim.__version__}",
                          body=Markup("\n").join(body))


@cache
def _page() -> Template:
    """The page around the sections (report_template.html), with autoescape: a value given to it that is not
    Markup, such as the scenario's name in the title, is escaped."""
    environment = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=True, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE.name)


# ---------------------------------------------------------------------------------------------------------------
# Building a report from a scenario (the command line)


def build(
    scenario: Scenario,
    designs: Sequence[str] | None = None,
    objective: Objective | str = "profit",
    *,
    baseline: str | None = None,
    budget: float | None = None,
    robust: bool = False,
    explain: bool = False,
    base_url: str = DEFAULT_BASE_URL,
    executor: Executor | None = None,
    command: str = "",
) -> Report:
    """Run what the report shows: the comparison, the advice for `budget` when given, the robustness analysis
    when `robust`, and what carries the best design's gain over the runner-up when `explain`. Raises ScenarioError
    for bad inputs, before anything runs where it can."""
    from sim.advisor import Objective, advise
    from sim.answer import default_baseline
    from sim.experiment import check_designs, runs_in_process
    from sim.robust import advice_robustness, robustness
    from sim.sequential import run_until_clear

    objective = Objective.parse(objective) if isinstance(objective, str) else objective
    check_base_url(base_url)
    designs = check_designs(scenario, designs)
    baseline = baseline or default_baseline(designs)
    if baseline not in designs:
        raise ScenarioError([f"baseline = {baseline[:40]!r}: choose one of the designs compared: {', '.join(designs)}"])
    for wanted, analysis in ((robust, "the robustness analysis"), (explain, "the explanation")):
        if wanted and len(designs) < 2:
            raise ScenarioError([f"designs = {','.join(designs)}: {analysis} needs at least two designs"])
    if explain and objective.single not in EXPLAINED_OBJECTIVES:
        raise ScenarioError([f"objective = {objective.label}: the explanation takes one of "
                             f"{', '.join(EXPLAINED_OBJECTIVES)}"])
    link = share_link(scenario, compare_settings(designs, baseline, objective), base_url)
    # the advice first: a budget it refuses then fails before the comparison has run
    advice = advise(scenario, budget, objective, executor=executor) if budget is not None else None
    pool = None if runs_in_process(scenario, designs) else executor
    results = run_until_clear(scenario, designs, objective, executor=pool)  # as the page's comparison runs
    robust_result = robustness(scenario, designs, objective, executor=executor) if robust else None
    advice_robust = None
    if robust and advice is not None and len(advice.options) >= 2:
        advice_robust = advice_robustness(scenario, advice, executor=executor)
    explained = None
    if explain and objective.single is not None:
        from sim.explain import best_pair
        from sim.explain import explain as explain_gain

        best, against = best_pair(results, objective.single)
        explained = explain_gain(scenario, best, against, objective.single, full=results, executor=executor)
    return Report(scenario=scenario, objective=objective, link=link, results=results, baseline=baseline,
                  advice=advice, robust=robust_result, advice_robust=advice_robust, explanation=explained,
                  command=command)
