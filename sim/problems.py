"""What is wrong with a scenario, as the user reads it: each problem with the input's dotted path, the value and
the message, and the error that carries every problem at once.

Below every module that checks inputs (the scenario's schema, dotted paths, links, the calibration's readers), so
each can raise a problem without importing the others.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

SHOWN_CHARS = 60  # a value is echoed in a message as at most this many characters


class _NoValue:
    """The value of a problem that is about a key or a table rather than one value (an unknown key, a sum)."""

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


@dataclass(frozen=True)
class Problem(str):
    """One thing wrong with a scenario: the dotted `path` of the input (what the app puts the message under and a
    link drops), the offending `value` (NO_VALUE when the problem is about a key or several values) and the
    `message` saying what is allowed. Its text is the line users read, "path = value: message"; `subject` replaces
    the path at the start of that line where it says more (several keys, a file's name). It is also that text as
    a str, so code that prints, joins or searches problems reads the same line as before they had a structure."""

    path: str
    value: Any = NO_VALUE
    message: str = ""
    subject: str | None = None

    def __new__(cls, path: str, value: Any = NO_VALUE, message: str = "", subject: str | None = None) -> Problem:
        head = path if subject is None else subject
        if value is not NO_VALUE:
            head = f"{head} = {shown(value)}"
        return super().__new__(cls, f"{head}: {message}" if head else message)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.path, self.value, self.message, self.subject)


def as_problem(problem: str) -> Problem:
    """A problem written as one line of text (a file, a flag, the server): about no input of the scenario."""
    return problem if isinstance(problem, Problem) else Problem("", NO_VALUE, str(problem))


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` lists every offending key so the user fixes all at once."""

    def __init__(self, problems: list[str] | list[Problem]):
        self.problems: list[Problem] = [as_problem(p) for p in problems]
        super().__init__("; ".join(self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its problems, whatever a subclass's __init__ takes: an error raised in a pool's worker
        # reaches the app with its structure
        return (_rebuilt_error, (type(self), self.problems))


def _rebuilt_error(cls: type[ScenarioError], problems: list[Problem]) -> ScenarioError:
    exc = cls.__new__(cls)
    ScenarioError.__init__(exc, problems)
    return exc


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, SHOWN_CHARS, SHOWN_CHARS, 6, 6
_REPR.maxlong = SHOWN_CHARS


def shown(value: Any) -> str:
    """A value as a message echoes it: its repr, cut to about SHOWN_CHARS characters, so a 50 MB value or a deeply
    nested one gives a short line (and never a RecursionError or the int-to-text limit's ValueError)."""
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):  # an int beyond Python's 4,300-digit text limit
        text = "a number too long to show"
    return text if len(text) <= SHOWN_CHARS + 5 else f"{text[:SHOWN_CHARS]}..."


def short(name: Any) -> str:
    """A name (a key, a word of a link) as a message shows it: as written, cut to SHOWN_CHARS characters."""
    text = name if isinstance(name, str) else shown(name)
    return text if len(text) <= SHOWN_CHARS + 5 else f"{text[:SHOWN_CHARS]}..."
