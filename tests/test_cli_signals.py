"""A command stopped by a signal: Ctrl-C and SIGTERM (what `timeout`, systemd and CI runners send) end it with one
line on stderr, and leave no process behind: not the pool's workers, nor its forkserver or resource tracker.

Each command starts in a session of its own, so its processes are found by session id even after the command is
gone and they have been handed to PID 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

STARTED_SECONDS = 60  # for the pool's workers to exist, on a loaded machine
GONE_SECONDS = 5


def alive_in_session(session: int) -> list[str]:
    """The processes of a session that are not yet dead (zombies, which only wait to be reaped, do not count)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as file:
                fields = file.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] not in ("Z", "X"):
            found.append(entry)
    return found


def as_from_a_terminal() -> None:
    """Ctrl-C's default action, as a command typed at a terminal has it. A suite started in the background by a
    shell (`make test &`, some CI runners) ignores SIGINT, every child inherits that, and Python then leaves
    Ctrl-C ignored: the command would rightly run on, and the test would time out for a reason of its own."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_stop(tmp_path, argv: list[str], stop: signal.Signals, to_group: bool) -> tuple[int, str, list[str]]:
    """Runs `python -m sim ARGV`, waits for its pool (the command, its resource tracker, the forkserver and two
    workers), sends `stop` (to every process of the command, as a terminal's Ctrl-C does, or to the command
    alone), and gives what survives GONE_SECONDS after the command ends."""
    err = tmp_path / "stderr.txt"
    with open(err, "w") as stderr:
        command = subprocess.Popen([sys.executable, "-m", "sim", *argv], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=stderr, start_new_session=True, preexec_fn=as_from_a_terminal)
    try:
        deadline = time.monotonic() + STARTED_SECONDS
        while len(alive_in_session(command.pid)) < 5 and command.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(alive_in_session(command.pid)) >= 5, err.read_text()
        if to_group:
            os.killpg(command.pid, stop)
        else:
            command.send_signal(stop)
        code = command.wait(timeout=30)
        deadline = time.monotonic() + GONE_SECONDS
        while alive_in_session(command.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return code, err.read_text(), alive_in_session(command.pid)
    finally:
        for pid in alive_in_session(command.pid):  # never leave them to the rest of the suite
            os.kill(int(pid), signal.SIGKILL)
        if command.poll() is None:
            command.kill()
            command.wait()


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the command's processes in /proc")


@pytest.mark.deep
def test_sigterm_to_advise_stops_the_pool_and_leaves_no_process(tmp_path):
    """Deep tier: about 1 s, as it runs the command in a process of its own."""
    code, err, survivors = start_and_stop(tmp_path, ["advise", "scenarios/default.toml", "--budget", "150000"],
                                          signal.SIGTERM, to_group=False)
    assert (code, err) == (143, "terminated\n")
    assert survivors == []


@pytest.mark.deep
def test_ctrl_c_is_one_line_and_leaves_no_process(tmp_path):
    """Deep tier: about 31 s, as it runs the command in a process of its own."""
    code, err, survivors = start_and_stop(tmp_path, ["run", "scenarios/default.toml", "--reps", "40", "--weeks",
                                                     "300"], signal.SIGINT, to_group=True)
    assert (code, err) == (130, "interrupted\n")
    assert survivors == []



def test_a_stopped_pools_cancelled_tasks_print_no_traceback(monkeypatch):
    """Python 3.11's pool, told its workers died, sets an error on a task already cancelled, and its manager thread
    dies printing InvalidStateError after the command's one line (seen about once in twenty Ctrl-Cs under load).
    Once a pool is stopped on purpose, that one error of its manager thread is quiet; any other goes on to the
    hook that was there before."""
    import threading
    from concurrent.futures import InvalidStateError

    from sim import parallel

    passed_on: list[tuple[str, str]] = []
    monkeypatch.setattr(threading, "excepthook",
                        lambda args: passed_on.append((args.thread.name, args.exc_type.__name__)))
    monkeypatch.setattr(parallel, "_previous_excepthook", None)
    monkeypatch.setattr(parallel, "_STOPPED_MANAGERS", set())
    manager, other = threading.Thread(name="manager"), threading.Thread(name="other")
    parallel._quiet_if_broken(manager)
    for thread, error in [(manager, InvalidStateError("CANCELLED")), (other, InvalidStateError("CANCELLED")),
                          (manager, ValueError("a real failure"))]:
        threading.excepthook(threading.ExceptHookArgs([type(error), error, None, thread]))
    assert passed_on == [("other", "InvalidStateError"), ("manager", "ValueError")]


@pytest.mark.deep
def test_a_killed_command_leaves_no_process(tmp_path):
    """SIGKILL (`kill -9`, the out-of-memory killer, a crashed server) gives the command no chance to stop its pool.
    The workers see their parent gone and exit (sim.parallel), and the forkserver and the resource tracker end when
    their pipes from it close: nothing is left under PID 1.
    Deep tier: about 3 s, as it runs the command in a process of its own."""
    code, err, survivors = start_and_stop(tmp_path, ["run", "scenarios/default.toml", "--reps", "40", "--weeks",
                                                     "300"], signal.SIGKILL, to_group=False)
    assert code == -signal.SIGKILL
    assert survivors == []
