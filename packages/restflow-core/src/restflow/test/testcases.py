"""Django test-case classes whose ``self.client`` is an :class:`AsyncAPIClient`."""

from __future__ import annotations

from django import test

from restflow.test.client import AsyncAPIClient


class AsyncAPISimpleTestCase(test.SimpleTestCase):
    client_class = AsyncAPIClient


class AsyncAPITestCase(test.TestCase):
    client_class = AsyncAPIClient


class AsyncAPITransactionTestCase(test.TransactionTestCase):
    client_class = AsyncAPIClient


class AsyncAPILiveServerTestCase(test.LiveServerTestCase):
    client_class = AsyncAPIClient
