"""@cache_result, the wrapper API, headers and prefix deletion on LocMem (caching.md §5-§7)."""

from __future__ import annotations

import asyncio
import datetime
import warnings

import pytest
from django.core.cache import caches
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    AsyncCachedWrapper,
    CachedWrapper,
    CacheStatus,
    ConstantKeyField,
    InvalidationRule,
    KeyConstructor,
    SyncCachedWrapper,
    cache_result,
    set_response_cache_header,
)
from tests.caching.app.models import SampleModel


def counting(result=None):
    calls = []

    def func(*args, **kwargs):
        calls.append((args, kwargs))
        return result if result is not None else len(calls)

    return func, calls


def test_second_call_is_cached_sync():
    """C-CR-001"""
    calls = []

    @cache_result()
    def f(x):
        calls.append(x)
        return x * 2

    assert f(2) == 4 and f(2) == 4
    assert calls == [2]


async def test_second_call_is_cached_async():
    """C-CR-001"""
    calls = []

    @cache_result()
    async def f(x):
        calls.append(x)
        return x * 2

    assert await f(2) == 4
    assert await f(2) == 4
    assert calls == [2]
    assert isinstance(f, AsyncCachedWrapper)


def test_distinct_arguments_distinct_entries():
    """C-CR-002 C-CR-003"""
    calls = []

    @cache_result()
    def f(*args):
        calls.append(args)
        return sum(args)

    @cache_result()
    def g(*args):
        return -1

    for value in (1, 2, 3, 1):
        f(value)
    f(1, 2)
    f(2, 1)
    assert calls == [(1,), (2,), (3,), (1, 2), (2, 1)]
    assert g(1) == -1


def test_constructor_forms():
    """C-CR-004 C-CR-005 W-23"""

    class K(KeyConstructor):
        x = ArgsKeyField("x")

    @cache_result(K)
    def a(x):
        return x

    instance = K()

    @cache_result(instance)
    def b(x):
        return x

    assert b.key_constructor is instance
    assert a(1) == 1 and b(1) == 1
    for bad in (1, "x"):
        with pytest.raises(ValueError, match="Invalid KeyConstructor"):
            cache_result(bad)(lambda x: x)

    calls = []

    @cache_result
    def bare(x):
        calls.append(x)
        return x

    assert isinstance(bare, SyncCachedWrapper)
    assert bare(3) == 3 and bare(3) == 3 and calls == [3]

    @cache_result({"fields": {"x": ArgsKeyField("x")}, "namespace": "d"})
    def from_dict(x):
        return x

    assert from_dict.get_cache_key(1).startswith("d::")
    with pytest.raises(TypeError):
        cache_result({"fields": {}, "bogus": 1})(lambda x: x)


def test_cache_key_api():
    """C-CR-006"""

    @cache_result()
    def lookup(x):
        return x

    key = lookup.get_cache_key(123)
    assert isinstance(key, str) and ":" in key and "lookup" in key
    assert key == lookup.get_cache_key(123) != lookup.get_cache_key(456)


def test_falsy_results_are_cached():
    """C-CR-007"""
    for result in (None, []):
        caches["default"].clear()
        calls = []

        @cache_result({"fields": {"x": ArgsKeyField("x")}})
        def f(x, _r=result, _c=calls):
            _c.append(x)
            return _r

        assert f(1) == result and f(1) == result
        assert calls == [1]


def test_predicates():
    """C-CR-008 C-CR-009 C-CR-010 W-14"""
    seen = []

    def predicate(result, *args, **kwargs):
        seen.append((result, args, kwargs))
        return result > 0

    @cache_result(cache_if=predicate)
    def add(a, b):
        return a + b

    add(2, 3)
    assert seen == [(5, (2, 3), {})]
    assert add.get_cache_only(2, 3) == 5

    @cache_result(cache_if=lambda r, *a, **k: False)
    def never(x):
        return x

    never(1)
    assert never.get_cache_only(1) is CACHE_MISSING

    for skipped in (None, {}, {"error": "x"}):

        @cache_result(cache_unless=lambda r, *a, **k: r is None or r == {} or "error" in r)
        def maybe(x, _v=skipped):
            return _v

        maybe(1)
        assert maybe.get_cache_only(1) is CACHE_MISSING

    @cache_result(cache_unless=lambda r, *a, **k: False)
    def kept(x):
        return {"ok": 1}

    kept(1)
    assert kept.get_cache_only(1) == {"ok": 1}

    @cache_result(cache_if=lambda result: result == "yes")
    def one_param(a, b, c=1):
        return "yes"

    assert one_param(1, 2) == "yes" and one_param.get_cache_only(1, 2) == "yes"


def test_ttl_callables(monkeypatch):
    """C-CR-011 C-CR-017"""
    from restflow.caching import storage

    cache = caches["default"]
    timeouts = []
    original = storage.store_ops

    def spy(key, value, timeout, unlock):
        if isinstance(value, dict) and "value" in value:
            timeouts.append(timeout)
        return original(key, value, timeout, unlock)

    monkeypatch.setattr(storage, "store_ops", spy)

    @cache_result(ttl=lambda result: 5 if result == 0 else 50)
    def f(x):
        return x

    f(0)
    f(9)

    @cache_result(ttl=lambda result, x: 300 if x > 1 else 30)
    def g(x):
        return x

    g(2)
    g(1)

    @cache_result(ttl=lambda result: None)
    def forever(x):
        return x

    forever(1)
    assert timeouts == [5, 50, 300, 30, None]
    stored = cache.get(forever.get_cache_key(1))
    assert set(stored) == {"value", "metadata"}
    assert {"cached_at", "cache_reset_at", "cache_status"} <= set(stored["metadata"])
    assert stored["metadata"]["cache_reset_at"] is None


async def test_async_ttl_and_predicates():
    """C-CR-012 C-CR-013"""

    async def ttl(result):
        return 70 if result > 1 else 7

    @cache_result(ttl=ttl)
    async def f(x):
        return x

    await f(5)
    meta = await f.aget_cached_metadata(5)
    reset = datetime.datetime.fromisoformat(meta["cache_reset_at"])
    cached = datetime.datetime.fromisoformat(meta["cached_at"])
    assert round((reset - cached).total_seconds()) == 70

    async def positive(result):
        return result > 0

    @cache_result(cache_if=positive)
    async def g(x):
        return x

    await g(5)
    await g(-3)
    assert await g.aget_cache_only(5) == 5
    assert await g.aget_cache_only(-3) is CACHE_MISSING

    @cache_result(ttl=ttl)
    def sync_ttl(x):
        return x

    with pytest.raises(TypeError, match="async ttl"):
        sync_ttl(1)

    @cache_result(cache_if=positive)
    def sync_predicate(x):
        return x

    with pytest.raises(TypeError, match="async predicate"):
        sync_predicate(1)


def test_datetime_arguments():
    """C-CR-014"""
    calls = []

    @cache_result()
    def f(when):
        calls.append(when)
        return when

    t = datetime.datetime(2024, 1, 1, 12)
    f(t)
    f(datetime.datetime(2024, 1, 1, 12))
    f(t + datetime.timedelta(seconds=1))
    assert len(calls) == 2


def test_wrapper_attributes():
    """C-CR-015"""

    @cache_result()
    def hello():
        """Doc."""
        return "hi"

    assert isinstance(hello, CachedWrapper)
    assert hello.is_cached_function is True
    assert hello.__name__ == "hello" and hello.__doc__ == "Doc."
    assert hello.key_constructor is not None
    assert hello.__wrapped__ is hello.func


def test_rule_requires_mapping_on_functions_with_parameters():
    """C-CR-016"""
    with pytest.raises(ValueError, match="must declare either") as info:

        @cache_result(invalidates_on=[InvalidationRule(model=SampleModel)])
        def f(a, b):
            return a

    assert "`a`,`b`" in str(info.value)


def test_version_is_used():
    """C-CR-018"""

    class V2(KeyConstructor):
        x = ArgsKeyField("x")

        class Meta:
            version = 2

    @cache_result(V2)
    def f(x):
        return x

    f(1)
    key = f.get_cache_key(1)
    assert caches["default"].get(key, version=2) is not None
    assert caches["default"].get(key) is None
    f.delete_cache(1)
    assert caches["default"].get(key, version=2) is None


class ViewKey(KeyConstructor):
    page = ArgsKeyField("request", "query_params.page")


class CachedView(APIView):
    calls = 0

    @cache_result(ViewKey)
    def get(self, request):
        CachedView.calls += 1
        return Response({"n": CachedView.calls})

    @cache_result(ViewKey)
    def post(self, request):
        return Response({"post": True})


def test_cache_result_on_view_handlers():
    """C-CR-019 C-WR-011"""
    CachedView.calls = 0
    factory = APIRequestFactory()
    view = CachedView.as_view()
    first = view(factory.get("/?page=1"))
    first.render()
    second = view(factory.get("/?page=1"))
    second.render()
    assert CachedView.calls == 1
    assert second.data == {"n": 1}
    post = view(factory.post("/?page=1"))
    post.render()
    assert post.data == {"post": True}
    assert CachedView.get.get_cache_key(None, factory.get("/")) != CachedView.post.get_cache_key(
        None, factory.get("/")
    )


def test_refresh_bypass_delete():
    """C-WR-001 C-WR-002 C-WR-003"""
    results = iter(["result_1", "result_2", "result_3", "result_4"])

    @cache_result()
    def f(x):
        return next(results)

    assert f(1) == "result_1"
    assert f.refresh(1) == "result_2"
    assert f(1) == "result_2"
    assert f.bypass_cache(1) == "result_3"
    assert f(1) == "result_2"
    f(2)  # result_4
    f.delete_cache(1)
    assert f.get_cache_only(1) is CACHE_MISSING
    assert f.get_cache_only(2) == "result_4"


async def test_async_bypass_does_not_write():
    """C-WR-002"""

    @cache_result()
    async def f(x):
        return x

    assert await f.abypass_cache(1) == 1
    assert await f.aget_cache_only(1) is CACHE_MISSING


def test_metadata_api():
    """C-WR-004 C-WR-006 C-WR-007"""
    ran = []

    @cache_result()
    def f(x):
        ran.append(x)
        return x * 2

    assert f.get_cached_metadata(5) is None
    assert f.get_cache_only(5) is CACHE_MISSING and ran == []
    value, meta = f.get_with_metadata(5)
    assert value == 10 and meta["cache_status"] == CacheStatus.MISS
    value, meta = f.get_with_metadata(5)
    assert value == 10 and meta["cache_status"] == "HIT" and "cached_at" in meta
    assert f.get_cache_only(5) == 10
    meta = f.get_cached_metadata(5)
    assert "cached_at" in meta and "cache_reset_at" in meta


async def test_async_metadata_api():
    """C-WR-005 C-WR-007 C-WR-012"""

    @cache_result()
    async def f(x):
        return x

    assert await f.aget_cache_only(1) is CACHE_MISSING
    assert (await f.aget_with_metadata(1))[1]["cache_status"] == "MISS"
    assert (await f.aget_with_metadata(1))[1]["cache_status"] == "HIT"
    await f(2)
    await f.adelete_cache(1)
    assert await f.aget_cache_only(1) is CACHE_MISSING
    assert await f.aget_cache_only(2) == 2


async def test_sync_names_refused_on_async_wrappers():
    """C-WR-008"""

    @cache_result()
    async def f(x):
        return x

    pairs = {
        "refresh": "arefresh",
        "get_with_metadata": "aget_with_metadata",
        "get_cache_only": "aget_cache_only",
        "get_cached_metadata": "aget_cached_metadata",
        "delete_cache": "adelete_cache",
        "delete_by_prefix": "adelete_by_prefix",
        "invalidate_all": "ainvalidate_all",
        "bypass_cache": "abypass_cache",
    }
    for name, alternative in pairs.items():
        with pytest.raises(TypeError, match=alternative):
            getattr(f, name)(1) if name != "invalidate_all" else f.invalidate_all()
    assert f.get_cache_key(1) and f.get_key_version() == 1


async def test_async_methods_on_sync_wrappers():
    """C-WR-009 W-15"""
    calls = []

    @cache_result()
    def f(x):
        calls.append(x)
        return x + 1

    assert (await f.aget_with_metadata(1))[0] == 2
    assert await f.arefresh(1) == 2
    assert await f.abypass_cache(1) == 2
    assert calls == [1, 1, 1]


class Service:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    @cache_result()
    def compute(self, x):
        return f"{self.name}:{x}"


def test_methods_and_bound_wrappers():
    """C-WR-010 W-15"""
    assert Service.__dict__["compute"] is Service.compute
    service = Service("s")
    assert service.compute(1) == "s:1"
    assert service.compute.get_cache_only(1) == "s:1"
    assert service.compute.refresh(1) == "s:1"
    assert Service.compute.refresh(service, 1) == "s:1"
    assert Service.compute.get_cache_key(service, 1) == service.compute.get_cache_key(1)


def test_default_constructor_on_address_keyed_self_warns():
    """W-9"""

    class NoStr:
        @cache_result()
        def m(self, x):
            return x

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        NoStr().m(1)
    assert any("memory address" in str(w.message) for w in caught)


# -- headers -----------------------------------------------------------------------------


def test_set_response_cache_header():
    """C-HDR-001 C-HDR-002 C-HDR-003 C-HDR-004 C-HDR-008"""
    response = {}
    out = set_response_cache_header(
        response, {"cached_at": "2024-01-01T00:00:00", "cache_status": "HIT"}
    )
    assert out is response
    assert response == {"X-Cached-at": "2024-01-01T00:00:00", "X-Cache-status": "HIT"}
    for empty in (None, {}):
        same = {}
        assert set_response_cache_header(same, empty) is same and same == {}
    only = {}
    set_response_cache_header(only, {"cache_reset_at": "2024-01-01T01:00:00"})
    assert only == {"X-Cache-reset-at": "2024-01-01T01:00:00"}
    miss = {}
    set_response_cache_header(miss, {"cache_status": CacheStatus.MISS})
    assert miss["X-Cache-status"] == "MISS"
    assert [s.value for s in CacheStatus] == ["HIT", "MISS", "STALE", "BYPASS", "REFRESH"]
    assert CacheStatus.HIT == "HIT" and str(CacheStatus.STALE) == "STALE"


# -- prefix deletion on LocMem (generation tokens) -----------------------------------------


class PartitionedKey(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)
    page = ArgsKeyField("page")


def test_delete_by_prefix_on_locmem():
    """C-BE-001 C-BE-012"""
    calls = []

    @cache_result(PartitionedKey)
    def f(user_id, page=1):
        calls.append((user_id, page))
        return len(calls)

    f(5, 1)
    f(5, 2)
    f(6, 1)
    assert f.delete_by_prefix(user_id=5) is None
    f(5, 1)
    f(5, 2)
    f(6, 1)
    assert calls == [(5, 1), (5, 2), (6, 1), (5, 1), (5, 2)]

    class NonPartition(KeyConstructor):
        x = ArgsKeyField("x")

    @cache_result(NonPartition)
    def g(x):
        calls.append(("g", x))
        return x

    g(5)
    g.delete_by_prefix(5)  # the prefix has no partition: every entry of g
    g(5)
    assert calls[-2:] == [("g", 5), ("g", 5)]


def test_invalidate_all_on_locmem():
    """C-BE-002"""
    calls = []

    @cache_result()
    def f(x):
        calls.append(("f", x))
        return x

    @cache_result()
    def other(x):
        calls.append(("other", x))
        return x

    f(1)
    f(2)
    other(1)
    f.invalidate_all()
    f(1)
    f(2)
    other(1)
    assert calls == [("f", 1), ("f", 2), ("other", 1), ("f", 1), ("f", 2)]


async def test_partition_only_delete_by_prefix():
    """C-BE-003"""
    calls = []

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True)

    @cache_result(K)
    def f(user_id):
        calls.append(user_id)
        return user_id

    f(7)
    f(8)
    f.delete_by_prefix(user_id=7)
    f(7)
    f(8)
    assert calls == [7, 8, 7]
    await f.adelete_by_prefix(user_id=8)
    f(8)
    assert calls == [7, 8, 7, 8]


def test_patched_delete_pattern_is_used(monkeypatch):
    """C-BE-004"""
    cache = caches["default"]
    seen = []

    def delete_pattern(pattern, version=None):
        seen.append((pattern, version))
        return 3

    monkeypatch.setattr(cache, "delete_pattern", delete_pattern, raising=False)

    @cache_result(PartitionedKey)
    def f(user_id, page=1):
        return user_id

    assert f.delete_by_prefix(7) == 3
    assert f.invalidate_all() == 3
    assert len(seen) == 2 and all(p.endswith("*") for p, _ in seen)
    assert seen[0][0].endswith("user_id:7::*")


async def test_async_prefix_deletion_prefers_adelete_pattern(monkeypatch):
    """C-BE-005 W-13"""
    cache = caches["default"]

    @cache_result(PartitionedKey)
    def f(user_id, page=1):
        return user_id

    captured = []

    async def adelete_pattern(pattern, version=None):
        captured.append(pattern)
        return 4

    def delete_pattern(pattern, version=None):
        captured.append(("sync", pattern))
        return 5

    monkeypatch.setattr(cache, "adelete_pattern", adelete_pattern, raising=False)
    monkeypatch.setattr(cache, "delete_pattern", delete_pattern, raising=False)
    assert await f.adelete_by_prefix(7) == 4
    assert captured[0].endswith("*")
    monkeypatch.delattr(cache, "adelete_pattern")
    assert await f.adelete_by_prefix(7) == 5
    monkeypatch.delattr(cache, "delete_pattern")
    f(7)
    assert await f.adelete_by_prefix(7) is None
    assert f.get_cache_only(7) is CACHE_MISSING


def test_wrappers_register_on_their_constructor():
    """C-WIPE-001"""

    class A(KeyConstructor):
        x = ArgsKeyField("x", partition=True)

    class B(A):
        pass

    @cache_result(A)
    def fa(x):
        return x

    @cache_result(B)
    def fb(x):
        return x

    assert A._cache_wrappers == [fa]
    assert B._cache_wrappers == [fb]


def test_wipe_calls_wrapper_methods(monkeypatch):
    """C-WIPE-002"""

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True)

    @cache_result(K)
    def f(user_id):
        return user_id

    @cache_result(K)
    def g(user_id):
        return user_id

    calls = []
    for wrapper in (f, g):
        monkeypatch.setattr(
            wrapper, "delete_by_prefix", lambda *a, _w=wrapper, **k: calls.append((_w, "prefix", k))
        )
        monkeypatch.setattr(wrapper, "invalidate_all", lambda _w=wrapper: calls.append((_w, "all")))
    K.wipe(user_id=1)
    assert calls == [(f, "prefix", {"user_id": 1}), (g, "prefix", {"user_id": 1})]
    calls.clear()
    K.wipe()
    assert calls == [(f, "all"), (g, "all")]


async def test_awipe_uses_async_variants(monkeypatch):
    """C-WIPE-002"""

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True)

    @cache_result(K)
    def f(user_id):
        return user_id

    calls = []

    async def prefix(*a, **k):
        calls.append(("prefix", k))

    async def everything():
        calls.append(("all",))

    monkeypatch.setattr(f, "adelete_by_prefix", prefix)
    monkeypatch.setattr(f, "ainvalidate_all", everything)
    await K.awipe(user_id=1)
    await K.awipe()
    assert calls == [("prefix", {"user_id": 1}), ("all",)]


def test_wipe_with_non_partition_field_works_on_locmem():
    """C-WIPE-003 — §7.1 replaces the NotImplementedError: the wipe works on LocMem."""

    class K(KeyConstructor):
        x = ArgsKeyField("x")

    calls = []

    @cache_result(K)
    def f(x):
        calls.append(x)
        return x

    f(1)
    K.wipe(1)
    f(1)
    assert calls == [1, 1]


async def test_wipe_with_async_wrapper():
    """C-WIPE-005 W-16"""

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True)

    calls = []

    @cache_result(K)
    async def first(user_id):
        calls.append(("a", user_id))
        return user_id

    @cache_result(K)
    def second(user_id):
        calls.append(("s", user_id))
        return user_id

    await first(1)
    await asyncio.to_thread(second, 1)
    await asyncio.to_thread(K.wipe)
    await first(1)
    await asyncio.to_thread(second, 1)
    assert calls == [("a", 1), ("s", 1), ("a", 1), ("s", 1)]


async def test_delete_previous_versions_checks():
    """C-WIPE-006 — version 1 is a no-op; no namespace is a ValueError; LocMem now works (§7.1)."""
    cache = caches["default"]

    class V1(KeyConstructor):
        class Meta:
            namespace = "ns"

    cache.set("ns::k", "old", version=1)
    assert V1.delete_previous_versions() is None
    assert await V1.adelete_previous_versions() is None
    assert cache.get("ns::k", version=1) == "old"

    class NoNamespace(KeyConstructor):
        class Meta:
            version = 2

    with pytest.raises(ValueError, match="namespace"):
        NoNamespace.delete_previous_versions()
    with pytest.raises(ValueError, match="namespace"):
        await NoNamespace.adelete_previous_versions()

    class V2(KeyConstructor):
        x = ArgsKeyField("x")

        class Meta:
            namespace = "ns"
            version = 2

    @cache_result(V2)
    def f(x):
        return x

    f(1)
    assert V2.delete_previous_versions() is None  # older versions are never read here
    assert await V2.adelete_previous_versions() is None
    assert f.get_cache_only(1) == 1


def test_constant_field_key():
    """C-CON-003"""

    class K(KeyConstructor):
        constant = ConstantKeyField("version", "1.0")

    @cache_result(K)
    def f():
        return 1

    assert f.get_cache_key().endswith("::version:1.0")
