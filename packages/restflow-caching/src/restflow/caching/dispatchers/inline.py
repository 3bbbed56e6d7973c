"""Run the rules synchronously in the commit callback (the default)."""

from __future__ import annotations

from typing import Any

from restflow.caching.dispatchers.base import Dispatcher, tasks_module

__all__ = ["InlineDispatcher"]


class InlineDispatcher(Dispatcher):
    name = "inline"
    supports_batching = False

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        tasks_module().run_cache_rules(
            rule_ids=rule_ids, rule_kwargs=rule_kwargs, dispatcher_name=self.name
        )
