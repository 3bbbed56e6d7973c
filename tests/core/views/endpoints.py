"""Views served by ``tests.core.views.urls`` (test client and the real-HTTP test)."""

from __future__ import annotations

import asyncio

from rest_framework.authentication import BasicAuthentication
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated

from restflow.responses import NDJSONResponse, Response, SSEResponse, StreamingJSONListResponse
from restflow.views import (
    APIView,
    AsyncAPIView,
    AsyncListCreateAPIView,
    AsyncModelViewSet,
    AsyncReadOnlyModelViewSet,
    AsyncRetrieveUpdateDestroyAPIView,
    GenericViewSet,
    ListModelMixin,
    ModelViewSet,
    RetrieveModelMixin,
    ViewSet,
)
from tests.core.views.app.models import Item
from tests.core.views.app.serializers import ItemSerializer, SlimItemSerializer

# What the streaming sources did, for assertions (the real-HTTP test reads it over HTTP).
STREAM_STATE = {"protected_iterated": 0, "slow_started": 0, "slow_finally": 0}


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"


class SyncVerbs(APIView):
    def get(self, request):
        return Response({"m": "get"})

    def post(self, request):
        return Response({"m": "post"}, status=201)

    def put(self, request):
        return Response({"m": "put"})

    def patch(self, request):
        return Response({"m": "patch"}, status=202)

    def delete(self, request):
        return Response(status=204)


class ItemList(AsyncListCreateAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = Pages
    authentication_classes: list = []
    permission_classes: list = []


class ItemDetail(AsyncRetrieveUpdateDestroyAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes: list = []


async def _rows():
    async for item in Item.objects.order_by("id"):
        yield {"id": item.id, "integer_field": item.integer_field}


class _Open(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []


class StreamJSON(_Open):
    async def get(self, request):
        return StreamingJSONListResponse(_rows())


class StreamNDJSON(_Open):
    async def get(self, request):
        return NDJSONResponse(_rows())


class StreamSSE(_Open):
    async def get(self, request):
        async def events():
            async for row in _rows():
                yield {"id": row["id"], "event": "sample", "data": row}

        return SSEResponse(events())


class ProtectedStream(AsyncAPIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        async def source():
            STREAM_STATE["protected_iterated"] += 1
            yield {"secret": True}

        return NDJSONResponse(source())


class SlowStream(_Open):
    """Never ends by itself: the client disconnects, and the server must close the source."""

    async def get(self, request):
        async def source():
            STREAM_STATE["slow_started"] += 1
            try:
                index = 0
                while True:
                    yield {"i": index}
                    index += 1
                    await asyncio.sleep(0.01)
            finally:
                STREAM_STATE["slow_finally"] += 1

        return NDJSONResponse(source())


class SlowStreamStatus(_Open):
    async def get(self, request):
        return Response(dict(STREAM_STATE))


class ItemViewSet(AsyncModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []

    @action(detail=False, methods=["post"], serializer_class=SlimItemSerializer)
    async def custom(self, request):
        return Response({"action": self.action, "serializer": self.get_serializer_class().__name__})

    @action(detail=True, methods=["get"])
    def sync_detail(self, request, pk=None):
        return Response(
            {"detail": self.detail, "basename": self.basename, "count": Item.objects.count()}
        )


class SyncItemViewSet(ModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []


class ReadOnlyItems(AsyncReadOnlyModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []


class PlainViewSet(ViewSet):
    authentication_classes: list = []
    permission_classes: list = []

    def list(self, request):
        return Response([{"plain": True}])

    def retrieve(self, request, pk=None):
        return Response({"pk": pk})


class SyncGenericItems(ListModelMixin, RetrieveModelMixin, GenericViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []
