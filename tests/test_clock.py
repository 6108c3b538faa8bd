"""The model's alarms keep SimPy's order: an alarm set when a timeout would be made, or rung when an event would
succeed, is processed where that event would be, ties included (time, then priority, then the order set)."""

from __future__ import annotations

import simpy

from sim.clock import Message, first_of, ring, run_until, send, set_alarm, waiting_alarm


def _order(use_alarms: bool) -> list[tuple[float, str]]:
    env = simpy.Environment()
    seen: list[tuple[float, str]] = []

    def later(name: str, delay: float) -> None:
        if use_alarms:
            set_alarm(env, delay, lambda _a: seen.append((env.now, name)))
        else:
            env.timeout(delay).callbacks.append(lambda _e: seen.append((env.now, name)))

    def sleeper(name: str):
        while True:
            wake = waiting_alarm() if use_alarms else env.event()
            waiting[name] = wake
            yield wake
            seen.append((env.now, f"{name} woke"))

    waiting: dict = {}
    env.process(sleeper("a"))
    env.process(sleeper("b"))

    def waker(_event) -> None:
        for name in ("b", "a"):  # b is woken first, so b goes first
            wake = waiting[name]
            if use_alarms:
                ring(env, wake)
            else:
                wake.succeed()
        later("after the wakes", 0.0)

    for name, delay in (("x", 2.0), ("y", 1.0), ("z", 2.0), ("w", 1.0)):
        later(name, delay)
    env.timeout(1.0).callbacks.append(waker)  # a SimPy timeout among the alarms, tied at 1.0
    later("v", 1.0)
    run_until(env, 3.0)
    assert env.now == 3.0
    return seen


def test_alarms_are_processed_where_simpys_events_would_be():
    with_simpy = _order(use_alarms=False)
    assert with_simpy == [(1.0, "y"), (1.0, "w"), (1.0, "v"), (1.0, "b woke"), (1.0, "a woke"),
                          (1.0, "after the wakes"), (2.0, "x"), (2.0, "z")]
    assert _order(use_alarms=True) == with_simpy


def test_an_event_at_the_end_is_left_for_later():
    env = simpy.Environment()
    rang: list[float] = []
    set_alarm(env, 5.0, lambda _a: rang.append(env.now))
    run_until(env, 5.0)
    assert rang == [] and env.now == 5.0
    run_until(env, 6.0)
    assert rang == [5.0]


def _coordinator_story(use_alarms: bool) -> list[tuple[float, str, object]]:
    """A coordinator waits for a task or the end of a 2-hour block, whichever comes first, three times: the block
    ends first, then a task sent at hour 3 comes first, then a task sent at the block's very end (a tie)."""
    env = simpy.Environment()
    seen: list[tuple[float, str, object]] = []
    tasks: list = []

    def coordinator():
        for _ in range(3):
            task = Message() if use_alarms else env.event()
            tasks.append(task)
            block = set_alarm(env, 2.0) if use_alarms else env.timeout(2.0)
            yield first_of(env, task, block) if use_alarms else task | block
            seen.append((env.now, "woke", task.value if task.triggered else None))

    def sender(_event) -> None:
        task = tasks[-1]
        if use_alarms:
            send(env, task, "plan")
        else:
            task.succeed("plan")
        seen.append((env.now, "sent", None))

    env.process(coordinator())
    for hour in (3.0, 5.0):
        env.timeout(hour).callbacks.append(sender)
    run_until(env, 10.0)
    return seen


def test_first_of_wakes_as_simpys_condition_does():
    with_simpy = _coordinator_story(use_alarms=False)
    # at the tie the task, sent by a timeout set before the block, is there when the coordinator wakes
    assert with_simpy == [(2.0, "woke", None), (3.0, "sent", None), (3.0, "woke", "plan"), (5.0, "sent", None),
                          (5.0, "woke", "plan")]
    assert _coordinator_story(use_alarms=True) == with_simpy
