"""`restflow.test`: async test client, request factory and test cases (stack.md §5)."""

from restflow.test.client import AsyncAPIClient, AsyncAPIRequestFactory, force_authenticate
from restflow.test.testcases import (
    AsyncAPILiveServerTestCase,
    AsyncAPISimpleTestCase,
    AsyncAPITestCase,
    AsyncAPITransactionTestCase,
)

__all__ = [
    "AsyncAPIClient",
    "AsyncAPILiveServerTestCase",
    "AsyncAPIRequestFactory",
    "AsyncAPISimpleTestCase",
    "AsyncAPITestCase",
    "AsyncAPITransactionTestCase",
    "force_authenticate",
]
