"""Responses: DRF's ``Response`` with ``arender()`` and three streaming responses.

Import-safe (stack.md §0): ``restflow.pagination`` imports this package, so nothing here
imports ``rest_framework.views`` or ``restflow.views`` at module level.
"""

from restflow.responses.response import Response
from restflow.responses.streaming import NDJSONResponse, SSEResponse, StreamingJSONListResponse

__all__ = ["NDJSONResponse", "Response", "SSEResponse", "StreamingJSONListResponse"]
