"""Worker entry points: apply fired rules by id (caching.md §11).

``task_run_cache_rules`` (the Celery task) lives in the restflow-dispatch-celery plugin;
the name here is a lazy facade resolved on access.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from asgiref.sync import async_to_sync

from restflow.caching.dispatchers.base import get_dispatcher_settings
from restflow.caching.registry import CacheRegister
from restflow.settings import restflow_settings

__all__ = ["arun_cache_rules", "run_cache_rules", "task_run_cache_rules"]  # noqa: F822

logger = logging.getLogger("restflow.caching.tasks")
_scheduled: set[asyncio.Task[Any]] = set()


def _should_raise(dispatcher_name: str | None) -> bool:
    if dispatcher_name is not None:
        value = get_dispatcher_settings(dispatcher_name).get("RAISE_EXCEPTION")
        if value is not None:
            return bool(value)
    return bool(restflow_settings.CACHE_SETTINGS.DISPATCHER_RAISE_EXCEPTION)


def _log_failure(entry: str, rule_ids: list[int], name: str | None, context: Any) -> None:
    logger.exception(
        "restflow.%s failed (rule_ids=%s, dispatcher=%s, context=%s)",
        entry,
        rule_ids,
        name,
        context,
    )


def run_cache_rules(
    rule_ids: list[int],
    rule_kwargs: dict[str, dict[str, Any]],
    *,
    dispatcher_name: str | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Apply the rules ``rule_ids`` with their kwargs (sync entry of every dispatcher)."""
    try:
        result = CacheRegister.run_cache_rules(rule_ids=rule_ids, rule_kwargs=rule_kwargs)
        if result is not None and inspect.isawaitable(result):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is None:

                async def drive() -> None:
                    await result

                async_to_sync(drive)()
            else:  # never async_to_sync inside a running loop
                task = loop.create_task(_log_failures(result, rule_ids, dispatcher_name, context))
                _scheduled.add(task)
                task.add_done_callback(_scheduled.discard)
    except Exception:
        if _should_raise(dispatcher_name):
            raise
        _log_failure("run_cache_rules", rule_ids, dispatcher_name, context)


async def _log_failures(
    awaitable: Any, rule_ids: list[int], name: str | None, context: Any
) -> None:
    try:
        await awaitable
    except Exception:
        _log_failure("run_cache_rules", rule_ids, name, context)


async def arun_cache_rules(
    rule_ids: list[int],
    rule_kwargs: dict[str, dict[str, Any]],
    *,
    dispatcher_name: str | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Async twin of :func:`run_cache_rules` (the asyncio dispatcher's entry)."""
    try:
        result = CacheRegister.run_cache_rules(
            rule_ids=rule_ids, rule_kwargs=rule_kwargs, prefer_async=True
        )
        if inspect.isawaitable(result):
            await result
    except Exception:
        if _should_raise(dispatcher_name):
            raise
        _log_failure("arun_cache_rules", rule_ids, dispatcher_name, context)


def __getattr__(name: str) -> Any:
    if name == "task_run_cache_rules":
        from restflow.caching.dispatchers._facade import load_plugin_attr

        return load_plugin_attr("celery", "task_run_cache_rules")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
