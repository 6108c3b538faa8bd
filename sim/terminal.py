"""Progress of the command line's long runs (a ranking, a robustness analysis: tens of seconds to minutes) as a bar
on stderr, only when stderr is a terminal. Piped, redirected or under a test, nothing is written: what a script
reads stays the output and the one-line errors the README promises."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from sim.experiment import Progress


@contextmanager
def progress_bar(what: str, stream: TextIO | None = None) -> Iterator[Progress | None]:
    """A `Progress` that draws "WHAT: done/total" with the time left on `stream` (stderr by default) while the
    block runs, and clears it at the end; None where `stream` is no terminal. A run's total may grow as it goes
    (replications added until the answer is clear), and the bar follows it."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield None
        return
    from tqdm import tqdm  # imported only for a terminal: a piped command does not pay for it

    bar = tqdm(total=0, desc=what, file=stream, leave=False, dynamic_ncols=True,
               bar_format="{desc}: {n}/{total} {bar} {elapsed}<{remaining}")

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
