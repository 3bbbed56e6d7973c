"""Fixtures of the request-stack tests (stack.md)."""

from __future__ import annotations

import asyncio

import pytest

ENVELOPE = "restflow.exceptions.exception_handler"


@pytest.fixture
def envelope(settings):
    """Turn the envelope on (stack.md §1.2)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": ENVELOPE}


@pytest.fixture(autouse=True)
def _clear_local_cache():
    from django.core.cache import cache

    cache.clear()  # the default cache is this process's local memory
    yield
    cache.clear()


@pytest.fixture
def rf():
    from rest_framework.test import APIRequestFactory

    return APIRequestFactory()


@pytest.fixture
def drf_request(rf):
    """Build a DRF ``Request`` for ``path`` (query string included)."""
    from rest_framework.request import Request

    def build(path: str = "/items/", method: str = "get", user=None, **extra):
        raw = getattr(rf, method)(path, **extra)
        request = Request(raw)
        if user is not None:
            request.user = user
        return request

    return build


@pytest.fixture(autouse=True)
def _close_worker_connections():
    """Close the DB connections the async ORM opened in asgiref's worker thread.

    Left open, they keep PostgreSQL from dropping the test database at the end of the run.
    """
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())
