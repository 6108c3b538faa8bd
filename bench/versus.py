"""The model's cost per request against an earlier commit's, timed side by side (bench/README.md, "Model v3").

    .venv/bin/python bench/versus.py f9bdb96 --rounds 8

The earlier commit is exported with `git archive` into a temporary directory. Each round runs one child per tree,
in turn (which goes first alternates), and each child times `sim.model.simulate` on replications 0-2 of every
design of its own `scenarios/default.toml`: CPU time per request made, the warm-up replication left out. Every
figure is the best round, so a burst of load on this shared machine costs a round, not the answer. With
`--instructions` it also counts the instructions of the same work under valgrind (cachegrind), which the
machine's load does not move: a check on the CPU figures, not a substitute (instructions in numpy's loops cost
less time than the interpreter's).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = ("none", "pm", "am", "hybrid", "both")
# One thread for numpy's linear algebra: its idle threads would otherwise add their own CPU time and instructions,
# differently each run.
QUIET = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

# What each child runs, in its own tree: the cost per request of every design, best of `rounds` in-process.
CHILD = """
import json, sys, time
from sim.model import simulate
from sim.scenario import load_scenario
scenario = load_scenario("scenarios/default.toml")
out = {}
for design in sys.argv[1].split(","):
    simulate(scenario, design, 0)
    best = float("inf")
    for _ in range(int(sys.argv[2])):
        start, requests = time.process_time(), 0
        for replication in range(3):
            requests += len(simulate(scenario, design, replication).requests)
        best = min(best, (time.process_time() - start) / requests * 1e6)
    out[design] = best
print(json.dumps(out))
"""

# Instructions of the same work: a run of replication 0, and one of 0 then 0-2, so that the difference is 0-2 alone.
COUNT = """
import sys
from sim.model import simulate
from sim.scenario import load_scenario
scenario = load_scenario("scenarios/default.toml")
requests = 0
for replication in [0] + list(range(3)) * int(sys.argv[2]):
    requests += len(simulate(scenario, sys.argv[1], replication).requests)
print("requests", requests)
"""


def export(commit: str, into: Path) -> Path:
    """The commit's tree, as files."""
    archive = into / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), commit], check=True)
    tree = into / commit
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def time_tree(tree: Path, designs: list[str], repeats: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, ",".join(designs), str(repeats)], cwd=tree, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(tree), **QUIET})
    return json.loads(out.stdout)


def instructions(tree: Path, design: str) -> float:
    """Instructions per request of replications 0-2."""
    def count(times: int) -> tuple[int, int]:
        out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                              sys.executable, "-c", COUNT, design, str(times)], cwd=tree, check=True,
                             capture_output=True, text=True,
                             env={"PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", **QUIET})
        refs = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
        made = re.search(r"requests (\d+)", out.stdout)
        assert refs and made, out.stderr[-500:]
        return int(refs.group(1).replace(",", "")), int(made.group(1))
    (one, one_made), (two, two_made) = count(0), count(1)
    return (two - one) / (two_made - one_made)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the earlier commit, e.g. f9bdb96 (the model before v3)")
    parser.add_argument("--rounds", type=int, default=6, help="children per tree (default 6)")
    parser.add_argument("--repeats", type=int, default=2, help="timed rounds inside each child (default 2)")
    parser.add_argument("--designs", default=",".join(DESIGNS))
    parser.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    args = parser.parse_args(argv)
    designs = args.designs.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        trees = {"before": export(args.commit, Path(scratch)), "now": ROOT}
        best: dict[str, dict[str, float]] = {name: {} for name in trees}
        for round_ in range(args.rounds):
            for name in (list(trees) if round_ % 2 == 0 else list(reversed(trees))):
                for design, cost in time_tree(trees[name], designs, args.repeats).items():
                    best[name][design] = min(best[name].get(design, float("inf")), cost)
        counted = ({name: {d: instructions(tree, d) for d in designs} for name, tree in trees.items()}
                   if args.instructions and shutil.which("valgrind") else None)
    print(f"cost per request, {args.commit} against the tree: CPU µs, best of {args.rounds} x {args.repeats} rounds")
    header = f"{'design':8s} {'before':>8s} {'now':>8s} {'ratio':>6s}"
    print(header + ("   instructions before / now / ratio" if counted else ""))
    for d in designs:
        line = f"{d:8s} {best['before'][d]:8.2f} {best['now'][d]:8.2f} {best['now'][d] / best['before'][d]:6.2f}"
        if counted:
            line += (f"   {counted['before'][d] / 1e3:7.1f}k / {counted['now'][d] / 1e3:7.1f}k / "
                     f"{counted['now'][d] / counted['before'][d]:.2f}")
        print(line)
    with open("/proc/loadavg") as load:
        print("load average (1, 5, 15 min):", " ".join(load.read().split()[:3]))


if __name__ == "__main__":
    main()
