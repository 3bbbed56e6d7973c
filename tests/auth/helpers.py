"""Helpers of the restflow-auth tests (settings context, request builders, async runner)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from django.test import override_settings

KEY = "restflow-auth-tests-" + "k" * 60
BASE_JWT: dict[str, Any] = {"SIGNING_KEY": KEY, "BLACKLIST_ALLOW_LOCMEM": True}


@contextmanager
def jwt_settings(**overrides: Any) -> Iterator[None]:
    with override_settings(RESTFLOW_SETTINGS={"JWT": {**BASE_JWT, **overrides}}):
        yield


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run the coroutine function ``fn`` to completion from sync test code."""
    return async_to_sync(fn)(*args, **kwargs)


def factory() -> Any:
    from rest_framework.test import APIRequestFactory

    return APIRequestFactory()


def bearer(token: Any, scheme: str = "Bearer") -> Any:
    return factory().get("/", HTTP_AUTHORIZATION=f"{scheme} {token}")


def with_header(value: Any) -> Any:
    return factory().get("/", HTTP_AUTHORIZATION=value)


def authenticate(mode: str, authenticator: Any, request: Any) -> Any:
    """``authenticate`` or ``aauthenticate`` of ``authenticator``, by ``mode``."""
    if mode == "sync":
        return authenticator.authenticate(request)
    return run(authenticator.aauthenticate, request)
