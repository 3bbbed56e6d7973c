"""Async-aware throttles with exact counts under concurrency (stack.md §4).

Import-safe (stack.md §0): no ``rest_framework.views`` at module level.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling as drf

from restflow.helpers import run_sync
from restflow.throttling.history import ahit, hit

_PERIODS = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
_RATE = re.compile(r"\s*(\d+)\s*/\s*([a-z]+)\s*")


def throttler_allow_request(throttle: Any, request: Any, view: Any) -> bool | Awaitable[bool]:
    """The un-awaited ``aallow_request`` coroutine when the throttle has one, else the verdict."""
    if hasattr(throttle, "aallow_request"):
        return throttle.aallow_request(request, view)
    return throttle.allow_request(request, view)


async def aevaluate_throttle(throttle: Any, request: Any, view: Any) -> bool:
    """Verdict of any throttle for async views: sync-only throttles run off the event loop."""
    if hasattr(throttle, "aallow_request"):
        return bool(await throttle.aallow_request(request, view))
    return bool(await sync_to_async(throttle.allow_request, thread_sensitive=True)(request, view))


class BaseThrottle(drf.BaseThrottle):
    """Implement ``allow_request``, ``aallow_request``, or both."""

    def allow_request(self, request: Any, view: Any) -> bool:
        # An async-only throttle must be enforced on sync views too.
        if type(self).aallow_request is not BaseThrottle.aallow_request:
            return bool(run_sync(self.aallow_request(request, view)))
        return super().allow_request(request, view)

    async def aallow_request(self, request: Any, view: Any) -> bool:
        return bool(await sync_to_async(self.allow_request, thread_sensitive=True)(request, view))


class SimpleRateThrottle(BaseThrottle, drf.SimpleRateThrottle):
    """Sliding-window rate limit keyed by ``get_cache_key``.

    The decision (evict, compare, record) is atomic per key: exact across processes on Redis,
    within the process on other caches (see :mod:`restflow.throttling.history`).
    """

    history: list[float]

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        """``"<count>/<period>"``; a malformed rate is a configuration error naming it."""
        if rate is None:
            return (None, None)
        match = _RATE.fullmatch(rate) if isinstance(rate, str) else None
        if match is None or match.group(2) not in _PERIODS:
            raise ImproperlyConfigured(
                f"Invalid throttle rate {rate!r} for '{type(self).__name__}': expected "
                "'<count>/<period>' with a period of s, sec, second(s), m, min, minute(s), "
                "h, hour(s), d or day(s), e.g. '100/hour'."
            )
        return int(match.group(1)), _PERIODS[match.group(2)]

    def _cache_key_for(self, request: Any, view: Any) -> str | None:
        """The key this request counts against, or ``None`` when it is not throttled."""
        if self.rate is None:
            return None
        return self.get_cache_key(request, view)

    def _record(self, allowed: bool, history: list[float]) -> bool:
        self.history = history
        return self.throttle_success() if allowed else self.throttle_failure()

    def allow_request(self, request: Any, view: Any) -> bool:
        self.key = self._cache_key_for(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        return self._record(*hit(self.cache, self.key, self.now, self.duration, self.num_requests))

    async def aallow_request(self, request: Any, view: Any) -> bool:
        self.key = self._cache_key_for(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, self.history = await ahit(
            self.cache, self.key, self.now, self.duration, self.num_requests
        )
        return await self.athrottle_success() if allowed else self.throttle_failure()

    def throttle_success(self) -> bool:
        """Called after the request was recorded (the store does the write atomically)."""
        return True

    async def athrottle_success(self) -> bool:
        return True


class AnonRateThrottle(SimpleRateThrottle, drf.AnonRateThrottle):
    """Limits anonymous requests per client address (scope ``anon``)."""


class UserRateThrottle(SimpleRateThrottle, drf.UserRateThrottle):
    """Limits requests per user, or per client address when anonymous (scope ``user``)."""


class ScopedRateThrottle(SimpleRateThrottle, drf.ScopedRateThrottle):
    """Limits per ``view.throttle_scope``; scope and rate are resolved on every check."""

    def _cache_key_for(self, request: Any, view: Any) -> str | None:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super()._cache_key_for(request, view)
