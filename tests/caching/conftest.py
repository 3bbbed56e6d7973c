"""Shared fixtures of the restflow-caching tests."""

from __future__ import annotations

import copy

import pytest
from django.core.cache import caches

from restflow.caching.registry import CacheRegister


@pytest.fixture(autouse=True)
def _clean_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _isolated_rules():
    """Rules registered by a test are dropped after it (module-level ones stay)."""
    state = {
        name: copy.copy(getattr(CacheRegister, name))
        for name in ("_rules", "_by_model", "_order", "_pair_counts")
    }
    state["_by_model"] = {model: list(ids) for model, ids in CacheRegister._by_model.items()}
    yield
    for name, value in state.items():
        setattr(CacheRegister, name, value)
    CacheRegister._lookup.clear()


@pytest.fixture(autouse=True)
def _close_worker_connections():
    """Async tests run ORM calls on asgiref's sync thread: close its connection afterwards,
    or PostgreSQL refuses to drop the test database."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def counter():
    class Counter:
        def __init__(self):
            self.calls = []

        def __call__(self, *args):
            self.calls.append(args)
            return len(self.calls)

    return Counter()
