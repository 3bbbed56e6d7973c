"""restflow.caching: declarative cache keys, cached results and responses, and race-free
model-signal invalidation for Django REST Framework (caching.md)."""

from __future__ import annotations

from typing import Any

from restflow.caching import checks as _checks  # noqa: F401 - registers the system check
from restflow.caching.cache_response import (
    CachedResponseWrapper,
    ResponseCacheKeyConstructor,
    cache_response,
)
from restflow.caching.constants import CACHE_MISSING, CacheStatus
from restflow.caching.dispatchers import (
    AsyncIODispatcher,
    Dispatcher,
    InlineDispatcher,
    ThreadPoolDispatcher,
    register_dispatcher,
    registered_dispatcher_names,
)
from restflow.caching.key_constructor import (
    DefaultKeyConstructor,
    InlineKeyConstructor,
    KeyConstructor,
)
from restflow.caching.key_fields import (
    ArgsKeyField,
    CacheKeyField,
    ConstantKeyField,
    DjangoModelKeyField,
    DrfSerializerKeyField,
    QueryParamsKeyField,
    RequestValueKeyField,
    ViewKwargsKeyField,
)
from restflow.caching.registry import CacheRegister
from restflow.caching.rules import InvalidationRule
from restflow.caching.wrapper import (
    AsyncCachedWrapper,
    CachedWrapper,
    SyncCachedWrapper,
    cache_result,
    set_response_cache_header,
)

__all__ = [
    "CACHE_MISSING",
    "ArgsKeyField",
    "AsyncCachedWrapper",
    "AsyncIODispatcher",
    "CacheKeyField",
    "CacheRegister",
    "CacheStatus",
    "CachedResponseWrapper",
    "CachedWrapper",
    "CeleryDispatcher",
    "ConstantKeyField",
    "DefaultKeyConstructor",
    "Dispatcher",
    "DjangoModelKeyField",
    "DjangoQDispatcher",
    "DjangoRqDispatcher",
    "DramatiqDispatcher",
    "DrfSerializerKeyField",
    "InlineDispatcher",
    "InlineKeyConstructor",
    "InvalidationRule",
    "KeyConstructor",
    "QueryParamsKeyField",
    "RequestValueKeyField",
    "ResponseCacheKeyConstructor",
    "SyncCachedWrapper",
    "ThreadPoolDispatcher",
    "ViewKwargsKeyField",
    "cache_response",
    "cache_result",
    "register_dispatcher",
    "registered_dispatcher_names",
    "set_response_cache_header",
]

_PLUGIN_CLASSES = {
    "CeleryDispatcher": "celery",
    "DjangoRqDispatcher": "django_rq",
    "DjangoQDispatcher": "django_q",
    "DramatiqDispatcher": "dramatiq",
}


def __getattr__(name: str) -> Any:
    plugin = _PLUGIN_CLASSES.get(name)
    if plugin is not None:
        from restflow.caching.dispatchers._facade import load_plugin_attr

        return load_plugin_attr(plugin, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
