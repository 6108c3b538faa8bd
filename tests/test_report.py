"""The report to send (sim/report.py, `python -m sim report`, the pages' Download report button): every section
there, figures that are the run's own, nothing that reaches outside the file, a hostile scenario shown as text, a
link that reproduces the scenario, and one line for every bad command-line input. Horizons are tiny (6 weeks, 3
replications; the advisor and the robustness analysis on fewer) to keep this fast."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from markupsafe import escape
from streamlit.testing.v1 import AppTest

import sim
from sim import report as report_module
from sim.advisor import Objective, Procedure, advise
from sim.answer import headline
from sim.cli import main
from sim.experiment import run_experiment
from sim.explain import explain
from sim.links import params_to_scenario
from sim.presets import load_presets
from sim.report import (
    KEEP_ROWS,
    TORNADO_ROWS,
    Report,
    changed_inputs,
    inline_markdown,
    render,
    share_link,
    table,
    version,
)
from sim.robust import Settings, advice_robustness, robustness
from sim.scenario import from_dict, uncertain_ranges
from sim.wording import KPIS, OVERLAP_NOTE, design_labels, figure, interval
from tests.conftest import ROOT, small
from tests.test_explain import hand_model

DESIGNS = ["none", "pm", "hybrid"]
# On one worker, so that its module fixtures (a report with every section and its runs) are made once.
pytestmark = pytest.mark.xdist_group("report")

RANGES = {"behaviour.hybrid_strength": [0.2, 1.0], "economics.salary.hybrid": [90000.0, 140000.0]}
QUICK = Settings(samples=3, replications=2, weeks=4)
MADE = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
PAGE = {"page": "compare", "designs": ",".join(DESIGNS), "baseline": "none", "robust_objective": "profit"}
SECTIONS = ["title", "answer", "headline", "scenario", "figures", "charts", "advice", "robustness", "assumptions",
            "reproduce"]


@pytest.fixture(scope="module")
def scenario(default_scenario):
    return small(default_scenario, weeks=6, replications=3, uncertainty=RANGES)


@pytest.fixture(scope="module")
def full(scenario):
    """A report with everything: comparison, advice, and both robustness analyses."""
    objective = Objective.of("profit")
    results = run_experiment(scenario, DESIGNS)
    advice = advise(scenario, 100_000, objective, procedure=Procedure(first_stage=3, cap=6))
    return Report(scenario=scenario, objective=objective, link=share_link(scenario, PAGE), results=results,
                  baseline="none", advice=advice, robust=robustness(scenario, DESIGNS, objective, QUICK),
                  advice_robust=advice_robustness(scenario, advice, QUICK), generated=MADE,
                  command="python -m sim report x.toml --out r.html")


@pytest.fixture(scope="module")
def page(full):
    return render(full)


@pytest.mark.deep
def test_every_section_is_there_with_a_chart_each(full, page):
    """Deep tier: about 2 s, as it makes whole reports with their runs."""
    for section in SECTIONS:
        assert f'id="{section}"' in page, section
    # four key figures, two differences from the baseline, two weekly series, time use, the advice's ranking and
    # the two tornado charts
    assert page.count('<figure class="chart"') == page.count("<svg") == 12
    assert page.count("</svg>") == 12
    assert "2026-01-02 03:04 UTC" in page
    assert escape(OVERLAP_NOTE) in page  # why overlapping error bars can still differ beyond noise
    assert f"<code>{full.command}</code>" in page


@pytest.mark.deep
def test_the_headline_is_the_answer_of_the_comparison(full, page):
    """Deep tier: about 3 s, as it makes whole reports with their runs."""
    answer = headline(full.results, full.objective, "none")
    match = re.search(r'<p class="headline[^"]*" id="headline">(.*?)</p>', page)
    assert match.group(1) == inline_markdown(answer.sentence)
    assert design_labels(full.scenario.designs)[answer.best] in match.group(1)


def test_key_figures_are_the_runs_own_means_and_intervals(full, page):
    labels = design_labels(full.scenario.designs)
    figures = page.split('id="figures"')[1].split("</section>")[0]
    for label in (labels[d] for d in DESIGNS):
        assert f"<th class=\"num\">{label}</th>" in figures
    kpis = full.results.kpis().set_index(["design", "metric"])
    for design in DESIGNS:
        for metric in ("profit", "lead_time_days", "throughput_per_week"):
            unit = KPIS[metric].unit
            mean, half = kpis.loc[(design, metric), ["mean", "ci95"]]
            assert f"{figure(mean, unit)} ± {interval(half, unit)}" in figures, (design, metric)


@pytest.mark.deep
def test_nothing_in_the_file_asks_for_anything_outside_it(full, page):
    """Deep tier: about 2 s, as it makes whole reports with their runs."""
    assert "<script" not in page.lower()
    assert not re.search(r"\bsrc\s*=", page, re.I)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)
    hrefs = set(re.findall(r'href="([^"]*)"', page))
    assert hrefs == {full.link.replace("&", "&amp;")}
    assert "default-src 'none'" in page
    assert len(page.encode()) < 3_000_000


def test_the_print_stylesheet_makes_a4_pages_without_cutting_tables_or_charts(page):
    assert report_module.table(["a"], [["x"]] * KEEP_ROWS).startswith('<table class="keep labelled">')
    assert report_module.table(["a"], [["x"]] * (KEEP_ROWS + 1)).startswith('<table class="long labelled">')
    assert "@page { size: A4; margin: 15mm; }" in page
    print_rules = page.split("@media print {", 1)[1]
    assert re.search(r"table.keep, figure[^{]*\{ break-inside: avoid;", print_rules)
    assert re.search(r"\btr \{ break-inside: avoid;", print_rules)


def test_the_link_reproduces_the_scenario_and_the_page(full, page):
    parts = urlsplit(full.link)
    assert f"{parts.scheme}://{parts.netloc}" == "http://localhost:8501"
    decoded = params_to_scenario(dict(parse_qsl(parts.query)), load_presets())
    assert decoded.warnings == []
    assert decoded.scenario == full.scenario
    assert dict(decoded.page) == PAGE


def test_the_scenario_table_lists_what_differs_from_the_default_firm(scenario, full):
    assert changed_inputs(load_presets()["default"]) == {}
    cheaper = scenario.replace(economics=scenario.economics.__class__(
        **{**scenario.economics.__dict__, "bill_rate": 150.0}))
    assert changed_inputs(cheaper) == {"economics.bill_rate": (150.0, 200.0)}
    section = render(Report(scenario=cheaper, objective=full.objective, link=full.link, advice=full.advice,
                            generated=MADE)).split('id="scenario"')[1].split("</section>")[0]
    row = re.search(r"<tr><td>Dollars billed per billable engineer hour<br><code>economics.bill_rate</code></td>"
                    r'<td class="num">(.*?)</td><td class="num">(.*?)</td></tr>', section)
    assert row.groups() == ("150", "200")


def test_the_assumptions_that_matter_most_are_the_tornados_largest_swings(full, page):
    section = page.split('id="assumptions"')[1].split("</section>")[0]
    listed = re.findall(r"<code>([a-z_.]+)</code>", section)
    assert listed == list(full.robust.tornado["parameter"].head(TORNADO_ROWS))
    assert sorted(listed) == sorted(RANGES)
    assert "<th>Swing ± (95 %)</th>" in section.replace(' class="num"', "") and "Beyond noise" in section
    rows = re.findall(r"<tr><td>.*?</tr>", section)
    for row, r in zip(rows, full.robust.tornado.head(TORNADO_ROWS).itertuples(), strict=True):
        *_, beyond, flips = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert (beyond, flips) == ("yes" if r.beyond_noise else "no", "yes" if r.flips else "no")
        assert r.beyond_noise or not r.flips  # within noise is never called a flip


def test_without_the_analysis_the_assumptions_are_every_uncertain_input_with_its_range(full):
    plain = Report(scenario=full.scenario.replace(uncertainty=None), objective=full.objective, link=full.link,
                   advice=full.advice, generated=MADE)
    section = render(plain).split('id="assumptions"')[1].split("</section>")[0]
    ranges = uncertain_ranges(plain.scenario)
    assert re.findall(r"<code>([a-z_.]+)</code>", section) == list(ranges)
    assert len(ranges) > 20


def test_a_next_hire_report_leads_with_the_advice(full):
    page = render(Report(scenario=full.scenario, objective=full.objective, link=full.link, advice=full.advice,
                         generated=MADE))
    headline_text = re.search(r'<p class="headline[^"]*" id="headline">(.*?)</p>', page).group(1)
    assert inline_markdown(full.advice.recommendation.strip().rstrip(".")) in headline_text
    assert ("95 % sure" in headline_text) == full.advice.confident
    assert 'id="figures"' not in page and page.count("<svg") == 1


@pytest.mark.deep
def test_a_next_hire_report_with_grown_demand_shows_both_rankings(full):
    """Deep tier: about 1 s, as it makes whole reports with their runs."""
    grown = advise(full.scenario, 100_000, full.objective, 0.2, procedure=Procedure(first_stage=3, cap=6))
    page = render(Report(scenario=full.scenario, objective=full.objective, link=full.link, advice=full.advice,
                         grown_advice=grown, generated=MADE))
    assert page.count('<figure class="chart"') == 2 and 'id="chart-advice-grown"' in page
    answer = page.split('id="answer"')[1].split("</section>")[0]
    assert answer.count('<p class="headline') == 2
    assert "<strong>Next hire at demand 20 % higher</strong>: " in answer
    assert inline_markdown(grown.recommendation.strip().rstrip(".")) in answer


@pytest.mark.deep
def test_a_report_on_a_far_calibration_says_so_beside_the_answer_as_the_pages_do(full, page):
    """The figures the back-test missed are named in the answer's section, in the pages' own sentence; a report on
    a scenario that is no far fit has no such line.
    Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    far = render(dataclasses.replace(full, far_fit="mean lead time and work open at the end"))
    answer = far.split('id="answer"')[1].split("</section>")[0]
    (line,) = re.findall(r'<p class="warning" id="far-fit">(.*?)</p>', answer)
    assert html.unescape(line) == (
        "This scenario was calibrated to your tracker, and the model does not reproduce its record: the back-test "
        "is far on mean lead time and work open at the end. Read these answers with that in mind, or see the app's "
        "Calibrate page.")
    assert 'id="far-fit"' not in page


@pytest.mark.deep
def test_a_report_on_a_calibrated_scenario_carries_the_firms_history_beside_the_model(full, page):
    """Deep tier: about 1 s, as it makes whole reports with their runs."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"week": [1, 2, 3], "tickets": [4.0, 6.0, 5.0]})
    charts = [(key, alt.Chart(frame).mark_line().encode(x="week:Q", y="tickets:Q")) for key in ("throughput", "wip")]
    drawn = render(dataclasses.replace(full, history=charts))
    section = drawn.split('<section id="history">')[1].split("</section>")[0]
    assert section.count('<figure class="chart"') == 2
    assert 'id="chart-history-throughput"' in section and 'id="chart-history-wip"' in section
    assert report_module.HISTORY_CAPTIONS["wip"] in html.unescape(section)
    assert '<section id="history">' not in page  # a scenario that is no calibration's has no such section


@pytest.mark.deep
def test_a_hostile_scenario_is_shown_as_text(full):
    """Deep tier: about 1 s, as it makes whole reports with their runs."""
    data = full.scenario.to_dict()
    data["name"] = "<script>alert('name')</script>"
    data["description"] = '<img src=x onerror=alert(1)> [log in](http://evil.example) **bold**'
    data["designs"]["pm"]["label"] = '<b onmouseover="alert(2)">PM</b>'
    hostile = from_dict(data)
    results = dataclasses.replace(full.results, scenario=hostile)
    page = render(Report(scenario=hostile, objective=full.objective, link=share_link(hostile, PAGE),
                         results=results, baseline="none", generated=MADE))
    assert "<script" not in page and "<img" not in page and "<b " not in page
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page  # in the title and the header
    assert "&lt;img src=x onerror=alert(1)&gt; [log in](http://evil.example) **bold**" in page
    assert 'href="http://evil' not in page
    assert "&lt;b onmouseover=&#34;alert(2)&#34;&gt;PM&lt;/b&gt;" in page


def test_escaping_is_the_default_and_only_the_reports_own_html_passes():
    """A cell or header that is plain text is escaped without being asked to be; HTML the report writes itself
    (Markup) is kept. Forgetting to escape a label can no longer put it in the page as HTML."""
    from markupsafe import Markup

    drawn = table(["<th>"], [["<i>x</i>"], [Markup("<code>kept</code>")], [3.5]], numeric=(0,))
    assert drawn == ('<table class="keep labelled"><thead><tr><th class="num">&lt;th&gt;</th></tr></thead><tbody>'
                     '<tr><td class="num">&lt;i&gt;x&lt;/i&gt;</td></tr><tr><td class="num"><code>kept</code></td></tr>'
                     '<tr><td class="num">3.5</td></tr></tbody></table>')


def test_inline_markdown_escapes_everything_but_its_own_marks():
    text = r"For profit, **A <b>** is *best*: \*not em\* `x<y` & more"
    assert inline_markdown(text) == ("For profit, <strong>A &lt;b&gt;</strong> is <em>best</em>: *not em* "
                                     "<code>x&lt;y</code> &amp; more")


def test_chart_ids_are_made_unique_per_chart(monkeypatch):
    import vl_convert

    drawn = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>'
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: drawn)

    class Chart:
        def to_dict(self):
            return {}

    out = report_module.svg(Chart(), "kpi-profit")
    assert out == ('<svg><clipPath id="kpi-profit-clip1"><rect/></clipPath><g clip-path="url(#kpi-profit-clip1)">'
                   '<use href="#kpi-profit-clip1"/></g></svg>')


def test_the_version_names_the_release_and_the_code():
    assert re.fullmatch(rf"{re.escape(sim.__version__)} \(code [0-9a-f]{{10}}\)", version())


# ---------------------------------------------------------------------------------------------------------------
# The command line


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.deep
def test_the_command_writes_the_report(capsys, tmp_path, scenario):
    """Deep tier: about 1 s, as it runs the command in a process of its own."""
    path = tmp_path / "small.toml"
    from sim.scenario import dumps

    path.write_text(dumps(scenario), encoding="utf-8")
    out_file = tmp_path / "report.html"
    code, out, err = run_cli(capsys, str(path), "--out", str(out_file), "--designs", "none,pm", "--reps", "2",
                             "--weeks", "4", "--serial", "--objective", "lead_time", "--base-url",
                             "https://orgsim.example.com/")
    assert code == 0, err
    assert out.startswith(f"wrote {out_file} (") and out.count("\n") == 1
    page = out_file.read_text(encoding="utf-8")
    for section in ["title", "answer", "headline", "scenario", "figures", "charts", "assumptions", "reproduce"]:
        assert f'id="{section}"' in page
    assert 'href="https://orgsim.example.com/?v=1&amp;preset=default&amp;' in page
    assert "robust_objective=lead_time" in page  # the app opens on the same headline
    assert "lead" in re.search(r'id="headline">(.*?)</p>', page).group(1)
    assert "python -m sim report" in page and "--objective lead_time" in page


@pytest.mark.deep
def test_the_why_section_shows_what_carries_the_gain_and_says_its_assumption_beside_the_answer(full, page):
    """Deep tier: about 1 s, as it makes whole reports with their runs."""
    effects = {"behaviour.clarity_with_am": 300.0, "behaviour.rework_effort_share": 10.0}
    explained = explain(full.scenario, "am", "none", "profit", runner=hand_model(effects, together=0.0))
    shown = render(dataclasses.replace(full, explanation=explained))
    assert 'id="why"' not in page and 'id="carried"' not in page  # only when the explanation was run
    order = [shown.index(f'id="{section}"') for section in ("headline", "carried", "scenario", "figures", "why",
                                                            "robustness")]
    assert order == sorted(order)
    beside = re.search(r'id="carried">(.*?)</p>', shown).group(1)
    assert "rests on one assumption" in beside and "0.8 to 0.95" in beside and "clarifying" in beside
    why = shown[shown.index('id="why"'):shown.index('id="robustness"')]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", why)
    assert [tuple(html.unescape(cell) for cell in row) for row in rows] == explained.rows()
    assert len(rows) == len(explained.contributions) + 1  # and the interaction
    assert why.count("<svg") == 1 and shown.count("<svg") == page.count("<svg") + 1  # the waterfall
    assert "behaviour." not in why.split("<figure")[0]  # words, not codes, in the sentences and the table


@pytest.mark.deep
def test_the_command_adds_the_explanation_when_asked(capsys, tmp_path):
    """Deep tier: about 5 s, as it runs the command in a process of its own."""
    out_file = tmp_path / "report.html"
    code, _, err = run_cli(capsys, "scenarios/small_firm.toml", "--out", str(out_file), "--designs", "none,am",
                           "--reps", "2", "--weeks", "3", "--serial", "--explain")
    assert code == 0, err
    shown = out_file.read_text(encoding="utf-8")
    why = html.unescape(shown[shown.index('id="why"'):shown.index('id="assumptions"')])
    labels = design_labels(load_presets()["small_firm"].designs)
    assert f"{labels['am']} against {labels['none']}" in why or f"{labels['none']} against {labels['am']}" in why
    assert "The hires' salaries" in why and "<svg" in why


@pytest.mark.deep
def test_the_command_never_loads_streamlit(tmp_path):
    """The report draws the app's tables and charts from sim.tables and sim.charts, never the app itself.
    Deep tier: about 3 s, as it runs the command in a process of its own."""
    script = ("import sys\nfrom sim.cli import main\n"
              f"code = main(['report', 'scenarios/default.toml', '--out', {str(tmp_path / 'r.html')!r}, '--designs', "
              "'none,pm', '--reps', '2', '--weeks', '2', '--serial'])\n"
              "print(code, 'streamlit' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr[-2000:]
    assert (tmp_path / "r.html").stat().st_size > 10_000


@pytest.mark.parametrize(("argv", "named"), [
    (["missing.toml", "--out", "{tmp}/r.html"], "missing.toml"),
    (["scenarios/default.toml", "--out", "{tmp}/no/such/folder/r.html"], "does not exist"),
    (["scenarios/default.toml", "--out", "{tmp}"], "is a folder"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--objective", "speed"], "--objective"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--base-url", "javascript:alert(1)"], "base URL"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--designs", "none,ceo"], "designs = none,ceo"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--baseline", "ceo"], "baseline"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--reps", "1"], "replications"),
    (["scenarios/default.toml"], "--out"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--advise", "--budget", "-5"], "budget = -5.0"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--robust", "--designs", "pm"], "at least two designs"),
    (["scenarios/default.toml", "--out", "{tmp}/r.html", "--explain", "--designs", "pm"],
     "the explanation needs at least two designs"),
])
def test_bad_input_is_one_line_naming_it(capsys, tmp_path, argv, named):
    code, out, err = run_cli(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert named in err
    assert not (tmp_path / "r.html").exists()


# ---------------------------------------------------------------------------------------------------------------
# The pages' button


@pytest.mark.deep
@pytest.mark.parametrize("page_file", ["pages/compare.py", "pages/next_hire.py"])
def test_compare_and_next_hire_offer_the_report_of_what_they_show(offered_reports, page_file):
    """The report holds what the page shows: its figures or advice, its link, and How sure is this? once run.
    Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    offered = offered_reports
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    # no uncertain input: How sure is this? then runs two variants, not eighty
    at.session_state["scenario.overrides"] = {"weeks": 4, "replications": 2, "uncertainty": {}}
    at.session_state["page.settings"] = {"budget": "100000"}
    at.run()
    if page_file != "pages/compare.py":
        at.switch_page(page_file).run()
        (button,) = [b for b in at.button if b.label == "Rank the options"]
        button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    tested = 'id="robustness"' if page_file == "pages/compare.py" else "<h3>How sure is the advice</h3>"
    assert tested not in offered[-1]["page"]  # the analysis runs when asked, and only then is reported
    (test,) = [b for b in at.button if b.label.startswith("Test the ")]
    test.click().run()
    assert not at.exception, [e.value for e in at.exception]
    (report,) = offered[-1:]
    assert tested in report["page"]
    assert report["label"] == "Download report (HTML, to send or print as PDF)"
    assert report["on_click"] == "ignore"
    page = report["page"]
    query = dict(parse_qsl(urlsplit(re.search(r'<a class="link" href="([^"]*)"', page).group(1)
                                        .replace("&amp;", "&")).query))
    assert query["weeks"] == "4" and query["reps"] == "2"
    if page_file == "pages/compare.py":
        assert query["page"] == "compare" and query["designs"] == "none,pm,am,hybrid,both"
        assert 'id="figures"' in page and "No coordinator" in page
    else:
        assert query["page"] == "next_hire" and query["budget"] == "100000"
        assert 'id="advice"' in page and 'id="figures"' not in page
    assert re.search(r'id="headline">(.+?)</p>', page)


def test_a_report_made_on_a_local_app_says_where_its_link_opens(full):
    """A link to the author's own computer opens nowhere else: the report says so and points to the scenario file;
    and it sends the partner to the app, not to a command-line flag."""
    local = render(Report(scenario=full.scenario, objective=full.objective, link=full.link, advice=full.advice,
                          generated=MADE))
    assert "on the computer that made this report" in local and "load the scenario file below" in local
    assert "--robust" not in local
    served = full.link.replace("http://localhost:8501", "https://orgsim.example.com")
    page = render(Report(scenario=full.scenario, objective=full.objective, link=served, advice=full.advice,
                         generated=MADE))
    assert "on the computer that made this report" not in page and "at the address it was made for" in page
