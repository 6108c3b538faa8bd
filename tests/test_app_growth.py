"""The growth page speaks of designs in words and sweeps demand growth in % a year, as well as clients and
engineers, on whole-number axes."""

from __future__ import annotations

import pytest

from tests.test_app_pages import assert_clean, downloads, open_app  # noqa: F401 (downloads is a fixture)


def sweep_of_demand(at, steps: int = 2):
    at.selectbox(key="page:growth:lever").set_value("demand").run()  # a lever brings its range at once
    at.number_input(key="page:growth:steps").set_value(steps)
    return [b for b in at.button if b.label == "Run sweep"][0].click().run()


@pytest.mark.deep
def test_demand_growth_sweeps_from_today_to_sixty_percent_more_requests(downloads):  # noqa: F811
    """Deep tier: about 6 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py", {"weeks": 6, "replications": 2, "demand.clients": 40})
    at.multiselect(key="page:growth:designs").set_value(["none", "hybrid"]).run()
    at = sweep_of_demand(at)
    assert_clean(at)
    assert (at.number_input(key="page:growth:from").value, at.number_input(key="page:growth:to").value) == (0, 60)
    sweep = downloads(at, "Sweep results")
    assert sorted(sweep["lever"].unique()) == [0, 60]
    assert sorted(sweep["design_label"].unique()) == ["Hybrid PM/AM", "No coordinator"]
    (breaks,) = [m.value for m in at.markdown if m.value.startswith("**Where each design breaks**")]
    lines = breaks.split("\n- ")[1:]
    assert len(lines) == 2 and all("stays above it" in line or line.endswith(" % demand growth a year")
                                   for line in lines)
    lead = sweep[sweep.metric == "lead_time_days"].pivot(index="design", columns="lever", values="mean")
    assert (lead[60] > lead[0]).all()  # 60 % more work for the same engineers: longer waits, every design
    chart = at.get("vega_lite_chart")[0]
    spec = chart.proto.spec
    assert '"Demand growth (% a year)"' in spec and '"tickMinStep":1' in spec.replace(" ", "")
    assert '"No coordinator"' in spec and '"none"' not in spec.split('"scale"')[1].split("}")[0]


@pytest.mark.deep
def test_another_lever_brings_its_own_range_and_drops_the_old_results(downloads):  # noqa: F811
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py", {"weeks": 6, "replications": 2})
    at.number_input(key="page:growth:from").set_value(30.0)
    at.number_input(key="page:growth:to").set_value(40.0)
    at.number_input(key="page:growth:steps").set_value(2)
    [b for b in at.button if b.label == "Run sweep"][0].click().run()
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [30, 40]  # clients
    at.selectbox(key="page:growth:lever").set_value("engineers").run()
    assert_clean(at)
    # today's 12 engineers to twice as many, not the clients' 30 to 40
    assert (at.number_input(key="page:growth:from").value, at.number_input(key="page:growth:to").value) == (12, 24)
    sweep = downloads(at, "Sweep results")
    assert sorted(sweep["lever"].unique()) == [12, 24]
    assert all("Engineers" in c.proto.spec for c in at.get("vega_lite_chart"))


@pytest.mark.deep
def test_the_designs_to_sweep_are_chosen_by_their_words():
    """Deep tier: about 4 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py", {"weeks": 6, "replications": 2})
    widget = at.multiselect(key="page:growth:designs")
    assert list(widget.options) == ["No coordinator", "Project manager", "Account manager", "Hybrid PM/AM", "PM + AM"]


@pytest.mark.deep
def test_a_links_points_beyond_the_pages_range_are_named_with_the_number_swept():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["scenario.overrides"] = {"weeks": 4, "replications": 2}
    at.session_state["page.settings"] = {"steps": "100000", "designs": "none", "from": "20", "to": "31"}
    at.run().switch_page("pages/growth.py").run()
    assert_clean(at)
    notices = [w.value for w in at.warning if w.value.startswith("The link")]
    assert notices == ["The link asked for 100,000 points; the page takes at most 12 points, so it sweeps 12 "
                       "points."]
    assert at.number_input(key="page:growth:steps").value == 12
    assert at.number_input(key="page:growth:from").value == 20  # the link's other inputs kept


@pytest.mark.deep
def test_the_page_opens_on_the_two_ends_and_sweeps_every_point_only_when_asked(downloads):  # noqa: F811
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_app("pages/growth.py", {"weeks": 4, "replications": 2})
    at.multiselect(key="page:growth:designs").set_value(["none"]).run()
    assert_clean(at)
    assert at.number_input(key="page:growth:steps").value == 5
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [25, 50]  # today's clients to twice as many
    (first,) = [i.value for i in at.info if i.value.startswith("A first view")]
    assert "25 clients and 50 clients" in first and "all 5 points" in first
    assert not [m for m in at.markdown if m.value.startswith("**Replications**")]  # the first view: a fixed number
    at = [b for b in at.button if b.label == "Run sweep"][0].click().run()
    assert_clean(at)
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [25, 31, 38, 44, 50]
    assert not [i for i in at.info if i.value.startswith("A first view")]
    # the full sweep adds replications at each point until its answer is clear, and says where each stopped and why
    (stops,) = [m.value for m in at.markdown if m.value.startswith("**Replications**")]
    lines = stops.split("\n- ")[1:]
    assert [line.split(":")[0] for line in lines] == [f"{n} clients" for n in (25, 31, 38, 44, 50)]
    assert all(" replications per design" in line and line.split(": ", 1)[1].startswith("Stopped at ")
               for line in lines), lines
    assert at.session_state["page.settings"]["sweep"] == "full"  # what a link carries: the partner sees it all
    at.selectbox(key="page:growth:lever").set_value("engineers").run()
    assert sorted(downloads(at, "Sweep results")["lever"].unique()) == [12, 24]  # another lever: its first view
