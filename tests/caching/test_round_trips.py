"""Redis round trips of a miss and of an invalidation (issue 7: pipelined protocol).

A miss reads (entry + tokens), claims (creates missing tokens and takes the lock) and
stores (writes the entry and releases the lock): three round trips, sync and async.
"""

from __future__ import annotations

import inspect

import pytest
import redis
import redis.asyncio

from restflow.caching import CACHE_MISSING, ArgsKeyField, KeyConstructor, cache_result, storage
from restflow.helpers.cache import batch
from tests.caching.backends import use_cache

pytestmark = pytest.mark.redis


class BookKey(KeyConstructor):
    book = ArgsKeyField("book_id", partition=True)


class TripCounter:
    """Counts commands sent alone and pipelines sent, on the sync and asyncio clients."""

    def __init__(self, monkeypatch):
        self.trips = 0
        for owner, name in (
            (redis.Redis, "execute_command"),
            (redis.client.Pipeline, "execute"),
            (redis.asyncio.Redis, "execute_command"),
            (redis.asyncio.client.Pipeline, "execute"),
        ):
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch, owner, name):
        original = getattr(owner, name)
        counter = self

        if inspect.iscoroutinefunction(original):

            async def counted(self, *args, **kwargs):
                counter.trips += 1
                return await original(self, *args, **kwargs)
        else:

            def counted(self, *args, **kwargs):
                if not isinstance(self, redis.client.Pipeline) or name == "execute":
                    counter.trips += 1
                return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


@pytest.mark.parametrize("kind", ["redis", "django_redis"])
def test_sync_miss_costs_three_round_trips(kind, monkeypatch):
    """A new partition: read, claim (token + lock), store (entry + unlock)."""
    calls = []

    @cache_result(BookKey)
    def title(book_id):
        calls.append(book_id)
        return f"title {book_id}"

    with use_cache(kind):
        assert title(0) == "title 0"  # the function's root token exists from now on
        counter = TripCounter(monkeypatch)
        assert title(1) == "title 1"
        assert counter.trips == 3
        counter.trips = 0
        assert title(1) == "title 1"
        assert counter.trips == 1  # a hit: one read
        monkeypatch.undo()
    assert calls == [0, 1]


@pytest.mark.parametrize("kind", ["redis", "django_redis"])
async def test_async_miss_costs_three_round_trips(kind, monkeypatch):
    calls = []

    @cache_result(BookKey)
    async def title(book_id):
        calls.append(book_id)
        return f"title {book_id}"

    with use_cache(kind):
        assert await title(0) == "title 0"
        counter = TripCounter(monkeypatch)
        assert await title(1) == "title 1"
        assert counter.trips == 3
        counter.trips = 0
        assert await title(1) == "title 1"
        assert counter.trips == 1
        monkeypatch.undo()
    assert calls == [0, 1]


def test_invalidation_is_one_round_trip(monkeypatch):
    """delete_by_prefix() on Django's RedisCache: one new generation, one round trip."""

    @cache_result(BookKey)
    def title(book_id):
        return f"title {book_id}"

    with use_cache("redis"):
        assert title(1) == "title 1"
        counter = TripCounter(monkeypatch)
        title.delete_by_prefix(1)
        assert counter.trips == 1
        monkeypatch.undo()
        assert title.get_cache_only(1) is CACHE_MISSING


def test_lost_token_race_retakes_the_lock_under_the_real_tokens():
    """Another caller created the token first: the real token wins and the lock taken
    under the guessed one is reported, so the caller releases it and retakes the real one."""
    with use_cache("redis"):
        gen = storage.gen_key("race::")
        first = storage.run(storage.claim_ops([gen], [11], [0], None, 5), 1)
        assert storage.claim_result(first, [11], [0], None) == ([11], False)
        second = storage.run(storage.claim_ops([gen], [22], [0], "lock-22", 5), 1)
        assert storage.claim_result(second, [22], [0], "lock-22") == ([11], True)
        assert storage.claim_result(None, [22], [0], "lock-22") == (None, True)  # fail open


@pytest.mark.parametrize("kind", ["locmem", "redis", "django_redis"])
async def test_batch_matches_single_operations(kind):
    """batch() and accessor.batch() return what get/set/add/delete return."""
    from restflow.helpers.cache import async_cache

    with use_cache(kind) as cache:
        ops = [
            ("set", "k1", {"v": 1}, 60),
            ("add", "k1", "other", 60),
            ("add", "k2", 7, None),
            ("get", "k1"),
            ("get", "k2"),
            ("get", "nope"),
            ("delete", "k2"),
            ("set", "k3", "gone", 0),
            ("get", "k3"),
        ]
        assert batch(cache, ops) == [True, False, True, {"v": 1}, 7, None, True, True, None]
        assert cache.get("k1") == {"v": 1} and cache.get("k2") is None
        again = await async_cache(cache).batch(ops)
        assert again == [True, False, True, {"v": 1}, 7, None, True, True, None]
