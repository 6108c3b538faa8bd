"""Hostile links and uploads in the app, through AppTest: a huge run asks first on every page; text from a link or a
file shows as text inside the app's boxes; a bad upload is one message and loses nothing; the share box promises
no link the reader would cut; a cluster failure blames the cluster. What the browser renders and fetches is tested
in tests/test_hostile_browser.py."""

from __future__ import annotations

import codecs
import re

import pytest
from streamlit.testing.v1 import AppTest

import ui.runner
from sim.advisor import affordable_moves
from sim.links import MAX_SETTINGS, link_fits, params_to_scenario, scenario_to_params
from sim.parallel import ClusterError
from sim.presets import SCENARIOS_FOLDER, read_presets
from sim.scenario import MAX_TABLE_ENTRIES, STANDARD_DESIGNS, dumps, load_scenario, loads
from tests.conftest import ROOT
from tests.test_app_pages import assert_clean
from tests.test_app_share import LINK, open_link, sidebar_scenario, url
from ui.labels import plain

# Markdown that, rendered, would be a link to another site and an image fetched from it.
TRAP_LINK = "[Log in again](https://evil.example/login)"
TRAP_IMAGE = "![pixel](https://evil.example/pixel.png)"
# An opening [ or ! that no backslash escapes, or an address Markdown would turn into a link.
LIVE_MARKDOWN = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)!(?<!\\)\[|https?://|www\.|(?<!\\)<")


def alert_texts(at) -> list[str]:
    return [e.value for e in (*at.warning, *at.error, *at.success, *at.info, *at.caption, *at.markdown)]


def assert_inert(texts: list[str]) -> None:
    for text in texts:
        assert not LIVE_MARKDOWN.search(text), text


def test_plain_escapes_what_would_be_markdown_and_keeps_ordinary_words():
    joiner = "\u2060"  # invisible: Markdown's autolinks find addresses after escapes, so they are broken instead
    assert plain(TRAP_LINK) == rf"\[Log in again\](https:{joiner}//evil.example/login)"
    assert plain(TRAP_IMAGE) == rf"\!\[pixel\](https:{joiner}//evil.example/pixel.png)"
    assert plain("see www.evil.example or me@evil.example <b>now</b> *here* _there_ $x$ :red[y] # h\nline") == (
        rf"see www{joiner}.evil.example or me@{joiner}evil.example \<b\>now\</b\> \*here\* \_there\_ \$x\$ "
        r":red\[y\] \# h line")
    ordinary = "demand.requests_per_client_per_week = 0: must be a number from 0.001 to 100 (see scenarios/x.toml)"
    assert plain(ordinary) == ordinary


def test_a_link_carrying_markdown_shows_it_as_text_in_every_box():
    at = open_link({**LINK, "weeks": "6", "name": f"{TRAP_IMAGE} {TRAP_LINK}", TRAP_LINK: "1",
                    "clients": TRAP_IMAGE, "designs": f"none,{TRAP_LINK}", "page": "compare"})
    assert_clean(at)
    (warning,) = at.warning
    assert plain(f"Ignored {TRAP_LINK}: not a setting of this app") in warning.value
    assert plain(f"Ignored clients={TRAP_IMAGE}") in warning.value
    assert any(plain(TRAP_IMAGE) in c.value for c in at.caption)  # the scenario's name, in the page's caption
    assert_inert(alert_texts(at))
    assert sidebar_scenario(at)["clients"] == load_scenario(SCENARIOS_FOLDER / "default.toml").demand.clients
    assert at.table  # the page still ran on the nearest valid scenario


@pytest.mark.deep
def test_an_objective_carrying_markdown_shows_it_as_text():
    """Deep tier: about 5 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**LINK, "weeks": "4", "page": "next_hire", "objective": TRAP_LINK, "budget": "100000"})
    assert not at.exception
    (warning,) = [w for w in at.warning if "objective" in w.value]
    assert plain(TRAP_LINK) in warning.value and "ranking by profit instead" in warning.value
    assert_inert(alert_texts(at))


def huge_ranking_link(**extra: str) -> dict[str, str]:
    return {"v": "1", "preset": "default", "page": "next_hire", "weeks": "520", "warmup": "104", "clients": "2000",
            "requests": "0.8", "budget": "2000000", **extra}


# The link as it was reported, and one with room for its demand to grow 30 % within a run's limit.
@pytest.mark.parametrize("growth, requests, rankings", [("0", "0.8", 1), ("30", "0.5", 2)])
def test_a_link_asking_for_a_huge_ranking_asks_before_it_runs(growth, requests, rankings):
    at = open_link(huge_ranking_link(growth_pct=growth, requests=requests))
    assert not at.exception and not at.table  # nothing ranked
    assert not at.error
    (warning,) = [w for w in at.warning if "million requests" in w.value]
    scenario = params_to_scenario(huge_ranking_link(requests=requests), read_presets(SCENARIOS_FOLDER)[0]).scenario
    options = len(affordable_moves(scenario, 2_000_000)) + 1
    assert f"{options} options x up to 50 replications x 624 weeks" in warning.value
    assert (" x 2 rankings" in warning.value) == (rankings == 2)
    requests, counted = ui.runner.ranking_requests(scenario, 2_000_000, [0.0, 0.3][:rankings])
    assert counted == options and f"up to {requests / 1e6:,.1f} million requests" in warning.value
    assert [b.label for b in at.main.button if b.label == "Run it anyway"] == ["Run it anyway"]


def test_growth_beyond_a_runs_limit_is_named_before_anything_runs():
    at = open_link(huge_ranking_link(growth_pct="30"))
    assert not at.exception and not at.table
    (error,) = at.error
    assert "requests per run" in error.value and "at most 1,000,000 are allowed" in error.value


def test_the_ranking_estimate_is_the_comparisons_per_run_estimate_times_the_most_runs(default_scenario):
    from sim.scenario import expected_requests

    requests, options = ui.runner.ranking_requests(default_scenario, 150_000, [0.0])
    assert options == len(affordable_moves(default_scenario, 150_000)) + 1
    assert requests == pytest.approx(expected_requests(default_scenario) * options * 50)


def test_the_ranking_estimate_counts_every_option_at_the_cap_by_hand(default_scenario):
    # $60,000 a year affords standardised work (free), half a salesperson ($55,000) and both; an account manager
    # ($95,000) is beyond it. With today, 4 options; at worst each runs the cap of 50 replications (the first stage
    # of 10, later stages for those close to the best, and the dropped ones not clearly behind run on to theirs).
    # A run is 25 clients x 0.75 requests a week x (52 + 4) weeks = 1,050 requests.
    assert [m.name for m in affordable_moves(default_scenario, 60_000)] == [
        "standardised work", "+0.5 salesperson", "+0.5 salesperson with standardised work"]
    assert ui.runner.ranking_requests(default_scenario, 60_000, [0.0]) == (4 * 50 * 1_050, 4)
    # with demand 20 % higher too: 1,260 requests a run for the second ranking
    assert ui.runner.ranking_requests(default_scenario, 60_000, [0.0, 0.2]) == (pytest.approx(4 * 50 * 2_310), 4)
    assert ui.runner.ranking_requests(default_scenario, 0, [0.0])[1] == 2  # standardised work is free


def test_a_huge_sweep_link_asks_before_it_runs():
    at = open_link({**LINK, "clients": "1000", "requests": "25", "weeks": "6", "page": "growth", "lever": "clients",
                    "from": "1000", "to": "2000", "steps": "5", "sweep": "full"})
    assert not at.exception
    (warning,) = [w for w in at.warning if "million requests" in w.value]
    # a full sweep adds replications at each point until its answer is clear: judged on its cap
    assert "5 designs x up to 30 replications x 10 weeks x 5 points" in warning.value
    assert not at.get("vega_lite_chart") and not at.get("arrow_vega_lite_chart")


BAD_UPLOADS = [
    (b"\x00\x01\xff binary", "not a text file in UTF-8"),
    (codecs.BOM_UTF16_LE + "weeks = 3".encode("utf-16-le"), "UTF-16"),
    ("name = \"Café\"".encode("latin-1"), "byte 0xe9"),
    (("seed = " + "9" * 5000).encode(), "over 4,300 digits"),
    (("seed = " + "[" * 5000 + "]" * 5000).encode(), "nested too deep"),
    ("".join(f"[designs.d{i}]\nhybrids = 1\n" for i in range(10_000)).encode(), "a table holds at most 50"),
    (f'name = "{"x" * 500_000}"'.encode(), "must be text of at most 2000 characters"),
    (b"a" * 1_000_001, "over 1,000,000 bytes"),
]


@pytest.mark.deep
@pytest.mark.parametrize("content, says", BAD_UPLOADS, ids=[s for _, s in BAD_UPLOADS])
def test_a_hostile_upload_is_one_message_and_loses_nothing(content, says):
    """Deep tier: about 3 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**LINK, "page": "compare"})
    before = at.table[0].value
    at.sidebar.file_uploader(key="share.upload").upload(f"{TRAP_LINK}.toml", content, "application/toml").run()
    assert not at.exception
    (error,) = at.error
    assert says in error.value and "your scenario is unchanged" in error.value
    assert plain(TRAP_LINK) in error.value and len(error.value) < 1000
    assert_inert(alert_texts(at))
    assert sidebar_scenario(at) == {"engineers": 14, "clients": 35, "weeks": 8, "reps": 2}
    assert url(at)["clients"] == "35"
    assert at.table[0].value.equals(before)  # the results stay


def test_an_upload_with_a_byte_order_mark_loads():
    at = open_link({**LINK, "page": "model"})
    content = codecs.BOM_UTF8 + b'name = "Saved by Notepad"\nweeks = 9\nreplications = 2\n'
    at.sidebar.file_uploader(key="share.upload").upload("notepad.toml", content, "application/toml").run()
    assert not at.exception and not at.error
    (success,) = at.success
    assert "Loaded **notepad.toml** (Saved by Notepad)" in success.value
    assert sidebar_scenario(at)["weeks"] == 9


def many_designs() -> str:
    """A valid scenario whose link would need more settings than a link is read for: 45 new designs x 5 values."""
    extra = MAX_TABLE_ENTRIES - len(STANDARD_DESIGNS)
    designs = "".join(f"[designs.d{i}]\nproject_managers = 1\naccount_managers = 1\nhybrids = 1\nsales_share = 0.5\n"
                      f"extra_engineers = {i % 3 + 1}\n" for i in range(extra))
    return f"weeks = 4\nreplications = 2\n{designs}"


def test_the_writer_promises_a_link_only_when_the_reader_keeps_all_of_it():
    presets = read_presets(SCENARIOS_FOLDER)[0]
    scenario = loads(many_designs())
    params = scenario_to_params(scenario, "default", presets)
    assert len(params) > MAX_SETTINGS and not link_fits(params)
    assert any("The link is too long" in w for w in params_to_scenario(params, presets).warnings)
    fitting = scenario_to_params(load_scenario(ROOT / "scenarios" / "one_hire.toml"), "default", presets)
    assert link_fits(fitting) and not params_to_scenario(fitting, presets).warnings


@pytest.mark.deep
def test_the_share_box_offers_the_file_instead_of_a_link_it_cannot_keep():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = open_link({**LINK, "page": "model"})
    at.sidebar.file_uploader(key="share.upload").upload("many.toml", many_designs().encode(),
                                                        "application/toml").run()
    assert not at.exception and at.success
    assert not at.sidebar.code  # no link to copy
    (caption,) = [c for c in at.sidebar.caption if "more than a link carries" in c.value]
    assert f"read up to {MAX_SETTINGS} settings" in caption.value and "share the scenario file" in caption.value
    (download,) = [b for b in at.get("download_button") if b.label.startswith("Download the scenario")]
    assert download


def test_a_cluster_failure_blames_the_cluster_not_the_inputs(monkeypatch):
    def broken():
        # connecting happens before a run slot is taken: a cluster that hangs here holds up no other user
        assert ui.runner.run_slots()._value == ui.runner.RUNS_AT_ONCE
        raise ClusterError(["SIM_DASK_SCHEDULER = 'tcp://nowhere:8786': no Dask scheduler answered within 10 "
                            "seconds; this is a problem of the cluster, not of your inputs"])

    monkeypatch.setattr(ui.runner, "quick_here", lambda _scenario, _weeks: False)  # every run to the pool
    monkeypatch.setattr(ui.runner, "default_executor", broken)
    ui.runner.shared_executor.clear()
    try:
        for page in ("compare", "growth"):
            at = open_link({**LINK, "seed": "77", "page": page})
            assert not at.exception
            (error,) = at.error
            assert error.value.startswith("The replications could not run on this server")
            assert "problem of the cluster" in error.value and "Change these inputs" not in error.value
        assert ui.runner.run_slots()._value == ui.runner.RUNS_AT_ONCE  # no slot was taken, none is held
    finally:
        ui.runner.shared_executor.clear()


def test_the_app_config_serves_locally_and_shows_no_traceback():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] * 1_000_000 >= len(dumps(loads(many_designs())))


@pytest.mark.deep
def test_a_ticket_export_carrying_markdown_shows_it_as_text():
    """Deep tier: about 1 s, as it drives whole pages in AppTest, with their simulations."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario.overrides"] = {"weeks": 6, "replications": 2}
    at.run().switch_page("pages/calibrate.py").run()
    at.file_uploader(key="calibrate.upload").upload(f"{TRAP_LINK}.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv").run()
    assert not at.exception
    (error,) = at.error
    assert plain(TRAP_LINK) in error.value and "unchanged" in error.value
    sample = (ROOT / "scenarios" / "samples" / "jira_sample.csv").read_bytes()
    at.file_uploader(key="calibrate.upload").upload(f"{TRAP_IMAGE}.csv", sample, "text/csv").run()
    assert not at.exception
    assert any(plain(TRAP_IMAGE) in m.value for m in at.markdown)
    assert_inert(alert_texts(at))
