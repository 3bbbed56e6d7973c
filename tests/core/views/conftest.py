"""Shared helpers of the views tests.

Tests are sync functions that drive async views through ``async_to_sync``, as Django's WSGI
handler does: the worker that ``sync_to_async(thread_sensitive=True)`` uses is then the test
thread, which owns the test transaction, while the view's own code runs on an event loop in
another thread, where any sync ORM call raises ``SynchronousOnlyOperation``.
"""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction


def call(view: Any, request: Any, **kwargs: Any) -> Any:
    """Call a view callable (sync or async) from sync code and render the response."""
    if iscoroutinefunction(view):
        response = async_to_sync(view)(request, **kwargs)
    else:
        response = view(request, **kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def arun(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a coroutine function from sync test code."""
    return async_to_sync(fn)(*args, **kwargs)


@pytest.fixture
def factory() -> Any:
    from rest_framework.test import APIRequestFactory

    return APIRequestFactory()
