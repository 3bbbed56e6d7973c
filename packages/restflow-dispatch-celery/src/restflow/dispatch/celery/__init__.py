"""Run restflow cache invalidation as a Celery task (caching.md §12.3, §12.5).

Importing this module declares the shared task ``restflow.caching.tasks.task_run_cache_rules``
on every Celery app of the process; ``CachingConfig.ready()`` imports it through the
``restflow.dispatchers`` entry point, so every Django process that has ``restflow.caching``
installed (Celery workers included) knows the task.
"""

from __future__ import annotations

import enum
import importlib
from typing import Any

from celery import shared_task

from restflow.caching.dispatchers.base import Dispatcher
from restflow.caching.tasks import run_cache_rules

__all__ = ["TASK_NAME", "CeleryDispatcher", "task_run_cache_rules"]

#: The documented default ``TASK_NAME`` (kept from before the plugin split).
TASK_NAME = "restflow.caching.tasks.task_run_cache_rules"


@shared_task(name=TASK_NAME)
def task_run_cache_rules(
    *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
) -> None:
    """Worker side: apply the rules; ``context`` holds model_label, pk and signal_type."""
    run_cache_rules(rule_ids, rule_kwargs, dispatcher_name="celery", context=context)


class CeleryDispatcher(Dispatcher):
    """Sends the fired rules to a Celery worker.

    ``dispatcher_config`` keys: ``task_name`` (falls back to ``TASK_NAME``) and ``queue``
    (falls back to ``QUEUE``; an explicit ``queue=None`` means "no queue option").
    """

    name = "celery"
    supports_batching = True

    def validate_config(self) -> None:
        try:
            importlib.import_module("celery")
        except ImportError as exc:
            raise ImportError(
                "celery is required for celery-based cache invalidation: install "
                "restflow-dispatch-celery (or drf-restflow[celery])."
            ) from exc

    def resolve(self) -> tuple[str, str | None]:
        """``(task_name, queue)`` from the config, else the settings block."""
        block = self.settings()
        task_name = self.config.get("task_name") or block.get("TASK_NAME") or TASK_NAME
        queue = self.config["queue"] if "queue" in self.config else block.get("QUEUE")
        return str(task_name), queue

    @property
    def task_name(self) -> str:
        return self.resolve()[0]

    @property
    def queue(self) -> str | None:
        return self.resolve()[1]

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), *self.resolve())

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        from celery import current_app

        signal_type = context.get("signal_type")
        payload = {
            "model_label": context.get("model_label"),
            "pk": context.get("pk"),
            "rule_ids": list(rule_ids),
            "signal_type": signal_type.value if isinstance(signal_type, enum.Enum) else signal_type,
            "rule_kwargs": rule_kwargs,
        }
        task_name, queue = self.resolve()
        options = {"queue": queue} if queue else {}
        app = current_app._get_current_object()
        if task_name in app.tasks:  # honours task_always_eager
            app.tasks[task_name].apply_async(kwargs=payload, **options)
        else:  # a task that lives only on remote workers
            app.send_task(task_name, kwargs=payload, **options)
