"""Dispatcher registry: built-ins and plugins found through entry points (caching.md §12.1)."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import entry_points
from typing import Any

from restflow.caching.dispatchers.asyncio import AsyncIODispatcher
from restflow.caching.dispatchers.base import PLUGINS, Dispatcher, plugin_import_error
from restflow.caching.dispatchers.inline import InlineDispatcher
from restflow.caching.dispatchers.threadpool import ThreadPoolDispatcher

__all__ = [
    "AsyncIODispatcher",
    "CeleryDispatcher",
    "Dispatcher",
    "DjangoQDispatcher",
    "DjangoRqDispatcher",
    "DramatiqDispatcher",
    "InlineDispatcher",
    "ThreadPoolDispatcher",
    "load_entry_points",
    "register",
    "register_dispatcher",
    "registered_dispatcher_names",
    "registered_names",
    "resolve",
]

logger = logging.getLogger("restflow.caching.dispatchers")

ENTRY_POINT_GROUP = "restflow.dispatchers"
_registry: dict[str, type[Dispatcher]] = {
    InlineDispatcher.name: InlineDispatcher,
    ThreadPoolDispatcher.name: ThreadPoolDispatcher,
    AsyncIODispatcher.name: AsyncIODispatcher,
}
_loaded = False
_load_lock = threading.Lock()


def register(cls: Any) -> Any:
    """Register a ``Dispatcher`` subclass under its ``name`` (usable as a decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Dispatcher)):
        raise TypeError(f"register() expects a Dispatcher subclass, got {cls!r}.")
    name = getattr(cls, "name", None)
    if not name or not isinstance(name, str):
        raise ValueError(f"{cls.__name__} must set a non-empty `name` to be registered.")
    _registry[name] = cls
    return cls


register_dispatcher = register


def load_entry_points() -> None:
    """Load every ``restflow.dispatchers`` entry point once; broken plugins are skipped."""
    global _loaded
    with _load_lock:
        if _loaded:
            return
        _loaded = True
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if entry.name in _registry and entry.name not in PLUGINS:
                continue
            try:
                cls = entry.load()
            except AttributeError as exc:
                # The plugin distribution is installed but does not provide its class yet.
                logger.debug("restflow: dispatcher entry point %r unavailable: %s", entry.name, exc)
                continue
            except Exception:
                logger.exception("restflow: dispatcher entry point %r failed to load", entry.name)
                continue
            if isinstance(cls, type) and issubclass(cls, Dispatcher):
                _registry.setdefault(entry.name, cls)


def registered_names() -> list[str]:
    load_entry_points()
    return sorted(_registry)


registered_dispatcher_names = registered_names


def resolve(spec: Any, config: dict[str, Any] | None = None) -> Dispatcher:
    """Instantiate a dispatcher from its registered name or its class."""
    if isinstance(spec, str):
        load_entry_points()
        cls = _registry.get(spec)
        if cls is None:
            if spec in PLUGINS:
                raise plugin_import_error(spec)
            raise KeyError(
                f"Unknown cache dispatcher {spec!r}; registered: {', '.join(sorted(_registry))}. "
                "Pass a Dispatcher subclass or call restflow.caching.dispatchers.register(...)."
            )
    elif isinstance(spec, type) and issubclass(spec, Dispatcher):
        cls = spec
    else:
        raise TypeError(
            f"A cache dispatcher must be a name string or a Dispatcher subclass, got {spec!r}."
        )
    return cls(**(config or {}))


def __getattr__(name: str) -> Any:
    for plugin, (_module, class_name, _extra) in PLUGINS.items():
        if name == class_name:
            from restflow.caching.dispatchers._facade import load_plugin_attr

            return load_plugin_attr(plugin, class_name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
