"""Native async cache access (restflow.helpers.cache)."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from restflow.helpers.cache import AsyncCacheAccess, async_cache, get_backend, incr


@pytest.fixture
def locmem():
    cache = caches["default"]
    cache.clear()
    return cache


def test_core_does_not_import_redis_at_module_level():
    import subprocess

    code = "import restflow.helpers.cache, sys; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_proxy_is_unwrapped_to_the_backend():
    from django.core.cache import cache

    assert isinstance(get_backend(cache), BaseCache)
    assert async_cache(cache) is async_cache(caches["default"])


async def test_locmem_runs_on_the_loop_thread(locmem, monkeypatch):
    access = async_cache(locmem)
    assert access.native
    seen = []
    original = type(locmem).get

    def spy(self, *args, **kwargs):
        seen.append(threading.current_thread())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(locmem), "get", spy)
    await access.set("k", {"a": 1}, 30)
    assert await access.get("k") == {"a": 1}
    assert seen == [threading.current_thread()]


async def test_locmem_api_round_trip(locmem):
    access = async_cache(locmem)
    assert await access.add("a", 1, 30)
    assert not await access.add("a", 2, 30)
    assert await access.incr("a", 5, timeout=30) == 6
    assert await access.incr("fresh", 3, timeout=30) == 3
    await access.set_many({"x": 1, "y": "two"}, 30)
    assert await access.get_many(["x", "y", "z"]) == {"x": 1, "y": "two"}
    await access.delete_many(["x", "y"])
    assert await access.get_many(["x", "y"]) == {}
    assert await access.delete("a")
    assert await access.get("a", "dflt") == "dflt"
    # versions are honoured exactly like the sync backend
    await access.set("v", "two", 30, version=2)
    assert locmem.get("v", version=2) == "two"
    assert locmem.get("v") is None


def test_sync_incr_creates_with_ttl(locmem):
    assert incr(locmem, "c", 2, timeout=30) == 2
    assert incr(locmem, "c", 2, timeout=30) == 4


async def test_other_backends_use_a_worker_thread(tmp_path):
    from django.core.cache.backends.filebased import FileBasedCache

    cache = FileBasedCache(str(tmp_path), {})
    access = async_cache(cache)
    assert type(access) is AsyncCacheAccess and not access.native
    await access.set("k", [1, 2], 30)
    assert cache.get("k") == [1, 2]
    assert await access.incr("n", timeout=30) == 1
    assert await access.incr("n", timeout=30) == 2


REDIS_ALIASES = ["redis", "django_redis"]


@pytest.fixture(params=REDIS_ALIASES)
def redis_cache(request):
    if request.param not in caches.settings:
        pytest.skip(f"cache alias {request.param!r} is not configured (Redis unreachable)")
    cache = caches[request.param]
    yield cache
    cache.delete_many(["k", "n", "m1", "m2", "int", "add", "ttl"])


@pytest.mark.redis
async def test_redis_values_interoperate_with_sync_backend(redis_cache):
    access = async_cache(redis_cache)
    assert access.native
    await access.set("k", {"nested": [1, 2]}, 30)
    assert redis_cache.get("k") == {"nested": [1, 2]}
    redis_cache.set("k", ("tuple", 3), 30, version=4)
    assert await access.get("k", version=4) == ("tuple", 3)
    await access.set("int", 7, 30)
    assert redis_cache.incr("int") == 8  # ints stay raw, like the sync backend
    await access.set_many({"m1": 1, "m2": "b"}, 30)
    assert redis_cache.get_many(["m1", "m2"]) == {"m1": 1, "m2": "b"}
    assert await access.get_many(["m1", "m2", "missing"]) == {"m1": 1, "m2": "b"}
    await access.delete_many(["m1", "m2"])
    assert redis_cache.get("m1") is None


@pytest.mark.redis
async def test_redis_keys_match_sync_backend_byte_for_byte(redis_cache, run_id):
    import redis as redis_lib

    access = async_cache(redis_cache)
    await access.set("k", "v", 30, version=3)
    raw = redis_lib.Redis.from_url(access._url)
    assert raw.exists(redis_cache.make_key("k", version=3))
    assert str(redis_cache.make_key("k", version=3)).startswith(run_id)


@pytest.mark.redis
async def test_redis_add_incr_ttl_on_create(redis_cache):
    access = async_cache(redis_cache)
    assert await access.add("add", "x", 30)
    assert not await access.add("add", "y", 30)
    assert await access.incr("n", 2, timeout=30) == 2
    assert await access.incr("n", 2, timeout=30) == 4
    assert redis_cache.get("n") == 4
    raw = access.client()
    ttl = await raw.pttl(access._key("n", None))
    assert 0 < ttl <= 30_000
    assert incr(redis_cache, "n", 1, timeout=30) == 5
    await access.set("ttl", "gone", 0)
    assert await access.get("ttl") is None
    assert await access.delete("n")


@pytest.mark.redis
def test_redis_client_per_event_loop(redis_cache):
    access = async_cache(redis_cache)

    async def roundtrip(value):
        await access.set("k", value, 30)
        return await access.get("k")

    assert asyncio.run(roundtrip(1)) == 1
    assert asyncio.run(roundtrip(2)) == 2  # a new loop gets its own client


@pytest.mark.redis
def test_redis_accessor_shared_by_backends_of_one_configuration(redis_cache, request):
    """Django makes a backend per async context (per request under ASGI): they must share
    one accessor, hence one connection pool per loop, or every request opens a new pool."""
    alias = request.node.callspec.params["redis_cache"]
    first, second = caches.create_connection(alias), caches.create_connection(alias)
    assert first is not second
    assert async_cache(first) is async_cache(second) is async_cache(redis_cache)

    params = {**caches.settings[alias], "KEY_PREFIX": "another-prefix"}
    backend_class = type(first)
    other = backend_class(params["LOCATION"], params)
    assert async_cache(other) is not async_cache(first)

    async def clients():
        return async_cache(first).client() is async_cache(second).client()

    assert asyncio.run(clients())
