"""``list`` and ``retrieve`` on the async generic views: one worker trip when every step is sync.

A user's sync ``get_queryset``, sync filter backends, a sync paginator and reading ``.data``
would each leave the loop; they run in one trip, in DRF's order, and never on the loop.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIRequestFactory

from restflow.views import AsyncListAPIView, AsyncRetrieveAPIView, _bridge
from tests.core.views.app.models import Item
from tests.core.views.app.serializers import ItemSerializer
from tests.core.views.conftest import call

rf = APIRequestFactory()
pytestmark = pytest.mark.django_db


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Even(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        view.events.append(("filter", _on_loop()))
        return queryset.filter(integer_field__in=[0, 2, 4])


class AsyncEven:
    async def afilter_queryset(self, request, queryset, view):
        view.events.append(("afilter", _on_loop()))
        return queryset.filter(integer_field__in=[0, 2, 4])


class Page2(PageNumberPagination):
    page_size = 2

    def paginate_queryset(self, queryset, request, view=None):
        view.events.append(("paginate", _on_loop()))
        return super().paginate_queryset(queryset, request, view)


class SyncQuerysetList(AsyncListAPIView):
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes: list = []
    filter_backends = [Even]
    pagination_class = Page2

    def get_queryset(self):
        self.events.append(("get_queryset", _on_loop()))
        return Item.objects.order_by("integer_field")

    async def dispatch(self, request, *args, **kwargs):
        self.events = []
        type(self).last = self
        return await super().dispatch(request, *args, **kwargs)


class TripCounter:
    def __init__(self, monkeypatch):
        self.trips = 0
        run = _bridge._run_in_worker

        async def counting(*args, **kwargs):
            self.trips += 1
            return await run(*args, **kwargs)

        monkeypatch.setattr(_bridge, "_run_in_worker", counting)


def _seed():
    for i in range(5):
        Item.objects.create(integer_field=i, string_field=f"s{i}")


def _values(response):
    return [row["integer_field"] for row in json.loads(response.content)["results"]]


def test_sync_steps_share_one_worker_trip(monkeypatch):
    _seed()
    counter = TripCounter(monkeypatch)
    response = call(SyncQuerysetList.as_view(), rf.get("/"))
    assert response.status_code == 200
    assert _values(response) == [0, 2]
    assert json.loads(response.content)["count"] == 3
    assert SyncQuerysetList.last.events == [
        ("get_queryset", False),
        ("filter", False),
        ("paginate", False),
    ]
    assert counter.trips == 1


def test_async_filter_backend_keeps_the_step_by_step_path(monkeypatch):
    _seed()

    class AsyncFiltered(SyncQuerysetList):
        filter_backends = [AsyncEven]

    counter = TripCounter(monkeypatch)
    response = call(AsyncFiltered.as_view(), rf.get("/"))
    assert _values(response) == [0, 2]
    assert AsyncFiltered.last.events == [
        ("get_queryset", False),
        ("afilter", True),
        ("paginate", False),
    ]
    assert counter.trips == 2  # get_queryset, paginate; .data of loaded rows on the loop


def test_user_async_hook_is_honoured():
    _seed()

    class OwnAsyncQueryset(SyncQuerysetList):
        async def aget_queryset(self):
            self.events.append(("aget_queryset", _on_loop()))
            return Item.objects.filter(integer_field__gte=2).order_by("integer_field")

    response = call(OwnAsyncQueryset.as_view(), rf.get("/"))
    assert _values(response) == [2, 4]
    assert OwnAsyncQueryset.last.events[0] == ("aget_queryset", True)


def test_unpaginated_sync_list_matches_the_serializer():
    _seed()

    class Unpaginated(SyncQuerysetList):
        pagination_class = None

    response = call(Unpaginated.as_view(), rf.get("/"))
    expected = ItemSerializer(Item.objects.filter(integer_field__in=[0, 2, 4]), many=True).data
    assert json.loads(response.content) == json.loads(json.dumps(expected, default=str))


class EvenOnly:
    def has_permission(self, request, view):
        return True

    def has_object_permission(self, request, view, obj):
        view.events.append(("object_permission", _on_loop()))
        return obj.integer_field % 2 == 0


class SyncQuerysetDetail(AsyncRetrieveAPIView):
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes = [EvenOnly]
    filter_backends = [Even]

    def get_queryset(self):
        self.events.append(("get_queryset", _on_loop()))
        return Item.objects.all()

    async def dispatch(self, request, *args, **kwargs):
        self.events = []
        type(self).last = self
        return await super().dispatch(request, *args, **kwargs)


class AnyObject(EvenOnly):
    def has_object_permission(self, request, view, obj):
        view.events.append(("object_permission", _on_loop()))
        return True


def test_retrieve_sync_steps_share_one_worker_trip(monkeypatch):
    items = [Item.objects.create(integer_field=i) for i in range(5)]

    class Detail(SyncQuerysetDetail):
        permission_classes = [AnyObject]

    counter = TripCounter(monkeypatch)
    response = call(Detail.as_view(), rf.get("/"), pk=items[2].pk)
    assert response.status_code == 200
    assert json.loads(response.content)["integer_field"] == 2
    assert Detail.last.events == [
        ("get_queryset", False),
        ("filter", False),
        ("object_permission", False),
    ]
    assert counter.trips == 2  # has_permission (initial), then everything else


@pytest.mark.parametrize(
    ("pk", "status"), [("missing", 404), ("abc", 404), (str(10**30), 404), ("odd", 403)]
)
def test_retrieve_in_one_trip_keeps_404_and_403(pk, status):
    items = [Item.objects.create(integer_field=i) for i in range(5)]
    pks = {"missing": str(items[1].pk), "odd": None}  # integer_field 1 is filtered out
    if pk == "odd":

        class Unfiltered(SyncQuerysetDetail):
            filter_backends: list = []

        response = call(Unfiltered.as_view(), rf.get("/"), pk=items[1].pk)
    else:
        response = call(SyncQuerysetDetail.as_view(), rf.get("/"), pk=pks.get(pk, pk))
    assert response.status_code == status


def test_retrieve_with_async_object_permission_keeps_the_step_by_step_path():
    item = Item.objects.create(integer_field=3)

    class AsyncAllowed(EvenOnly):
        async def ahas_object_permission(self, request, view, obj):
            view.events.append(("aobject_permission", _on_loop()))
            return True

    class Detail(SyncQuerysetDetail):
        permission_classes = [AsyncAllowed]
        filter_backends: list = []

    response = call(Detail.as_view(), rf.get("/"), pk=item.pk)
    assert response.status_code == 200
    assert Detail.last.events == [("get_queryset", False), ("aobject_permission", True)]
