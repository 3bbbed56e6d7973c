"""Run restflow cache invalidation as django-q2 tasks (caching.md §12.3).

The cluster needs nothing registered: it imports the dotted ``function_path``
(``manage.py qcluster``).
"""

from __future__ import annotations

import importlib
from typing import Any

from restflow.caching.dispatchers.base import DEFAULT_FUNCTION_PATH, Dispatcher

__all__ = ["DjangoQDispatcher"]


class DjangoQDispatcher(Dispatcher):
    """Queues ``function_path(rule_ids, rule_kwargs, dispatcher_name="django_q")`` with
    ``django_q.tasks.async_task``.

    ``dispatcher_config`` keys: ``cluster`` (→ ``CLUSTER``), ``group`` (→ ``GROUP``) and
    ``function_path`` (→ ``FUNCTION_PATH`` → ``restflow.caching.tasks.run_cache_rules``).
    """

    name = "django_q"
    supports_batching = True

    def validate_config(self) -> None:
        try:
            importlib.import_module("django_q")
        except ImportError as exc:
            raise ImportError(
                "django-q2 is required for django_q cache invalidation: install "
                "restflow-dispatch-django-q (or drf-restflow[django-q])."
            ) from exc

    def resolve(self) -> tuple[str | None, str | None, str]:
        """``(cluster, group, function_path)`` from the config, else the settings block."""
        block = self.settings()
        cluster = self.config.get("cluster") or block.get("CLUSTER") or None
        group = self.config.get("group") or block.get("GROUP") or None
        path = self.config.get("function_path") or block.get("FUNCTION_PATH")
        return cluster, group, str(path or DEFAULT_FUNCTION_PATH)

    @property
    def function_path(self) -> str:
        return self.resolve()[2]

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), *self.resolve())

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        from django_q.tasks import async_task

        cluster, group, function_path = self.resolve()
        options = {key: value for key, value in (("cluster", cluster), ("group", group)) if value}
        async_task(function_path, list(rule_ids), rule_kwargs, dispatcher_name=self.name, **options)
