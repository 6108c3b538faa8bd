"""The headline answer and the table's marks on small constructed comparisons: a constant paired lead is sure (★),
a lead within noise ties, and the sentence, the marks and the robustness check agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.advisor import Objective
from sim.answer import MARKED_METRICS, SURE, TIED, column_marks, headline
from sim.experiment import Results
from sim.robust import clearly_best
from sim.scenario import OrgDesign, Scenario
from sim.stats import t_half_width, ties_with_best
from sim.wording import KPIS

BASE = np.array([100e3, 300e3, 200e3, 50e3, 400e3])  # what every design shares replication by replication (CRN)
NOISE = np.array([6e3, -4e3, 3e3, -3e3, 0.0])  # mean 400, well inside its own 95 % interval


def results(profits: dict[str, np.ndarray], growth: dict[str, float] | None = None,
            lead: dict[str, np.ndarray] | None = None, designs: dict[str, OrgDesign] | None = None) -> Results:
    """A comparison's summary with the given profits (and lead times) per replication; every design keeps up
    with its work unless `growth` gives it a backlog growing that many requests a week."""
    rows = []
    for design, values in profits.items():
        for r, value in enumerate(values):
            rows.append({"design": design, "replication": r, "profit": value, "revenue": value * 3,
                         "cost": value * 2, "throughput_per_week": 10.0 + r % 2,
                         "lead_time_days": (lead or {}).get(design, np.full(len(values), 3.0))[r],
                         "backlog_growth_per_week": (growth or {}).get(design, 0.0) + (r % 2) * 0.01})
    scenario = Scenario()
    if designs:
        scenario = scenario.replace(designs=designs)
    return Results(scenario, pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame())


PROFIT = Objective.of("profit")


def test_a_constant_paired_lead_is_sure_whatever_the_spread_of_each_design():
    answer = headline(results({"none": BASE, "pm": BASE + 10e3}), PROFIT, "none")
    assert (answer.best, answer.tied, answer.sure) == ("pm", (), True)
    assert answer.marks == {"none": "", "pm": SURE}
    assert answer.sentence == ("For profit, **Project manager** is best: +$10k a year over **No coordinator** (± $0); "
                               "ahead of every other design beyond simulation noise.")


def test_a_lead_within_noise_ties_and_says_either_will_do():
    answer = headline(results({"none": BASE, "pm": BASE + NOISE}), PROFIT, "none")
    assert (answer.best, answer.tied, answer.sure) == ("pm", ("none",), False)
    assert answer.marks == {"none": TIED, "pm": TIED}
    half = t_half_width(NOISE)
    assert answer.sentence == (f"For profit, **Project manager** has the best mean: +$400 a year over **No "
                               f"coordinator** (± ${half / 1e3:.0f}k); **No coordinator** is within $400, not told "
                               "apart from it over simulation noise, and any difference is smaller than $20k: either "
                               "will do.")


def test_a_tie_too_noisy_to_rule_out_a_large_gap_asks_for_more_replications_not_either():
    wide = NOISE * 10  # the same mean gap's sign, ten times the spread: the difference could be $53k or more
    answer = headline(results({"none": BASE, "pm": BASE + wide}), PROFIT, "none")
    assert (answer.best, answer.tied, answer.sure) == ("pm", ("none",), False)
    reach = abs(wide.mean()) + t_half_width(wide)
    assert reach > PROFIT.indifference_zone
    assert answer.sentence.endswith(f"not told apart from it over simulation noise; the difference could be as large "
                                    f"as ${reach / 1e3:.0f}k, so more replications would tell them apart.")
    assert "will do" not in answer.sentence


def test_only_the_designs_that_tie_with_the_best_are_marked():
    # am ties with pm (equal means, noisy difference); both beat none by a constant $10k
    answer = headline(results({"none": BASE, "pm": BASE + 10e3, "am": BASE + 10e3 + NOISE - NOISE.mean()}), PROFIT)
    assert (answer.best, answer.tied) == ("pm", ("am",))  # equal means: the first listed is the best
    assert answer.marks == {"none": "", "pm": TIED, "am": TIED}
    assert "a year over" not in answer.sentence and "**Account manager** is within $0" in answer.sentence


def test_the_headline_and_the_robustness_check_use_one_rule():
    for profits in ({"none": BASE, "pm": BASE + 10e3}, {"none": BASE, "pm": BASE + NOISE}):
        r = results(profits)
        answer = headline(r, PROFIT)
        assert clearly_best(r.summary, PROFIT) == (answer.best, answer.sure)


def test_column_marks_follow_the_direction_of_each_figure():
    lead = {"none": np.full(5, 4.0) + NOISE / 1e4, "pm": np.full(5, 3.0) + NOISE / 1e4}  # pm a day shorter
    r = results({"none": BASE, "pm": BASE + NOISE}, lead=lead)
    assert column_marks(r, "lead_time_days") == {"none": "", "pm": SURE}
    assert column_marks(r, "profit") == {"none": TIED, "pm": TIED}
    assert column_marks(r, "throughput_per_week") == {"none": TIED, "pm": TIED}  # the same on every replication


def test_parts_of_profit_and_the_backlog_trend_get_no_marks():
    r = results({"none": BASE, "pm": BASE + 10e3})
    assert column_marks(r, "profit") == {"none": "", "pm": SURE}
    for metric in ("cost", "revenue", "backlog_growth_per_week"):
        assert metric in KPIS and metric not in MARKED_METRICS
        assert column_marks(r, metric) == {"none": "", "pm": ""}


def test_a_design_not_keeping_up_is_no_candidate_for_delays_but_is_for_profit():
    lead = {"none": np.full(5, 9.0), "pm": np.full(5, 3.0) + NOISE / 1e4, "am": np.full(5, 3.0)}
    r = results({"none": BASE, "pm": BASE + 10e3, "am": BASE + 20e3}, growth={"am": 50.0}, lead=lead)
    assert not r.backlog_trends()["am"].keeping_up
    assert column_marks(r, "lead_time_days") == {"none": "", "pm": SURE, "am": ""}
    assert column_marks(r, "profit") == {"none": "", "pm": "", "am": SURE}
    answer = headline(r, Objective.of("lead_time"), "none")
    assert answer.best == "pm" and answer.marks["am"] == ""
    half = t_half_width(NOISE / 1e4)
    assert f"mean lead time 5.96 days shorter than with **No coordinator** (± {half:.2f} days)" in answer.sentence


def test_lead_time_and_on_time_read_in_their_own_units():
    lead = {"none": np.full(5, 4.0), "pm": np.full(5, 3.5)}
    answer = headline(results({"none": BASE, "pm": BASE}, lead=lead), Objective.of("lead_time"), "none")
    assert answer.sentence.startswith("For mean lead time, **Project manager** is best: mean lead time 0.50 days "
                                      "shorter than with **No coordinator** (± 0.00 days)")


def test_a_label_from_a_link_shows_as_its_characters():
    designs = {"none": OrgDesign(), "mine": OrgDesign(hybrids=1, label="[log in](http://e.vil)")}
    answer = headline(results({"none": BASE, "mine": BASE + 10e3}, designs=designs), PROFIT, "none")
    assert r"**\[log in\](http:" in answer.sentence and "http://" not in answer.sentence  # escaped, no autolink


def test_one_design_alone_is_no_answer():
    answer = headline(results({"pm": BASE}), PROFIT, "pm")
    assert (answer.best, answer.sure, answer.marks) == ("pm", False, {"pm": ""})
    assert column_marks(results({"pm": BASE}), "profit") == {"pm": ""}


def test_ties_with_best_on_exact_arrays():
    assert ties_with_best({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]}) == ("b", ())
    assert ties_with_best({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}) == ("a", ("b",))  # identical: a tie
    assert ties_with_best({"a": [1.0, 5.0, 3.0], "b": [2.0, 3.0, np.nan]}) == ("a", ("b",))  # one pair left: no test


def test_a_weighted_mix_reads_as_its_weights_and_counts_indifference_zones():
    # profit +$20k (one zone of $20k) and lead time the same: the score is +1 zone times the weight of profit, 0.5
    r = results({"none": BASE, "pm": BASE + 20e3})
    answer = headline(r, Objective.mix(profit=1, lead_time=1), "none")
    assert answer.sentence == ("For the weighted score (profit 50 %, mean lead time 50 %), **Project manager** is "
                               "best: +0.5 on the weighted score against **No coordinator** (± 0.0); ahead of every "
                               "other design beyond simulation noise.")
