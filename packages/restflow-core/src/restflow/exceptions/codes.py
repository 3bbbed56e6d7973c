"""Stable machine codes of the error envelope (stack.md §1.4)."""

from __future__ import annotations

import enum
import sys

if sys.version_info >= (3, 11):
    _StrEnum = enum.StrEnum
else:  # pragma: no cover - Python 3.10

    class _StrEnum(str, enum.Enum):
        def __str__(self) -> str:
            return str(self.value)


class ErrorCode(_StrEnum):
    """Values are frozen: clients match on them. New members may be added, never renamed."""

    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_ACCEPTABLE = "not_acceptable"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


def code_value(code: str | ErrorCode) -> str:
    """The plain string of a code, whether given as an ``ErrorCode`` or as a string."""
    if isinstance(code, ErrorCode):
        return str(code.value)
    return str(code)
