"""The async path without a thread hop, on the local-memory cache and on real Redis.

The async side of ``CacheBlacklistBackend`` goes through ``restflow.helpers.cache``: its calls
must run on the event loop's own thread (no ``sync_to_async``, no executor job, no sync Redis
client), and what either side writes the other reads. ``aauthenticate`` decodes on the loop and
makes exactly one hop: the one Django's async ORM makes inside ``aget``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings

from restflow.authentication import tokens
from restflow.authentication.jwt import (
    AccessToken,
    CacheBlacklistBackend,
    JWTAuthentication,
    arevoke_user_tokens,
    user_mark,
)
from tests.auth.helpers import bearer, jwt_settings, run

ALIASES = pytest.mark.parametrize(
    "alias",
    [
        pytest.param("default", id="locmem"),
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("django_redis", marks=pytest.mark.redis),
    ],
)


def soon(seconds: int = 120) -> int:
    return int(time.time()) + seconds


class Hops:
    """What left the loop thread while a block ran."""

    def __init__(self) -> None:
        self.sync_to_async: list[str] = []  # the functions handed to sync_to_async
        self.executor_jobs = 0  # loop.run_in_executor calls (how sync_to_async leaves)


@contextmanager
def counting_hops() -> Iterator[Hops]:
    hops = Hops()
    call, run_in_executor = SyncToAsync.__call__, asyncio.BaseEventLoop.run_in_executor

    def spy_call(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        name = getattr(self.func, "__qualname__", None)  # never repr(): a QuerySet would query
        hops.sync_to_async.append(name or type(self.func).__qualname__)
        return call(self, *args, **kwargs)

    def spy_executor(loop: Any, executor: Any, func: Any, *args: Any) -> Any:
        hops.executor_jobs += 1
        return run_in_executor(loop, executor, func, *args)

    with (
        mock.patch.object(SyncToAsync, "__call__", spy_call),
        mock.patch.object(asyncio.BaseEventLoop, "run_in_executor", spy_executor),
    ):
        yield hops


@contextmanager
def store_calls() -> Iterator[list[tuple[str, int]]]:
    """``(client, thread id)`` of every call reaching local memory or a Redis client."""
    calls: list[tuple[str, int]] = []
    targets: list[tuple[str, type, str]] = [
        ("locmem", LocMemCache, name) for name in ("get", "set", "add", "get_many")
    ]
    try:
        import redis
        import redis.asyncio
    except ImportError:  # the locmem case needs no Redis client
        pass
    else:
        targets += [
            ("redis.asyncio", redis.asyncio.Redis, "execute_command"),
            ("redis sync", redis.Redis, "execute_command"),
        ]

    def spy(kind: str, original: Any) -> Any:
        if asyncio.iscoroutinefunction(original):

            async def record_async(*args: Any, **kwargs: Any) -> Any:
                calls.append((kind, threading.get_ident()))
                return await original(*args, **kwargs)

            return record_async

        def record(*args: Any, **kwargs: Any) -> Any:
            calls.append((kind, threading.get_ident()))
            return original(*args, **kwargs)

        return record

    with ExitStack() as stack:
        for kind, owner, name in targets:
            stack.enter_context(mock.patch.object(owner, name, spy(kind, getattr(owner, name))))
        yield calls


def expected_clients(alias: str) -> set[str]:
    return {"locmem"} if alias == "default" else {"redis.asyncio"}


@ALIASES
def test_async_blacklist_calls_stay_on_the_loop(alias, run_id):
    """A-BL-003 A-BL-018: every async blacklist operation runs on the loop thread, no hop"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        backend = CacheBlacklistBackend()
        mark = user_mark(f"{run_id}-u")

        async def scenario() -> tuple[int, list, Hops, list]:
            with counting_hops() as hops, store_calls() as calls:
                results = [
                    await backend.ablacklist(f"{run_id}-a", expires_at=soon()),
                    await backend.add(f"{run_id}-b", expires_at=soon()),
                    await backend.is_blacklisted(f"{run_id}-a"),
                    await backend.ais_blacklisted(f"{run_id}-b"),
                    await backend.is_blacklisted(f"{run_id}-absent"),
                    await backend.aclaim(f"{run_id}-c", expires_at=soon()),
                    await backend.aclaim(f"{run_id}-c", expires_at=soon()),
                    await backend.arevoke_user(mark, issued_before=100, expires_at=soon()),
                    await backend.arevoked_before(mark),
                    await backend.ais_revoked([f"{run_id}-absent"], mark, 100),
                    await backend.ais_revoked([f"{run_id}-absent"], mark, 101),
                ]
            return threading.get_ident(), results, hops, calls

        loop_thread, results, hops, calls = run(scenario)
    assert results == [None, None, True, True, False, True, False, None, 100, True, False]
    assert hops.sync_to_async == []
    assert hops.executor_jobs == 0
    assert {kind for kind, _ in calls} == expected_clients(alias)
    assert {thread for _, thread in calls} == {loop_thread}


@ALIASES
def test_sync_and_async_sides_share_entries(alias, run_id):
    """A-BL-003 A-BL-004 A-BL-005 A-BL-018: what one side writes, the other reads"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        backend = CacheBlacklistBackend()
        synced, asynced = user_mark(f"{run_id}-sync-user"), user_mark(f"{run_id}-async-user")

        backend.blacklist(f"{run_id}-s", expires_at=soon())
        assert backend.claim(f"{run_id}-s-claim", expires_at=soon()) is True
        backend.revoke_user(synced, issued_before=100, expires_at=soon())

        async def read_sync_writes() -> list:
            return [
                await backend.is_blacklisted(f"{run_id}-s"),
                await backend.aclaim(f"{run_id}-s-claim", expires_at=soon()),
                await backend.aclaim(f"{run_id}-s", expires_at=soon()),
                await backend.arevoked_before(synced),
                await backend.ais_revoked([f"{run_id}-s"], None, 500),
                await backend.ais_revoked([f"{run_id}-absent"], synced, 100),
                await backend.ais_revoked([f"{run_id}-absent"], synced, 101),
            ]

        assert run(read_sync_writes) == [True, False, False, 100, True, True, False]

        async def write() -> bool:
            await backend.ablacklist(f"{run_id}-a", expires_at=soon())
            await backend.arevoke_user(asynced, issued_before=200, expires_at=soon())
            return await backend.aclaim(f"{run_id}-a-claim", expires_at=soon())

        assert run(write) is True
        assert backend._is_blacklisted_sync(f"{run_id}-a") is True
        assert backend.claim(f"{run_id}-a-claim", expires_at=soon()) is False
        assert backend._is_blacklisted_sync(f"{run_id}-a-claim") is True
        assert backend._revoked_before_sync(asynced) == 200
        assert backend._is_revoked_sync([f"{run_id}-a"], None, 500) is True
        assert backend._is_revoked_sync([f"{run_id}-absent"], asynced, 200) is True
        assert backend._is_revoked_sync([f"{run_id}-absent"], asynced, 201) is False
        # Django's own client reads the same bytes under the documented key.
        assert caches[alias].get(f"restflow:jwt:bl:{run_id}-a") is True
        assert caches[alias].get(f"restflow:jwt:bl:{asynced}") == 200


@ALIASES
def test_concurrent_aclaims_have_one_winner(alias, run_id):
    """A-BL-018 (W-02): N concurrent aclaims of one jti on one loop, exactly one wins"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        backend = CacheBlacklistBackend()
        jti = f"{run_id}-gather"

        async def contend() -> tuple[list[bool], Hops]:
            with counting_hops() as hops:
                claims = [backend.aclaim(jti, expires_at=soon()) for _ in range(20)]
                return list(await asyncio.gather(*claims)), hops

        results, hops = run(contend)
        assert results.count(True) == 1
        assert hops.executor_jobs == 0
        assert backend.claim(jti, expires_at=soon()) is False


@pytest.mark.redis
@pytest.mark.parametrize("alias", ["redis", "django_redis"])
def test_sync_and_async_claims_race_on_redis(alias, run_id):
    """A-BL-018 (W-02): sync claims from threads and async claims from their own loops race on
    one jti; the store decides, exactly one wins"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        backend = CacheBlacklistBackend()
        jti = f"{run_id}-mixed"
        workers = 8
        barrier = threading.Barrier(workers)

        async def aclaim_many() -> list[bool]:
            claims = [backend.aclaim(jti, expires_at=soon()) for _ in range(5)]
            return list(await asyncio.gather(*claims))

        def contender(index: int) -> list[bool]:
            barrier.wait()
            if index % 2:
                return [backend.claim(jti, expires_at=soon())]
            return run(aclaim_many)

        with ThreadPoolExecutor(workers) as pool:
            results = [won for batch in pool.map(contender, range(workers)) for won in batch]
        assert len(results) == 4 + 4 * 5
        assert results.count(True) == 1


@pytest.mark.django_db
@ALIASES
def test_aauthenticate_makes_only_the_orm_hop(alias, user):
    """A-JAUTH-001 A-JAUTH-011: decode and revocation check on the loop; the user query is
    the one hop (inside Django's ``aget``); a revoked token is refused without any hop"""
    decoded_on: list[int] = []
    decode = tokens.decode_token

    def spy_decode(raw: str) -> dict[str, Any]:
        decoded_on.append(threading.get_ident())
        return decode(raw)

    with (
        jwt_settings(BLACKLIST_CACHE_ALIAS=alias),
        mock.patch.object(tokens, "decode_token", spy_decode),
    ):
        token, revoked = AccessToken.for_user(user), AccessToken.for_user(user)
        CacheBlacklistBackend().blacklist(revoked.jti, expires_at=revoked.exp)

        async def scenario() -> tuple[int, Any, Hops, Hops, Exception | None]:
            auth = JWTAuthentication()
            with counting_hops() as accepted:
                result = await auth.aauthenticate(bearer(token))
            with counting_hops() as refused:
                try:
                    await auth.aauthenticate(bearer(revoked))
                except Exception as exc:  # the assertion below names it
                    error: Exception | None = exc
                else:
                    error = None
            return threading.get_ident(), result, accepted, refused, error

        loop_thread, result, accepted, refused, error = run(scenario)
    assert result[0] == user
    assert accepted.sync_to_async == ["QuerySet.get"]
    assert accepted.executor_jobs == 1
    assert str(error) == "Token has been blacklisted."
    assert refused.sync_to_async == []
    assert refused.executor_jobs == 0
    assert decoded_on == [loop_thread, loop_thread]


@pytest.mark.django_db
@ALIASES
def test_log_out_everywhere_async_without_hop(alias, user):
    """A-JAUTH-011: arevoke_user_tokens writes on the loop; both paths then refuse the token"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        token = AccessToken.for_user(user)

        async def revoke() -> Hops:
            with counting_hops() as hops:
                await arevoke_user_tokens(user)
            return hops

        hops = run(revoke)
        assert hops.sync_to_async == [] and hops.executor_jobs == 0
        with pytest.raises(Exception, match=r"^Token has been blacklisted\.$"):
            JWTAuthentication().authenticate(bearer(token))
        with pytest.raises(Exception, match=r"^Token has been blacklisted\.$"):
            run(JWTAuthentication().aauthenticate, bearer(token))


@pytest.mark.redis
def test_one_redis_accessor_per_settings_generation(run_id):
    """The native accessor is shared by every task (one connection pool, not one per request)
    and replaced when the settings change (here the cache's key prefix)."""
    backend = CacheBlacklistBackend()

    async def accessors() -> list[Any]:
        async def one() -> Any:
            return backend.access

        return list(await asyncio.gather(*(asyncio.create_task(one()) for _ in range(5))))

    with jwt_settings(BLACKLIST_CACHE_ALIAS="redis"):
        first = run(accessors)
        assert all(access is first[0] for access in first)
        assert first[0].native is True
        assert backend.access is first[0]
        redis_cache = {**settings.CACHES["redis"], "KEY_PREFIX": f"{run_id}:other"}
        with override_settings(CACHES={**settings.CACHES, "redis": redis_cache}):
            other = run(accessors)[0]
            assert other is not first[0]
            run(backend.ablacklist, "prefixed", expires_at=soon())
            assert caches["redis"].get("restflow:jwt:bl:prefixed") is True
        assert backend._is_blacklisted_sync("prefixed") is False
