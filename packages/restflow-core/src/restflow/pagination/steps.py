"""The one pagination core both paths drive (sync and async twins never drift apart).

A paginator's algorithm is written once as a generator that *yields* the I/O it needs
(:class:`CountRows`, :class:`FetchRows`) and receives the results; :func:`run_sync` performs
that I/O. :func:`run_async` drives the same generator for async callers: over a queryset in
one worker-thread trip (Django's ``acount()`` and ``async for`` are each a trip of their own,
so a page would cost two), over a plain sequence inline (``len()`` and slicing never block).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db.models import QuerySet

from restflow.helpers.steps import drive
from restflow.pagination.counting import COUNT_ESTIMATE, COUNT_EXACT, COUNT_NONE, planner_estimate

# Offsets and limits beyond a signed 64-bit integer overflow SQL; no table gets near it.
MAX_SQL_INT = 2**63 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class CountRows:
    """Ask for ``(count, exact)``; ``count`` is ``None`` when the strategy does not count."""

    queryset: Any
    strategy: str = COUNT_EXACT
    estimate_threshold: int = 0


@dataclass(frozen=True)
class FetchRows:
    """Ask for ``list(queryset[start:stop])``."""

    queryset: Any
    start: int
    stop: int


Steps = Generator[Any, Any, T]


def _bounds(op: FetchRows) -> tuple[int, int]:
    return min(op.start, MAX_SQL_INT), min(op.stop, MAX_SQL_INT)


def _count(op: CountRows) -> tuple[int | None, bool]:
    queryset = op.queryset
    if not isinstance(queryset, QuerySet):
        return len(queryset), True
    if op.strategy == COUNT_NONE:
        return None, False
    if op.strategy == COUNT_ESTIMATE:
        estimate = planner_estimate(queryset)
        if estimate is not None and estimate >= op.estimate_threshold:
            return estimate, False
    return queryset.count(), True


def _fetch(op: FetchRows) -> list[Any]:
    start, stop = _bounds(op)
    if start >= stop:
        return []
    return list(op.queryset[start:stop])


def run_sync(steps: Steps[T]) -> T:
    """Drive a pagination core with blocking I/O."""
    return drive(steps, _perform)


def _perform(op: CountRows | FetchRows) -> Any:
    return _count(op) if isinstance(op, CountRows) else _fetch(op)


async def run_async(steps: Steps[T], data: Any) -> T:
    """Drive a pagination core from async code without blocking the event loop."""
    if isinstance(data, QuerySet):
        return await sync_to_async(run_sync, thread_sensitive=True)(steps)
    return run_sync(steps)
