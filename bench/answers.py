"""How long a partner waits for each answer, as a multiple of a default comparison timed in the same run.

    .venv/bin/python bench/answers.py [--budget 150000] [--rounds 1] [--no-save]

The machine is shared, so a time alone says little; its multiple of a comparison timed a moment earlier says more.
Each round times, one after the other:

- the command line, in a fresh interpreter, start-up included (wall time): `python -m sim run` (the reference, a
  default comparison), `python -m sim robust`, `python -m sim advise --budget B`;
- the app in this process through Streamlit's AppTest (wall time): the landing page cold (every cached result
  cleared), then warm (a new session on the same server, its results cached); then, each with the cache of what it
  is timed for cleared just before, Growth's first view (from the landing page: its runs), How sure (the button
  under Compare's answer, the comparison on screen: the analysis) and Next hire (Rank the options, the page open:
  the ranking). `sim robust` also runs the comparison, which the app has shown before the button is pressed.

All on the default firm, which is what the app opens on. Each figure is its best round. The load average is
recorded before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

PYTHON = sys.executable
SCENARIO = "scenarios/default.toml"  # the app's landing scenario: the command line and the pages answer the same
GOALS = {  # the multiple of the reference each answer should stay within (issue 21)
    "robust_cli": ("sim robust", "comparison", 3.0),
    "advise_cli": ("sim advise", "comparison", 3.0),
    "how_sure_app": ("How sure, app", "robust_cli", 1.2),
    "next_hire_app": ("Next hire, app", "advise_cli", 1.2),
    "growth_first_view_app": ("Growth first view, app", "comparison", 2.0),
}


def command_seconds(*arguments: str) -> float:
    """Wall time of `python -m sim ARGUMENTS` in a fresh interpreter, start-up included."""
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "sim", *arguments], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def page_seconds(act: Callable[[Any], Any], prepare: Callable[[Any], Any] | None = None,
                 cached: str | None = None) -> float:
    """Wall time of `act(app)` on a fresh AppTest session of the app, after `prepare(app)` (not timed), with the
    results of `ui.runner`'s cached function `cached` cleared in between (every cached result when None): what
    `act` is timed for, it computes."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import ui.runner

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    if prepare:
        prepare(app)
    (getattr(ui.runner, cached).clear if cached else st.cache_data.clear)()
    start = time.perf_counter()
    act(app)
    seconds = time.perf_counter() - start
    problems = [e.value for e in app.exception]
    if problems:
        raise RuntimeError(f"the page failed: {problems[0]}")
    return seconds


def _press(label: str) -> Callable[[Any], Any]:
    def press(app: Any) -> Any:
        (button,) = [b for b in app.button if b.label == label]
        return button.click().run()
    return press


def _open(page: str) -> Callable[[Any], Any]:
    return lambda app: app.run().switch_page(page).run()


def one_round(scenario: str, budget: float) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    figures = {
        "comparison": command_seconds("run", scenario),
        "robust_cli": command_seconds("robust", scenario),
        "advise_cli": command_seconds("advise", scenario, "--budget", f"{budget:g}"),
        "landing_cold_app": page_seconds(lambda app: app.run()),
    }
    warm = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    start = time.perf_counter()
    warm.run()  # a new session on a server that has drawn the page before: its results are cached
    figures["landing_warm_app"] = time.perf_counter() - start
    figures["growth_first_view_app"] = page_seconds(lambda app: app.switch_page("pages/growth.py").run(),
                                                    lambda app: app.run(), "_cached_run")
    figures["how_sure_app"] = page_seconds(_press("Test the answer against the assumptions"), lambda app: app.run(),
                                           "_cached_robust")
    figures["next_hire_app"] = page_seconds(_press("Rank the options"), _open("pages/next_hire.py"),
                                            "_cached_advice")
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=150_000)
    parser.add_argument("--rounds", type=int, default=1, help="rounds; each figure is its best round (default 1)")
    parser.add_argument("--no-save", action="store_true", help="write no JSON to bench/results/")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rounds = [one_round(SCENARIO, args.budget) for _ in range(args.rounds)]
    best = {name: min(r[name] for r in rounds) for name in rounds[0]}
    record: dict[str, Any] = {"scenario": SCENARIO, "budget": args.budget, "rounds": args.rounds,
                              "seconds": best, "load_before": load_before, "load_after": os.getloadavg(),
                              "multiples": {}}
    print(f"{SCENARIO}, budget ${args.budget:,.0f}; load average {load_before[0]:.2f} before, "
          f"{record['load_after'][0]:.2f} after; best of {args.rounds} round(s)")
    print(f"{'answer':<26} {'seconds':>8}  {'multiple':>14}  goal")
    print(f"{'comparison (sim run)':<26} {best['comparison']:8.1f}  {'1.0':>14}  reference")
    for name, (label, reference, goal) in GOALS.items():
        multiple = best[name] / best[reference]
        record["multiples"][name] = multiple
        print(f"{label:<26} {best[name]:8.1f}  {multiple:8.2f} of {reference.split('_')[0]:<4}  "
              f"<= {goal:g} {'met' if multiple <= goal else 'missed'}")
    for name in ("landing_cold_app", "landing_warm_app"):
        print(f"{name.replace('_app', '').replace('_', ' ') + ', app':<26} {best[name]:8.1f}  "
              f"{best[name] / best['comparison']:8.2f} of comp  "
              f"{'<= 2 s ' + ('met' if best[name] <= 2 else 'missed') if 'warm' in name else ''}")
    if not args.no_save:
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / f"answers-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(record,
                                                                                                    indent=2))
    return record


if __name__ == "__main__":
    main()
