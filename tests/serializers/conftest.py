"""Fixtures of the serializer tests."""

import pytest
from asgiref.sync import sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_worker_thread_connections():
    """Async tests hop to asgiref's worker thread, which opens its own database connection;
    close it after each test so the test database can be dropped at the end of the run."""
    yield
    await sync_to_async(connections.close_all, thread_sensitive=True)()
