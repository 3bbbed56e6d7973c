"""Serializers inside sync and async views: 201 round trips and 400s (§13)."""

import importlib
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from restflow.serializers import (
    Field,
    HyperlinkedModelSerializer,
    InlineSerializer,
    ModelSerializer,
    Serializer,
)
from tests.serializers.app.models import SampleModel
from tests.serializers.views import async_view, sync_view

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("hyperlink_urls"),
]


@pytest.fixture
def hyperlink_urls():
    with override_settings(ROOT_URLCONF="tests.serializers.app.urls"):
        yield


class WriteSerializer(Serializer):
    integer_field: int = Field(min_value=0)


class WriteModelSerializer(ModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["integer_field"]


WriteInline = InlineSerializer(fields={"integer_field": int})


class ReadModelSerializer(ModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["id", "integer_field"]


class ReadHyperlinked(HyperlinkedModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["url", "integer_field"]
        extra_kwargs = {"url": {"view_name": "samplemodel-detail"}}


ReadInline = InlineSerializer(model=SampleModel, model_fields=["id", "integer_field"])

WRITES = [WriteSerializer, WriteModelSerializer, WriteInline]
READS = [ReadModelSerializer, ReadHyperlinked, ReadInline]


def post(body):
    return APIRequestFactory().post(
        "/things/", data=json.dumps(body), content_type="application/json"
    )


def _call_sync(view, request):
    response = view(request)
    response.render()
    return response


async def respond(make_view, view, request):
    """Sync views run in a worker thread (as under ASGI), async views on the loop."""
    if make_view is sync_view:
        return await sync_to_async(_call_sync)(view, request)
    return await view(request)


@pytest.mark.parametrize("write", WRITES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("read", READS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("make_view", [sync_view, async_view], ids=["sync", "async"])
async def test_write_read_combinations(make_view, read, write):
    """Z-SER-196 Z-SER-170"""
    view = make_view(write, read)
    response = await respond(make_view, view, post({"integer_field": 5}))
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    assert body
    assert body["integer_field"] == 5


@pytest.mark.parametrize("make_view", [sync_view, async_view], ids=["sync", "async"])
async def test_invalid_body_is_400(make_view):
    """Z-SER-197"""
    view = make_view(WriteModelSerializer, ReadModelSerializer)
    request = post({"integer_field": "not-int"})
    response = await respond(make_view, view, request)
    assert response.status_code == 400
    assert json.loads(response.content) == {"integer_field": ["A valid integer is required."]}


@pytest.mark.parametrize("make_view", [sync_view, async_view], ids=["sync", "async"])
async def test_single_serializer_round_trip(make_view):
    """Z-SER-198"""
    view = make_view(WriteModelSerializer, WriteModelSerializer)
    request = post({"integer_field": 11})
    response = await respond(make_view, view, request)
    assert response.status_code == 201
    assert json.loads(response.content) == {"integer_field": 11}


def _restflow_handler():
    try:
        module = importlib.import_module("restflow.exceptions")
    except ImportError:  # pragma: no cover - restflow-core always ships it
        return None
    return getattr(module, "exception_handler", None)


@pytest.mark.parametrize("make_view", [sync_view, async_view], ids=["sync", "async"])
async def test_envelope_with_restflow_handler(make_view):
    """Invalid input through restflow's exception handler gives the documented envelope."""
    if _restflow_handler() is None:
        pytest.skip("restflow.exceptions.exception_handler is not available yet")
    view = make_view(WriteSerializer, ReadModelSerializer)
    request = post({"integer_field": -1})
    with override_settings(
        REST_FRAMEWORK={"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}
    ):
        response = await respond(make_view, view, request)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["message"] == "Request validation failed."
    assert body["error"]["details"] == {
        "integer_field": ["Ensure this value is greater than or equal to 0."]
    }
