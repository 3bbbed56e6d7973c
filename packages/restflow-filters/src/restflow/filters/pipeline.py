"""One filtering pipeline, driven either synchronously or on an event loop (§2.1, §2.5).

The pipeline is a generator that yields :class:`Call` requests for user code and receives
their results. The sync driver calls them in place; the async driver awaits ``async def``
callables on the loop and runs every run of consecutive sync callables in one thread hop,
so sync user code (which may touch the ORM) never runs on the loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async

from restflow.helpers import maybe_await, require_sync


class Call:
    __slots__ = ("args", "func", "is_async")

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self.func = func
        self.args = args
        self.is_async = is_async_callable(func)


def is_async_callable(func: Any) -> bool:
    if iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - callable objects
    return call is not None and not inspect.isfunction(func) and iscoroutinefunction(call)


Pipeline = Generator[Call, Any, Any]


def run_sync(pipeline: Pipeline) -> Any:
    try:
        call = next(pipeline)
        while True:
            result = require_sync(call.func(*call.args), "afilter_queryset")
            call = pipeline.send(result)
    except StopIteration as stop:
        return stop.value
    finally:
        pipeline.close()


def _sync_chain(pipeline: Pipeline, call: Call) -> tuple[str, Any]:
    """Run sync calls in this (worker) thread until an async one, an awaitable or the end."""
    while True:
        result = call.func(*call.args)
        if inspect.isawaitable(result):
            return "await", result
        try:
            call = pipeline.send(result)
        except StopIteration as stop:
            return "done", stop.value
        if call.is_async:
            return "call", call


async def run_async(pipeline: Pipeline) -> Any:
    chain = sync_to_async(_sync_chain, thread_sensitive=True)
    pending: Call | None = None
    value: Any = None
    started = False
    try:
        while True:
            if pending is None:
                try:
                    call = pipeline.send(value) if started else next(pipeline)
                except StopIteration as stop:
                    return stop.value
                started = True
            else:
                call, pending = pending, None
            if call.is_async:
                value = await maybe_await(call.func(*call.args))
                continue
            kind, payload = await chain(pipeline, call)
            if kind == "done":
                return payload
            if kind == "await":
                value = await payload
            else:
                pending = payload
    finally:
        pipeline.close()
