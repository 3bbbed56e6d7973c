"""Exception flow across handler modes (stack.md §8): S-MODE-001..004."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from rest_framework import generics as drf_generics
from rest_framework import serializers
from rest_framework.response import Response

from restflow.test import AsyncAPIRequestFactory
from restflow.views import APIView, AsyncAPIView, AsyncCreateAPIView, AsyncListAPIView
from tests.core.stack.app.models import Item

factory = AsyncAPIRequestFactory()
STATUSES = {"get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}


class Sync(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        return Response({"verb": "GET"})

    def post(self, request):
        return Response({"verb": "POST"}, status=201)

    def put(self, request):
        return Response({"verb": "PUT"})

    def patch(self, request):
        return Response({"verb": "PATCH"})

    def delete(self, request):
        return Response(status=204)


class Async(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return Response({"verb": "GET"})

    async def post(self, request):
        return Response({"verb": "POST"}, status=201)

    async def put(self, request):
        return Response({"verb": "PUT"})

    async def patch(self, request):
        return Response({"verb": "PATCH"})

    async def delete(self, request):
        return Response(status=204)


class Mixed(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        return Response({"verb": "GET", "shape": "sync"})

    async def post(self, request):
        return Response({"verb": "POST", "shape": "async"}, status=201)


async def test_sync_verbs():
    """S-MODE-001"""
    view = Sync.as_view()
    for verb, status in STATUSES.items():
        response = await sync_to_async(view)(getattr(factory, verb)("/m/"))
        assert response.status_code == status
        if status != 204:
            assert response.data == {"verb": verb.upper()}


async def test_async_verbs():
    """S-MODE-002"""
    view = Async.as_view()
    for verb, status in STATUSES.items():
        response = await view(getattr(factory, verb)("/m/"))
        assert response.status_code == status


async def test_mixed_handlers():
    """S-MODE-003"""
    view = Mixed.as_view()
    assert (await view(factory.get("/m/"))).data == {"verb": "GET", "shape": "sync"}
    assert (await view(factory.post("/m/"))).data == {"verb": "POST", "shape": "async"}


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name"]


@pytest.mark.django_db(transaction=True)
async def test_unsupported_methods_405(envelope):
    """S-MODE-004"""
    common = {
        "queryset": Item.objects.all(),
        "serializer_class": ItemSerializer,
        "authentication_classes": [],
        "permission_classes": [],
    }
    drf_view = drf_generics.ListCreateAPIView.as_view(**common)
    response = await sync_to_async(drf_view)(factory.delete("/m/"))
    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"
    response = await AsyncListAPIView.as_view(**common)(factory.delete("/m/"))
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    response = await AsyncCreateAPIView.as_view(**common)(factory.get("/m/"))
    assert response.status_code == 405
    assert response.data["error"] == {
        "code": "method_not_allowed",
        "message": 'Method "GET" not allowed.',
        "details": {},
    }
