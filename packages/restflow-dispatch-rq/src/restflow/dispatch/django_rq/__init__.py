"""Run restflow cache invalidation as django-rq jobs (caching.md §12.3).

Workers need nothing registered: RQ imports the job's function by its dotted path
(``manage.py rqworker <queue>``).
"""

from __future__ import annotations

import importlib
from typing import Any

from restflow.caching.dispatchers.base import DEFAULT_FUNCTION_PATH, Dispatcher, import_dotted

__all__ = ["DjangoRqDispatcher"]


class DjangoRqDispatcher(Dispatcher):
    """Enqueues ``function_path(rule_ids, rule_kwargs, dispatcher_name="django_rq")`` on an
    RQ queue of ``RQ_QUEUES``.

    ``dispatcher_config`` keys: ``queue`` (→ ``QUEUE`` → ``"default"``) and
    ``function_path`` (→ ``FUNCTION_PATH`` → ``restflow.caching.tasks.run_cache_rules``).
    """

    name = "django_rq"
    supports_batching = True

    def validate_config(self) -> None:
        try:
            importlib.import_module("django_rq")
        except ImportError as exc:
            raise ImportError(
                "django-rq is required for django_rq cache invalidation: install "
                "restflow-dispatch-rq (or drf-restflow[django-rq])."
            ) from exc

    @property
    def queue(self) -> str:
        return str(self.config.get("queue") or self.settings().get("QUEUE") or "default")

    @property
    def function_path(self) -> str:
        return str(
            self.config.get("function_path")
            or self.settings().get("FUNCTION_PATH")
            or DEFAULT_FUNCTION_PATH
        )

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), self.queue, self.function_path)

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        import django_rq

        func = import_dotted(self.function_path)
        django_rq.get_queue(self.queue).enqueue(
            func, list(rule_ids), rule_kwargs, dispatcher_name=self.name
        )
