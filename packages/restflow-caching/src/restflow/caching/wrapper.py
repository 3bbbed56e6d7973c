"""``@cache_result`` and the cached-function wrappers (caching.md §5).

One algorithm drives both worlds: every operation (hit, miss, single flight, the
cross-process lock, store, refresh, deletes) is a generator that yields the cache steps it
needs, and ``_run_sync`` / ``_run_async`` perform those steps with blocking or native async
I/O. The sync and async paths differ only in how a step is performed, never in what the
algorithm does (so they cannot drift apart).
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import inspect
import threading
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.template.response import SimpleTemplateResponse

from restflow.caching import storage
from restflow.caching.constants import (
    CACHE_MISSING,
    CACHED_DATA_METADATA_KEY,
    CACHED_DATA_VALUE_KEY,
    METADATA_CACHE_STATUS,
    METADATA_CACHED_AT_KEY,
    METADATA_FRESH_UNTIL_KEY,
    METADATA_GENERATIONS_KEY,
    METADATA_RESET_AT_KEY,
    CacheStatus,
)
from restflow.caching.key_constructor import (
    DefaultKeyConstructor,
    InlineKeyConstructor,
    KeyConstructor,
    glob_escape,
)
from restflow.caching.key_fields import ArgsKeyField, signature_of
from restflow.helpers.steps import adrive, drive

if TYPE_CHECKING:
    from restflow.caching.rules import InvalidationRule

__all__ = [
    "AsyncCachedWrapper",
    "CachedWrapper",
    "SyncCachedWrapper",
    "cache_result",
    "set_response_cache_header",
]

F = TypeVar("F", bound=Callable[..., Any])
TTL = int | None | Callable[..., Any]

HIT, STALE, MISS = "hit", "stale", "miss"

# The steps a cache core yields to its driver (see ``CachedWrapper._run_sync``).
READ, BATCH, PRODUCE, RESOLVE, RENDER = "read", "batch", "produce", "resolve", "render"
JOIN, LAND, REVALIDATE, FLUSH, SLEEP, PATTERN = (
    "join",
    "land",
    "revalidate",
    "flush",
    "sleep",
    "pattern",
)
Steps = Generator[tuple[Any, ...], Any, Any]


_use_tz: list[bool] = []


def _now() -> datetime.datetime:
    """``django.utils.timezone.now()`` with ``USE_TZ`` read once per settings state."""
    if not _use_tz:
        _use_tz.append(bool(settings.USE_TZ))
    return datetime.datetime.now(datetime.timezone.utc if _use_tz[0] else None)


def _reset_use_tz(*, setting: str, **kwargs: Any) -> None:
    if setting == "USE_TZ":
        _use_tz.clear()


setting_changed.connect(_reset_use_tz)


def set_response_cache_header(response: Any, metadata: dict[str, Any] | None) -> Any:
    """Copy cache metadata onto ``X-Cached-at`` / ``X-Cache-reset-at`` / ``X-Cache-status``."""
    if not metadata:
        return response
    cached_at = metadata.get(METADATA_CACHED_AT_KEY)
    if cached_at:
        response["X-Cached-at"] = cached_at
    reset_at = metadata.get(METADATA_RESET_AT_KEY)
    if reset_at:
        response["X-Cache-reset-at"] = reset_at
    status = metadata.get(METADATA_CACHE_STATUS)
    if status:
        response["X-Cache-status"] = str(getattr(status, "value", status))
    return response


def resolve_key_constructor(key_constructor: Any) -> KeyConstructor:
    if isinstance(key_constructor, KeyConstructor):
        return key_constructor
    if isinstance(key_constructor, type) and issubclass(key_constructor, KeyConstructor):
        return key_constructor()
    if isinstance(key_constructor, dict):
        return InlineKeyConstructor(**key_constructor)()
    raise ValueError("Invalid KeyConstructor")


@functools.lru_cache(maxsize=1024)
def _takes_result_only(func: Callable[..., Any]) -> bool:
    try:
        params = list(signature_of(func).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    has_var = any(p.kind is p.VAR_POSITIONAL for p in params)
    return len(positional) == 1 and not has_var and len(params) == 1


def call_hook(hook: Callable[..., Any], result: Any, args: tuple, kwargs: dict) -> Any:
    """``hook(result, *args, **kwargs)``, or ``hook(result)`` for one-parameter hooks (W-14)."""
    try:
        result_only = _takes_result_only(hook)
    except TypeError:  # unhashable callable
        result_only = False
    if result_only:
        return hook(result)
    return hook(result, *args, **kwargs)


# Single flight: concurrent misses of one key (under the same generations) compute once.
# A flight's event is created by its first follower only: most misses have none.
_flights: dict[tuple[Any, ...], threading.Event | None] = {}
_flights_lock = threading.Lock()
_aflights: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], asyncio.Future[None]]
] = weakref.WeakKeyDictionary()
_background_tasks: set[asyncio.Task[Any]] = set()


class CachedWrapper:
    """A function whose results live in the Django ``default`` cache.

    Calls build a key with the key constructor and serve a stored value when its
    generation tokens are current; ``invalidates_on`` rules drop entries on model
    changes. See the class methods for cache-only access (``get_cache_only``,
    ``refresh``, ``delete_by_prefix`` …) and their ``a``-prefixed async twins.
    """

    is_cached_function = True
    is_async = False
    __qualname__: str

    def __init__(
        self,
        func: Callable[..., Any],
        key_constructor: Any = DefaultKeyConstructor,
        ttl: TTL = 3600,
        invalidates_on: list[InvalidationRule] | None = None,
        cache_if: Callable[..., Any] | None = None,
        cache_unless: Callable[..., Any] | None = None,
        *,
        stale_ttl: int | None = None,
    ) -> None:
        self.func = func
        self.key_constructor = resolve_key_constructor(key_constructor)
        self.ttl = ttl
        self.cache_if = cache_if
        self.cache_unless = None if cache_if is not None else cache_unless
        self.stale_ttl = stale_ttl
        self.invalidates_on = list(invalidates_on or [])
        functools.update_wrapper(self, func)  # type: ignore[arg-type]
        self._version = self.key_constructor.get_version()
        self._self_checked = False
        type(self.key_constructor).register_wrapper(self)
        self._register_rules()

    def _register_rules(self) -> None:
        if not self.invalidates_on:
            return
        from restflow.caching.registry import CacheRegister

        params = list(signature_of(self.func).parameters)
        for rule in self.invalidates_on:
            if params and not rule.field_mapping and rule.invalidator is None:
                names = ",".join(f"`{name}`" for name in params)
                raise ValueError(
                    f"Invalidation rule for function with parameters {names} must declare "
                    "either `field_mapping=` or `invalidator=`."
                )
        for rule in self.invalidates_on:
            CacheRegister.add(model=rule.model, func=self, invalidation_rule=rule)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.__module__}.{self.__qualname__}>"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        bound = BoundCachedWrapper(self, instance)  # type: ignore[arg-type]  # callable
        if self.is_async:
            markcoroutinefunction(bound)
        return bound

    # -- pure steps shared by both worlds ---------------------------------------

    def get_key_version(self) -> int:
        return self._version

    def get_cache_key(self, *args: Any, **kwargs: Any) -> str:
        return self._locate(args, kwargs)[0]

    def _locate(self, args: tuple, kwargs: dict) -> tuple[str, list[str]]:
        if not self._self_checked:
            self._check_self_identity(args)
        key, chain = self.key_constructor.locate(self.func, args, kwargs)
        gen = storage.GEN_KEY_PREFIX
        return key, [gen + prefix for prefix in chain]

    def _check_self_identity(self, args: tuple) -> None:
        """Warn when a method's key holds ``str(self)`` with a memory address (W-9)."""
        self._self_checked = True
        params = list(signature_of(self.func).parameters)
        if not (args and params and params[0] == "self"):
            return
        owner = type(args[0])
        if owner.__str__ is not object.__str__ or owner.__repr__ is not object.__repr__:
            return
        for field in self.key_constructor.fields.values():
            names = getattr(field, "arguments", None)
            if (
                isinstance(field, ArgsKeyField)
                and "self" not in field.SKIP
                and not field.path
                and (
                    names == "*"
                    or names == "self"
                    or (isinstance(names, (list, tuple)) and "self" in names)
                )
            ):
                warnings.warn(
                    f"{self.__qualname__}: the cache key contains str(self), which holds a "
                    "memory address: one entry per instance, never shared. Key methods with "
                    "ViewKwargsKeyField, RequestValueKeyField or explicit ArgsKeyField fields.",
                    stacklevel=4,
                )
                return

    def _ttl_seconds(self) -> float | None:
        """Upper bound for retrying a failed invalidation (``None``: until it succeeds)."""
        return self.ttl if isinstance(self.ttl, int) and self.ttl > 0 else None

    def _judge(
        self,
        found: dict[str, Any] | None,
        key: str,
        gen_keys: list[str],
        want_metadata: bool = True,
    ) -> tuple[str, Any, Any]:
        """Decide what the cache returned: (HIT | STALE | MISS, value, metadata)."""
        if not found:
            return MISS, CACHE_MISSING, None
        data = found.get(key, CACHE_MISSING)
        if data is CACHE_MISSING:
            return MISS, CACHE_MISSING, None
        if not (isinstance(data, dict) and CACHED_DATA_VALUE_KEY in data):
            return HIT, data, None  # a foreign value under our key
        stored = data.get(CACHED_DATA_METADATA_KEY) or {}
        generations = stored.get(METADATA_GENERATIONS_KEY)
        current = [found.get(g) for g in gen_keys]
        if generations is None:
            valid = all(token is None for token in current)  # written before generations
        else:
            valid = None not in current and generations == current
        if not valid or (
            storage.retry_queue and storage.retry_queue.blocks(gen_keys, self._version)
        ):
            return MISS, CACHE_MISSING, None
        fresh_until = stored.get(METADATA_FRESH_UNTIL_KEY)
        state = STALE if fresh_until is not None and time.time() > fresh_until else HIT
        if not want_metadata and state is HIT:
            return HIT, data[CACHED_DATA_VALUE_KEY], None
        metadata = dict(stored)
        metadata[METADATA_CACHE_STATUS] = (
            CacheStatus.STALE.value if state is STALE else CacheStatus.HIT.value
        )
        return state, data[CACHED_DATA_VALUE_KEY], metadata

    def _payload(
        self,
        value: Any,
        timeout: Any,
        tokens: list[Any] | None,
        status: str = CacheStatus.MISS.value,
    ) -> tuple[dict[str, Any], Any]:
        """The stored dict and the backend timeout (longer when stale entries are kept)."""
        now = _now()
        metadata: dict[str, Any] = {
            METADATA_CACHED_AT_KEY: now.isoformat(),
            METADATA_RESET_AT_KEY: (now + datetime.timedelta(seconds=timeout)).isoformat()
            if timeout
            else None,
            METADATA_CACHE_STATUS: status,
        }
        if tokens is not None:
            metadata[METADATA_GENERATIONS_KEY] = tokens
        backend_timeout = timeout
        if self.stale_ttl and timeout:
            metadata[METADATA_FRESH_UNTIL_KEY] = time.time() + timeout
            backend_timeout = timeout + self.stale_ttl
        return {CACHED_DATA_VALUE_KEY: value, CACHED_DATA_METADATA_KEY: metadata}, backend_timeout

    def _check_sync_hook(self, value: Any, what: str) -> Any:
        if inspect.isawaitable(value):
            close = getattr(value, "close", None)
            if close:
                close()
            raise TypeError(
                f"async {what} detected on sync-wrapped function '{self.func.__name__}'. "
                f"Make the wrapped function async or use a sync {what}."
            )
        return value

    def _should_cache(self, result: Any, args: tuple, kwargs: dict) -> Any:
        """The predicate's verdict; may be an awaitable (checked by the caller)."""
        if self.cache_if is not None:
            return call_hook(self.cache_if, result, args, kwargs)
        if self.cache_unless is not None:
            verdict = call_hook(self.cache_unless, result, args, kwargs)
            if inspect.isawaitable(verdict):
                return _negate(verdict)
            return not verdict
        return True

    def _timeout(self, result: Any, args: tuple, kwargs: dict) -> Any:
        if callable(self.ttl):
            return call_hook(self.ttl, result, args, kwargs)
        return self.ttl

    # Hooks the response wrapper overrides.
    def _to_store(self, result: Any) -> Any:
        return result

    def _from_store(self, value: Any, args: tuple, kwargs: dict) -> Any:
        return value

    # -- pieces of the miss path -------------------------------------------------

    @staticmethod
    def _guess_tokens(found: dict[str, Any], gen_keys: list[str]) -> tuple[list[Any], list[int]]:
        """Current tokens with a fresh candidate for each missing one, and their indexes."""
        guessed = [found.get(g) for g in gen_keys]
        if None not in guessed:
            return guessed, []
        missing = [index for index, token in enumerate(guessed) if token is None]
        for index in missing:
            guessed[index] = storage.new_token()
        return guessed, missing

    def _lock_name(self, key: str, tokens: list[Any]) -> str:
        """The cross-process lock of one computation, per key and generation."""
        return f"{key}::{'-'.join(map(str, tokens))}"

    def _lock_timeout(self) -> int:
        ttl = self.ttl if isinstance(self.ttl, int) and self.ttl > 0 else storage.LOCK_TIMEOUT
        return min(storage.LOCK_TIMEOUT, ttl)

    def _storable(self, result: Any, args: tuple, kwargs: dict) -> bool:
        """Whether ``result`` may be cached at all (before the user's predicate)."""
        return True

    def _entry(
        self, result: Any, key: str, tokens: list[Any] | None, status: str, timeout: Any
    ) -> tuple[Any, tuple[str, Any, Any] | None]:
        """The metadata of a stored result and its ``(key, payload, timeout)`` write.

        An unrendered template response is written by a post-render callback instead.
        """
        if isinstance(result, SimpleTemplateResponse) and not result.is_rendered:
            payload, _ = self._payload(None, timeout, tokens, status)

            def write_rendered(response: Any) -> None:
                self._write_deferred(key, response, timeout, tokens, status)

            result.add_post_render_callback(write_rendered)
            return payload[CACHED_DATA_METADATA_KEY], None
        payload, backend_timeout = self._payload(self._to_store(result), timeout, tokens, status)
        write = (key, payload, backend_timeout) if tokens is not None else None
        return payload[CACHED_DATA_METADATA_KEY], write

    def _write_deferred(
        self, key: str, response: Any, timeout: Any, tokens: Any, status: str
    ) -> None:
        """Store a template response once rendered, never blocking a running loop (W-13)."""
        payload, backend_timeout = self._payload(response, timeout, tokens, status)
        if tokens is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            storage.set_value(key, payload, backend_timeout, self._version)
            return
        task = loop.create_task(storage.aset_value(key, payload, backend_timeout, self._version))
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)

    # -- the one core: generators of steps, run by the sync and the async driver ----
    #
    # Every algorithm below is written once. It *yields* the I/O it needs (a tuple whose
    # first item names the step) and receives the result; a failing step is thrown back
    # into it, so its ``try``/``finally`` blocks run on either path. ``_run_sync`` performs
    # the steps with blocking calls, ``_run_async`` with native async ones.

    def _get_steps(
        self,
        args: tuple,
        kwargs: dict,
        key: str,
        gen_keys: list[str],
        found: Any,
        judged: tuple[str, Any, Any],
    ) -> Steps:
        """A call after its first read (done by the driver: a hit needs nothing more)."""
        state, value, metadata = judged
        if state is MISS:
            return (yield from self._miss_steps(args, kwargs, key, gen_keys, found))
        if state is STALE:
            yield (REVALIDATE, args, kwargs, key)
        return self._from_store(value, args, kwargs), metadata

    def _miss_steps(
        self, args: tuple, kwargs: dict, key: str, gen_keys: list[str], found: Any
    ) -> Steps:
        if found is None:  # cache unreachable: just compute
            return (yield from self._compute_steps(args, kwargs, key, None))
        guessed, missing = self._guess_tokens(found, gen_keys)
        # One flight per entry key, whatever tokens each caller read or guessed (concurrent
        # first misses guess different tokens); a follower re-reads and judges the tokens
        # itself, so waiting on a flight of an older generation never serves stale data.
        flight_key = (key, self._version)
        if not (yield (JOIN, flight_key)):  # another caller of this process computed it
            found = yield (READ, [key, *gen_keys])
            state, value, metadata = self._judge(found, key, gen_keys)
            if state is not MISS:
                return self._from_store(value, args, kwargs), metadata
            return (yield from self._compute_steps(args, kwargs, key, guessed))
        try:
            lock = self._lock_name(key, guessed) if storage.uses_process_lock() else None
            if lock is None and not missing:  # tokens known (local memory): nothing to claim
                return (yield from self._compute_steps(args, kwargs, key, guessed))
            claim = storage.claim_ops(
                gen_keys, guessed, missing, lock, self._lock_timeout() if lock else 0
            )
            try:
                results = (yield (BATCH, claim, self._version)) if claim else []
            except Exception as exc:
                storage.logger.warning("restflow cache generation read failed (%s): %s", key, exc)
                results = None
            tokens, acquired = storage.claim_result(results, guessed, missing, lock)
            if tokens is None or lock is None:
                return (yield from self._compute_steps(args, kwargs, key, tokens))
            if tokens != guessed:  # another caller created a token first
                if acquired:
                    yield from self._release_steps(lock)
                lock, acquired = self._lock_name(key, tokens), False
            if not acquired:
                served = yield from self._wait_steps(key, gen_keys, args, kwargs, lock)
                if served is not None:
                    return served
            try:
                # The store releases the lock in its own round trip: always released,
                # since the same generation may need recomputing soon (an exact-key
                # delete, a short TTL) and waiters would stall.
                return (yield from self._compute_steps(args, kwargs, key, tokens, unlock=lock))
            except BaseException:
                yield from self._release_steps(lock)
                raise
        finally:
            yield (LAND, flight_key)

    def _wait_steps(
        self, key: str, gen_keys: list[str], args: tuple, kwargs: dict, lock: str
    ) -> Steps:
        """Take the short cross-process lock, or wait for its holder's result."""
        timeout = self._lock_timeout()
        deadline = time.monotonic() + timeout
        while True:
            try:
                (acquired,) = yield (
                    BATCH,
                    [("add", storage.lock_key(lock), 1, timeout)],
                    self._version,
                )
            except Exception:
                acquired = True  # the cache is down: compute locally
            if acquired or time.monotonic() > deadline:
                return None
            yield (SLEEP, storage.LOCK_POLL_INTERVAL)
            found = yield (READ, [key, *gen_keys])
            state, value, metadata = self._judge(found, key, gen_keys)
            if state is not MISS:
                return self._from_store(value, args, kwargs), metadata

    def _release_steps(self, lock: str) -> Steps:
        yield from self._write_steps(storage.store_ops(None, None, None, lock), self._version)

    def _write_steps(self, ops: list[tuple[Any, ...]], version: int) -> Steps:
        """Cache writes never fail a call: a failure is logged."""
        if not ops:
            return False
        try:
            yield (BATCH, ops, version)
        except Exception as exc:
            storage.logger.warning("restflow cache write failed (%s): %s", ops[0][1], exc)
            return False
        return True

    def _compute_steps(
        self,
        args: tuple,
        kwargs: dict,
        key: str,
        tokens: list[Any] | None,
        status: str = CacheStatus.MISS.value,
        unlock: str | None = None,
    ) -> Steps:
        result = yield from self._produce_steps(args, kwargs)
        metadata, write = None, None
        if self._storable(result, args, kwargs):
            verdict: Any = True  # hooks only cost a step when there are hooks
            if self.cache_if is not None or self.cache_unless is not None:
                verdict = yield (RESOLVE, self._should_cache(result, args, kwargs), "predicate")
            if verdict:
                timeout = self.ttl
                if callable(timeout):
                    timeout = yield (RESOLVE, self._timeout(result, args, kwargs), "ttl")
                metadata, write = self._entry(result, key, tokens, status, timeout)
        entry_key, payload, timeout = write or (None, None, None)
        yield from self._write_steps(
            storage.store_ops(entry_key, payload, timeout, unlock), self._version
        )
        return result, metadata

    def _produce_steps(self, args: tuple, kwargs: dict) -> Steps:
        """Call the target (the response wrapper also finalizes and renders here)."""
        return (yield (PRODUCE, args, kwargs))

    def _refresh_steps(
        self, args: tuple, kwargs: dict, status: str = CacheStatus.MISS.value
    ) -> Steps:
        key, gen_keys = self._locate(args, kwargs)
        found = yield (READ, gen_keys)
        tokens = None
        if found is not None:
            guessed, missing = self._guess_tokens(found, gen_keys)
            claim = storage.claim_ops(gen_keys, guessed, missing, None, 0)
            try:
                results = (yield (BATCH, claim, self._version)) if claim else []
            except Exception as exc:
                storage.logger.warning("restflow cache generation read failed (%s): %s", key, exc)
                results = None
            tokens = storage.claim_result(results, guessed, missing, None)[0]
        return (yield from self._compute_steps(args, kwargs, key, tokens, status))

    def _cache_only_steps(self, args: tuple, kwargs: dict) -> Steps:
        key, gen_keys = self._locate(args, kwargs)
        found = yield (READ, [key, *gen_keys])
        state, value, metadata = self._judge(found, key, gen_keys)
        if state is MISS:
            return CACHE_MISSING, None
        return value, metadata

    def _bump_steps(self, prefixes: list[str]) -> Steps:
        """New generations for ``prefixes`` in one batch; a failure is queued for retry."""
        ops = storage.bump_ops(prefixes)
        try:
            yield (BATCH, ops, self._version)
        except Exception as exc:
            storage.bump_failed(ops, self._version, self._ttl_seconds(), exc)

    def _delete_cache_steps(self, args: tuple, kwargs: dict) -> Steps:
        key, gen_keys = self._locate(args, kwargs)
        yield from self._write_steps([("delete", key)], self._version)
        if self.key_constructor.has_only_partition_fields:
            # The key is its own partition: a new generation makes the delete race-free.
            yield from self._bump_steps([gen_keys[-1][len(storage.GEN_KEY_PREFIX) :]])

    def _delete_by_prefix_steps(self, args: Any, kwargs: Any) -> Steps:
        prefix = self.key_constructor.build_key_prefix(self.func, args, kwargs)
        yield from self._bump_steps([prefix])
        if not storage.has_delete_pattern():
            return None
        return (yield (PATTERN, glob_escape(prefix) + "*", self._version))

    def _invalidate_partition_steps(self, kwargs: dict[str, Any]) -> Steps:
        yield from self._bump_steps([self.key_constructor.build_key_prefix(self.func, (), kwargs)])

    def _cache_set_steps(self, key: str, value: Any, timeout: Any, version: int) -> Steps:
        payload, backend_timeout = self._payload(value, timeout, None)
        yield from self._write_steps(
            storage.store_ops(key, payload, backend_timeout, None), version
        )
        return value, payload[CACHED_DATA_METADATA_KEY]

    # -- the sync driver ----------------------------------------------------------------

    def _run_sync(self, steps: Steps) -> Any:
        return drive(steps, self._sync_step)

    def _sync_step(self, step: tuple[Any, ...]) -> Any:
        kind = step[0]
        if kind is READ:
            return storage.get_many(step[1], self._version)
        if kind is BATCH:
            return storage.run(step[1], step[2])
        if kind is PRODUCE:
            return self._sync_produce(step[1], step[2])
        if kind is RESOLVE:
            return self._check_sync_hook(step[1], step[2])
        if kind is JOIN:
            return self._sync_join(step[1])
        if kind is LAND:
            with _flights_lock:
                event = _flights.pop(step[1], None)
            if event is not None:
                event.set()
            return None
        if kind is REVALIDATE:
            return self._sync_revalidate_later(step[1], step[2], step[3])
        if kind is FLUSH:
            return storage.flush_retries()
        if kind is SLEEP:
            return time.sleep(step[1])
        if kind is PATTERN:
            return storage.delete_pattern(step[1], step[2])
        return self._sync_extra_step(step)

    def _sync_extra_step(self, step: tuple[Any, ...]) -> Any:
        raise TypeError(f"unknown cache step {step[0]!r}")

    def _sync_produce(self, args: tuple, kwargs: dict) -> Any:
        return self.func(*args, **kwargs)

    @staticmethod
    def _sync_join(flight_key: tuple[Any, ...]) -> bool:
        """Single flight: True for the leader; a follower waits for the leader first."""
        with _flights_lock:
            if flight_key not in _flights:
                _flights[flight_key] = None
                return True
            event = _flights[flight_key]
            if event is None:
                event = _flights[flight_key] = threading.Event()
        event.wait()
        return False

    def _sync_revalidate_later(self, args: tuple, kwargs: dict, key: str) -> None:
        flight_key = ("revalidate", key, self._version)
        with _flights_lock:
            if flight_key in _flights:
                return
            _flights[flight_key] = None

        def run() -> None:
            close_old_connections()
            try:
                self._run_sync(self._refresh_steps(args, kwargs, CacheStatus.REFRESH.value))
            except Exception:
                storage.logger.warning(
                    "restflow stale-while-revalidate refresh failed", exc_info=True
                )
            finally:
                with _flights_lock:
                    _flights.pop(flight_key, None)
                close_old_connections()

        threading.Thread(target=run, name="restflow-cache-refresh", daemon=True).start()

    def _sync_get(self, args: tuple, kwargs: dict, want_metadata: bool = True) -> tuple[Any, Any]:
        # The first read is performed here, outside the core: a hit (most calls) then costs
        # no generator round trips.
        if storage.retry_queue:
            storage.flush_retries()
        key, gen_keys = self._locate(args, kwargs)
        found = storage.get_many([key, *gen_keys], self._version, True)
        judged = self._judge(found, key, gen_keys, want_metadata)
        if judged[0] is HIT:
            return self._from_store(judged[1], args, kwargs), judged[2]
        return self._run_sync(self._get_steps(args, kwargs, key, gen_keys, found, judged))

    def _sync_refresh(
        self, args: tuple, kwargs: dict, status: str = CacheStatus.MISS.value
    ) -> tuple[Any, Any]:
        return self._run_sync(self._refresh_steps(args, kwargs, status))

    def _sync_invalidate_partition(self, kwargs: dict[str, Any]) -> None:
        self._run_sync(self._invalidate_partition_steps(kwargs))

    def _wipe(self, args: tuple, kwargs: dict) -> None:
        if args or kwargs:
            self._run_sync(self._delete_by_prefix_steps(args, kwargs))
        else:
            self._run_sync(self._delete_by_prefix_steps(None, None))

    # -- the async driver ---------------------------------------------------------------

    async def _run_async(self, steps: Steps) -> Any:
        return await adrive(steps, self._async_step)

    async def _async_step(self, step: tuple[Any, ...]) -> Any:
        kind = step[0]
        if kind is READ:
            return await storage.aget_many(step[1], self._version)
        if kind is BATCH:
            return await storage.arun(step[1], step[2])
        if kind is PRODUCE:
            return await self._async_produce(step[1], step[2])
        if kind is RESOLVE:
            value = step[1]
            return await value if inspect.isawaitable(value) else value
        if kind is JOIN:
            return await self._async_join(step[1])
        if kind is LAND:
            flights = _aflights.get(asyncio.get_running_loop(), {})
            done = flights.pop(step[1], None)
            if done is not None:
                done.set_result(None)
            return None
        if kind is REVALIDATE:
            return self._async_revalidate_later(step[1], step[2], step[3])
        if kind is FLUSH:
            return await storage.aflush_retries()
        if kind is SLEEP:
            return await asyncio.sleep(step[1])
        if kind is PATTERN:
            return await storage.adelete_pattern(step[1], step[2])
        return await self._async_extra_step(step)

    async def _async_extra_step(self, step: tuple[Any, ...]) -> Any:
        raise TypeError(f"unknown cache step {step[0]!r}")

    async def _async_produce(self, args: tuple, kwargs: dict) -> Any:
        if self.is_async:
            return await self.func(*args, **kwargs)
        return await sync_to_async(self.func, thread_sensitive=True)(*args, **kwargs)

    @staticmethod
    async def _async_join(flight_key: tuple[Any, ...]) -> bool:
        loop = asyncio.get_running_loop()
        flights = _aflights.setdefault(loop, {})
        flight = flights.get(flight_key)
        if flight is None:
            flights[flight_key] = loop.create_future()
            return True
        await asyncio.shield(flight)
        return False

    def _async_revalidate_later(self, args: tuple, kwargs: dict, key: str) -> None:
        loop = asyncio.get_running_loop()
        flights = _aflights.setdefault(loop, {})
        flight_key = ("revalidate", key, self._version)
        if flight_key in flights:
            return
        flights[flight_key] = loop.create_future()

        async def run() -> None:
            try:
                await self._run_async(self._refresh_steps(args, kwargs, CacheStatus.REFRESH.value))
            except Exception:
                storage.logger.warning(
                    "restflow stale-while-revalidate refresh failed", exc_info=True
                )
            finally:
                flights.pop(flight_key).set_result(None)

        task = loop.create_task(run())
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)

    async def _async_get(
        self, args: tuple, kwargs: dict, want_metadata: bool = True
    ) -> tuple[Any, Any]:
        if storage.retry_queue:
            await storage.aflush_retries()
        key, gen_keys = self._locate(args, kwargs)
        found = await storage.aget_many([key, *gen_keys], self._version, True)
        judged = self._judge(found, key, gen_keys, want_metadata)
        if judged[0] is HIT:
            return self._from_store(judged[1], args, kwargs), judged[2]
        return await self._run_async(self._get_steps(args, kwargs, key, gen_keys, found, judged))

    async def _async_invalidate_partition(self, kwargs: dict[str, Any]) -> None:
        await self._run_async(self._invalidate_partition_steps(kwargs))

    # -- public API available on every wrapper ------------------------------------

    async def aget_cache_only(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._run_async(self._cache_only_steps(args, kwargs)))[0]

    async def aget_cached_metadata(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._run_async(self._cache_only_steps(args, kwargs)))[1]

    async def adelete_cache(self, *args: Any, **kwargs: Any) -> None:
        await self._run_async(self._delete_cache_steps(args, kwargs))

    async def adelete_by_prefix(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run_async(self._delete_by_prefix_steps(args, kwargs))

    async def ainvalidate_all(self) -> Any:
        return await self._run_async(self._delete_by_prefix_steps(None, None))

    async def aget_with_metadata(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return await self._async_get(args, kwargs)

    async def arefresh(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._run_async(self._refresh_steps(args, kwargs)))[0]

    async def abypass_cache(self, *args: Any, **kwargs: Any) -> Any:
        return await self._async_produce(args, kwargs)

    def cache_get_with_metadata(self, key: str) -> tuple[Any, Any]:
        """Low level: the payload under ``key`` at this wrapper's version (no generation check)."""
        return self._unpack(storage.get_many([key], self._version), key)

    async def acache_get_with_metadata(self, key: str) -> tuple[Any, Any]:
        return self._unpack(await storage.aget_many([key], self._version), key)

    @staticmethod
    def _unpack(found: dict[str, Any] | None, key: str) -> tuple[Any, Any]:
        data = (found or {}).get(key, CACHE_MISSING)
        if data is CACHE_MISSING:
            return CACHE_MISSING, None
        if isinstance(data, dict) and CACHED_DATA_VALUE_KEY in data:
            metadata = dict(data.get(CACHED_DATA_METADATA_KEY) or {})
            metadata[METADATA_CACHE_STATUS] = CacheStatus.HIT.value
            return data[CACHED_DATA_VALUE_KEY], metadata
        return data, None

    def cache_set_with_timestamp(
        self, key: str, value: Any, timeout: Any = None, version: int = 1
    ) -> tuple[Any, Any]:
        """Low level: write ``value`` with fresh metadata (no generation tokens)."""
        return self._run_sync(self._cache_set_steps(key, value, timeout, version))

    async def acache_set_with_timestamp(
        self, key: str, value: Any, timeout: Any = None, version: int = 1
    ) -> tuple[Any, Any]:
        return await self._run_async(self._cache_set_steps(key, value, timeout, version))


async def _negate(awaitable: Awaitable[Any]) -> bool:
    return not await awaitable


class SyncCachedWrapper(CachedWrapper):
    """Wrapper of a plain function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync_get(args, kwargs, False)[0]

    def get_with_metadata(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._sync_get(args, kwargs)

    def get_cache_only(self, *args: Any, **kwargs: Any) -> Any:
        return self._run_sync(self._cache_only_steps(args, kwargs))[0]

    def get_cached_metadata(self, *args: Any, **kwargs: Any) -> Any:
        return self._run_sync(self._cache_only_steps(args, kwargs))[1]

    def refresh(self, *args: Any, **kwargs: Any) -> Any:
        return self._sync_refresh(args, kwargs)[0]

    def bypass_cache(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def delete_cache(self, *args: Any, **kwargs: Any) -> None:
        self._run_sync(self._delete_cache_steps(args, kwargs))

    def delete_by_prefix(self, *args: Any, **kwargs: Any) -> Any:
        return self._run_sync(self._delete_by_prefix_steps(args, kwargs))

    def invalidate_all(self) -> Any:
        return self._run_sync(self._delete_by_prefix_steps(None, None))

    def _wipe(self, args: tuple, kwargs: dict) -> None:
        if args or kwargs:
            self.delete_by_prefix(*args, **kwargs)
        else:
            self.invalidate_all()

    async def aget_with_metadata(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return await sync_to_async(self._sync_get, thread_sensitive=True)(args, kwargs)

    async def arefresh(self, *args: Any, **kwargs: Any) -> Any:
        return (await sync_to_async(self._sync_refresh, thread_sensitive=True)(args, kwargs))[0]

    async def abypass_cache(self, *args: Any, **kwargs: Any) -> Any:
        return await sync_to_async(self.func, thread_sensitive=True)(*args, **kwargs)


def _async_only(name: str, alternative: str) -> Callable[..., Any]:
    def method(self: CachedWrapper, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"'{self.func.__name__}' is async, use {alternative} instead of the sync method."
        )

    method.__name__ = name
    method.__doc__ = f"Refused on async functions: use ``{alternative}``."
    return method


class AsyncCachedWrapper(CachedWrapper):
    """Wrapper of a coroutine function; calling it returns a coroutine."""

    is_async = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        markcoroutinefunction(self)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._async_get(args, kwargs, False))[0]

    get_with_metadata = _async_only("get_with_metadata", "aget_with_metadata")
    get_cache_only = _async_only("get_cache_only", "aget_cache_only")
    get_cached_metadata = _async_only("get_cached_metadata", "aget_cached_metadata")
    refresh = _async_only("refresh", "arefresh")
    bypass_cache = _async_only("bypass_cache", "abypass_cache")
    delete_cache = _async_only("delete_cache", "adelete_cache")
    delete_by_prefix = _async_only("delete_by_prefix", "adelete_by_prefix")
    invalidate_all = _async_only("invalidate_all", "ainvalidate_all")


_partial_func = functools.partial.func.__get__
_partial_args = functools.partial.args.__get__


class BoundCachedWrapper(functools.partial[Any]):
    """``instance.method`` of a cached method: every wrapper method with ``instance`` bound.

    A ``functools.partial`` of ``(wrapper, instance)``: binding and calling happen in C,
    which matters because DRF looks a handler up several times per request. Other
    attributes (``func`` included) are the wrapper's.
    """

    _BOUND = frozenset(
        {
            "get_with_metadata",
            "aget_with_metadata",
            "get_cache_only",
            "aget_cache_only",
            "get_cached_metadata",
            "aget_cached_metadata",
            "refresh",
            "arefresh",
            "bypass_cache",
            "abypass_cache",
            "delete_cache",
            "adelete_cache",
            "delete_by_prefix",
            "adelete_by_prefix",
            "get_cache_key",
        }
    )

    @property
    def __wrapper__(self) -> Any:
        return _partial_func(self)

    __func__ = __wrapper__

    @property
    def __self__(self) -> Any:
        return _partial_args(self)[0]

    @property
    def func(self) -> Any:
        """The undecorated function, as on the wrapper."""
        return _partial_func(self).func

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.__wrapper__, name)
        if name in self._BOUND:
            return functools.partial(attr, self.__self__)
        return attr

    def __repr__(self) -> str:
        return f"<bound {self.__wrapper__!r} of {self.__self__!r}>"


def cache_result(
    key_constructor: Any = DefaultKeyConstructor,
    ttl: TTL = 3600,
    invalidates_on: list[InvalidationRule] | None = None,
    cache_if: Callable[..., Any] | None = None,
    cache_unless: Callable[..., Any] | None = None,
    *,
    stale_ttl: int | None = None,
) -> Any:
    """Cache a function's results; see caching.md §5.

    ``stale_ttl`` (restflow): keep entries that long after ``ttl`` and serve them with
    status ``STALE`` while one background refresh recomputes them.
    """
    if inspect.isfunction(key_constructor) or inspect.ismethod(key_constructor):
        return cache_result()(key_constructor)  # bare ``@cache_result`` (W-23)

    def decorator(func: F) -> SyncCachedWrapper | AsyncCachedWrapper:
        wrapper_class = (
            AsyncCachedWrapper if inspect.iscoroutinefunction(func) else SyncCachedWrapper
        )
        return wrapper_class(
            func,
            key_constructor,
            ttl,
            invalidates_on,
            cache_if,
            cache_unless,
            stale_ttl=stale_ttl,
        )

    return decorator
