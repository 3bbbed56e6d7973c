"""Transactions on real PostgreSQL: savepoints, ATOMIC_REQUESTS, the signal's alias (§9)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.test import APIClient

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    InvalidationRule,
    KeyConstructor,
    cache_result,
)
from tests.caching.app.models import SampleModel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class RowKey(KeyConstructor):
    row = ArgsKeyField("row_id", partition=True)


def reader():
    computed = []

    @cache_result(
        RowKey, invalidates_on=[InvalidationRule(SampleModel, field_mapping={"row_id": "pk"})]
    )
    def read(row_id):
        value = SampleModel.objects.get(pk=row_id).name
        computed.append(value)
        return value

    return read, computed


def test_rolled_back_savepoint_drops_its_work():
    """C-REG-014 — work of a rolled-back savepoint is dropped; the outer commit's runs."""
    read, _ = reader()
    a = SampleModel.objects.create(name="a")
    b = SampleModel.objects.create(name="b")
    read(a.pk)
    read(b.pk)
    with transaction.atomic():
        a.name = "a2"
        a.save()
        with pytest.raises(RuntimeError), transaction.atomic():
            b.name = "b2"
            b.save()
            raise RuntimeError
        assert read.get_cache_only(a.pk) == "a"  # nothing runs before the outer commit
    assert read.get_cache_only(a.pk) is CACHE_MISSING
    assert read.get_cache_only(b.pk) == "b"


def test_values_captured_at_signal_time_and_alias(monkeypatch):
    """C-REG-010 W-1 W-4 — delete inside atomic; on_commit gets the signal's alias."""
    read, _ = reader()
    seen = []
    original = transaction.on_commit

    def spy(func, using=None, robust=False):
        seen.append(using)
        return original(func, using=using)

    monkeypatch.setattr(transaction, "on_commit", spy)
    obj = SampleModel.objects.create(name="x")
    read(obj.pk)
    pk = obj.pk
    with transaction.atomic(using="default"):
        obj.delete(using="default")
    assert seen == ["default"]
    assert read.get_cache_only(pk) is CACHE_MISSING


@override_settings(ROOT_URLCONF="tests.caching.app.urls")
def test_atomic_requests(monkeypatch):
    """ATOMIC_REQUESTS: the request's transaction commits, then the rule runs; a failed
    request rolls back and leaves the cache alone."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    client = APIClient(raise_request_exception=False)
    obj = SampleModel.objects.create(name="one")
    url = f"/samples/{obj.pk}/"
    assert client.get(url).json() == {"name": "one"}
    assert client.put(url, {"name": "two"}, format="json").status_code == 200
    assert client.get(url).json() == {"name": "two"}
    assert client.put(url, {"name": "three", "fail": True}, format="json").status_code == 500
    assert client.get(url).json() == {"name": "two"}
    assert client.delete(url).status_code == 204
    assert client.get(url).json() == {"name": None}
