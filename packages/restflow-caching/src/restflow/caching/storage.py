"""Cache I/O of restflow.caching: generation tokens, fault tolerance, native async.

Every entry key stays byte-identical to caching.md §4.3. Beside the entries live
*generation keys* (``restflow-gen::<prefix>``), one per prefix a wipe can target. A
computation reads the current tokens of its key's prefixes **before** it runs and stores
them in the payload's metadata; a read serves an entry only when the tokens still match
(read in the same ``get_many`` round trip). An invalidation replaces the token with a new
random one after commit, so a value computed from data read before the invalidation can
never be served after it — whatever the interleaving — and a wipe costs one write, on any
backend. A missing token is created before computing, so an evicted generation key makes
its entries miss instead of resurrecting them.

Cache faults never fail a request: reads behave as misses, failed writes are logged, and a
failed invalidation is retried (in the background and before the next read of this
process) until it succeeds or its deadline (the entry TTL) passes.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import random
import threading
import time
from collections.abc import Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.core.cache.backends.locmem import LocMemCache

from restflow.helpers.cache import (
    async_cache,
    backend_timeout_ms,
    batch,
    get_backend,
    is_redis_cache,
    redis_codec,
    sync_redis_client,
)

__all__ = [
    "GEN_KEY_PREFIX",
    "adelete_pattern",
    "backend",
    "delete_pattern",
    "gen_key",
    "new_token",
]

logger = logging.getLogger("restflow.caching")

GEN_KEY_PREFIX = "restflow-gen::"
#: Lifetime of the cross-process computation lock on Redis (seconds).
LOCK_TIMEOUT = 5
#: How often a process waiting for another one's computation looks again (seconds).
LOCK_POLL_INTERVAL = 0.01
_RETRY_INTERVAL = 0.2


_local = threading.local()


def backend() -> Any:
    """This thread's ``default`` cache backend (never the connection proxy).

    Memoised per thread; a settings change (``override_settings(CACHES=...)``) replaces
    Django's connection store, which invalidates the memo.
    """
    store = caches._connections
    memo = getattr(_local, "memo", None)
    if memo is not None and memo[0] is store:
        return memo[1]
    cache = get_backend(default_cache)
    _local.memo = (store, cache)
    return cache


def gen_key(prefix: str) -> str:
    return GEN_KEY_PREFIX + prefix


def lock_key(key: str) -> str:
    return f"restflow-lock::{key}"


class _TokenSource(random.Random):
    """A private generator seeded from the OS entropy source, reseeded in forked children.

    Never the ``random`` module's shared state: code that seeds it (test tools, libraries)
    or forked workers would repeat tokens, and a repeated token resurrects stale entries.
    Not ``SystemRandom`` either: tokens need uniqueness, not secrecy, and a system call
    per miss and per invalidation costs more than the rest of creating the token.
    """

    def __init__(self) -> None:
        super().__init__(os.urandom(32))
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        self.seed(os.urandom(32))


_tokens = _TokenSource()


def new_token() -> int:
    """A fresh, odd 62-bit generation token (unique across processes and forks)."""
    return _tokens.getrandbits(62) | 1


# ---------------------------------------------------------------------------
# reads


def _key_maker(cache: Any, version: int) -> Any:
    """``cache.make_key`` at ``version``; with Django's default key function, one string
    concatenation instead of two calls per key."""
    if cache.key_func is default_key_func:
        prefix = f"{cache.key_prefix}:{version}:"
        return prefix.__add__
    return functools.partial(cache.make_key, version=version)


def _locmem_get_many(
    cache: LocMemCache, keys: list[str], version: int, claim: bool = False
) -> dict[str, Any]:
    # One lock round for all keys and no per-key validation: the hit path reads 2-3 keys.
    make_key = _key_maker(cache, version)
    fulls = [make_key(key) for key in keys]
    found: dict[str, bytes] = {}
    created: dict[str, int] = {}
    store, expiry = cache._cache, cache._expire_info
    with cache._lock:
        now = time.time()
        for key, full in zip(keys, fulls):  # noqa: B905 - same length
            pickled = store.get(full)
            if pickled is None:
                continue
            exp = expiry.get(full, -1)
            if exp is not None and exp <= now:
                continue
            store.move_to_end(full, last=False)
            found[key] = pickled
        if claim and keys[0] not in found:
            # A certain miss: create its missing generation tokens now, as the claim would
            # right after (never for a present entry, which may predate generations).
            for key, full in zip(keys[1:], fulls[1:]):  # noqa: B905 - same length
                if key not in found:
                    created[key] = token = new_token()
                    cache._set(full, pickle.dumps(token, cache.pickle_protocol), None)
    values = {key: pickle.loads(value) for key, value in found.items()}
    if created:
        values.update(created)
    return values


def _locmem_run(cache: LocMemCache, ops: list[tuple[Any, ...]], version: int) -> list[Any]:
    """A batch of ops under one lock round, without Django's per-call key validation
    (memcached warnings only); values are pickled before and unpickled after the lock."""
    make_key = _key_maker(cache, version)
    protocol = cache.pickle_protocol
    prepared: list[tuple[str, str, bytes | None, Any]] = []
    for op in ops:
        kind = op[0]
        if kind == "get" or kind == "delete":
            prepared.append((kind, make_key(op[1]), None, None))
        else:
            prepared.append((kind, make_key(op[1]), pickle.dumps(op[2], protocol), op[3]))
    results: list[Any] = []
    store, expiry = cache._cache, cache._expire_info
    with cache._lock:
        now = time.time()
        for kind, full, pickled, timeout in prepared:
            if kind == "get":
                value = store.get(full)
                exp = expiry.get(full, -1)
                if value is not None and (exp is None or exp > now):
                    store.move_to_end(full, last=False)
                    results.append(value)
                else:
                    results.append(None)
            elif kind == "delete":
                results.append(cache._delete(full))
            elif kind == "add" and not cache._has_expired(full):
                results.append(False)
            else:
                cache._set(full, pickled, timeout)
                results.append(True)
    for index, item in enumerate(prepared):
        if item[0] == "get" and results[index] is not None:
            results[index] = pickle.loads(results[index])
    return results


def get_many(keys: list[str], version: int, claim: bool = False) -> dict[str, Any] | None:
    """Values found, or ``None`` when the cache cannot be read (treated as a miss).

    ``claim`` (the first read of a call: ``[entry, *generation keys]``): on local memory,
    an absent entry's missing generation tokens are created in the same lock round, so
    the miss needs no separate claim (elsewhere the claim stays its own round trip, where
    it also takes the cross-process lock).
    """
    try:
        cache = backend()
        if type(cache) is LocMemCache:
            return _locmem_get_many(cache, keys, version, claim)
        if uses_process_lock():  # Redis: one pipeline on a kept client
            values = batch(cache, [("get", key) for key in keys], version)
            return {
                key: value for key, value in zip(keys, values, strict=True) if value is not None
            }
        return cache.get_many(keys, version=version)
    except Exception as exc:
        logger.warning("restflow cache read failed (%s): %s", keys[0], exc)
        return None


async def aget_many(keys: list[str], version: int, claim: bool = False) -> dict[str, Any] | None:
    try:
        cache = backend()
        if type(cache) is LocMemCache:
            return _locmem_get_many(cache, keys, version, claim)
        return await async_cache(cache).get_many(keys, version=version)
    except Exception as exc:
        logger.warning("restflow cache read failed (%s): %s", keys[0], exc)
        return None


# ---------------------------------------------------------------------------
# writes: batches of ``get``/``set``/``add``/``delete`` ops (one Redis pipeline each)
#
# A Redis miss costs three round trips: the read, the *claim* and the *store*. The claim
# creates missing tokens with ``add`` and reads them back in the same pipeline, and takes
# the lock under the *guessed* tokens (existing ones plus the candidates of missing
# ones); when another caller created a token first, the tokens read back are the real
# ones and the caller retakes the lock. The store writes the entry and releases the lock.


def run(ops: list[tuple[Any, ...]], version: int) -> list[Any]:
    """Perform ``ops`` (see ``restflow.helpers.cache.batch``); raises on cache faults."""
    cache = backend()
    if type(cache) is LocMemCache:
        return _locmem_run(cache, ops, version)
    if len(ops) == 1 and ops[0][0] in ("set", "delete") and uses_process_lock():
        return [_redis_write(cache, ops[0], version)]
    return batch(cache, ops, version)


def _redis_write(cache: Any, op: tuple[Any, ...], version: int) -> bool:
    """One ``set``/``delete`` (an invalidation's bump, a lock release) as one command, with
    the client, key and encoding ``batch`` uses: a pipeline for a single command costs a
    pipeline object and its bookkeeping, as much CPU as a local round trip."""
    client = sync_redis_client(cache)
    key = cache.make_key(op[1], version=version)
    if op[0] == "delete":
        return bool(client.delete(key))
    px = backend_timeout_ms(cache, op[3])
    if px == 0:  # already expired
        client.delete(key)
    else:
        client.set(key, redis_codec(cache)[0](op[2]), px=px)
    return True


async def arun(ops: list[tuple[Any, ...]], version: int) -> list[Any]:
    cache = backend()
    if type(cache) is LocMemCache:
        return _locmem_run(cache, ops, version)
    return await async_cache(cache).batch(ops, version)


def claim_ops(
    gen_keys: list[str], guessed: list[Any], missing: list[int], lock: str | None, timeout: float
) -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = []
    for index in missing:
        ops += [("add", gen_keys[index], guessed[index], None), ("get", gen_keys[index])]
    if lock is not None:
        ops.append(("add", lock_key(lock), 1, timeout))
    return ops


def claim_result(
    results: list[Any] | None, guessed: list[Any], missing: list[int], lock: str | None
) -> tuple[list[Any] | None, bool]:
    """``(tokens, lock acquired)``; tokens ``None`` when the cache is down (fail open)."""
    if results is None:
        return None, True
    tokens = list(guessed)
    for n, index in enumerate(missing):
        tokens[index] = results[2 * n + 1]
    if None in tokens:
        return None, True
    return tokens, bool(results[-1]) if lock is not None else False


def store_ops(
    key: str | None, value: Any, timeout: Any, unlock: str | None
) -> list[tuple[Any, ...]]:
    """Write the entry (when ``key``) and release the lock ``unlock`` (when given)."""
    ops: list[tuple[Any, ...]] = []
    if key is not None:
        ops.append(("set", key, value, timeout))
    if unlock is not None:
        ops.append(("delete", lock_key(unlock)))
    return ops


def set_value(key: str, value: Any, timeout: Any, version: int) -> bool:
    """One write from sync code that is not a core step (a rendered template response)."""
    try:
        run(store_ops(key, value, timeout, None), version)
        return True
    except Exception as exc:
        logger.warning("restflow cache write failed (%s): %s", key, exc)
        return False


async def aset_value(key: str, value: Any, timeout: Any, version: int) -> bool:
    try:
        await arun(store_ops(key, value, timeout, None), version)
        return True
    except Exception as exc:
        logger.warning("restflow cache write failed (%s): %s", key, exc)
        return False


def has_delete_pattern() -> bool:
    """Whether the backend can drop keys by pattern (``delete_pattern``/``adelete_pattern``)."""
    cache = backend()
    return (
        getattr(cache, "delete_pattern", None) is not None
        or getattr(cache, "adelete_pattern", None) is not None
    )


def delete_pattern(pattern: str, version: int) -> Any:
    """Physically drop keys matching ``pattern`` where the backend can; else ``None``."""
    cache = backend()
    method = getattr(cache, "delete_pattern", None)
    if method is None:
        return None
    try:
        return method(pattern, version=version)
    except Exception as exc:
        logger.warning("restflow cache delete_pattern failed (%s): %s", pattern, exc)
        return None


async def adelete_pattern(pattern: str, version: int) -> Any:
    cache = backend()
    amethod = getattr(cache, "adelete_pattern", None)
    try:
        if amethod is not None:
            return await amethod(pattern, version=version)
        if getattr(cache, "delete_pattern", None) is not None:
            # django-redis has no async variant: never block the loop (W-13).
            return await sync_to_async(cache.delete_pattern, thread_sensitive=False)(
                pattern, version=version
            )
    except Exception as exc:
        logger.warning("restflow cache delete_pattern failed (%s): %s", pattern, exc)
    return None


# ---------------------------------------------------------------------------
# generation tokens: invalidation and its retries


class _RetryQueue(dict[tuple[str, int], float | None]):
    """Invalidations that could not reach the cache, retried until done or expired.

    The pending items are the dict itself (``(key, version) → deadline``), so the check on
    every read (``if retry_queue``) is a plain truth test, not a method call.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, key: str, version: int, deadline: float | None) -> None:
        with self._lock:
            current = self.get((key, version), 0.0)
            if current is None or deadline is None:
                self[(key, version)] = None
            else:
                self[(key, version)] = max(current, deadline)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="restflow-cache-retry", daemon=True
                )
                self._thread.start()

    def blocks(self, keys: list[str], version: int) -> bool:
        """True when an invalidation of one of ``keys`` is still pending: do not serve."""
        return any((key, version) in self for key in keys)

    def flush(self) -> bool:
        """Try every pending invalidation once; True when none is left."""
        with self._lock:
            items = list(self.items())
        now = time.time()
        for (key, version), deadline in items:
            if deadline is not None and deadline < now:
                self._discard(key, version)
                continue
            try:
                backend().set(key, new_token(), None, version=version)
            except Exception:
                continue
            self._discard(key, version)
        return not self

    def _discard(self, key: str, version: int) -> None:
        with self._lock:
            self.pop((key, version), None)

    def _run(self) -> None:
        while not self.flush():
            time.sleep(_RETRY_INTERVAL)


retry_queue = _RetryQueue()


def bump_ops(prefixes: Iterable[str]) -> list[tuple[Any, ...]]:
    """A new random generation for each prefix."""
    return [("set", GEN_KEY_PREFIX + prefix, new_token(), None) for prefix in prefixes]


def bump_failed(ops: list[tuple[Any, ...]], version: int, ttl: float | None, exc: Any) -> None:
    """Queue the generations of a failed bump for retry until ``ttl`` passes."""
    deadline = None if ttl is None else time.time() + ttl
    for op in ops:
        logger.warning("restflow cache invalidation failed, will retry (%s): %s", op[1], exc)
        retry_queue.add(op[1], version, deadline)


def flush_retries() -> None:
    if retry_queue:
        retry_queue.flush()


async def aflush_retries() -> None:
    if retry_queue:
        await sync_to_async(retry_queue.flush, thread_sensitive=False)()


_redis_types: dict[type, bool] = {}


def uses_process_lock() -> bool:
    """The cross-process computation lock is taken on Redis only."""
    cache = backend()
    found = _redis_types.get(type(cache))
    if found is None:
        found = _redis_types[type(cache)] = is_redis_cache(cache)
    return found
