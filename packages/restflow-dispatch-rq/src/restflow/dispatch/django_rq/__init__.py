"""Run restflow cache invalidation as django-rq jobs (caching.md §12.3).

Workers need nothing registered: RQ imports the job's function by its dotted path
(``manage.py rqworker <queue>``).
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from restflow.caching.dispatchers.base import DEFAULT_FUNCTION_PATH, Dispatcher, import_dotted

__all__ = ["DjangoRqDispatcher"]

_queues: dict[str, tuple[Any, Any]] = {}
_queues_lock = threading.Lock()


def get_queue(name: str) -> Any:
    """``django_rq.get_queue(name)``, kept while its ``RQ_QUEUES`` entry stays the same.

    django-rq builds a new Redis client (and pool) on every call, i.e. a TCP connection per
    job; reusing the queue keeps one pool per queue (redis-py resets it after a fork).
    """
    import django_rq
    from django.conf import settings

    config = getattr(settings, "RQ_QUEUES", {}).get(name)
    cached = _queues.get(name)
    if cached is not None and config is not None and cached[0] is config:
        return cached[1]
    queue = django_rq.get_queue(name)
    with _queues_lock:
        _queues[name] = (config, queue)
    return queue


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

    def resolve(self) -> tuple[str, str]:
        """``(queue, function_path)`` from the config, else the settings block."""
        block = self.settings()
        queue = self.config.get("queue") or block.get("QUEUE") or "default"
        path = self.config.get("function_path") or block.get("FUNCTION_PATH")
        return str(queue), str(path or DEFAULT_FUNCTION_PATH)

    @property
    def queue(self) -> str:
        return self.resolve()[0]

    @property
    def function_path(self) -> str:
        return self.resolve()[1]

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), *self.resolve())

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        queue, function_path = self.resolve()
        get_queue(queue).enqueue(
            import_dotted(function_path), list(rule_ids), rule_kwargs, dispatcher_name=self.name
        )
