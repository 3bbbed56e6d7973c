"""``InvalidationRule``: which model changes drop (or rewarm) a cached function."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

from restflow.caching.dispatchers.base import PLUGINS, Dispatcher, plugin_import_error

__all__ = ["InvalidationRule"]

_UNRESOLVED: Any = None


@dataclasses.dataclass(slots=True, eq=True)
class InvalidationRule:
    """A model whose ``post_save`` / ``post_delete`` invalidates a cached function.

    ``field_mapping`` maps the wrapper's argument names to dotted attribute paths on the
    saved instance; the values are read when the signal fires and the work runs after the
    transaction commits, through the rule's dispatcher.
    """

    model: Any
    rewarm: bool = False
    field_mapping: dict[str, str] = dataclasses.field(default_factory=dict)
    require_args: bool | list[str] = True
    trigger_on_create: bool = False
    watch_fields: list[str] | None = None
    invalidate_when: dict[str, Any] = dataclasses.field(default_factory=dict)
    invalidator: Callable[..., Any] | str | None = None
    dispatcher: str | type[Dispatcher] | None = None
    dispatcher_config: dict[str, Any] = dataclasses.field(default_factory=dict)
    batch: bool = False
    raise_exception: bool | None = None
    _resolved_invalidator: Any = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )
    _dispatcher_instance: Any = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.invalidator is not None and self.field_mapping:
            raise ValueError(
                "InvalidationRule: `invalidator=` and `field_mapping=` are mutually exclusive; "
                "the invalidator owns the work."
            )
        if self.invalidator is not None and not (
            callable(self.invalidator) or isinstance(self.invalidator, str)
        ):
            raise TypeError(
                "InvalidationRule.invalidator must be a callable or a dotted-path string, "
                f"got {type(self.invalidator).__name__}."
            )
        if isinstance(self.dispatcher, str) and self.dispatcher in PLUGINS:
            from restflow.caching.dispatchers import registered_names

            if self.dispatcher not in registered_names():
                raise plugin_import_error(self.dispatcher)

    def resolve_invalidator(self) -> Callable[..., Any]:
        if self._resolved_invalidator is not None:
            return self._resolved_invalidator
        invalidator = self.invalidator
        if isinstance(invalidator, str):
            module_path, _, attr = invalidator.rpartition(".")
            if not module_path:
                raise ValueError(
                    f"InvalidationRule.invalidator {invalidator!r} must be a dotted import path, "
                    "e.g. 'myapp.invalidators.foo'."
                )
            invalidator = getattr(importlib.import_module(module_path), attr)
        self._resolved_invalidator = invalidator
        return invalidator  # type: ignore[return-value]

    def get_dispatcher(self) -> Dispatcher:
        if self._dispatcher_instance is None:
            from restflow.caching.dispatchers import resolve
            from restflow.settings import restflow_settings

            spec = self.dispatcher or restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER
            self._dispatcher_instance = resolve(spec, self.dispatcher_config)
        return self._dispatcher_instance
