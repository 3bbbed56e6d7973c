"""RestflowFilterBackend with DRF and restflow views, pagination and the error envelope (§7, §8)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from rest_framework import generics, serializers
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination
from rest_framework.test import APIRequestFactory

from restflow.filters import (
    ChoiceField,
    FilterSet,
    IntegerField,
    ListField,
    OrderField,
    RestflowFilterBackend,
    StringField,
)
from restflow.pagination import FastPageNumberPagination
from restflow.views import AsyncListAPIView, AsyncRetrieveAPIView
from tests.filters.app.models import Sample
from tests.filters.helpers import drf_request

factory = APIRequestFactory()
ENVELOPE = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}


class SampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sample
        fields = ["id", "integer_field", "string_field", "choice_field"]


class SampleFilterSet(FilterSet):
    integer_field = IntegerField(lookups=["gte", "lte", "in"])
    choice_field = ChoiceField(choices=["a", "b", "c"])
    string_field: str
    ids = ListField(child=IntegerField(), filter_by="integer_field__in")
    order = OrderField(fields=[("integer_field", "integer_field")])


class View:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


def make_view(base, **attrs):
    return type(f"Test{base.__name__}", (base,), attrs).as_view()


def page_view(base, pagination, **attrs):
    return make_view(
        base,
        queryset=Sample.objects.order_by("id"),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=SampleFilterSet,
        pagination_class=pagination,
        **attrs,
    )


def body(response):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return json.loads(response.content)


@pytest.fixture
def ten(db):
    for i in range(10):
        Sample.objects.create(integer_field=i, string_field=f"s{i}", choice_field="ab"[i % 2])


# Backend methods ----------------------------------------------------------------------


def test_filter_queryset(db):
    """F-BACKEND-001"""
    for i in (1, 2, 3):
        Sample.objects.create(integer_field=i)
    qs = RestflowFilterBackend().filter_queryset(
        drf_request("integer_field__gte=2"),
        Sample.objects.all(),
        View(filterset_class=SampleFilterSet),
    )
    assert sorted(qs.values_list("integer_field", flat=True)) == [2, 3]


async def test_no_filterset_class():
    """F-BACKEND-002"""
    qs = Sample.objects.all()
    backend = RestflowFilterBackend()
    assert backend.filter_queryset(drf_request("x=1"), qs, View()) is qs
    assert await backend.afilter_queryset(drf_request("x=1"), qs, View()) is qs


def test_get_filterset_class_precedence():
    """F-BACKEND-003 F-BACKEND-004 W-18"""

    class Other(FilterSet):
        pass

    backend = RestflowFilterBackend()
    view = View(filterset_class=SampleFilterSet, get_filterset_class=lambda: Other)
    assert backend.get_filterset_class(view) is Other
    view = View(filterset_class=SampleFilterSet, get_filterset_class=lambda: None)
    assert backend.get_filterset_class(view) is SampleFilterSet


def test_view_get_filterset(db):
    """F-BACKEND-005"""
    seen = []

    def get_filterset(cls):
        seen.append(cls)
        return cls(data={"integer_field": 3})

    Sample.objects.create(integer_field=3)
    Sample.objects.create(integer_field=4)
    view = View(filterset_class=SampleFilterSet, get_filterset=get_filterset)
    qs = RestflowFilterBackend().filter_queryset(drf_request(""), Sample.objects.all(), view)
    assert seen == [SampleFilterSet]
    assert list(qs.values_list("integer_field", flat=True)) == [3]


async def test_afilter_queryset(transactional_db):
    """F-BACKEND-006"""
    for i in (1, 3, 5):
        await Sample.objects.acreate(integer_field=i * (5 if i == 5 else 1))
    qs = await RestflowFilterBackend().afilter_queryset(
        drf_request("integer_field__gte=3"),
        Sample.objects.all(),
        View(filterset_class=SampleFilterSet),
    )
    values = await sync_to_async(lambda: sorted(qs.values_list("integer_field", flat=True)))()
    assert values == [3, 25]


def test_schema_without_class():
    """F-BACKEND-007"""
    assert RestflowFilterBackend().get_schema_operation_parameters(View()) == []
    assert RestflowFilterBackend().get_schema_fields(View()) == []


# Views ----------------------------------------------------------------------------------


async def call_async(view, query):
    return await view(factory.get(f"/items/?{query}"))


@pytest.fixture
def ten_async(transactional_db):
    for i in range(10):
        Sample.objects.create(integer_field=i, string_field=f"s{i}", choice_field="ab"[i % 2])


async def test_async_list_page_number(ten_async):
    """F-BACKEND-008"""

    class Pages(PageNumberPagination):
        page_size = 3

    from restflow.pagination import PageNumberPagination as RestflowPages

    class AsyncPages(RestflowPages):
        page_size = 3

    view = page_view(AsyncListAPIView, AsyncPages)
    data = body(await call_async(view, ""))
    assert data["count"] == 10 and len(data["results"]) == 3
    data = body(await call_async(view, "choice_field=a"))
    assert data["count"] == 5 and all(r["choice_field"] == "a" for r in data["results"])
    assert body(await call_async(view, "integer_field__gte=5&integer_field__lte=8"))["count"] == 4
    assert body(await call_async(view, "order=-integer_field"))["results"][0]["integer_field"] == 9
    data = body(await call_async(view, "choice_field=b&order=-integer_field"))
    assert data["results"][0]["integer_field"] == 9
    assert all(r["choice_field"] == "b" for r in data["results"])
    data = body(await call_async(view, "integer_field__gte=999"))
    assert data["count"] == 0 and data["results"] == []
    assert (await call_async(view, "choice_field=z")).status_code == 400
    assert body(await call_async(view, "choice_field!=a"))["count"] == 5
    assert Pages.page_size == 3


def test_limit_offset(ten):
    """F-BACKEND-009"""

    class Limit(LimitOffsetPagination):
        default_limit = 3

    view = page_view(generics.ListAPIView, Limit)
    data = body(view(factory.get("/items/")))
    assert data["count"] == 10 and len(data["results"]) == 3
    data = body(view(factory.get("/items/?limit=4&offset=2")))
    assert [r["integer_field"] for r in data["results"]] == [2, 3, 4, 5]
    assert body(view(factory.get("/items/?offset=999")))["results"] == []
    assert body(view(factory.get("/items/?choice_field=b&limit=10")))["count"] == 5


async def test_fast_page_number(ten_async):
    """F-BACKEND-010"""

    class Fast(FastPageNumberPagination):
        page_size = 3

    view = page_view(AsyncListAPIView, Fast)
    first = body(await call_async(view, ""))
    assert first["next"] and first["previous"] is None and "count" not in first
    last = body(await call_async(view, "page=4"))
    assert len(last["results"]) == 1 and last["next"] is None
    assert (await call_async(view, "page=99")).status_code == 404
    filtered = body(await call_async(view, "choice_field=a"))
    assert "choice_field=a" in filtered["next"]


async def test_async_callable_sync_vs_async_view(ten_async):
    """F-BACKEND-011"""

    async def method(fs, qs, value):
        return qs.filter(integer_field=value)

    class AsyncMethodFS(FilterSet):
        n = IntegerField(method=method)

    sync_view = make_view(
        generics.ListAPIView,
        queryset=Sample.objects.all(),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=AsyncMethodFS,
    )
    with pytest.raises(TypeError, match="afilter_queryset"):
        await sync_to_async(sync_view)(factory.get("/items/?n=3"))
    async_view = make_view(
        AsyncListAPIView,
        queryset=Sample.objects.all(),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=AsyncMethodFS,
    )
    response = await call_async(async_view, "n=3")
    assert response.status_code == 200
    assert [r["integer_field"] for r in body(response)] == [3]


def test_detail_filtered(ten):
    """F-BACKEND-012"""
    view = make_view(
        generics.RetrieveAPIView,
        queryset=Sample.objects.all(),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=SampleFilterSet,
    )
    row = Sample.objects.get(integer_field=2)
    assert view(factory.get("/items/"), pk=row.pk).status_code == 200
    assert view(factory.get("/items/?choice_field=b"), pk=row.pk).status_code == 404
    assert view(factory.get("/items/?integer_field=x"), pk=row.pk).status_code == 400


async def test_async_detail_filtered(ten_async):
    """F-BACKEND-012: restflow's async detail view filters before the lookup."""
    view = make_view(
        AsyncRetrieveAPIView,
        queryset=Sample.objects.all(),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=SampleFilterSet,
    )
    row = await Sample.objects.aget(integer_field=2)
    assert (await view(factory.get("/items/?choice_field=b"), pk=row.pk)).status_code == 404


# HTTP error contract -----------------------------------------------------------------


def list_view(filterset=SampleFilterSet, **attrs):
    attrs.setdefault("filter_backends", [RestflowFilterBackend])
    return make_view(
        generics.ListAPIView,
        queryset=Sample.objects.order_by("id"),
        serializer_class=SampleSerializer,
        filterset_class=filterset,
        **attrs,
    )


def get(view, query):
    response = view(factory.get(f"/items/?{query}"))
    return response.status_code, body(response)


def test_default_handler_shape(db):
    """F-HTTP-001"""
    assert get(list_view(), "integer_field=abc") == (
        400,
        {"integer_field": ["A valid integer is required."]},
    )


def test_envelope(db):
    """F-HTTP-002"""
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        assert get(list_view(), "integer_field=abc") == (
            400,
            {
                "error": {
                    "code": "validation_error",
                    "message": "Request validation failed.",
                    "details": {"integer_field": ["A valid integer is required."]},
                }
            },
        )


def test_list_error_keys(db):
    """F-HTTP-003"""
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        status, data = get(list_view(), "ids=1,x")
    assert status == 400
    assert data["error"]["details"] == {"ids": {"1": ["A valid integer is required."]}}


def test_all_errors_together(db):
    """F-HTTP-004"""
    status, data = get(list_view(), "integer_field=x&choice_field=z&integer_field__gte!=y")
    assert status == 400
    assert set(data) == {"integer_field", "choice_field", "integer_field__gte!"}


def test_required_only_base_reported(db):
    """F-HTTP-005 W-01"""

    class F(FilterSet):
        must = StringField(required=True, db_field="string_field")

    assert get(list_view(F), "") == (400, {"must": ["This field is required."]})
    assert get(list_view(F), "must=") == (400, {"must": ["This field may not be blank."]})


def test_unknown_param_ignored(ten):
    """F-HTTP-007"""
    status, data = get(list_view(), "unknown=1")
    assert status == 200 and len(data) == 10


# Strict mode (beyond the spec: django-filter issue 1740) ------------------------------


def test_strict_mode_names_unknown_params(ten):
    """Strict mode: unknown params are a 400 naming them, with the closest known param."""
    view = list_view(filterset_strict=True, pagination_class=PageNumberPagination)
    status, data = get(view, "integer_feild=3&zzz=1")
    assert status == 400
    assert data == {
        "integer_feild": ["Unknown query parameter. Did you mean 'integer_field'?"],
        "zzz": ["Unknown query parameter."],
    }
    status, data = get(view, "integer_feild=3&choice_field=z")
    assert status == 400 and set(data) == {"integer_feild", "choice_field"}
    status, _ = get(view, "integer_field=3&page=1&format=json&order=-integer_field&ids[0]=1")
    assert status == 200
    assert get(list_view(), "integer_feild=3")[0] == 200  # off by default
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        status, data = get(view, "choice_feld=a")
    assert status == 400
    assert data["error"]["code"] == "validation_error"
    assert "choice_field" in data["error"]["details"]["choice_feld"][0]


def test_strict_mode_knows_other_backends_and_extras(ten):
    """Strict mode: SearchFilter/OrderingFilter params and filterset_extra_params are known."""
    from rest_framework.filters import OrderingFilter, SearchFilter

    view = make_view(
        generics.ListAPIView,
        queryset=Sample.objects.order_by("id"),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend, SearchFilter, OrderingFilter],
        search_fields=["string_field"],
        filterset_class=SampleFilterSet,
        filterset_strict=True,
        filterset_extra_params=["expand"],
    )
    assert get(view, "search=s1&ordering=id&expand=1")[0] == 200


def test_cursor_pagination_uses_validated_order(ten):
    """W-20: cursor pagination orders by the FilterSet's validated order option."""
    from rest_framework.pagination import CursorPagination

    class Cursor(CursorPagination):
        page_size = 3
        ordering = "id"

    class OrderedFS(FilterSet):
        class Meta:
            order_fields = [("n", "integer_field")]

    view = make_view(
        generics.ListAPIView,
        queryset=Sample.objects.all(),
        serializer_class=SampleSerializer,
        filter_backends=[RestflowFilterBackend],
        filterset_class=OrderedFS,
        pagination_class=Cursor,
    )
    status, data = get(view, "order_by=-n")
    assert status == 200
    assert [r["integer_field"] for r in data["results"]] == [9, 8, 7]
    second = view(factory.get(data["next"]))
    assert [r["integer_field"] for r in body(second)["results"]] == [6, 5, 4]
    # No order requested: the paginator's own ordering (DRF 3.14 asserted on a None instead).
    status, data = get(view, "")
    assert [r["integer_field"] for r in data["results"]] == [0, 1, 2]
    status, data = get(view, "order_by=bogus")
    assert status == 400 and "order_by" in data


def test_strict_backend_subclass(ten):
    """Strict mode for every view through a backend subclass; a view can opt out."""

    class StrictBackend(RestflowFilterBackend):
        strict = True

    strict = list_view(filter_backends=[StrictBackend])
    assert get(strict, "integer_feild=3")[0] == 400
    relaxed = list_view(filter_backends=[StrictBackend], filterset_strict=False)
    assert get(relaxed, "integer_feild=3")[0] == 200
