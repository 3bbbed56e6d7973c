"""Regression tests for the known weaknesses of the reference (views.md §17), one per item.

Several weaknesses are also covered where their feature is tested (their docstrings name
them); the tests here pin the failure mode described in §17 itself.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
import warnings

import pytest
from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from restflow.helpers import run_sync
from restflow.responses import Response, StreamingJSONListResponse
from restflow.views import (
    ActionConfig,
    AsyncAPIView,
    AsyncCreateAPIView,
    AsyncListAPIView,
    AsyncModelViewSet,
    AsyncRetrieveAPIView,
    ModelViewSet,
    PostFetch,
)
from restflow.views.views import as_coroutine_function
from tests.core.views.app.models import Item, Note
from tests.core.views.app.serializers import ItemSerializer, WriteItemSerializer
from tests.core.views.conftest import arun, call

rf = APIRequestFactory()


class Open:
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes: list = []
    pagination_class = None


@pytest.mark.django_db
def test_w1_sync_code_never_runs_on_the_loop():
    """W1: sync handler and sync permission run in the worker thread, never on the loop's."""
    threads = {}

    class Recording(BasePermission):
        def has_permission(self, request, view):
            threads["permission"] = threading.current_thread()
            return Item.objects.exists() or True

    class Mixed(AsyncAPIView):
        authentication_classes: list = []
        permission_classes = [Recording]

        def get(self, request):
            threads["handler"] = threading.current_thread()
            return Response({"n": Item.objects.count()})

        async def post(self, request):
            threads["loop"] = threading.current_thread()
            return Response({})

    view = Mixed.as_view()
    assert call(view, rf.get("/")).status_code == 200
    call(view, rf.post("/"))
    assert threads["handler"] is threading.current_thread()  # the worker = the test thread
    assert threads["permission"] is threading.current_thread()
    assert threads["loop"] is not threading.current_thread()


@pytest.mark.django_db
def test_w2_every_sync_override_is_honoured():
    """W2: overrides a DRF user writes change the async pipeline (scoping, ownership)."""
    keep = Item.objects.create(integer_field=1)
    Item.objects.create(integer_field=2)
    events = []

    class Scoped(Open, AsyncModelViewSet):
        pagination_class = PageNumberPagination

        def get_queryset(self):
            return Item.objects.filter(integer_field=1)

        def filter_queryset(self, queryset):
            events.append("filter")
            return queryset

        def paginate_queryset(self, queryset):
            events.append("paginate")
            return list(queryset)

        def get_paginated_response(self, data):
            return Response({"page": data})

        def get_serializer_context(self):
            events.append("context")
            return super().get_serializer_context()

        def perform_create(self, serializer):
            events.append("perform_create")
            serializer.save(string_field="owner")

    data = call(Scoped.as_view({"get": "list"}), rf.get("/")).data
    assert [row["id"] for row in data["page"]] == [keep.pk]
    created = call(
        Scoped.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert created.data["string_field"] == "owner"
    assert events[:3] == ["filter", "paginate", "context"] and "perform_create" in events


@pytest.mark.django_db
@pytest.mark.parametrize("base", [AsyncModelViewSet, ModelViewSet])
def test_w3_action_parser_classes_apply(base):
    """W3: a JSON body is refused when the action accepts only multipart."""
    cls = type(
        "P",
        (Open, base),
        {"action_configs": {"create": ActionConfig(parser_classes=[MultiPartParser])}},
    )
    response = call(
        cls.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert response.status_code == 415


def test_w4_coroutine_marking_survives_a_sync_csrf_wrapper():
    """W4: Django < 5.0 wraps coroutine views in a sync ``csrf_exempt`` wrapper."""

    async def inner(request):
        return "ok"

    def sync_wrapper(request):  # what csrf_exempt did before Django 5.0
        return inner(request)

    sync_wrapper.csrf_exempt = True
    fixed = as_coroutine_function(sync_wrapper)
    assert inspect.iscoroutinefunction(fixed) and iscoroutinefunction(fixed)
    assert fixed.csrf_exempt is True
    assert arun(fixed, None) == "ok"
    for view in (
        AsyncAPIView.as_view(),
        AsyncModelViewSet.as_view({"get": "list"}, queryset=None),
        AsyncListAPIView.as_view(),
    ):
        assert inspect.iscoroutinefunction(view) and iscoroutinefunction(view)


def test_w5_generic_classes_default_to_the_setting(settings):
    """W5"""
    settings.REST_FRAMEWORK = {
        "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination"
    }
    from rest_framework.pagination import LimitOffsetPagination

    assert AsyncListAPIView.pagination_class is LimitOffsetPagination
    assert ModelViewSet.pagination_class is LimitOffsetPagination
    assert AsyncModelViewSet().get_pagination_class() is LimitOffsetPagination
    assert AsyncAPIView.pagination_class is None


@pytest.mark.django_db
def test_w6_post_fetch_data_loss_and_loop_safety():
    """W6: every branch enriches, generators survive, lazy bases work on the loop."""
    item = Item.objects.create(integer_field=1)
    Note.objects.create(item=item, name="n")

    class WithNote(serializers.ModelSerializer):
        note = serializers.SerializerMethodField()

        class Meta:
            model = Item
            fields = ["id", "note"]

        def get_note(self, obj):
            return obj.note and obj.note["name"]

    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    view = type("V", (Open, AsyncAPIView), {"serializer_class": WithNote})()
    view.request = view.initialize_request(rf.get("/"))
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    for pagination_class in (None, PageNumberPagination):
        response = arun(
            view.apaginated_response,
            Item.objects.all(),
            pagination_class=pagination_class,
            post_fetches=[fetch],
        )
        assert response.data == [{"id": item.id, "note": "n"}]  # page size None: no page
    generator = (i for i in Item.objects.all())
    assert (
        view.serialized_response(generator, many=True, post_fetches=[fetch]).data[0]["note"] == "n"
    )
    assert arun(fetch.afetch, Item.objects.all())[0].note["name"] == "n"
    with pytest.raises(ValueError):
        PostFetch(Note.objects.all(), "note", ["name"], limit=0, item_id="id")
    with pytest.raises(TypeError):
        PostFetch(Note.objects.all(), "note", ["name"])


@pytest.mark.django_db
def test_w7_create_without_save_echoes_input_and_reads_data_once():
    """W7"""
    reads = []

    class Counting(WriteItemSerializer):
        @property
        def data(self):
            reads.append(1)
            return super().data

    class NoSave(Open, AsyncCreateAPIView):
        serializer_class = Counting

        async def aperform_create(self, serializer):
            return None

    response = call(
        NoSave.as_view(), rf.post("/", {"integer_field": 3, "string_field": "x"}, format="json")
    )
    assert response.status_code == 201
    assert response.data == {"integer_field": 3, "string_field": "x"}
    assert reads == [1]


@pytest.mark.django_db
def test_w8_async_get_queryset_awaited():
    """W8"""
    item = Item.objects.create(integer_field=1)

    class AsyncQs(Open, AsyncRetrieveAPIView):
        async def get_queryset(self):
            return Item.objects.all()

    assert call(AsyncQs.as_view(), rf.get("/"), pk=item.pk).data["id"] == item.pk


def test_w9_disconnect_is_clean():
    """W9: no "ignored GeneratorExit", no "]" after close, the source is closed at once."""
    finished = []

    async def source():
        try:
            while True:
                yield {"x": 1}
        finally:
            finished.append(True)

    async def scenario():
        stream = StreamingJSONListResponse(source()).streaming_content
        first = [await stream.__anext__(), await stream.__anext__()]
        await stream.aclose()
        return first

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chunks = asyncio.run(scenario())
        gc.collect()
    assert b"]" not in b"".join(chunks) and finished == [True]


def test_w10_streaming_inputs_and_headers():
    """W10"""
    with pytest.raises(TypeError):
        StreamingJSONListResponse("abc")
    assert b"".join(StreamingJSONListResponse([1, 2])) == b"[1,2]"
    from restflow.responses import SSEResponse
    from restflow.responses.streaming import format_sse

    assert SSEResponse([], headers={"Cache-Control": "private"})["Cache-Control"] == "private"
    with pytest.raises(ValueError):
        format_sse({"retry": "soon"})
    with pytest.raises(TypeError, match="must be a str or a mapping"):
        format_sse(5)


async def test_w11_arender_awaits_callbacks_and_keeps_the_loop_free():
    """W11"""
    done = []

    async def callback(response):
        done.append(True)

    response = Response({"a": 1})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    import functools

    response.add_post_render_callback(functools.partial(callback))
    await response.arender()
    assert done == [True]


@pytest.mark.django_db
def test_w12_options_on_sync_viewset_and_async_only_permissions():
    """W12"""

    class Configured(ModelViewSet):
        queryset = Item.objects.all()
        authentication_classes: list = []
        permission_classes: list = []
        action_configs = {"list": ActionConfig(serializer_class=ItemSerializer)}

    assert (
        call(Configured.as_view({"get": "list", "post": "create"}), rf.options("/")).status_code
        == 200
    )

    class AsyncOnlyDenyObject(BasePermission):
        async def ahas_object_permission(self, request, view, obj):
            return False

    item = Item.objects.create(integer_field=1)
    for base in (ModelViewSet, AsyncModelViewSet):
        cls = type("D", (Open, base), {"permission_classes": [AsyncOnlyDenyObject]})
        response = call(
            cls.as_view({"get": "retrieve", "put": "update"}), rf.options("/"), pk=item.pk
        )
        assert response.status_code == 200
        assert "PUT" not in response.data.get("actions", {}), base
        assert call(cls.as_view({"get": "retrieve"}), rf.get("/"), pk=item.pk).status_code == 403


def test_w13_run_sync_inside_a_loop_closes_the_coroutine():
    """W13"""

    async def work():
        return 1

    async def scenario():
        coroutine = work()
        with pytest.raises(RuntimeError):
            run_sync(coroutine)
        return coroutine

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coroutine = asyncio.run(scenario())
    assert coroutine.cr_frame is None  # closed


def test_w14_action_configs_validated():
    """W14"""
    cls = type("T", (Open, AsyncModelViewSet), {"action_configs": {"destory": ActionConfig()}})
    with pytest.raises(ImproperlyConfigured, match="destory"):
        cls.as_view({"get": "list"})
    cls = type("T", (Open, ModelViewSet), {"action_configs": {"list": object()}})
    with pytest.raises(ImproperlyConfigured, match="ActionConfig instance"):
        cls.as_view({"get": "list"})


@pytest.mark.django_db
def test_w15_one_paginator_source():
    """W15: the getter drives both ``paginator`` (list) and ``apaginated_response``."""

    class Two(PageNumberPagination):
        page_size = 2

    class Getter(Open, AsyncListAPIView):
        def get_pagination_class(self):
            return Two

    for i in range(3):
        Item.objects.create(integer_field=i)
    assert len(call(Getter.as_view(), rf.get("/")).data["results"]) == 2
    view = Getter()
    view.request = view.initialize_request(rf.get("/"))
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    assert isinstance(view.paginator, Two)
    assert len(arun(view.apaginated_response, Item.objects.all()).data["results"]) == 2


def test_w16_late_async_callback_is_awaited():
    """W16: an async callback added after rendering is not dropped un-awaited."""
    done = []

    async def callback(response):
        done.append(True)

    response = Response({})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    response.render()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response.add_post_render_callback(callback)
    assert done == [True]

    async def in_loop():
        response.add_post_render_callback(callback)
        await asyncio.gather(*response._late_callbacks)

    asyncio.run(in_loop())
    assert done == [True, True]
