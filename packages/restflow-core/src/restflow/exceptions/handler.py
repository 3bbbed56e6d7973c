"""The unified error envelope: ``exception_handler`` and ``format_error`` (stack.md §1).

Import-safe (stack.md §0): ``rest_framework.views`` is imported inside the handler only,
because DRF may import this module while ``rest_framework.views`` is still initialising.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core import exceptions as django_exceptions
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from restflow.exceptions.base import APIException
from restflow.exceptions.codes import ErrorCode, code_value

logger = logging.getLogger("restflow.exceptions")

VALIDATION_MESSAGE = _("Request validation failed.")
RESOURCE_NOT_FOUND = _("Resource not found.")
PERMISSION_DENIED = _("Permission denied.")

# Rows 2-12 of the table in stack.md §1.6, most specific first (``NotAuthenticated`` before
# anything it might share a base with).
_DRF_CODES: tuple[tuple[type[drf.APIException], ErrorCode], ...] = (
    (drf.NotAuthenticated, ErrorCode.NOT_AUTHENTICATED),
    (drf.AuthenticationFailed, ErrorCode.AUTHENTICATION_FAILED),
    (drf.PermissionDenied, ErrorCode.PERMISSION_DENIED),
    (drf.NotFound, ErrorCode.NOT_FOUND),
    (drf.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (drf.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (drf.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (drf.ParseError, ErrorCode.PARSE_ERROR),
    (drf.Throttled, ErrorCode.THROTTLED),
)


def format_error(
    code: str | ErrorCode, message: str | Promise, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build an envelope body; useful for project handlers that answer errors themselves."""
    return {"error": {"code": code_value(code), "message": message, "details": details or {}}}


def _normalise_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _normalise_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise_value(item) for item in value]
    return str(value)


def normalise_detail(detail: Any) -> dict[str, Any]:
    """Turn any validation detail into a JSON object of strings, lists and objects.

    Containers are walked recursively (never ``str()``-ed whole), so list-style ``many=True``
    errors keep their structure and no ``ErrorDetail(...)`` repr can leak into a body.
    """
    if isinstance(detail, Mapping):
        return {key: _normalise_value(value) for key, value in detail.items()}
    if not isinstance(detail, (list, tuple)):
        detail = [detail]
    return {api_settings.NON_FIELD_ERRORS_KEY: [_normalise_value(item) for item in detail]}


def _message_and_details(exc: drf.APIException) -> tuple[str, dict[str, Any]]:
    """The "text of detail" rule (stack.md §1.7)."""
    if isinstance(exc.detail, (list, dict)):
        return str(type(exc).default_detail), normalise_detail(exc.detail)
    return str(exc.detail), {}


def _set_rollback() -> None:
    from rest_framework.views import set_rollback  # lazy: stack.md §0

    set_rollback()


def _response(
    exc: Exception, status: int, code: str | ErrorCode, message: Any, details: dict[str, Any]
) -> Response:
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    _set_rollback()
    return Response(format_error(code, message, details), status=status, headers=headers)


def exception_handler(exc: Exception, context: Mapping[str, Any] | None) -> Response | None:
    """DRF ``EXCEPTION_HANDLER`` that renders every handled error in the envelope.

    Returns ``None`` for anything that is not an API, validation, permission or not-found
    error, so the view re-raises it and Django's 500 handling applies.
    """
    if isinstance(exc, APIException):
        message, details = _message_and_details(exc)
        if exc.details is not None:
            details = exc.details
        return _response(exc, exc.status_code, exc.code, message, details)
    for exc_class, code in _DRF_CODES:
        if isinstance(exc, exc_class):
            message, details = _message_and_details(exc)
            if isinstance(exc, drf.Throttled) and exc.wait is not None:
                details = {**details, "retry_after_seconds": int(exc.wait)}
            return _response(exc, exc.status_code, code, message, details)
    if isinstance(exc, django_exceptions.PermissionDenied):
        message = str(exc) or str(PERMISSION_DENIED)
        return _response(exc, 403, ErrorCode.PERMISSION_DENIED, message, {})
    if isinstance(exc, (Http404, django_exceptions.ObjectDoesNotExist)):
        # A stray DoesNotExist may be a server-side bug: keep its traceback for debugging.
        logger.debug("Answering 404 for %r", exc, exc_info=exc)
        return _response(exc, 404, ErrorCode.NOT_FOUND, str(RESOURCE_NOT_FOUND), {})
    if isinstance(exc, drf.ValidationError):
        details = normalise_detail(exc.detail)
        return _response(exc, 400, ErrorCode.VALIDATION_ERROR, str(VALIDATION_MESSAGE), details)
    if isinstance(exc, django_exceptions.ValidationError):
        details = normalise_detail(as_serializer_error(exc))
        return _response(exc, 400, ErrorCode.VALIDATION_ERROR, str(VALIDATION_MESSAGE), details)
    if isinstance(exc, drf.APIException):
        message, details = _message_and_details(exc)
        return _response(exc, exc.status_code, ErrorCode.INTERNAL_ERROR, message, details)
    return None
