"""Streaming responses served by async views over a real queryset (V-STREAM-017/018)."""

from __future__ import annotations

import json

import pytest
from django.test import AsyncClient, override_settings

from tests.core.views import endpoints
from tests.core.views.app.models import Item
from tests.core.views.conftest import arun

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.views.urls")]


async def fetch(path, **extra):
    response = await AsyncClient().get(path, **extra)
    chunks = [chunk async for chunk in response.streaming_content]
    return response, b"".join(chunks).decode()


def test_streams_over_real_queryset():
    """V-STREAM-017"""
    response, body = arun(fetch, "/async/stream/json/")
    assert response.status_code == 200 and json.loads(body) == []
    for i in range(5):
        Item.objects.create(integer_field=i)
    _, body = arun(fetch, "/async/stream/json/")
    assert [row["integer_field"] for row in json.loads(body)] == [0, 1, 2, 3, 4]
    response, body = arun(fetch, "/async/stream/ndjson/")
    assert response["Content-Type"] == "application/x-ndjson"
    assert len([json.loads(line) for line in body.splitlines()]) == 5
    response, body = arun(fetch, "/async/stream/sse/")
    frames = [frame for frame in body.split("\n\n") if frame]
    assert len(frames) == 5 and all("event: sample" in frame for frame in frames)
    assert "GET" in response["Allow"]


def test_permission_checked_before_stream_is_created():
    """V-STREAM-018"""
    endpoints.STREAM_STATE["protected_iterated"] = 0
    response = arun(AsyncClient().get, "/async/stream/protected/")
    assert response.status_code in (401, 403)
    assert endpoints.STREAM_STATE["protected_iterated"] == 0


@override_settings(DEBUG=False)
def test_unknown_path_is_404_not_500():
    response = arun(AsyncClient().get, "/async/items/999999/")
    assert response.status_code == 404
