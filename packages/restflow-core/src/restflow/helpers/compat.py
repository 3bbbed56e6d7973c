"""Shims for the Django >= 5.0 async auth APIs, so the family runs on Django 4.2."""

from __future__ import annotations

from typing import Any

import django
from asgiref.sync import sync_to_async
from django.utils.functional import LazyObject


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
        return await sync_to_async(_evaluated_user, thread_sensitive=True)(request)
    return AnonymousUser()


def _evaluated_user(request: Any) -> Any:
    """``request.user`` with its queries done: on 4.2 it is a lazy object that reads the
    session and user tables on first use, which must happen here and not on the loop."""
    user = request.user
    if isinstance(user, LazyObject):
        bool(user)  # the first use evaluates it
    return user
