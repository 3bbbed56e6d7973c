"""Authentication: one request's ``Authorization: Bearer`` header, end to end.

restflow's ``JWTAuthentication`` (decode + blacklist check + user lookup) beside
djangorestframework-simplejwt's ``JWTAuthentication`` (decode + user lookup; simplejwt does not
consult a blacklist for access tokens). Goal: restflow ≤ 1.0× simplejwt on the sync path.
The async path is measured against what an async view does with simplejwt (its sync
``authenticate`` in a worker thread): restflow's ``aauthenticate`` checks the blacklist on the
loop (``redis.asyncio`` or local memory) and makes one hop, inside Django's async ORM.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from benchmarks.harness import Scenario

KEY = "benchmarks-auth-signing-key-" + "k" * 48
SIMPLE_JWT = {"SIGNING_KEY": KEY, "USER_ID_FIELD": "id"}
_state: dict[str, Any] = {}


def _configure(**jwt: Any) -> None:
    """Swap the active settings override for this scenario's."""
    previous = _state.pop("override", None)
    if previous is not None:
        previous.disable()
    override = override_settings(
        RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": KEY, **jwt}}, SIMPLE_JWT=SIMPLE_JWT
    )
    override.enable()
    _state["override"] = override
    _prepare()


def _prepare() -> None:
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWT
    from rest_framework_simplejwt.tokens import AccessToken as SimpleAccessToken

    from restflow.authentication.jwt import AccessToken, JWTAuthentication
    from restflow.authentication.simplejwt import SimpleJWTAuthentication

    user, _ = get_user_model().objects.get_or_create(username="bench-auth")
    factory = APIRequestFactory()
    _state.update(
        restflow=JWTAuthentication(),
        simplejwt=SimpleJWT(),
        adapter=SimpleJWTAuthentication(),
        restflow_request=factory.get(
            "/", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}"
        ),
        simplejwt_request=factory.get(
            "/", HTTP_AUTHORIZATION=f"Bearer {SimpleAccessToken.for_user(user)}"
        ),
    )
    # Both must succeed before they are timed.
    assert _state["restflow"].authenticate(_state["restflow_request"])[0] == user
    assert _state["simplejwt"].authenticate(_state["simplejwt_request"])[0] == user


def simplejwt_sync() -> Any:
    return _state["simplejwt"].authenticate(_state["simplejwt_request"])


def restflow_sync() -> Any:
    return _state["restflow"].authenticate(_state["restflow_request"])


async def restflow_async() -> Any:
    return await _state["restflow"].aauthenticate(_state["restflow_request"])


async def simplejwt_in_worker() -> Any:
    return await sync_to_async(_state["simplejwt"].authenticate)(_state["simplejwt_request"])


async def restflow_in_worker() -> Any:
    return await sync_to_async(_state["restflow"].authenticate)(_state["restflow_request"])


CONCURRENT = 20


def concurrently(contender: Any) -> Any:
    """``CONCURRENT`` requests at once on one loop, as an ASGI server would run them."""

    async def batch() -> Any:
        return await asyncio.gather(*(contender() for _ in range(CONCURRENT)))

    return batch


async def adapter_async() -> Any:
    return await _state["adapter"].aauthenticate(_state["simplejwt_request"])


def scenarios() -> list[Scenario]:
    sync = {"simplejwt": simplejwt_sync, "restflow": restflow_sync}
    found = [
        Scenario(
            name="auth sync: blacklist disabled (same work as simplejwt)",
            baseline="simplejwt",
            contenders=sync,
            setup=lambda: _configure(BLACKLIST_ENABLED=False),
            number=300,
            goals={"restflow": 1.0},
        ),
        Scenario(
            name="auth sync: blacklist on the local-memory cache",
            baseline="simplejwt",
            contenders=sync,
            setup=lambda: _configure(BLACKLIST_ALLOW_LOCMEM=True),
            number=300,
            goals={"restflow": 1.0},
        ),
        Scenario(
            name="auth async: aauthenticate vs simplejwt in a worker (locmem blacklist)",
            baseline="simplejwt_in_worker",
            contenders={
                "simplejwt_in_worker": simplejwt_in_worker,
                "restflow_async": restflow_async,
                "restflow_sync_in_worker": restflow_in_worker,
                "restflow_adapter_async": adapter_async,
            },
            setup=lambda: _configure(BLACKLIST_ALLOW_LOCMEM=True),
            number=200,
        ),
    ]
    if "redis" in caches:
        found.append(
            Scenario(
                name="auth sync: blacklist on Redis (one extra round trip)",
                baseline="simplejwt",
                contenders=sync,
                setup=lambda: _configure(BLACKLIST_CACHE_ALIAS="redis"),
                number=300,
            )
        )
        found.append(
            Scenario(
                name="auth async: aauthenticate vs simplejwt in a worker (Redis blacklist)",
                baseline="simplejwt_in_worker",
                contenders={
                    "simplejwt_in_worker": simplejwt_in_worker,
                    "restflow_async": restflow_async,
                    "restflow_sync_in_worker": restflow_in_worker,
                },
                setup=lambda: _configure(BLACKLIST_CACHE_ALIAS="redis"),
                number=200,
            )
        )
        found.append(
            Scenario(
                name=f"auth async: {CONCURRENT} concurrent requests (Redis blacklist)",
                baseline="simplejwt_in_worker",
                contenders={
                    "simplejwt_in_worker": concurrently(simplejwt_in_worker),
                    "restflow_async": concurrently(restflow_async),
                    "restflow_sync_in_worker": concurrently(restflow_in_worker),
                },
                setup=lambda: _configure(BLACKLIST_CACHE_ALIAS="redis"),
                number=20,
            )
        )
    return found
