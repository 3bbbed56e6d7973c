"""Driving a generator of steps: one algorithm, a sync and an async driver.

restflow writes an algorithm that needs I/O once, as a generator yielding the steps it
needs; a driver performs each step (blocking or awaited) and sends the result back, or
throws the step's exception in so the algorithm's own handlers and ``finally`` blocks run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

__all__ = ["adrive", "drive"]

T = TypeVar("T")
Steps = Generator[Any, Any, T]


def drive(steps: Steps[T], perform: Callable[[Any], Any]) -> T:
    """Run ``steps`` to the end, performing each step with the blocking ``perform``."""
    finished, step = _resume(steps, None, None)
    while not finished:
        try:
            value, error = perform(step), None
        except BaseException as exc:  # thrown into the algorithm
            value, error = None, exc
        finished, step = _resume(steps, value, error)
    return step


async def adrive(steps: Steps[T], perform: Callable[[Any], Awaitable[Any]]) -> T:
    """Run ``steps`` to the end, awaiting ``perform`` for each step."""
    finished, step = _resume(steps, None, None)
    while not finished:
        try:
            value, error = await perform(step), None
        except BaseException as exc:  # thrown into the algorithm
            value, error = None, exc
        finished, step = _resume(steps, value, error)
    return step


def _resume(steps: Steps[Any], value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """(False, the next step) or (True, the algorithm's result), after sending ``value`` or
    throwing ``error`` in."""
    try:
        return False, steps.send(value) if error is None else steps.throw(error)
    except StopIteration as done:
        return True, done.value
