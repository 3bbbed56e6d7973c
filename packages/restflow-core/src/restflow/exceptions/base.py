"""`APIException`: a DRF exception that carries an envelope code and details (stack.md §1.5)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions as drf_exceptions

from restflow.exceptions.codes import ErrorCode, code_value


class APIException(drf_exceptions.APIException):
    """Raise it (or a subclass) to answer with ``{"error": {code, message, details}}``.

    The resolved code is handed to DRF as well, so ``exc.get_codes()`` and ``exc.detail.code``
    agree with ``exc.code`` for tools that inspect DRF codes.
    """

    code: str = ErrorCode.INTERNAL_ERROR.value
    details: dict[str, Any] | None = None

    def __init__(
        self,
        detail: Any = None,
        *,
        code: str | ErrorCode | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.code = code_value(code if code is not None else type(self).code)
        if details is not None:
            self.details = details
        if status_code is not None:
            self.status_code = status_code
        super().__init__(detail, self.code)
