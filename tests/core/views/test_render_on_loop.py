"""JSON responses of async views are rendered on the loop, before Django's handler.

Django's async handler renders any response with a sync ``render()`` in a worker thread;
an async view renders JSON itself (``Response.arender()``), and Django then awaits the
rendered response's no-op ``render()``: one worker trip fewer per request (W11, W16).
"""

from __future__ import annotations

import pickle

import pytest
from django.core.handlers import base as handler_base
from django.test import AsyncClient, override_settings
from django.urls import path
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response as DRFResponse

from restflow.responses import Response
from restflow.views import AsyncAPIView
from restflow.views._rendering import _template_response_middleware


class RestflowJSON(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return Response({"source": "restflow"})


class DRFJSON(RestflowJSON):
    async def get(self, request):
        return DRFResponse({"source": "drf"})


class PlainText(BaseRenderer):
    """A renderer restflow cannot vouch for (as the browsable API, which builds forms)."""

    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return repr(sorted(data.items())).encode()


class Browsable(RestflowJSON):
    renderer_classes = [PlainText, JSONRenderer]


class QuerysetInData(RestflowJSON):
    async def get(self, request):
        from django.contrib.auth.models import Group

        return Response({"groups": Group.objects.values_list("name", flat=True)})


class Stamp:
    """Middleware that edits the data of DRF responses before they are rendered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        response.data = {**response.data, "stamped": True}
        return response


urlpatterns = [
    path("restflow/", RestflowJSON.as_view()),
    path("drf/", DRFJSON.as_view()),
    path("browsable/", Browsable.as_view()),
    path("queryset/", QuerysetInData.as_view()),
]


@pytest.fixture
def render_trips(monkeypatch):
    """The ``render`` calls Django's async handler sends to a worker thread."""
    trips: list[str] = []
    original = handler_base.sync_to_async

    def recording(func, *args, **kwargs):
        if getattr(func, "__name__", "") == "render":
            trips.append(func.__qualname__)
        return original(func, *args, **kwargs)

    monkeypatch.setattr(handler_base, "sync_to_async", recording)
    return trips


pytestmark = pytest.mark.urls(__name__)


async def test_w16_json_response_needs_no_render_trip(render_trips):
    """W16: a JSON response reaches Django rendered; Django makes no worker trip for it."""
    response = await AsyncClient().get("/restflow/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"source": "restflow"}
    assert render_trips == []


async def test_w16_drf_response_is_rendered_on_the_loop_too(render_trips):
    """W16: a plain DRF ``Response`` from a handler becomes restflow's and is rendered early."""
    response = await AsyncClient().get("/drf/")
    assert response.json() == {"source": "drf"}
    assert isinstance(response, DRFResponse) and isinstance(response, Response)
    assert render_trips == []


async def test_w11_other_renderers_are_still_rendered_by_django_in_a_worker(render_trips):
    """W11: only JSON renders on the loop; other renderers (the browsable API builds forms
    from querysets) are left to Django, which renders them in a worker."""
    response = await AsyncClient().get("/browsable/", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert response.content == b"[('source', 'restflow')]"
    assert render_trips != []


@pytest.mark.django_db(transaction=True)
async def test_w11_queryset_in_json_data_renders_in_a_worker():
    """W11: DRF's encoder evaluates a queryset; on the loop that would raise, so it moves."""
    from django.contrib.auth.models import Group

    await Group.objects.acreate(name="editors")
    response = await AsyncClient().get("/queryset/")
    assert response.status_code == 200
    assert response.json() == {"groups": ["editors"]}


async def test_w11_template_response_middleware_sees_unrendered_responses(render_trips):
    """W11: with ``process_template_response`` middleware nothing is rendered early."""
    middleware = ["tests.core.views.test_render_on_loop.Stamp"]
    with override_settings(MIDDLEWARE=middleware):
        assert _template_response_middleware() is True
        response = await AsyncClient().get("/restflow/")
    assert response.json() == {"source": "restflow", "stamped": True}
    assert render_trips != []
    assert _template_response_middleware() is False


async def test_w11_rendered_response_still_renders_for_sync_callers_and_pickles():
    """W11: after ``arender()`` a sync ``render()`` returns the response, awaiting it gives
    the response, and the response pickles (caches store responses)."""
    response = Response({"a": 1})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    assert await response.arender() is response
    assert response.render() is response
    assert await response.render() is response
    assert await response is response
    copy = pickle.loads(pickle.dumps(response))
    assert copy.content == b'{"a":1}'
    assert copy.render() is copy


async def test_w16_late_callbacks_returning_responses_are_not_scheduled():
    """W16: a callback returning a response (awaitable now) is not awaited as a task."""
    response = Response({"a": 1})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    await response.arender()
    response.add_post_render_callback(lambda r: r)
    assert getattr(response, "_late_callbacks", []) == []
