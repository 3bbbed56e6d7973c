"""Shims for the Django >= 5.0 async auth APIs, so the family runs on Django 4.2."""

from __future__ import annotations

from typing import Any

import django
from asgiref.sync import sync_to_async


async def aauthenticate(request: Any = None, **credentials: Any) -> Any:
    """Django's ``aauthenticate`` where it exists, the sync one off the loop otherwise."""
    from django.contrib import auth

    if django.VERSION >= (5, 0):
        return await auth.aauthenticate(request, **credentials)
    return await sync_to_async(auth.authenticate, thread_sensitive=True)(request, **credentials)


async def auser(request: Any) -> Any:
    """The user of a Django request, without touching the session tables on the loop."""
    from django.contrib.auth.models import AnonymousUser

    getter = getattr(request, "auser", None)
    if callable(getter):
        return await getter()
    if hasattr(request, "user"):
        return await sync_to_async(lambda: request.user, thread_sensitive=True)()
    return AnonymousUser()
