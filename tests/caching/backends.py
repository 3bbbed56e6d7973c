"""Cache configurations the backend tests run against (not a test module)."""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

REDIS_URL = os.environ.get("RESTFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    return "redis" in caches.settings


def config(kind: str, tmp_path=None) -> dict:
    prefix = f"t{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if kind == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    if kind == "redis":
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    if kind == "django_redis":
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    if kind == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    if kind == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": f"cache_{uuid.uuid4().hex[:8]}",
        }
    raise ValueError(kind)


def cleanup_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@contextlib.contextmanager
def use_cache(kind: str, tmp_path=None):
    """Make ``kind`` the ``default`` cache for the block; Redis keys are removed afterwards."""
    if kind in ("redis", "django_redis") and not redis_available():
        pytest.skip("Redis is not reachable")
    settings = config(kind, tmp_path)
    with override_settings(CACHES={"default": settings}):
        if kind == "db":
            from django.core.management import call_command

            call_command("createcachetable", verbosity=0)
        try:
            yield caches["default"]
        finally:
            if kind in ("redis", "django_redis"):
                cleanup_redis(settings["KEY_PREFIX"])
