"""Native async access to a Django cache, without Django's ``a*`` wrappers.

Django's ``aget``/``aset``/… run the sync method through ``sync_to_async``, which
serialises every call onto one thread. ``async_cache(cache)`` instead returns an
accessor that:

* talks to Redis through ``redis.asyncio`` for Django's ``RedisCache`` and for
  django-redis' ``DefaultClient`` (same server, same key function, same pickling, so
  entries written by either side are read by the other);
* calls in-memory (``LocMemCache``) backends directly on the loop, since they only take
  a short in-process lock;
* runs every other backend in a worker thread (the database cache on the thread-sensitive
  thread, because it uses the ORM).

The accessor API (all coroutines): ``get``, ``set``, ``add``, ``incr``, ``delete``,
``get_many``, ``set_many``, ``delete_many``, ``batch``. ``incr`` differs from Django's on purpose:
a missing key is created holding ``delta`` and expiring after ``timeout`` (an existing
key keeps its TTL), which is what counters and generation tokens need. The sync
function :func:`incr` gives the same semantics to sync callers.

``batch(cache, ops)`` (and ``await accessor.batch(ops)``) performs several ``get`` /
``set`` / ``add`` / ``delete`` operations in one Redis pipeline (one round trip); other
backends run them one after the other. Each op is a tuple: ``("get", key)``,
``("set", key, value, timeout)``, ``("add", key, value, timeout)``, ``("delete", key)``;
the results are what the single operations return (``None`` for a missing ``get``).

``redis`` is imported only when a Redis backend is used (it is optional for restflow-core).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.connection import ConnectionProxy

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncCacheAccess",
    "async_cache",
    "backend_timeout_ms",
    "batch",
    "get_backend",
    "incr",
    "is_redis_cache",
    "redis_codec",
    "sync_redis_client",
]

# Create-or-increment with a TTL only on creation, atomically on the server.
_INCR_SCRIPT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
"""


def get_backend(cache: Any) -> BaseCache:
    """Unwrap ``django.core.cache.cache`` (a ConnectionProxy) to this thread's backend."""
    if isinstance(cache, ConnectionProxy):
        return cache._connections[cache._alias]
    return cache


def backend_timeout_ms(cache: BaseCache, timeout: Any) -> int | None:
    """``None`` = no expiry; ``0`` or less = already expired (Django semantics)."""
    if timeout is DEFAULT_TIMEOUT:
        timeout = cache.default_timeout
    if timeout is None:
        return None
    return max(0, int(timeout * 1000))


def is_redis_cache(cache: Any) -> bool:
    """True for Django's ``RedisCache`` and django-redis backends."""
    module = type(get_backend(cache)).__module__
    return module.startswith("django_redis") or module == "django.core.cache.backends.redis"


_sync_clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def sync_redis_client(cache: Any) -> Any:
    """The blocking redis-py client of a Redis backend, one per backend (its own pool)."""
    backend: Any = get_backend(cache)
    if type(backend).__module__.startswith("django_redis"):
        return backend.client.get_client(write=True)  # memoised by django-redis
    # Django's RedisCache builds a new client object (on a shared pool) on every call,
    # which costs more than a round trip to a local server: keep one per backend.
    client = _sync_clients.get(backend)
    if client is None:
        client = _sync_clients[backend] = backend._cache.get_client(None, write=True)
    return client


def incr(
    cache: Any, key: str, delta: int = 1, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
) -> int:
    """Add ``delta`` to ``key``; a missing key is created holding ``delta`` with ``timeout``.

    Atomic on Redis (one server-side script); elsewhere ``add`` then ``incr``, retried if
    the key expires in between.
    """
    backend = get_backend(cache)
    if is_redis_cache(backend):
        ttl = backend_timeout_ms(backend, timeout)
        client = sync_redis_client(backend)
        return int(
            client.eval(_INCR_SCRIPT, 1, backend.make_key(key, version=version), delta, ttl or 0)
        )
    while True:
        if backend.add(key, delta, timeout, version=version):
            return delta
        try:
            return backend.incr(key, delta, version=version)
        except ValueError:
            continue


def redis_codec(backend: Any) -> tuple[Any, Any]:
    """The backend's own ``(encode, decode)`` of values, so raw commands stay compatible."""
    if type(backend).__module__.startswith("django_redis"):
        return backend.client.encode, backend.client.decode
    serializer = backend._cache._serializer
    return serializer.dumps, serializer.loads


def _queue(pipe: Any, op: tuple[Any, ...], make_key: Any, ttl: Any, encode: Any) -> None:
    """Put one batch op on a Redis pipeline (sync or asyncio: same queueing API)."""
    kind, key = op[0], make_key(op[1])
    if kind == "get":
        pipe.get(key)
    elif kind == "delete":
        pipe.delete(key)
    else:
        px = ttl(op[3])
        if px == 0:  # already expired: ``set`` deletes, ``add`` only reports
            pipe.delete(key) if kind == "set" else pipe.exists(key)
        else:
            pipe.set(key, encode(op[2]), px=px, nx=kind == "add")


def _unqueue(op: tuple[Any, ...], raw: Any, ttl: Any, decode: Any) -> Any:
    kind = op[0]
    if kind == "get":
        return None if raw is None else decode(raw)
    if kind == "set":
        return True
    if kind == "add" and ttl(op[3]) == 0:
        return not raw
    return bool(raw)


def _apply(backend: Any, op: tuple[Any, ...], version: int | None) -> Any:
    kind = op[0]
    if kind == "get":
        return backend.get(op[1], version=version)
    if kind == "delete":
        return bool(backend.delete(op[1], version=version))
    if kind == "add":
        return bool(backend.add(op[1], op[2], op[3], version=version))
    backend.set(op[1], op[2], op[3], version=version)
    return True


def batch(cache: Any, ops: list[tuple[Any, ...]], version: int | None = None) -> list[Any]:
    """Run ``ops`` in order; on Redis in one pipeline (a single round trip)."""
    backend = get_backend(cache)
    if not ops:
        return []
    if not is_redis_cache(backend):
        return [_apply(backend, op, version) for op in ops]
    encode, decode = redis_codec(backend)

    def make_key(key: str) -> Any:
        return backend.make_key(key, version=version)

    def ttl(timeout: Any) -> int | None:
        return backend_timeout_ms(backend, timeout)

    pipe = sync_redis_client(backend).pipeline(transaction=False)
    for op in ops:
        _queue(pipe, op, make_key, ttl, encode)
    raws = pipe.execute()
    return [_unqueue(op, raw, ttl, decode) for op, raw in zip(ops, raws, strict=True)]


class AsyncCacheAccess:
    """Async access through a worker thread; the base for the native accessors."""

    native = False

    def __init__(self, cache: BaseCache, *, thread_sensitive: bool = False) -> None:
        self.cache = cache
        self._thread_sensitive = thread_sensitive

    def _run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        return sync_to_async(func, thread_sensitive=self._thread_sensitive)(*args, **kwargs)

    async def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return await self._run(self.cache.get, key, default, version=version)

    async def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        await self._run(self.cache.set, key, value, timeout, version=version)

    async def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(await self._run(self.cache.add, key, value, timeout, version=version))

    async def incr(
        self, key: str, delta: int = 1, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> int:
        return int(await self._run(incr, self.cache, key, delta, timeout, version))

    async def delete(self, key: str, version: int | None = None) -> bool:
        return bool(await self._run(self.cache.delete, key, version=version))

    async def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return dict(await self._run(self.cache.get_many, list(keys), version=version))

    async def set_many(
        self, data: Mapping[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        await self._run(self.cache.set_many, dict(data), timeout, version=version)

    async def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        await self._run(self.cache.delete_many, list(keys), version=version)

    async def batch(self, ops: list[tuple[Any, ...]], version: int | None = None) -> list[Any]:
        return list(await self._run(batch, self.cache, ops, version))


class LocMemAccess(AsyncCacheAccess):
    """Calls the in-memory backend directly: it holds its lock for microseconds."""

    native = True

    async def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self.cache.get(key, default, version=version)

    async def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self.cache.set(key, value, timeout, version=version)

    async def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self.cache.add(key, value, timeout, version=version))

    async def incr(
        self, key: str, delta: int = 1, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> int:
        return incr(self.cache, key, delta, timeout, version)

    async def delete(self, key: str, version: int | None = None) -> bool:
        return bool(self.cache.delete(key, version=version))

    async def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self.cache.get_many(list(keys), version=version)

    async def set_many(
        self, data: Mapping[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self.cache.set_many(dict(data), timeout, version=version)

    async def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self.cache.delete_many(list(keys), version=version)

    async def batch(self, ops: list[tuple[Any, ...]], version: int | None = None) -> list[Any]:
        return batch(self.cache, ops, version)


class RedisAccess(AsyncCacheAccess):
    """``redis.asyncio`` client built from the backend's own configuration.

    Keys come from the backend's ``make_key`` (KEY_PREFIX, VERSION, KEY_FUNCTION) and
    values go through the backend's own encoder, so both sides interoperate byte for byte.
    A client is kept per event loop, because asyncio connections belong to one loop.
    """

    native = True

    def __init__(self, cache: BaseCache) -> None:
        super().__init__(cache)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        if type(cache).__module__.startswith("django_redis"):
            client = cache.client
            self._url = client._server[0]
            options = client._options
            self._pool_kwargs = {
                key: options[name]
                for name, key in (
                    ("USERNAME", "username"),
                    ("PASSWORD", "password"),
                    ("SOCKET_TIMEOUT", "socket_timeout"),
                    ("SOCKET_CONNECT_TIMEOUT", "socket_connect_timeout"),
                )
                if options.get(name)
            }
            self._pool_kwargs.update(options.get("CONNECTION_POOL_KWARGS", {}))
            self._encode = client.encode
            self._decode = client.decode
        else:
            backend_client = cache._cache
            self._url = backend_client._servers[0]
            skip = {"parser_class", "connection_class"}
            self._pool_kwargs = {
                k: v for k, v in backend_client._pool_options.items() if k not in skip
            }
            self._encode = backend_client._serializer.dumps
            self._decode = backend_client._serializer.loads

    @property
    def identity(self) -> tuple[Any, ...]:
        """What makes two backends interchangeable: server, pool options and key scheme."""
        options = tuple(sorted((name, repr(value)) for name, value in self._pool_kwargs.items()))
        cache = self.cache
        return (type(cache), self._url, options, cache.key_prefix, cache.version, cache.key_func)

    def client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import redis.asyncio

            pool = redis.asyncio.ConnectionPool.from_url(self._url, **self._pool_kwargs)
            client = redis.asyncio.Redis(connection_pool=pool)
            self._clients[loop] = client
        return client

    def _key(self, key: str, version: int | None) -> str:
        return str(self.cache.make_key(key, version=version))

    def _ttl(self, timeout: Any) -> int | None:
        return backend_timeout_ms(self.cache, timeout)

    async def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        value = await self.client().get(self._key(key, version))
        return default if value is None else self._decode(value)

    async def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        ttl = self._ttl(timeout)
        if ttl == 0:
            await self.delete(key, version)
            return
        await self.client().set(self._key(key, version), self._encode(value), px=ttl)

    async def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        ttl = self._ttl(timeout)
        full = self._key(key, version)
        if ttl == 0:
            return not await self.client().exists(full)
        return bool(await self.client().set(full, self._encode(value), px=ttl, nx=True))

    async def incr(
        self, key: str, delta: int = 1, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> int:
        ttl = self._ttl(timeout) or 0
        return int(await self.client().eval(_INCR_SCRIPT, 1, self._key(key, version), delta, ttl))

    async def delete(self, key: str, version: int | None = None) -> bool:
        return bool(await self.client().delete(self._key(key, version)))

    async def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        keys = list(keys)
        if not keys:
            return {}
        values = await self.client().mget([self._key(key, version) for key in keys])
        pairs = zip(keys, values, strict=True)
        return {key: self._decode(value) for key, value in pairs if value is not None}

    async def set_many(
        self, data: Mapping[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        ttl = self._ttl(timeout)
        if ttl == 0:
            await self.delete_many(data, version)
            return
        async with self.client().pipeline(transaction=False) as pipe:
            for key, value in data.items():
                pipe.set(self._key(key, version), self._encode(value), px=ttl)
            await pipe.execute()

    async def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        full = [self._key(key, version) for key in keys]
        if full:
            await self.client().delete(*full)

    async def batch(self, ops: list[tuple[Any, ...]], version: int | None = None) -> list[Any]:
        if not ops:
            return []

        def make_key(key: str) -> str:
            return self._key(key, version)

        async with self.client().pipeline(transaction=False) as pipe:
            for op in ops:
                _queue(pipe, op, make_key, self._ttl, self._encode)
            raws = await pipe.execute()
        return [
            _unqueue(op, raw, self._ttl, self._decode) for op, raw in zip(ops, raws, strict=True)
        ]


_accessors: weakref.WeakKeyDictionary[BaseCache, AsyncCacheAccess] = weakref.WeakKeyDictionary()
# Django builds a backend object per thread and per async context (one per request under
# ASGI): Redis accessors are shared by configuration so a process keeps one connection pool
# per event loop and server, not one per request.
_redis_accessors: dict[tuple[Any, ...], RedisAccess] = {}


def _build(backend: BaseCache) -> AsyncCacheAccess:
    module = type(backend).__module__
    if module == "django.core.cache.backends.locmem":
        return LocMemAccess(backend)
    if module == "django.core.cache.backends.redis":
        return RedisAccess(backend)
    if module.startswith("django_redis"):
        from django_redis.client import DefaultClient

        # Sharded, sentinel and herd clients change routing or values: keep them exact.
        if type(backend.client) is DefaultClient:
            return RedisAccess(backend)
    if module == "django.core.cache.backends.db":
        return AsyncCacheAccess(backend, thread_sensitive=True)
    return AsyncCacheAccess(backend)


def async_cache(cache: Any) -> AsyncCacheAccess:
    """Return the async accessor of ``cache`` (a backend or ``django.core.cache.cache``).

    Accessors are memoised per backend object, so calling this on every request is cheap;
    Redis accessors are also shared between backends of one configuration.
    """
    backend = get_backend(cache)
    accessor = _accessors.get(backend)
    if accessor is None:
        accessor = _build(backend)
        if isinstance(accessor, RedisAccess):
            accessor = _redis_accessors.setdefault(accessor.identity, accessor)
        _accessors[backend] = accessor
    return accessor
