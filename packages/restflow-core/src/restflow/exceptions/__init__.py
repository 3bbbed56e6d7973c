"""`restflow.exceptions`: the unified error envelope (stack.md §1).

Enable it with ``REST_FRAMEWORK = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}``.
"""

from restflow.exceptions.base import APIException
from restflow.exceptions.codes import ErrorCode
from restflow.exceptions.handler import exception_handler, format_error

__all__ = ["APIException", "ErrorCode", "exception_handler", "format_error"]
