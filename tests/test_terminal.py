"""The command line's progress bar: drawn on a terminal only, never into a pipe or a file that a script reads."""

from __future__ import annotations

import io

from sim.cli import main
from sim.terminal import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_terminal_no_bar_and_nothing_written():
    piped = io.StringIO()
    with progress_bar("replications", piped) as progress:
        assert progress is None
    assert piped.getvalue() == ""


def test_a_terminal_sees_done_of_total_as_the_total_grows_and_the_bar_cleared_at_the_end():
    terminal = Terminal()
    with progress_bar("replications", terminal) as progress:
        assert progress is not None
        progress(3, 10)
        shown = terminal.getvalue()
        progress(10, 15)  # replications added until the answer is clear
    assert "replications: 3/10" in shown
    assert "replications: 10/15" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")  # cleared (tqdm's leave=False): the table prints on a clean line


def test_the_command_draws_its_bar_on_a_terminal_and_not_when_piped(monkeypatch, capsys):
    argv = ["run", "scenarios/default.toml", "--designs", "none,pm", "--weeks", "4", "--reps", "2", "--serial",
            "--max-reps", "2"]
    assert main(argv) == 0
    assert capsys.readouterr().err == ""  # captured, as in a pipe: no bar
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(argv) == 0
    assert "replications: 4/4" in terminal.getvalue()  # two designs, two replications each
