"""`restflow.throttling`: async-aware throttles with exact counts (stack.md §4)."""

from restflow.throttling.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
    throttler_allow_request,
)

__all__ = [
    "AnonRateThrottle",
    "BaseThrottle",
    "ScopedRateThrottle",
    "SimpleRateThrottle",
    "UserRateThrottle",
    "throttler_allow_request",
]
