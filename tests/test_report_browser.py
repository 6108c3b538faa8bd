"""The report of the default scenario in a real browser (Debian's Chromium): it opens from a file:// URL with every
request outside the file refused and recorded, draws its charts, and prints to A4 PDF pages that carry the
headline. A screenshot (test-artifacts/report.png) and the PDF (test-artifacts/report.pdf) are left for a person to
look at. Deep tier: every test here runs in a real browser (`make test-deep`)."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Browser, Route
from pypdf import PdfReader

from sim.report import Report, render, share_link
from tests.browser import ARTIFACTS
from tests.conftest import small


@pytest.fixture(scope="module")
def report_file(default_scenario, tmp_path_factory):
    from sim.advisor import Objective
    from sim.experiment import run_experiment

    scenario = small(default_scenario, weeks=6, replications=2)
    results = run_experiment(scenario)
    report = Report(scenario=scenario, objective=Objective.of("profit"), link=share_link(scenario, {"page": "compare"}),
                    results=results, baseline="none")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render(report), encoding="utf-8")
    return path


def test_the_report_opens_offline_draws_its_charts_and_prints_to_a4(browser: Browser, report_file):
    url = report_file.as_uri()
    outside: list[str] = []

    def only_the_file(route: Route) -> None:
        wanted = route.request.url
        if wanted == url or wanted.startswith("data:"):
            route.continue_()
        else:
            outside.append(wanted)
            route.abort()

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", only_the_file)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        assert outside == []

        headline = page.locator("#headline").inner_text()
        assert headline.startswith("For ")
        charts = page.locator("figure.chart svg")
        assert charts.count() == 9
        for i in range(charts.count()):
            chart = charts.nth(i)
            box = chart.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 50
            # Vega draws each mark as a group of class role-mark holding its paths, lines or text
            assert chart.locator(".role-mark path, .role-mark line, .role-mark rect").count() > 0
        # nothing wider than the window: a partner reads it on a laptop, or on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.set_viewport_size({"width": 420, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.set_viewport_size({"width": 1100, "height": 900})

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        (ARTIFACTS / "report.pdf").write_bytes(pdf)
        assert outside == []

        # the guard itself sees a request a file makes: a page that asks for an image elsewhere is caught
        leaky = report_file.with_name("leaky.html")
        leaky.write_text('<img src="http://127.0.0.1:9/pixel.png">', encoding="utf-8")
        url = leaky.as_uri()
        page.goto(url, wait_until="load")
        assert outside == ["http://127.0.0.1:9/pixel.png"]
    finally:
        context.close()

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    for sheet in reader.pages:  # A4 is 595.3 x 841.9 points; Chromium rounds to its own pixel grid
        width, height = (float(x) for x in sheet.mediabox.upper_right)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert " ".join(headline.split()) in first
    assert re.search(r"The answer", first)
    # Page 1 is full: the answer, then the whole scenario (its table kept on one page), not a third left blank
    # with the scenario pushed to page 2; the key figures, costs among them, open page 2.
    assert "The scenario" in first and "Bill rate" in first and "Every other input is the default firm" in first
    second = " ".join(reader.pages[1].extract_text().split())
    assert second.startswith("Key figures") and "Cost/year" in second
