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

    def _option(self, key: str) -> Any:
        return self.config.get(key) or self.settings().get(key.upper()) or None

    @property
    def function_path(self) -> str:
        return str(self._option("function_path") or DEFAULT_FUNCTION_PATH)

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), self._option("cluster"), self._option("group"), self.function_path)

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        from django_q.tasks import async_task

        options = {key: value for key in ("cluster", "group") if (value := self._option(key))}
        async_task(
            self.function_path, list(rule_ids), rule_kwargs, dispatcher_name=self.name, **options
        )
