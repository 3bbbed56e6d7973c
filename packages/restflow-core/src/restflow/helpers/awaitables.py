"""Bridges between user code that may be sync or async and the caller's world."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from asgiref.sync import async_to_sync


async def maybe_await(value: Any) -> Any:
    """Await ``value`` when it is awaitable, so one call site accepts sync and async hooks."""
    if inspect.isawaitable(value):
        return await value
    return value


def _close(value: Any) -> None:
    # Closing a coroutine we will not run suppresses the "never awaited" warning.
    close = getattr(value, "close", None)
    if callable(close):
        close()


def require_sync(value: Any, async_alternative: str) -> Any:
    """Reject an awaitable returned by a user hook called on a sync path."""
    if inspect.isawaitable(value):
        _close(value)
        raise TypeError(f"async user callable detected, use {async_alternative} for async support.")
    return value


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(value: Any) -> Any:
    """Drive an awaitable to completion from sync code.

    ``async_to_sync`` inside a running loop would deadlock or raise deep inside asgiref,
    so that case is refused up front with the awaitable closed.
    """
    if not inspect.isawaitable(value):
        return value
    if _loop_running():
        _close(value)
        raise RuntimeError(
            "run_sync() cannot run an awaitable while an event loop is running in this "
            "thread; await it instead."
        )

    async def _await() -> Any:
        return await value

    return async_to_sync(_await)()
