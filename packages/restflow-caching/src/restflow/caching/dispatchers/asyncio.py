"""Run the rules as a task on the running event loop, or inline without one (W-30)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from restflow.caching.dispatchers.base import Dispatcher

__all__ = ["AsyncIODispatcher"]

logger = logging.getLogger("restflow.caching.dispatchers.asyncio")


class AsyncIODispatcher(Dispatcher):
    name = "asyncio"
    supports_batching = False
    _pending_tasks: ClassVar[set[asyncio.Task[Any]]] = set()

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        from restflow.caching.tasks import arun_cache_rules, run_cache_rules

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.debug(
                "AsyncIODispatcher: no running loop, falling back to the sync worker entry"
            )
            run_cache_rules(rule_ids=rule_ids, rule_kwargs=rule_kwargs, dispatcher_name=self.name)
            return
        task = loop.create_task(
            arun_cache_rules(rule_ids=rule_ids, rule_kwargs=rule_kwargs, dispatcher_name=self.name)
        )
        self._pending_tasks.add(task)
        task.add_done_callback(self._pending_tasks.discard)
