"""Which representations async views read on the loop (``represents_without_io``).

An async view reads ``.data`` on the loop only when the serializer vouches that nothing in
it runs code that may do I/O: restflow's own ``to_representation``, built-in scalar fields
reading one attribute each, and instances that hold those attributes as plain values.
Anything else (relations, properties, deferred fields, querysets, method fields, custom
fields) is read in the worker, where the ORM may run (views W16).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import threading

import pytest
from django.test import AsyncClient, override_settings
from django.urls import path
from rest_framework import serializers as drf

from restflow.helpers.representation import represents_without_io as plain
from restflow.serializers import Field, ModelSerializer, Serializer
from restflow.views import AsyncAPIView
from tests.serializers.app.models import RelatedModel, SampleModel


@dataclasses.dataclass
class Row:
    id: int
    title: str
    price: decimal.Decimal
    published: datetime.date


class RowSerializer(Serializer):
    id: int
    title: str
    price: decimal.Decimal = Field(max_digits=6, decimal_places=2)
    published: datetime.date


ROWS = [Row(i, f"t{i}", decimal.Decimal("1.50"), datetime.date(2024, 1, 1)) for i in range(3)]


class Computed:
    """``title`` is a property: user code that may do anything."""

    def __init__(self) -> None:
        self.id = 1
        self.price = decimal.Decimal("2")
        self.published = datetime.date(2024, 1, 1)

    @property
    def title(self) -> str:
        Computed.read_on = threading.current_thread()
        return "computed"


def test_w16_plain_values_are_io_free():
    """W16: dataclass rows, and dicts, are represented without I/O."""
    assert plain(RowSerializer(ROWS, many=True), ROWS)
    assert plain(RowSerializer(ROWS[0]), ROWS[0])
    row = {"id": 1, "title": "x", "price": "1.00", "published": datetime.date(2024, 1, 1)}
    assert plain(RowSerializer(row), row)


class Proxy:
    """Every attribute read runs the class's own ``__getattribute__``."""

    def __init__(self, row: Row) -> None:
        self.__dict__.update(vars(row))

    def __getattribute__(self, name: str):
        return object.__getattribute__(self, name)


def test_w16_properties_querysets_and_user_code_are_not_io_free():
    """W16: a property, a queryset, a method field, a custom field or a user
    ``to_representation`` may do I/O: not vouched for."""
    assert not plain(RowSerializer(Computed()), Computed())
    assert not plain(RowSerializer(Proxy(ROWS[0])), Proxy(ROWS[0]))
    assert not plain(
        RowSerializer(SampleModel.objects.none(), many=True), SampleModel.objects.none()
    )

    class WithMethod(RowSerializer):
        extra = drf.SerializerMethodField()

        def get_extra(self, obj):
            return 1

    class Upper(drf.CharField):
        def to_representation(self, value):
            return str(value).upper()

    class WithCustomField(RowSerializer):
        title = Upper()

    class WithOwnRepresentation(RowSerializer):
        def to_representation(self, instance):
            return super().to_representation(instance)

    class Dotted(Serializer):
        year: int = Field(source="published.year")

    for serializer_class in (WithMethod, WithCustomField, WithOwnRepresentation, Dotted):
        assert not plain(serializer_class(ROWS[0]), ROWS[0]), serializer_class


def test_w16_model_fields_are_io_free_only_when_loaded_and_not_relations():
    """W16: a loaded concrete field is plain; a deferred one or a relation would query."""

    class SampleOut(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["id", "integer_field", "string_field"]

    class RelatedOut(ModelSerializer):
        sample: str = Field(source="sample_model")

        class Meta:
            model = RelatedModel
            fields = ["id", "name", "sample"]

    loaded = SampleModel(id=1, integer_field=2, string_field="s")
    assert plain(SampleOut(loaded), loaded)
    deferred = SampleModel(id=1, integer_field=2)
    del deferred.__dict__["string_field"]
    assert not plain(SampleOut(deferred), deferred)
    related = RelatedModel(id=1, name="n", sample_model_id=1)
    assert not plain(RelatedOut(related), related)


class Rows(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    serializer_class = RowSerializer
    source: list = ROWS

    async def get(self, request):
        Rows.loop_thread = threading.current_thread()
        return await self.aserialized_response(self.source, many=True)


class ComputedRows(Rows):
    source = [Computed()]


urlpatterns = [path("rows/", Rows.as_view()), path("computed/", ComputedRows.as_view())]


@pytest.fixture
def worker_trips(monkeypatch):
    from restflow.views import _bridge

    trips = []
    run = _bridge._run_in_worker

    async def counting(fn, *args, **kwargs):
        trips.append(fn)
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(_bridge, "_run_in_worker", counting)
    return trips


@override_settings(ROOT_URLCONF=__name__)
async def test_w16_async_view_reads_plain_rows_on_the_loop(worker_trips):
    """W16: ``aserialized_response`` of plain rows makes no worker trip."""
    response = await AsyncClient().get("/rows/")
    assert response.status_code == 200
    assert response.json()[1] == {
        "id": 1,
        "title": "t1",
        "price": "1.50",
        "published": "2024-01-01",
    }
    assert worker_trips == []


@override_settings(ROOT_URLCONF=__name__)
async def test_w16_async_view_reads_properties_in_the_worker(worker_trips):
    """W16: a property may do I/O, so ``.data`` leaves the loop for it."""
    Computed.read_on = None
    response = await AsyncClient().get("/computed/")
    assert response.json()[0]["title"] == "computed"
    assert len(worker_trips) == 1
    assert Computed.read_on not in (None, ComputedRows.loop_thread)


async def test_w16_adata_of_plain_rows_stays_on_the_loop():
    """W16: ``adata`` of plain rows needs no thread; of a property, one hop."""
    loop_thread = threading.current_thread()
    assert await RowSerializer(ROWS, many=True).adata == RowSerializer(ROWS, many=True).data
    Computed.read_on = None
    await RowSerializer(Computed()).adata
    assert Computed.read_on not in (None, loop_thread)
