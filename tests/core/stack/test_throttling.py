"""Throttles (stack.md §4): S-THR-*, weaknesses 2, 5, 12, 15."""

from __future__ import annotations

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from restflow import throttling as rt
from restflow.test import AsyncAPIClient
from restflow.throttling.history import REDIS_KEY_SUFFIX

URLS = "tests.core.stack.urls"
factory = APIRequestFactory()


def request(addr="1.2.3.4", user=None, **meta):
    drf_request = Request(factory.get("/", REMOTE_ADDR=addr, **meta))
    drf_request.user = user or AnonymousUser()
    return drf_request


def fixed(rate="3/min", key=None, cache=None):
    key = key or f"throttle_fixed_{uuid.uuid4().hex}"
    attrs = {"rate": rate, "get_cache_key": lambda self, r, v: key}
    if cache is not None:
        attrs["cache"] = cache
    return type("Fixed", (rt.SimpleRateThrottle,), attrs)


async def test_simple_rate_async():
    """S-THR-001"""
    throttle_class = fixed("3/min")
    results = [await throttle_class().aallow_request(request(), None) for _ in range(4)]
    assert results == [True, True, True, False]


async def test_no_cache_key_always_allows():
    """S-THR-002"""
    cls = type(
        "NoKey", (rt.SimpleRateThrottle,), {"rate": "1/min", "get_cache_key": lambda s, r, v: None}
    )
    assert all([await cls().aallow_request(request(), None) for _ in range(3)])
    assert all(cls().allow_request(request(), None) for _ in range(3))


async def test_rate_none_allows():
    """S-THR-003"""
    cls = type("Off", (rt.SimpleRateThrottle,), {"scope": "off", "THROTTLE_RATES": {"off": None}})
    assert all([await cls().aallow_request(request(), None) for _ in range(3)])
    assert cls().allow_request(request(), None) is True


async def test_base_throttle_sync_only():
    """S-THR-004"""

    class Yes(rt.BaseThrottle):
        def allow_request(self, request, view):
            return True

    class No(rt.BaseThrottle):
        def allow_request(self, request, view):
            return False

    assert await Yes().aallow_request(request(), None) is True
    assert await No().aallow_request(request(), None) is False


async def test_stale_entries_evicted():
    """S-THR-005"""
    clock = [1000.0]
    cls = fixed("2/min")
    cls.timer = lambda self: clock[0]
    throttle = cls()
    assert await throttle.aallow_request(request(), None)
    assert await throttle.aallow_request(request(), None)
    assert not await throttle.aallow_request(request(), None)
    clock[0] += 61
    throttle = cls()
    assert await throttle.aallow_request(request(), None)
    history = caches["default"].get(throttle.key)
    assert history == [1061.0]
    assert all(stamp > 1000.0 for stamp in history)


async def test_anon_rate_throttle():
    """S-THR-006"""
    cls = type("Anon", (rt.AnonRateThrottle,), {"rate": "2/min"})
    results = [await cls().aallow_request(request("1.2.3.4"), None) for _ in range(3)]
    assert results == [True, True, False]
    authenticated = request(user=SimpleNamespace(is_authenticated=True, pk=5))
    assert cls().get_cache_key(authenticated, None) is None


async def test_user_rate_throttle():
    """S-THR-007"""
    cls = type("User", (rt.UserRateThrottle,), {"rate": "1/min"})

    def as_user(pk):
        return request(user=SimpleNamespace(is_authenticated=True, pk=pk))

    assert await cls().aallow_request(as_user(1), None) is True
    assert await cls().aallow_request(as_user(2), None) is True
    assert await cls().aallow_request(as_user(1), None) is False


def test_scoped_sync():
    """S-THR-008"""
    cls = type("Scoped", (rt.ScopedRateThrottle,), {"THROTTLE_RATES": {"specific-scope": "1/min"}})
    view = SimpleNamespace(throttle_scope="specific-scope")
    assert cls().allow_request(request(), view) is True
    assert cls().allow_request(request(), view) is False


async def test_independent_keys():
    """S-THR-009"""
    one, two = fixed("1/min"), fixed("2/min")
    assert [await one().aallow_request(request(), None) for _ in range(2)] == [True, False]
    assert [await two().aallow_request(request(), None) for _ in range(3)] == [True, True, False]


async def test_wait_after_denial():
    """S-THR-010"""
    throttle = fixed("1/min")()
    await throttle.aallow_request(request(), None)
    assert await throttle.aallow_request(request(), None) is False
    wait = throttle.wait()
    assert wait is None or wait > 0


@pytest.mark.urls(URLS)
@pytest.mark.parametrize(
    "path", ["/throttle/async/", "/throttle/sync/", "/throttle/anon/async/", "/throttle/anon/sync/"]
)
async def test_views_two_then_429(path):
    """S-THR-011"""
    client = AsyncAPIClient()
    statuses = [(await client.get(path)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_views_segregate_users(mode):
    """S-THR-012"""
    u1 = SimpleNamespace(is_authenticated=True, pk=101, is_active=True)
    u2 = SimpleNamespace(is_authenticated=True, pk=102, is_active=True)
    client = AsyncAPIClient()
    client.force_authenticate(u1)
    assert (await client.get(f"/throttle/user/{mode}/")).status_code == 200
    assert (await client.get(f"/throttle/user/{mode}/")).status_code == 429
    client.force_authenticate(u2)
    assert (await client.get(f"/throttle/user/{mode}/")).status_code == 200


@pytest.mark.urls(URLS)
async def test_sync_scoped_view():
    """S-THR-013"""
    client = AsyncAPIClient()
    assert [(await client.get("/throttle/scoped/sync/")).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


@pytest.mark.urls(URLS)
async def test_async_scoped_view_never_500():
    """S-THR-014, W-02 (ScopedRateThrottle resolves scope and rate on the async path)"""
    client = AsyncAPIClient()
    assert [(await client.get("/throttle/scoped/async/")).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


@pytest.mark.urls(URLS)
async def test_async_scoped_without_scope_is_allowed():
    """S-THR-015, W-02"""
    client = AsyncAPIClient()
    assert all(
        [(await client.get("/throttle/unscoped/async/")).status_code == 200 for _ in range(5)]
    )
    throttle = rt.ScopedRateThrottle()
    assert await throttle.aallow_request(request(), SimpleNamespace()) is True


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("handler", ["drf", "envelope"])
async def test_retry_after_header(settings, handler):
    """S-THR-016"""
    if handler == "envelope":
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler",
        }
    client = AsyncAPIClient()
    for _ in range(2):
        await client.get("/throttle/sync/")
    response = await client.get("/throttle/sync/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_cache_key_formats():
    """S-THR-017"""
    anon = request("9.8.7.6")
    assert (
        rt.AnonRateThrottle.__new__(rt.AnonRateThrottle).get_cache_key(anon, None)
        == "throttle_anon_9.8.7.6"
    )
    user_request = request(user=SimpleNamespace(is_authenticated=True, pk=42))
    user_throttle = rt.UserRateThrottle.__new__(rt.UserRateThrottle)
    assert user_throttle.get_cache_key(user_request, None) == "throttle_user_42"
    scoped = rt.ScopedRateThrottle()
    scoped.scope = "uploads"
    assert scoped.get_cache_key(user_request, None) == "throttle_uploads_42"
    assert scoped.get_cache_key(anon, None) == "throttle_uploads_9.8.7.6"


def test_configuration_errors():
    """S-THR-018"""
    missing = type("Missing", (rt.SimpleRateThrottle,), {"scope": "nowhere", "THROTTLE_RATES": {}})
    with pytest.raises(
        ImproperlyConfigured, match="No default throttle rate set for 'nowhere' scope"
    ):
        missing()
    bare = type("Bare", (rt.SimpleRateThrottle,), {})
    with pytest.raises(ImproperlyConfigured, match=r"\.scope.*\.rate"):
        bare()


@pytest.mark.parametrize(
    "rate", ["ten/min", "5/x", "10/month", "5", "/min", "5/", "5/mins", "-1/min", "5/M"]
)
def test_malformed_rates(rate):
    """S-THR-019, W-15"""
    with pytest.raises(ImproperlyConfigured) as error:
        type("Bad", (rt.SimpleRateThrottle,), {"rate": rate})()
    assert repr(rate) in str(error.value)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("5/m", (5, 60)),
        ("5/min", (5, 60)),
        ("5/minute", (5, 60)),
        ("5/minutes", (5, 60)),
        ("1/s", (1, 1)),
        ("1/sec", (1, 1)),
        ("1/second", (1, 1)),
        ("1/h", (1, 3600)),
        ("1/hour", (1, 3600)),
        ("1/d", (1, 86400)),
        ("1/days", (1, 86400)),
    ],
)
def test_rate_periods(rate, expected):
    """S-THR-020"""
    throttle = type("R", (rt.SimpleRateThrottle,), {"rate": rate})()
    assert (throttle.num_requests, throttle.duration) == expected


async def test_longest_wait_wins():
    """S-THR-021"""
    from restflow.test import AsyncAPIRequestFactory
    from restflow.views import AsyncAPIView

    class Short(rt.BaseThrottle):
        async def aallow_request(self, request, view):
            return False

        def wait(self):
            return 5

    class Long(Short):
        def wait(self):
            return 30

    class Unknown(Short):
        def wait(self):
            return None

    class View(AsyncAPIView):
        authentication_classes: list = []
        permission_classes: list = []
        throttle_classes = [Short, Unknown, Long]

        async def get(self, request):
            return None

    view = View()
    view.request = view.initialize_request(AsyncAPIRequestFactory().get("/"))
    with pytest.raises(drf_exceptions.Throttled) as denied:
        await view.acheck_throttles(view.request)
    assert denied.value.wait == 30


# --- exact counts under concurrency ---------------------------------------------------------


async def _burst(throttle_class, n):
    results = await asyncio.gather(
        *(throttle_class().aallow_request(request(), None) for _ in range(n))
    )
    return sum(results)


async def test_concurrent_async_requests_admit_exactly_k_locmem():
    """S-THR-022, W-12 (local memory)"""
    assert await _burst(fixed("7/min"), 64) == 7


def test_concurrent_threads_admit_exactly_k_locmem():
    """S-THR-022, W-12: sync requests on 16 threads"""
    cls = fixed("9/min")
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: cls().allow_request(request(), None), range(64)))
    assert sum(results) == 9


async def test_concurrent_mixed_sync_and_async_share_one_counter():
    """S-THR-022: sync (worker threads) and async (loop) share the counter exactly."""
    cls = fixed("10/min")
    sync_allow = sync_to_async(lambda: cls().allow_request(request(), None), thread_sensitive=False)
    calls = [cls().aallow_request(request(), None) for _ in range(32)] + [
        sync_allow() for _ in range(32)
    ]
    assert sum(await asyncio.gather(*calls)) == 10


@pytest.mark.redis
@pytest.mark.parametrize("alias", ["redis", "django_redis"])
async def test_concurrent_async_requests_admit_exactly_k_redis(alias, run_id):
    """S-THR-022, W-12 on real Redis (atomic server-side script)"""
    cache = caches[alias]
    key = f"throttle_burst_{run_id}_{uuid.uuid4().hex}"
    cls = fixed("5/min", key=key, cache=cache)
    try:
        assert await _burst(cls, 64) == 5
        with ThreadPoolExecutor(8) as pool:
            sync_results = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: list(pool.map(lambda _: cls().allow_request(request(), None), range(16))),
            )
        assert sum(sync_results) == 0
        throttle = cls()
        assert await throttle.aallow_request(request(), None) is False
        assert len(throttle.history) == 5
        assert 0 < throttle.wait() <= 60
    finally:
        await _delete_redis_log(cache, key)


async def _delete_redis_log(cache, key):
    from restflow.helpers.cache import get_backend, sync_redis_client

    backend = get_backend(cache)
    await sync_to_async(sync_redis_client(backend).delete)(backend.make_key(key) + REDIS_KEY_SUFFIX)


@pytest.mark.redis
def test_redis_sliding_window_evicts_and_expires(run_id):
    """S-THR-005 on Redis: expired entries evicted, key TTL = duration."""
    from restflow.helpers.cache import sync_redis_client

    cache = caches["redis"]
    key = f"throttle_window_{run_id}_{uuid.uuid4().hex}"
    clock = [5000.0]
    cls = fixed("2/min", key=key, cache=cache)
    cls.timer = lambda self: clock[0]
    try:
        assert [cls().allow_request(request(), None) for _ in range(3)] == [True, True, False]
        clock[0] += 60.5
        throttle = cls()
        assert throttle.allow_request(request(), None) is True
        assert throttle.history == [5060.5]
        client = sync_redis_client(cache)
        assert 0 < client.pttl(cache.make_key(key) + REDIS_KEY_SUFFIX) <= 60_000
    finally:
        sync_redis_client(cache).delete(cache.make_key(key) + REDIS_KEY_SUFFIX)


@pytest.mark.redis
async def test_async_redis_throttle_does_not_hop_threads(run_id, monkeypatch):
    """Async throttles talk redis.asyncio: no worker thread for cache I/O."""
    from restflow.throttling import history

    def forbidden(*args, **kwargs):
        raise AssertionError("thread hop")

    monkeypatch.setattr(history, "sync_to_async", forbidden)
    cache = caches["redis"]
    key = f"throttle_native_{run_id}_{uuid.uuid4().hex}"
    cls = fixed("1/min", key=key, cache=cache)
    try:
        assert [await cls().aallow_request(request(), None) for _ in range(2)] == [True, False]
    finally:
        await _delete_redis_log(cache, key)


async def test_async_locmem_throttle_does_not_hop_threads(monkeypatch):
    """W-05: the in-memory cache is used directly on the loop."""
    from restflow.throttling import history

    def forbidden(*args, **kwargs):
        raise AssertionError("thread hop")

    monkeypatch.setattr(history, "sync_to_async", forbidden)
    assert await fixed("1/min")().aallow_request(request(), None) is True


async def test_async_only_throttle_on_sync_view():
    """S-THR-023"""
    from rest_framework.views import APIView

    class AsyncOnlyNo(rt.BaseThrottle):
        async def aallow_request(self, request, view):
            return False

    class View(APIView):
        authentication_classes: list = []
        permission_classes: list = []
        throttle_classes = [AsyncOnlyNo]

        def get(self, request):
            return None

    response = await sync_to_async(View.as_view())(factory.get("/"))
    assert response.status_code == 429


async def test_sync_only_drf_throttle_runs_off_the_loop():
    """W-05: a DRF-native throttle in an async view runs in a worker thread."""
    from rest_framework.throttling import BaseThrottle as DrfBase

    from restflow.test import AsyncAPIRequestFactory
    from restflow.throttling.throttling import aevaluate_throttle
    from restflow.views import AsyncAPIView

    threads = []

    class Recording(DrfBase):
        def allow_request(self, request, view):
            threads.append(threading.current_thread())
            return True

    assert await aevaluate_throttle(Recording(), request(), None) is True

    class View(AsyncAPIView):
        authentication_classes: list = []
        permission_classes: list = []
        throttle_classes = [Recording]

        async def get(self, request):
            from rest_framework.response import Response

            return Response({})

    assert (await View.as_view()(AsyncAPIRequestFactory().get("/"))).status_code == 200
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_public_helper_contract():
    """S-THR-004: throttler_allow_request returns the coroutine or the direct verdict."""
    import inspect

    class Plain:
        def allow_request(self, request, view):
            return True

    assert rt.throttler_allow_request(Plain(), request(), None) is True
    pending = rt.throttler_allow_request(fixed("1/min")(), request(), None)
    assert inspect.iscoroutine(pending)
    pending.close()


def test_num_proxies_identification(settings):
    """W-19: with NUM_PROXIES the forwarded header cannot mint fresh buckets."""
    throttle = rt.AnonRateThrottle.__new__(rt.AnonRateThrottle)
    spoofed = request("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert throttle.get_ident(spoofed) == "6.6.6.6,203.0.113.9"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert throttle.get_ident(spoofed) == "203.0.113.9"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert throttle.get_ident(spoofed) == "10.0.0.1"


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("path", ["/throttle/async/", "/throttle/scoped/async/"])
async def test_concurrent_view_requests_admit_exactly_the_limit(envelope, path):
    """S-THR-022, W-12 end to end: 64 concurrent requests to a 2/min view → two 200s."""
    client = AsyncAPIClient()
    responses = await asyncio.gather(*(client.get(path) for _ in range(64)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 200] + [429] * 62
    assert all(r["Retry-After"] for r in responses if r.status_code == 429)


@settings(max_examples=100, deadline=None)
@given(
    rate=st.one_of(
        st.text(min_size=1, max_size=12), st.from_regex(r"\d{1,4}/[a-z]{1,8}", fullmatch=True)
    )
)
def test_any_rate_string_parses_or_is_a_configuration_error(rate):
    """S-THR-019, W-15: never a bare KeyError/ValueError, never a silent per-minute reading."""
    throttle_class = type("Any", (rt.SimpleRateThrottle,), {"rate": rate})
    try:
        throttle = throttle_class()
    except ImproperlyConfigured as error:
        assert repr(rate) in str(error)
        return
    assert throttle.duration in (1, 60, 3600, 86400)
    period = rate.split("/")[1].strip()
    expected = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    assert throttle.duration == expected
    assert period in {"s", "sec", "second", "seconds", "m", "min", "minute", "minutes",
                      "h", "hour", "hours", "d", "day", "days"}  # fmt: skip


@pytest.mark.redis
def test_script_is_loaded_when_the_server_does_not_know_it(run_id):
    """EVALSHA falls back to EVAL (and so loads the script) on NoScriptError."""
    from redis.exceptions import NoScriptError

    from restflow.helpers.cache import sync_redis_client
    from restflow.throttling import history

    real = sync_redis_client(caches["redis"])

    class ForgetfulServer:
        """The real client, except that the script cache looks empty."""

        def evalsha(self, *args):
            raise NoScriptError("NOSCRIPT No matching script.")

        def eval(self, *args):
            return real.eval(*args)

    key = f"throttle_noscript_{run_id}_{uuid.uuid4().hex}"
    args = history._redis_args(caches["redis"], key, 1000.0, 60, 1)
    try:
        assert history._redis_result(history._redis_hit(ForgetfulServer(), args)) == (
            True,
            [1000.0],
        )
        assert history._redis_result(history._redis_hit(real, args))[0] is False
    finally:
        real.delete(caches["redis"].make_key(key) + REDIS_KEY_SUFFIX)
