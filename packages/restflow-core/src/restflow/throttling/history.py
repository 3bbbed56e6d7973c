"""Atomic sliding-window request logs for rate throttles (stack.md §4.3).

A throttle decision is a read-modify-write of the request history of one key. Done naively
(get, then set) concurrent requests all read the same history and are all admitted. Here
the whole decision is one atomic step:

* Redis (Django's ``RedisCache``, django-redis' default client): a server-side script over a
  sorted set, so the count is exact across every process and server sharing the Redis
  database. The async path talks ``redis.asyncio`` (through :mod:`restflow.helpers.cache`);
  no thread hop. django-redis' sharded/sentinel/herd clients take the generic path below.
* Local memory: the history list is read and written under a per-key lock, directly on the
  event loop (microseconds, no I/O) and with the same lock from worker threads.
* Any other backend: the same locked read-modify-write, run in a worker thread; exact within
  one process, not across processes (use Redis for that).

Sync and async paths of one backend use the same storage, so they share counters.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import zlib
from typing import Any

from asgiref.sync import sync_to_async

from restflow.helpers.cache import RedisAccess, async_cache, get_backend, sync_redis_client

# One Lua script: evict expired entries, admit when under the limit, return the history.
_HIT_SCRIPT = """
local now = tonumber(ARGV[1])
local duration = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local allowed = 0
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
    redis.call('PEXPIRE', KEYS[1], math.ceil(duration * 1000))
    allowed = 1
end
local entries = redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local scores = {}
for i = 2, #entries, 2 do
    scores[#scores + 1] = entries[i]
end
return {allowed, scores}
"""

_HIT_SHA = hashlib.sha1(_HIT_SCRIPT.encode()).hexdigest()

# Suffix of the sorted-set keys on Redis: a different value type must not share a key with
# the list-valued entries DRF's own throttles store.
REDIS_KEY_SUFFIX = ":log"

_STRIPES = [threading.Lock() for _ in range(64)]


def _lock(key: str) -> threading.Lock:
    return _STRIPES[zlib.crc32(key.encode()) % len(_STRIPES)]


def _decide(
    history: list[float], now: float, duration: int, limit: int
) -> tuple[bool, list[float]]:
    """DRF's sliding-window rule on a newest-first list of timestamps (updated in place)."""
    cutoff = now - duration
    while history and history[-1] <= cutoff:
        history.pop()
    if len(history) >= limit:
        return False, history
    history.insert(0, now)
    return True, history


def _hit_locked(
    cache: Any, key: str, now: float, duration: int, limit: int
) -> tuple[bool, list[float]]:
    with _lock(key):
        allowed, history = _decide(list(cache.get(key, ())), now, duration, limit)
        if allowed:
            cache.set(key, history, duration)
    return allowed, history


def _redis_result(result: Any) -> tuple[bool, list[float]]:
    allowed, scores = result
    return bool(allowed), [float(score) for score in scores]


def _redis_args(backend: Any, key: str, now: float, duration: int, limit: int) -> tuple[Any, ...]:
    """``KEYS``/``ARGV`` of the script; the member is unique so equal timestamps both count."""
    member = f"{now!r}:{uuid.uuid4().hex}"
    return (1, backend.make_key(key) + REDIS_KEY_SUFFIX, repr(now), duration, limit, member)


def _is_missing_script(error: Exception) -> bool:
    from redis.exceptions import NoScriptError

    return isinstance(error, NoScriptError)


def _redis_hit(client: Any, args: tuple[Any, ...]) -> Any:
    # EVALSHA sends 40 bytes instead of the script; the server loads it once per restart.
    try:
        return client.evalsha(_HIT_SHA, *args)
    except Exception as error:
        if not _is_missing_script(error):
            raise
        return client.eval(_HIT_SCRIPT, *args)


async def _aredis_hit(client: Any, args: tuple[Any, ...]) -> Any:
    try:
        return await client.evalsha(_HIT_SHA, *args)
    except Exception as error:
        if not _is_missing_script(error):
            raise
        return await client.eval(_HIT_SCRIPT, *args)


def hit(cache: Any, key: str, now: float, duration: int, limit: int) -> tuple[bool, list[float]]:
    """Record a request at ``now`` unless ``limit`` requests happened in the last ``duration``
    seconds; return ``(admitted, history newest first)``."""
    backend = get_backend(cache)
    if isinstance(async_cache(backend), RedisAccess):
        args = _redis_args(backend, key, now, duration, limit)
        return _redis_result(_redis_hit(sync_redis_client(backend), args))
    return _hit_locked(backend, key, now, duration, limit)


async def ahit(
    cache: Any, key: str, now: float, duration: int, limit: int
) -> tuple[bool, list[float]]:
    """Async twin of :func:`hit` (same storage, same decision)."""
    backend = get_backend(cache)
    access = async_cache(backend)
    if isinstance(access, RedisAccess):
        args = _redis_args(backend, key, now, duration, limit)
        return _redis_result(await _aredis_hit(access.client(), args))
    if access.native:
        # In-memory: the locked read-modify-write never waits on I/O.
        return _hit_locked(backend, key, now, duration, limit)
    thread_sensitive = type(backend).__module__ == "django.core.cache.backends.db"
    return await sync_to_async(hit, thread_sensitive=thread_sensitive)(
        cache, key, now, duration, limit
    )
