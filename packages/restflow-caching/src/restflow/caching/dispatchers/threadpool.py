"""Run the rules on a process-wide thread pool (no durability)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections

from restflow.caching.dispatchers.base import Dispatcher

__all__ = ["ThreadPoolDispatcher"]

logger = logging.getLogger("restflow.caching.dispatchers.threadpool")


class ThreadPoolDispatcher(Dispatcher):
    name = "threadpool"
    supports_batching = True
    _executor: ThreadPoolExecutor | None = None
    _executor_lock = threading.Lock()

    def validate_config(self) -> None:
        workers = self.config.get("max_workers")
        if workers is not None and (
            isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
        ):
            raise ValueError(
                f"ThreadPoolDispatcher max_workers must be a positive int, got {workers!r}."
            )

    @classmethod
    def get_executor(cls, max_workers: int) -> ThreadPoolExecutor:
        with cls._executor_lock:
            if ThreadPoolDispatcher._executor is None:
                ThreadPoolDispatcher._executor = ThreadPoolExecutor(
                    max_workers=max_workers, thread_name_prefix="restflow-cache"
                )
            return ThreadPoolDispatcher._executor

    @classmethod
    def shutdown(cls, wait: bool = True) -> None:
        """Finish queued work and drop the pool (tests; a new one is created on demand)."""
        with cls._executor_lock:
            executor, ThreadPoolDispatcher._executor = ThreadPoolDispatcher._executor, None
        if executor is not None:
            executor.shutdown(wait=wait)

    def dispatch(  # type: ignore[override]  # returns the job's future, for callers that wait
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> Future[Any]:
        workers = self.config.get("max_workers") or self.settings().get("MAX_WORKERS") or 4
        return self.get_executor(workers).submit(_job, list(rule_ids), dict(rule_kwargs))


def _job(rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]]) -> None:
    from restflow.caching.tasks import run_cache_rules

    close_old_connections()
    try:
        run_cache_rules(rule_ids=rule_ids, rule_kwargs=rule_kwargs, dispatcher_name="threadpool")
    except Exception:
        logger.warning("restflow ThreadPoolDispatcher: worker raised", exc_info=True)
    finally:
        close_old_connections()
