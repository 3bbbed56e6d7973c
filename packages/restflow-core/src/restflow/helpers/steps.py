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
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as done:
            return done.value
        value, error = None, None
        try:
            value = perform(step)
        except BaseException as exc:  # thrown into the algorithm
            error = exc


async def adrive(steps: Steps[T], perform: Callable[[Any], Awaitable[Any]]) -> T:
    """Run ``steps`` to the end, awaiting ``perform`` for each step."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as done:
            return done.value
        value, error = None, None
        try:
            value = await perform(step)
        except BaseException as exc:  # thrown into the algorithm
            error = exc
