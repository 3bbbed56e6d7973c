"""The import map of caching.md §0."""

from __future__ import annotations

import importlib
import inspect

import restflow.caching

EXPECTED = {
    "CACHE_MISSING", "ArgsKeyField", "AsyncCachedWrapper", "AsyncIODispatcher", "CacheKeyField",
    "CacheRegister", "CacheStatus", "CachedResponseWrapper", "CachedWrapper", "CeleryDispatcher",
    "ConstantKeyField", "DefaultKeyConstructor", "Dispatcher", "DjangoModelKeyField",
    "DjangoQDispatcher", "DjangoRqDispatcher", "DramatiqDispatcher", "DrfSerializerKeyField",
    "InlineDispatcher", "InlineKeyConstructor", "InvalidationRule", "KeyConstructor",
    "QueryParamsKeyField", "RequestValueKeyField", "ResponseCacheKeyConstructor",
    "SyncCachedWrapper", "ThreadPoolDispatcher", "ViewKwargsKeyField", "cache_response",
    "cache_result", "register_dispatcher", "registered_dispatcher_names",
    "set_response_cache_header",
}  # fmt: skip

SUBMODULES = {
    "constants": ["CacheStatus", "CACHE_MISSING", "MISSING_VALUE", "CACHED_DATA_VALUE_KEY",
                  "CACHED_DATA_METADATA_KEY", "METADATA_CACHED_AT_KEY", "METADATA_RESET_AT_KEY",
                  "METADATA_CACHE_STATUS"],
    "hashing": ["hash_string"],
    "key_fields": ["CacheKeyField", "ConstantKeyField", "RequestValueKeyField",
                   "QueryParamsKeyField", "ArgsKeyField", "ViewKwargsKeyField",
                   "DrfSerializerKeyField", "DjangoModelKeyField"],
    "key_constructor": ["KeyConstructor", "InlineKeyConstructor", "DefaultKeyConstructor"],
    "wrapper": ["CachedWrapper", "SyncCachedWrapper", "AsyncCachedWrapper", "cache_result",
                "set_response_cache_header"],
    "rules": ["InvalidationRule"],
    "registry": ["CacheRegistry", "CacheRegister"],
    "tasks": ["run_cache_rules", "arun_cache_rules"],
    "apps": ["CachingConfig"],
    "dispatchers": ["Dispatcher", "InlineDispatcher", "ThreadPoolDispatcher", "AsyncIODispatcher",
                    "register", "register_dispatcher", "resolve", "registered_names",
                    "registered_dispatcher_names"],
    "dispatchers.base": ["Dispatcher", "DEFAULT_FUNCTION_PATH", "get_dispatcher_settings",
                         "import_dotted"],
}  # fmt: skip


def test_package_all_is_exact():
    assert set(restflow.caching.__all__) == EXPECTED and len(restflow.caching.__all__) == 33


def test_cache_response_attribute_is_the_decorator():
    from restflow.caching.cache_response import CachedResponseWrapper

    assert inspect.isfunction(restflow.caching.cache_response)
    assert CachedResponseWrapper is restflow.caching.CachedResponseWrapper


def test_submodule_names():
    for module, names in SUBMODULES.items():
        loaded = importlib.import_module(f"restflow.caching.{module}")
        for name in names:
            assert hasattr(loaded, name), f"restflow.caching.{module}.{name}"
    from restflow.caching.constants import MISSING_VALUE
    from restflow.caching.dispatchers.base import DEFAULT_FUNCTION_PATH

    assert MISSING_VALUE == "__restflow:missing__"
    assert DEFAULT_FUNCTION_PATH == "restflow.caching.tasks.run_cache_rules"


def test_cache_missing_is_a_unique_sentinel():
    import pickle

    from restflow.caching import CACHE_MISSING

    assert pickle.loads(pickle.dumps(CACHE_MISSING)) is CACHE_MISSING
    assert repr(CACHE_MISSING) == "CACHE_MISSING"
