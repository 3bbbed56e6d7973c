"""Blacklist backends on the real stores: Redis (both Django cache clients) and PostgreSQL.

Races run in real threads against the real store: of N concurrent claims of one jti exactly
one wins (``SET NX`` on Redis, the unique index on PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

from restflow.authentication.jwt import (
    AccessToken,
    CacheBlacklistBackend,
    JWTAuthentication,
    ModelBlacklistBackend,
    RefreshToken,
    revoke_user_tokens,
)
from restflow.authentication.models import BlacklistedToken
from tests.auth.helpers import authenticate, bearer, jwt_settings, run

ALIASES = pytest.mark.parametrize("alias", ["redis", "django_redis"])
MODEL = "restflow.authentication.jwt.ModelBlacklistBackend"


def soon(seconds: int = 120) -> int:
    return int(time.time()) + seconds


def race(fn, workers: int = 8) -> list:
    """Call ``fn`` from ``workers`` threads released at the same instant."""
    barrier = threading.Barrier(workers)

    def contender(_):
        barrier.wait()
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(contender, range(workers)))


def redis_ttl(alias: str, key: str) -> int:
    cache = caches[alias]
    full = cache.make_key(key)
    client = cache._cache.get_client(full) if alias == "redis" else cache.client.get_client()
    return client.ttl(full)


@pytest.mark.redis
@ALIASES
def test_cache_backend_on_redis(alias, run_id):
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias, BLACKLIST_ALLOW_LOCMEM=False):
        backend = CacheBlacklistBackend()
        backend.blacklist(f"{run_id}-sync", expires_at=soon())
        run(backend.add, f"{run_id}-async", expires_at=soon())
        for jti in (f"{run_id}-sync", f"{run_id}-async"):
            assert backend._is_blacklisted_sync(jti) is True
            assert run(backend.is_blacklisted, jti) is True
        assert backend._is_blacklisted_sync(f"{run_id}-absent") is False
        assert caches[alias].get(f"restflow:jwt:bl:{run_id}-sync") is True
        assert 118 <= redis_ttl(alias, f"restflow:jwt:bl:{run_id}-sync") <= 121


@pytest.mark.redis
@ALIASES
def test_redis_ttl_includes_leeway(alias, run_id):
    """W-01 on Redis: the entry outlives exp by LEEWAY"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias, LEEWAY=30):
        CacheBlacklistBackend().blacklist(f"{run_id}-lw", expires_at=int(time.time()) - 5)
        assert 23 <= redis_ttl(alias, f"restflow:jwt:bl:{run_id}-lw") <= 26


@pytest.mark.redis
@ALIASES
def test_claim_race_on_redis(alias, run_id):
    """W-02: cache.add is SET NX, one winner among concurrent claims"""
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias):
        backend = CacheBlacklistBackend()
        results = race(lambda: backend.claim(f"{run_id}-race-{alias}", expires_at=soon()))
        assert results.count(True) == 1
        results = race(lambda: run(backend.aclaim, f"{run_id}-arace-{alias}", expires_at=soon()))
        assert results.count(True) == 1


@pytest.mark.redis
@pytest.mark.django_db
@ALIASES
def test_authentication_on_redis(alias, user):
    with jwt_settings(BLACKLIST_CACHE_ALIAS=alias, BLACKLIST_ALLOW_LOCMEM=False):
        for mode in ("sync", "async"):
            token = AccessToken.for_user(user)
            assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user
            RefreshToken(payload=token.payload).blacklist()
            with pytest.raises(Exception, match="blacklisted"):
                authenticate(mode, JWTAuthentication(), bearer(token))
        other = AccessToken.for_user(user)
        revoke_user_tokens(user)
        for mode in ("sync", "async"):
            with pytest.raises(Exception, match="blacklisted"):
                authenticate(mode, JWTAuthentication(), bearer(other))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.auth.views_app")
def test_concurrent_refresh_on_redis(user):
    """W-02 end to end: concurrent refresh requests in threads, one 200"""
    refresh = str(RefreshToken.for_user(user))
    with jwt_settings(BLACKLIST_CACHE_ALIAS="redis", REFRESH_CHECK_USER=False):
        statuses = race(
            lambda: (
                APIClient().post("/token/refresh/", {"refresh": refresh}, format="json").status_code
            ),
            workers=6,
        )
    assert sorted(statuses) == [200] + [401] * 5


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_model_claim_race_on_postgres(run_id):
    """W-02: the unique insert lets exactly one of concurrent claims win"""
    assert connection.vendor == "postgresql"
    backend = ModelBlacklistBackend()
    results = race(lambda: backend.claim(f"{run_id}-pg-race", expires_at=soon()))
    assert results.count(True) == 1
    results = race(lambda: run(backend.aclaim, f"{run_id}-pg-arace", expires_at=soon()))
    assert results.count(True) == 1
    assert BlacklistedToken.objects.filter(jti__startswith=run_id).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.auth.views_app")
def test_concurrent_refresh_on_postgres(user):
    """W-02 end to end with the model backend and the user re-check (W-03)"""
    refresh = str(RefreshToken.for_user(user))
    with jwt_settings(BLACKLIST_BACKEND=MODEL):
        statuses = race(
            lambda: (
                APIClient().post("/token/refresh/", {"refresh": refresh}, format="json").status_code
            ),
            workers=6,
        )
    assert sorted(statuses) == [200] + [401] * 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_model_backend_on_postgres(user):
    """model blacklist, revocation marks and cleanup on PostgreSQL, both paths"""
    with jwt_settings(BLACKLIST_BACKEND=MODEL):
        for mode in ("sync", "async"):
            token = AccessToken.for_user(user)
            assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user
            ModelBlacklistBackend().blacklist(token.jti, expires_at=token.exp)
            with pytest.raises(Exception, match="blacklisted"):
                authenticate(mode, JWTAuthentication(), bearer(token))
        other = AccessToken.for_user(user)
        revoke_user_tokens(user)
        with pytest.raises(Exception, match="blacklisted"):
            authenticate("async", JWTAuthentication(), bearer(other))
        ModelBlacklistBackend().blacklist("expired-row", expires_at=int(time.time()) - 60)
        assert BlacklistedToken.cleanup_expired() == 1
