"""Fixtures of the restflow-auth tests.

Every test runs with a signing key and the local-memory blacklist opted in; tests that need
other JWT settings nest ``jwt_settings(...)``. Async code runs through ``async_to_sync`` from
sync tests, so its ORM calls reach the test's database connection (and a sync ORM call on
the loop would raise ``SynchronousOnlyOperation``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.auth.helpers import jwt_settings


@pytest.fixture(autouse=True)
def _jwt_defaults() -> Iterator[None]:
    from django.core.cache import caches

    with jwt_settings():
        yield
    caches["default"].clear()  # the per-process LocMemCache of this test run only


@pytest.fixture(autouse=True)
def _drop_our_redis_keys(request: Any, run_id: str, redis_url: str) -> Iterator[None]:
    """Delete this run's keys (prefix = run id) after each Redis test; never anything else."""
    yield
    if request.node.get_closest_marker("redis") is None:
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{run_id}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="alice", password="pw")


@pytest.fixture
def user_model_user(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="bob", password="pw")
