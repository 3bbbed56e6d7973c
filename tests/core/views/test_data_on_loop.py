"""``.data`` of plain values is read on the loop; anything that may run code, in the worker.

A DRF serializer of built-in scalar fields over loaded rows (or dicts, or dataclasses)
only formats values, so the worker trip would cost more than the work (W16). Method
fields, relations, deferred fields and properties may query, so they still leave the loop.
"""

from __future__ import annotations

import json

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from restflow.views import AsyncAPIView
from tests.core.views.app.models import Item, Note
from tests.core.views.app.serializers import ItemSerializer, ReadItemSerializer
from tests.core.views.conftest import call
from tests.core.views.test_one_trip import TripCounter

rf = APIRequestFactory()
pytestmark = pytest.mark.django_db


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "item"]


class Show(AsyncAPIView):
    """Serializes what ``fetch`` returns, fetched with the async ORM."""

    authentication_classes: list = []
    permission_classes: list = []
    serializer_class = ItemSerializer

    async def fetch(self):
        return await Item.objects.aget(integer_field=7)

    async def get(self, request):
        return await self.aserialized_response(await self.fetch())


def _body(response):
    return json.loads(response.content)


def _seed():
    item = Item.objects.create(integer_field=7, string_field="seven")
    Note.objects.create(item=item)
    return item


def test_w16_drf_serializer_of_loaded_row_reads_data_on_the_loop(monkeypatch):
    """W16: a ``ModelSerializer`` of scalar fields over a loaded row makes no worker trip."""
    item = _seed()
    counter = TripCounter(monkeypatch)
    response = call(Show.as_view(), rf.get("/"))
    assert _body(response) == {"id": item.pk, "integer_field": 7, "string_field": "seven"}
    assert counter.trips == 0


@pytest.mark.parametrize(
    ("serializer_class", "queryset"),
    [
        (ReadItemSerializer, lambda: Item.objects.all()),  # method field
        (NoteSerializer, lambda: Note.objects.all()),  # relation
        (ItemSerializer, lambda: Item.objects.only("id")),  # deferred fields
    ],
    ids=["method-field", "relation", "deferred-field"],
)
def test_w16_data_that_may_run_code_is_read_in_the_worker(monkeypatch, serializer_class, queryset):
    """W16: method fields, relations and deferred fields may query: one trip for ``.data``."""
    _seed()

    class Mixed(Show):
        async def fetch(self):
            return await queryset().afirst()

    Mixed.serializer_class = serializer_class
    counter = TripCounter(monkeypatch)
    response = call(Mixed.as_view(), rf.get("/"))
    assert response.status_code == 200
    assert counter.trips == 1
    assert _body(response) == serializer_class(queryset().first()).data


class Labelled:
    """A plain object whose ``label`` is a model row; ``str()`` of it queries."""

    def __init__(self, note_id: int) -> None:
        self.label = Note.objects.only("id").get(pk=note_id)  # ``name`` deferred


class LabelSerializer(serializers.Serializer):
    label = serializers.CharField()


def test_w16_a_value_that_queries_after_all_is_read_in_the_worker(monkeypatch):
    """W16: a ``CharField`` over a row whose ``__str__`` reads a deferred field: the read on
    the loop raises ``SynchronousOnlyOperation`` and ``.data`` is read in the worker."""
    note = _seed().notes.get()
    Note.__str__ = lambda self: f"note {self.name}"
    try:
        value = Labelled(note.pk)

        class Labels(Show):
            serializer_class = LabelSerializer

            async def fetch(self):
                return value

        counter = TripCounter(monkeypatch)
        response = call(Labels.as_view(), rf.get("/"))
    finally:
        del Note.__str__
    assert response.status_code == 200
    assert _body(response) == {"label": f"note {note.name}"}
    assert counter.trips == 1
