"""The model's clock: SimPy's environment, the model's own plain events on it, and the loop that runs it.

A request costs the model about six events (a client's, a coordinator's, an engineer's slices), and SimPy's
`Timeout` spends more on being made and scheduled than the model spends on most of its steps. An `Alarm` is what
SimPy's run loop and its processes read of an event, and nothing more: its callbacks, that it succeeded, and no
value. It is put on SimPy's own queue with the same time, priority and sequence number SimPy would give a timeout
made at that moment (or an event succeeded then), so the order of events, and every result, is SimPy's.

The model reads the clock as `env._now`, the attribute behind SimPy's `now` property: it is read about ten times
a request, and a property call each time cost a fortieth of a run. SimPy is pinned, so its private queue, clock
and sequence counter stay what this module reads.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import simpy
from simpy.core import NORMAL
from simpy.events import PENDING

__all__ = ["NORMAL", "Alarm", "Message", "first_of", "ring", "run_until", "send", "set_alarm", "waiting_alarm"]


class Alarm:
    """An event of the model's own: it only wakes what waits on it (a process that yielded it, or a callback).
    Made as `Alarm()` and given its list of callbacks: no `__init__` to call."""

    __slots__ = ("callbacks",)
    callbacks: list[Callable[[Alarm], None]] | None  # None once it rang, as SimPy marks a processed event
    _ok = True  # what SimPy's process and run loop read of an event that succeeded
    _value = None


def set_alarm(env: simpy.Environment, delay: float, callback: Callable[[Alarm], None] | None = None) -> Alarm:
    """An alarm `delay` hours from now, as `env.timeout(delay)` schedules one (`callback` is called when it rings)."""
    alarm = Alarm()
    alarm.callbacks = [callback] if callback is not None else []
    heapq.heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), alarm))  # type: ignore[misc]
    return alarm


def waiting_alarm() -> Alarm:
    """An alarm that rings only when `ring` is called, as a SimPy event waits for `succeed`."""
    alarm = Alarm()
    alarm.callbacks = []
    return alarm


def ring(env: simpy.Environment, alarm: Alarm | Message) -> None:
    """Ring a waiting alarm (or a message given its value) now, as `event.succeed()` schedules a SimPy event."""
    heapq.heappush(env._queue, (env._now, NORMAL, next(env._eid), alarm))  # type: ignore[misc]


class Message:
    """A waiting alarm that carries a value when it rings (a coordinator's next task), as a SimPy event succeeded
    with one: `triggered` once it is sent, its value what a process that yielded it receives."""

    __slots__ = ("callbacks", "_value")
    _ok = True

    def __init__(self) -> None:
        self.callbacks: list[Callable[[Message], None]] | None = []
        self._value: object = PENDING

    @property
    def triggered(self) -> bool:
        return self._value is not PENDING

    @property
    def value(self) -> object:
        return self._value


def send(env: simpy.Environment, message: Message, value: object) -> None:
    """Ring a message now with its value, as `event.succeed(value)` schedules a SimPy event."""
    message._value = value
    ring(env, message)


def first_of(env: simpy.Environment, first: Alarm | Message, second: Alarm | Message) -> Message:
    """A message sent (with no value) once the first of two alarms rings, as SimPy's `first | second` succeeds,
    without the value a condition builds: the waiting coordinator reads its task itself."""
    either = Message()

    def check(_event: object) -> None:
        if not either.triggered:
            send(env, either, None)

    for event in (first, second):
        assert event.callbacks is not None, "both alarms are still to ring"
        event.callbacks.append(check)
    return either


def run_until(env: simpy.Environment, until: float) -> None:
    """`env.run(until=until)` for this model, with SimPy's `Environment.step` written into the loop (a method call
    and a stop event less per event): every event before `until` is processed, in SimPy's own order (time,
    priority, then scheduling order), and the clock ends at `until`. SimPy would also process an urgent event of
    exactly `until`'s time scheduled before the run (a process started then), which this model never has: its
    processes start at 0."""
    queue, pop = env._queue, heapq.heappop
    while queue and queue[0][0] < until:
        env._now, _, _, event = pop(queue)
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            raise event._value
    env._now = until
