"""Fixtures of the filter tests: sample rows and request helpers."""

from __future__ import annotations

import asyncio
import inspect

import pytest


@pytest.fixture
def samples(db):
    from tests.filters.app.models import Sample

    return [
        Sample.objects.create(integer_field=10, string_field="test1", choice_field="a"),
        Sample.objects.create(integer_field=20, string_field="test2", choice_field="b"),
        Sample.objects.create(integer_field=30, string_field="test3", choice_field="c"),
    ]


@pytest.fixture(scope="session")
def pg_schema(django_db_setup, django_db_blocker):
    """The PostgreSQL-only table and the extensions the PostgreSQL features need."""
    from django.db import connection

    from tests.filters.app.models import PgDoc

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (--db=postgres)")
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            for extension in ("pg_trgm", "unaccent", "btree_gin"):
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        with connection.schema_editor() as editor:
            editor.create_model(PgDoc)


@pytest.fixture
def pg_app():
    """``django.contrib.postgres`` installed (it registers search/trigram/unaccent lookups)."""
    from django.test import modify_settings

    with modify_settings(INSTALLED_APPS={"append": "django.contrib.postgres"}):
        yield


@pytest.fixture(autouse=True)
def _close_worker_connections(request):
    """Async tests use the ORM from asgiref's worker thread: close its connections after."""
    yield
    if inspect.iscoroutinefunction(getattr(request, "function", None)):
        from asgiref.sync import sync_to_async
        from django.db import connections

        asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())
