"""Users for async tests on every supported Django."""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User


async def acreate_user(username: str, password: str) -> User:
    """``User.objects.acreate_user`` (Django >= 5.1); on older Django the same call in a worker."""
    if django.VERSION >= (5, 1):
        return await User.objects.acreate_user(username, password=password)
    return await sync_to_async(User.objects.create_user, thread_sensitive=True)(
        username, password=password
    )
