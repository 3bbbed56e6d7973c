"""Race-free invalidation, stampede protection, stale-while-revalidate (§7.1, issue 7)."""

from __future__ import annotations

import asyncio
import random
import threading
import time

import pytest
from asgiref.sync import sync_to_async

from restflow.caching import (
    ArgsKeyField,
    CacheStatus,
    InvalidationRule,
    KeyConstructor,
    cache_result,
)
from restflow.caching.registry import CacheRegister, CacheRegistry
from tests.caching.app.models import SampleModel
from tests.caching.backends import use_cache

ROUNDS = 1000
BACKENDS = ["locmem", pytest.param("redis", marks=pytest.mark.redis)]


class RowKey(KeyConstructor):
    row = ArgsKeyField("row_id", partition=True)


class Row:
    """An in-memory "table row": its writer commits, then fires the signal pipeline."""

    def __init__(self, pk):
        self.pk = pk
        self.value = 0
        self.lock = threading.Lock()

    def commit(self, value):
        with self.lock:
            self.value = value
        CacheRegister.invalidate_for_instance(self, False, CacheRegistry.SignalTypes.POST_SAVE)


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("rewarm", [False, True])
@pytest.mark.django_db(transaction=True)
def test_read_invalidate_interleaving_threads(kind, rewarm):
    """C-BE-013 — the computation reads, the writer commits, then the computation stores."""
    with use_cache(kind):
        obj = SampleModel.objects.create(value=0)
        writer_turn = {}

        @cache_result(
            RowKey,
            invalidates_on=[
                InvalidationRule(SampleModel, rewarm=rewarm, field_mapping={"row_id": "pk"})
            ],
        )
        def read(row_id):
            value = SampleModel.objects.get(pk=row_id).value
            hook = writer_turn.pop("hook", None)
            if hook:
                hook()  # the writer commits between our read and our store
            return value

        stale = 0
        for i in range(1, ROUNDS + 1):

            def write(i=i):
                obj.value = i
                obj.save()

            writer_turn["hook"] = write
            read.delete_cache(obj.pk)  # make the next call a miss
            read(obj.pk)  # computes with i-1, stores after the commit of i
            assert "hook" not in writer_turn
            if read(obj.pk) != i:
                stale += 1
        assert stale == 0


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("rewarm", [False, True])
@pytest.mark.django_db(transaction=True)
async def test_read_invalidate_interleaving_tasks(kind, rewarm):
    """C-BE-013 — same interleaving with an async wrapper and asyncio tasks."""
    with use_cache(kind):
        row = Row(1)

        @cache_result(
            RowKey,
            invalidates_on=[InvalidationRule(Row, rewarm=rewarm, field_mapping={"row_id": "pk"})],
        )
        async def read(row_id):
            value = row.value
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return value

        stale = 0
        for i in range(1, ROUNDS + 1):
            await read.adelete_cache(1)  # make the reader's call a miss
            reader = asyncio.create_task(read(1))
            await asyncio.sleep(0)  # the reader has read the row and is computing
            await sync_to_async(row.commit)(i)
            await reader
            if await read(1) != i:
                stale += 1
        assert stale == 0


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_never_serve_stale(kind):
    """C-BE-013 — 1,000 invalidations against concurrent reader threads: 0 stale reads."""
    with use_cache(kind):
        row = Row(1)

        @cache_result(
            RowKey, invalidates_on=[InvalidationRule(Row, field_mapping={"row_id": "pk"})]
        )
        def read(row_id):
            value = row.value
            time.sleep(random.random() / 5000)
            return value

        committed = [0]
        stop = threading.Event()
        stale = []

        def reader():
            while not stop.is_set():
                floor = committed[0]
                value = read(1)
                if value < floor:
                    stale.append((value, floor))

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for thread in threads:
            thread.start()
        for i in range(1, ROUNDS + 1):
            row.commit(i)
            committed[0] = i
            if i % 50 == 0:
                time.sleep(0.001)
        stop.set()
        for thread in threads:
            thread.join()
        assert stale == []
        assert read(1) == ROUNDS


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.django_db(transaction=True)
async def test_concurrent_tasks_never_serve_stale(kind):
    """C-BE-013 — concurrent asyncio readers and 1,000 invalidations: 0 stale reads."""
    with use_cache(kind):
        row = Row(1)

        @cache_result(
            RowKey, invalidates_on=[InvalidationRule(Row, field_mapping={"row_id": "pk"})]
        )
        async def read(row_id):
            value = row.value
            await asyncio.sleep(0)
            return value

        committed = [0]
        stale = []
        done = asyncio.Event()

        async def reader():
            while not done.is_set():
                floor = committed[0]
                if (value := await read(1)) < floor:
                    stale.append((value, floor))
                # A real (tiny) suspension lets the loop thread release the GIL, so the
                # committing worker thread is not starved (a 100x slowdown on PostgreSQL).
                await asyncio.sleep(0.0001)

        readers = [asyncio.create_task(reader()) for _ in range(4)]
        for i in range(1, ROUNDS + 1):
            await sync_to_async(row.commit)(i)
            committed[0] = i
            await asyncio.sleep(0)
        done.set()
        await asyncio.gather(*readers)
        assert stale == []
        assert await read(1) == ROUNDS


@pytest.mark.parametrize("kind", BACKENDS)
def test_computation_started_before_a_wipe_is_never_served(kind):
    """C-BE-014"""
    with use_cache(kind):
        source = {"value": 0}
        turn = {}

        class K(KeyConstructor):
            x = ArgsKeyField("x")

        @cache_result(K)
        def read(x):
            value = source["value"]
            hook = turn.pop("hook", None)
            if hook:
                hook()
            return value

        for i, wipe in enumerate([lambda: read.invalidate_all(), lambda: K.wipe()] * 50, start=1):

            def change(i=i, wipe=wipe):
                source["value"] = i
                wipe()

            turn["hook"] = change
            read.delete_cache(1)
            read(1)
            assert "hook" not in turn
            assert read(1) == i


# -- stampede protection ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", BACKENDS)
def test_single_flight_threads(kind):
    """W-27 — concurrent misses of one key compute once per process (threads)."""
    with use_cache(kind):
        calls = []
        gate = threading.Event()

        @cache_result()
        def slow(x):
            calls.append(x)
            gate.wait(10)
            return x * 10

        results = []
        start = threading.Barrier(8)

        def call():
            start.wait()
            results.append(slow(3))

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        # Hold the first computation until every thread has had ample time to reach the
        # single flight (a loaded machine can delay a thread's first cache read).
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(1.0)
        gate.set()
        for thread in threads:
            thread.join()
        assert results == [30] * 8
        assert calls == [3]


async def test_single_flight_tasks():
    """Concurrent misses of one key compute once per event loop (tasks)."""
    calls = []

    @cache_result()
    async def slow(x):
        calls.append(x)
        await asyncio.sleep(0.05)
        return x * 10

    assert await asyncio.gather(*(slow(4) for _ in range(10))) == [40] * 10
    assert calls == [4]


@pytest.mark.redis
def test_cross_process_lock_on_redis():
    """On Redis a short lock makes other processes wait for the first computation."""
    with use_cache("redis"):
        from restflow.caching import storage

        calls = []

        @cache_result()
        def compute(x):
            calls.append(x)
            return x

        key, gen_keys = compute._locate((5,), {})
        found = storage.get_many(gen_keys, 1)
        guessed, missing = compute._guess_tokens(found, gen_keys)
        results = storage.run(storage.claim_ops(gen_keys, guessed, missing, None, 0), 1)
        tokens, _ = storage.claim_result(results, guessed, missing, None)
        lock = compute._lock_name(key, tokens)
        # "another process" holds the lock
        assert storage.run([("add", storage.lock_key(lock), 1, 5)], 1) == [True]
        holder_result = {}

        def other_process_finishes():
            time.sleep(0.1)
            compute.refresh(5)  # stores the value, as the lock holder would
            storage.run(storage.store_ops(None, None, None, lock), 1)
            holder_result["done"] = True

        thread = threading.Thread(target=other_process_finishes)
        thread.start()
        assert compute(5) == 5
        thread.join()
        assert calls == [5]  # only the holder computed
        compute.invalidate_all()
        assert compute(5) == 5 and calls == [5, 5]  # a new generation is not held up
        declined = []

        @cache_result(cache_if=lambda result: False)
        def never_stored(x):
            declined.append(x)
            return x

        never_stored(1)
        started = time.monotonic()
        never_stored(1)  # the lock was released
        assert time.monotonic() - started < 1 and declined == [1, 1]


def test_stale_while_revalidate():
    """W-27 — STALE is served while one refresh runs; the refreshed entry records REFRESH."""
    values = iter(range(1, 100))

    @cache_result(ttl=1, stale_ttl=30)
    def value(x):
        return next(values)

    assert value(1) == 1
    key = value.get_cache_key(1)
    from django.core.cache import caches

    stored = caches["default"].get(key)
    stored["metadata"]["fresh_until"] = time.time() - 1
    caches["default"].set(key, stored, 30)
    served, meta = value.get_with_metadata(1)
    assert served == 1 and meta["cache_status"] == CacheStatus.STALE
    deadline = time.time() + 5
    while value.get_cache_only(1) == 1 and time.time() < deadline:
        time.sleep(0.01)
    assert value.get_cache_only(1) == 2
    assert value.get_cached_metadata(1)["cache_status"] == "HIT"
    assert caches["default"].get(key)["metadata"]["cache_status"] == CacheStatus.REFRESH


async def test_stale_while_revalidate_async():
    """Async twin: the stale value is served and one task refreshes it."""
    values = iter(range(1, 100))

    @cache_result(ttl=1, stale_ttl=30)
    async def value(x):
        return next(values)

    assert await value(1) == 1
    from django.core.cache import caches

    key = value.get_cache_key(1)
    stored = caches["default"].get(key)
    stored["metadata"]["fresh_until"] = time.time() - 1
    caches["default"].set(key, stored, 30)
    served, meta = await value.aget_with_metadata(1)
    assert served == 1 and meta["cache_status"] == "STALE"
    for _ in range(100):
        if await value.aget_cache_only(1) == 2:
            break
        await asyncio.sleep(0.01)
    assert await value.aget_cache_only(1) == 2


@pytest.mark.parametrize("kind", BACKENDS)
def test_first_miss_creates_its_tokens_before_computing(kind):
    """A miss of a new partition computes under existing tokens (created by its first
    read on local memory, by its claim elsewhere): an invalidation committed while it
    computes is never overwritten by its result."""
    from restflow.caching import storage

    with use_cache(kind):
        seen = []

        @cache_result(RowKey)
        def compute(row_id):
            _, gen_keys = compute._locate((row_id,), {})
            tokens = storage.get_many(gen_keys, 1)
            seen.append(all(tokens.get(g) is not None for g in gen_keys))
            if len(seen) == 1:
                compute.delete_by_prefix(row_id=row_id)  # an invalidation mid-computation
            return len(seen)

        assert compute(1) == 1
        assert seen == [True]
        assert compute(1) == 2  # the first result was not served after the invalidation
        assert compute(1) == 2


def test_entries_written_before_generations_stay_valid_on_read():
    """A stored entry without generation metadata (an older deployment's) is still a hit:
    the first read creates tokens only for absent entries."""
    from django.core.cache import cache

    from restflow.caching import storage

    with use_cache("locmem"):
        calls = []

        @cache_result(RowKey)
        def compute(row_id):
            calls.append(row_id)
            return "fresh"

        key, gen_keys = compute._locate((7,), {})
        cache.set(key, {"value": "old", "metadata": {"cache_status": "MISS"}}, 60)
        assert compute(7) == "old" and calls == []
        assert storage.get_many(gen_keys, 1) == {}
        assert compute(8) == "fresh" and calls == [8]
