"""Revocation stores: the blacklist backend contract, the cache and model backends, the facade.

Besides single token ids, a backend records two kinds of marks under reserved ids that cannot
collide with a ``jti`` (those are ``[A-Za-z0-9_-]``): ``fam:<jti of the first token>`` revokes
a whole refresh-rotation chain (reuse detection, W-12) and ``user:<digest>`` holds the second
before which every token of one user is revoked ("log out everywhere").
"""

from __future__ import annotations

import base64
import hashlib
import math
import time
from datetime import datetime, timezone
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from restflow.authentication.tokens import (
    TokenConfigurationError,
    jwt_config,
    leeway_ceil,
    memoised,
    user_id_claim_value,
)
from restflow.helpers import maybe_await, run_sync
from restflow.helpers.cache import AsyncCacheAccess, async_cache

__all__ = [
    "BLACKLIST_CACHE_PREFIX",
    "LOCAL_CACHE_BACKEND_PATHS",
    "ATokenBlacklist",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "ModelBlacklistBackend",
    "arevoke_user_tokens",
    "family_mark",
    "get_blacklisted_token_model",
    "get_token_blacklist_backend",
    "resolve_token_blacklist_backend",
    "revoke_user_tokens",
    "user_mark",
]

BLACKLIST_CACHE_PREFIX = "restflow:jwt:bl:"
LOCAL_CACHE_BACKEND_PATHS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def family_mark(family: str) -> str:
    """Blacklist id that revokes every refresh token of one rotation chain."""
    return f"fam:{family}"


def user_mark(user_id: Any) -> str:
    """Blacklist id of a user's "revoked before" second (a digest: ids may be long e-mails)."""
    value = str(user_id_claim_value(user_id))
    digest = hashlib.sha256(value.encode()).digest()[:16]
    return "user:" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _overrides(backend: Any, name: str) -> bool:
    return getattr(type(backend), name) is not getattr(BlacklistBackend, name)


def _not_implemented(backend: Any, what: str) -> NotImplementedError:
    return NotImplementedError(f"{type(backend).__name__} must implement {what}.")


class BlacklistBackend:
    """Contract of a revocation store. Implement one sync or one async reader and writer; the
    base class derives the other world from it (W-17)."""

    # -- writes --------------------------------------------------------------------------

    def blacklist(self, jti: str, *, expires_at: int) -> None:
        if _overrides(self, "ablacklist") or _overrides(self, "add"):
            run_sync(self.ablacklist(jti, expires_at=expires_at))
            return
        raise _not_implemented(self, "blacklist() or ablacklist()")

    async def ablacklist(self, jti: str, *, expires_at: int) -> None:
        if _overrides(self, "add"):
            await self.add(jti, expires_at=expires_at)
        elif _overrides(self, "blacklist"):
            await sync_to_async(self.blacklist, thread_sensitive=True)(jti, expires_at=expires_at)
        else:
            raise _not_implemented(self, "blacklist() or ablacklist()")

    async def add(self, jti: str, *, expires_at: int) -> None:
        await self.ablacklist(jti, expires_at=expires_at)

    def claim(self, jti: str, *, expires_at: int) -> bool:
        """Add ``jti`` unless present; ``True`` if this call added it. Not atomic here:
        backends that can (cache ``add``, unique insert) override it (W-02)."""
        if self._is_blacklisted_sync(jti):
            return False
        self.blacklist(jti, expires_at=expires_at)
        return True

    async def aclaim(self, jti: str, *, expires_at: int) -> bool:
        if await self.is_blacklisted(jti):
            return False
        await self.ablacklist(jti, expires_at=expires_at)
        return True

    # -- reads ---------------------------------------------------------------------------

    def _is_blacklisted_sync(self, jti: str) -> bool:
        if _overrides(self, "is_blacklisted") or _overrides(self, "ais_blacklisted"):
            return bool(run_sync(self.ais_blacklisted(jti)))
        raise _not_implemented(self, "_is_blacklisted_sync() or is_blacklisted()")

    async def is_blacklisted(self, jti: str) -> bool:
        if _overrides(self, "ais_blacklisted"):
            return bool(await maybe_await(self.ais_blacklisted(jti)))
        if _overrides(self, "_is_blacklisted_sync"):
            return await sync_to_async(self._is_blacklisted_sync, thread_sensitive=True)(jti)
        raise _not_implemented(self, "_is_blacklisted_sync() or is_blacklisted()")

    async def ais_blacklisted(self, jti: str) -> bool:
        return bool(await maybe_await(self.is_blacklisted(jti)))

    # -- per-user revocation -------------------------------------------------------------

    def revoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        """Revoke every token of one user issued at or before ``issued_before``."""
        raise _not_implemented(self, "revoke_user() to revoke all sessions of a user")

    async def arevoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        await sync_to_async(self.revoke_user, thread_sensitive=True)(
            mark, issued_before=issued_before, expires_at=expires_at
        )

    def _revoked_before_sync(self, mark: str) -> int | None:
        """Second up to which the user's tokens are revoked; ``None`` when never revoked."""
        return None

    async def arevoked_before(self, mark: str) -> int | None:
        if _overrides(self, "_revoked_before_sync"):
            return await sync_to_async(self._revoked_before_sync, thread_sensitive=True)(mark)
        return None

    # -- the check authentication runs -----------------------------------------------------

    def _is_revoked_sync(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        """Whether any of ``ids`` is blacklisted or the user mark revokes ``issued_at``."""
        if any(self._is_blacklisted_sync(jti) for jti in ids):
            return True
        return mark is not None and _revokes(self._revoked_before_sync(mark), issued_at)

    async def ais_revoked(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        for jti in ids:
            if await self.ais_blacklisted(jti):
                return True
        return mark is not None and _revokes(await self.arevoked_before(mark), issued_at)


def _revokes(revoked_before: Any, issued_at: Any) -> bool:
    if revoked_before is None:
        return False
    # A token without a usable iat cannot prove it was issued after the revocation.
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        return True
    return issued_at <= int(revoked_before)


def _ttl(expires_at: int) -> int:
    """Seconds to keep an entry: until the token is no longer accepted, leeway included (W-01)."""
    return max(1, int(expires_at) + leeway_ceil() - int(time.time()))


class CacheBlacklistBackend(BlacklistBackend):
    """Entries in the Django cache ``BLACKLIST_CACHE_ALIAS``, kept until ``exp + LEEWAY``.

    Each sync method and its async twin make the same call with the same key, value and TTL:
    the sync one on the Django cache, the async one on its :attr:`access` (never Django's
    ``a*`` wrappers, which hop to a thread on every call).
    """

    _access_memo: tuple[object, AsyncCacheAccess] | None = None

    @property
    def cache(self) -> Any:
        # The alias is checked once per settings generation; the cache object itself is
        # fetched per call because Django keeps one per thread (and per task on the loop).
        return caches[memoised("blacklist_cache_alias", _checked_blacklist_alias)]

    @property
    def access(self) -> AsyncCacheAccess:
        """The cache's async accessor: ``redis.asyncio`` for Redis, direct calls for local
        memory (no thread hop), a worker thread for other backends.

        A native accessor is kept for the settings generation: on the event loop Django
        gives every task its own backend object, and an accessor per request would open a
        Redis connection pool per request.
        """
        generation = memoised("settings_generation", object)
        if self._access_memo is not None and self._access_memo[0] is generation:
            return self._access_memo[1]
        access = async_cache(self.cache)
        if access.native:
            self._access_memo = (generation, access)
        return access

    @staticmethod
    def key(jti: str) -> str:
        return BLACKLIST_CACHE_PREFIX + jti

    def blacklist(self, jti: str, *, expires_at: int) -> None:
        self.cache.set(self.key(jti), True, _ttl(expires_at))

    async def ablacklist(self, jti: str, *, expires_at: int) -> None:
        await self.access.set(self.key(jti), True, _ttl(expires_at))

    def claim(self, jti: str, *, expires_at: int) -> bool:
        return bool(self.cache.add(self.key(jti), True, _ttl(expires_at)))

    async def aclaim(self, jti: str, *, expires_at: int) -> bool:
        return bool(await self.access.add(self.key(jti), True, _ttl(expires_at)))

    def _is_blacklisted_sync(self, jti: str) -> bool:
        return bool(self.cache.get(self.key(jti), False))

    async def is_blacklisted(self, jti: str) -> bool:
        return bool(await self.access.get(self.key(jti), False))

    def revoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        self.cache.set(self.key(mark), int(issued_before), _ttl(expires_at))

    async def arevoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        await self.access.set(self.key(mark), int(issued_before), _ttl(expires_at))

    def _revoked_before_sync(self, mark: str) -> int | None:
        return self.cache.get(self.key(mark))

    async def arevoked_before(self, mark: str) -> int | None:
        return await self.access.get(self.key(mark))

    def _is_revoked_sync(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        found = self.cache.get_many(self._keys(ids, mark))  # one round trip
        return self._verdict(found, ids, mark, issued_at)

    async def ais_revoked(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        found = await self.access.get_many(self._keys(ids, mark))
        return self._verdict(found, ids, mark, issued_at)

    def _keys(self, ids: list[str], mark: str | None) -> list[str]:
        keys = [self.key(jti) for jti in ids]
        if mark is not None:
            keys.append(self.key(mark))
        return keys

    def _verdict(self, found: dict[str, Any], ids: list[str], mark: str | None, iat: Any) -> bool:
        if any(found.get(self.key(jti)) for jti in ids):
            return True
        return mark is not None and _revokes(found.get(self.key(mark)), iat)


def _checked_blacklist_alias() -> str:
    """The blacklist cache alias, refused when it is per-process and not opted in (W-14)."""
    config = jwt_config()
    alias: str = config.BLACKLIST_CACHE_ALIAS
    cache = caches[alias]
    path = f"{type(cache).__module__}.{type(cache).__qualname__}"
    if path in LOCAL_CACHE_BACKEND_PATHS and not config.BLACKLIST_ALLOW_LOCMEM:
        raise ImproperlyConfigured(local_cache_message(path))
    return alias


def local_cache_message(path: str) -> str:
    return (
        f"CacheBlacklistBackend cannot use '{path}' because the cache is per-process. "
        "Tokens revoked on one worker will still be valid on other workers. Use Redis, "
        "Memcached, or another cross-process cache, or set "
        "RESTFLOW_SETTINGS['JWT']['BLACKLIST_ALLOW_LOCMEM']=True to opt in."
    )


def _expiry(expires_at: int) -> datetime:
    return datetime.fromtimestamp(int(expires_at), tz=timezone.utc)


class ModelBlacklistBackend(BlacklistBackend):
    """Rows of ``BlacklistedToken`` (one unique ``jti`` each, no raw token stored)."""

    @property
    def model(self) -> Any:
        return get_blacklisted_token_model()

    def blacklist(self, jti: str, *, expires_at: int) -> None:
        self.claim(jti, expires_at=expires_at)

    async def ablacklist(self, jti: str, *, expires_at: int) -> None:
        await self.aclaim(jti, expires_at=expires_at)

    def claim(self, jti: str, *, expires_at: int) -> bool:
        # get_or_create inserts under the unique constraint and falls back to a read on
        # IntegrityError, so of two concurrent claims exactly one sees created=True (W-02).
        _, created = self.model.objects.get_or_create(
            jti=jti, defaults={"expires_at": _expiry(expires_at)}
        )
        return bool(created)

    async def aclaim(self, jti: str, *, expires_at: int) -> bool:
        _, created = await self.model.objects.aget_or_create(
            jti=jti, defaults={"expires_at": _expiry(expires_at)}
        )
        return bool(created)

    def _is_blacklisted_sync(self, jti: str) -> bool:
        return bool(self.model.objects.filter(jti=jti).exists())

    async def is_blacklisted(self, jti: str) -> bool:
        return bool(await self.model.objects.filter(jti=jti).aexists())

    def revoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        # The row's created_at is the revocation second; a later revocation moves it.
        self.model.objects.update_or_create(
            jti=mark,
            defaults={"expires_at": _expiry(expires_at), "created_at": _expiry(issued_before)},
        )

    async def arevoke_user(self, mark: str, *, issued_before: int, expires_at: int) -> None:
        await self.model.objects.aupdate_or_create(
            jti=mark,
            defaults={"expires_at": _expiry(expires_at), "created_at": _expiry(issued_before)},
        )

    def _revoked_before_sync(self, mark: str) -> int | None:
        row = self.model.objects.filter(jti=mark).values_list("created_at", flat=True).first()
        return None if row is None else int(row.timestamp())

    async def arevoked_before(self, mark: str) -> int | None:
        rows = self.model.objects.filter(jti=mark).values_list("created_at", flat=True)
        row = await rows.afirst()
        return None if row is None else int(row.timestamp())

    def _is_revoked_sync(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        rows = dict(self._query(ids, mark))  # one query
        return self._verdict(rows, ids, mark, issued_at)

    async def ais_revoked(self, ids: list[str], mark: str | None, issued_at: Any) -> bool:
        rows = {jti: created async for jti, created in self._query(ids, mark)}
        return self._verdict(rows, ids, mark, issued_at)

    def _query(self, ids: list[str], mark: str | None) -> Any:
        wanted = [*ids, mark] if mark is not None else ids
        return self.model.objects.filter(jti__in=wanted).values_list("jti", "created_at")

    @staticmethod
    def _verdict(rows: dict[str, Any], ids: list[str], mark: str | None, iat: Any) -> bool:
        if any(jti in rows for jti in ids):
            return True
        if mark is None or mark not in rows:
            return False
        return _revokes(int(rows[mark].timestamp()), iat)


def get_blacklisted_token_model() -> Any:
    """``BlacklistedToken``, imported on first use; explains a missing app (W-20)."""
    from django.apps import apps

    if not apps.is_installed("restflow.authentication"):
        raise ImproperlyConfigured(
            "ModelBlacklistBackend needs 'restflow.authentication' in INSTALLED_APPS and its "
            "table: add the app and run `manage.py migrate`."
        )
    from restflow.authentication.models import BlacklistedToken

    return BlacklistedToken


def resolve_token_blacklist_backend(spec: Any) -> BlacklistBackend:
    if isinstance(spec, BlacklistBackend):
        return spec
    if spec is None:
        return CacheBlacklistBackend()
    if isinstance(spec, str):
        spec = import_string(spec)
        if isinstance(spec, type) and issubclass(spec, BlacklistBackend):
            return spec()
    elif isinstance(spec, type) and issubclass(spec, BlacklistBackend):
        return spec()
    raise TokenConfigurationError(
        f"RESTFLOW_SETTINGS['JWT']['BLACKLIST_BACKEND']={spec!r} is not a BlacklistBackend "
        "subclass, instance or dotted path to one. Use "
        "'restflow.authentication.jwt.CacheBlacklistBackend' or "
        "'restflow.authentication.jwt.ModelBlacklistBackend'."
    )


def get_token_blacklist_backend() -> BlacklistBackend:
    """The configured backend, resolved once per settings generation (W-18)."""
    return memoised(
        "blacklist_backend",
        lambda: resolve_token_blacklist_backend(jwt_config().BLACKLIST_BACKEND),
    )


class ATokenBlacklist:
    """Static facade over the configured backend; tolerates sync readers (W-17)."""

    @staticmethod
    def blacklist(jti: str, *, expires_at: int) -> None:
        get_token_blacklist_backend().blacklist(jti, expires_at=expires_at)

    @staticmethod
    def _sync_is_blacklisted(jti: str) -> bool:
        if not jti:
            return False
        return bool(get_token_blacklist_backend()._is_blacklisted_sync(jti))

    @staticmethod
    async def is_blacklisted(jti: str) -> bool:
        if not jti:
            return False
        return bool(await maybe_await(get_token_blacklist_backend().is_blacklisted(jti)))

    @staticmethod
    async def ais_blacklisted(jti: str) -> bool:
        return await ATokenBlacklist.is_blacklisted(jti)

    @staticmethod
    async def add(jti: str, *, expires_at: int) -> None:
        await maybe_await(get_token_blacklist_backend().add(jti, expires_at=expires_at))

    @staticmethod
    async def ablacklist(jti: str, *, expires_at: int) -> None:
        await maybe_await(get_token_blacklist_backend().ablacklist(jti, expires_at=expires_at))


def revocation_window_end() -> int:
    """Epoch second after which no token minted now is accepted any more."""
    config = jwt_config()
    longest = max(config.ACCESS_TOKEN_LIFETIME, config.REFRESH_TOKEN_LIFETIME)
    return int(time.time()) + math.ceil(longest.total_seconds())


def _user_mark_of(user: Any) -> str:
    return user_mark(getattr(user, jwt_config().USER_ID_FIELD))


def revoke_user_tokens(user: Any) -> None:
    """Log ``user`` out everywhere: every token issued up to this second is rejected."""
    get_token_blacklist_backend().revoke_user(
        _user_mark_of(user), issued_before=int(time.time()), expires_at=revocation_window_end()
    )


async def arevoke_user_tokens(user: Any) -> None:
    await maybe_await(
        get_token_blacklist_backend().arevoke_user(
            _user_mark_of(user),
            issued_before=int(time.time()),
            expires_at=revocation_window_end(),
        )
    )
