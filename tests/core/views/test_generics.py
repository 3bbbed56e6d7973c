"""Async generic views (B-GEN), async queryset responses (B-QS) and OPTIONS (B-OPT)."""

from __future__ import annotations

import pytest
import rest_framework.generics as drf_generics
from django.http import Http404
from django.test import override_settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.test import APIRequestFactory

from restflow.responses import Response
from restflow.views import (
    APIView,
    AsyncAPIView,
    AsyncCreateAPIView,
    AsyncDestroyAPIView,
    AsyncGenericAPIView,
    AsyncListAPIView,
    AsyncListCreateAPIView,
    AsyncModelViewSet,
    AsyncRetrieveAPIView,
    AsyncRetrieveDestroyAPIView,
    AsyncRetrieveUpdateAPIView,
    AsyncRetrieveUpdateDestroyAPIView,
    AsyncUpdateAPIView,
)
from tests.core.views.app.models import Item, Note
from tests.core.views.app.serializers import ItemSerializer, NoteSerializer
from tests.core.views.conftest import arun, call

rf = APIRequestFactory()
pytestmark = pytest.mark.django_db


class Base:
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes: list = []
    pagination_class = None


def make(cls, **attrs):
    return type(cls.__name__ + "T", (Base, cls), attrs)


def instance(cls, method="get", path="/", data=None, kwargs=None, **attrs):
    view = make(cls, **attrs)()
    view.args, view.kwargs = (), kwargs or {}
    view.request = view.initialize_request(getattr(rf, method)(path, data, format="json"))
    view.format_kwarg = None
    return view


def seed(n=5):
    return [Item.objects.create(integer_field=i, string_field=f"s{i}") for i in range(n)]


class Even(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        return queryset.filter(integer_field__in=[0, 2, 4])


class AsyncAboveZero:
    async def afilter_queryset(self, request, queryset, view):
        return queryset.filter(integer_field__gt=0)


class Page2(PageNumberPagination):
    page_size = 2


class Page3(PageNumberPagination):
    page_size = 3


def test_afilter_queryset_chains_async_and_sync_backends():
    """V-GEN-001"""
    seed()
    view = instance(AsyncListAPIView, filter_backends=[AsyncAboveZero, Even])
    queryset = arun(view.afilter_queryset, Item.objects.all())
    assert sorted(queryset.values_list("integer_field", flat=True)) == [2, 4]


def test_sync_filter_queryset_override_is_honoured():
    """V-GEN-002 W2"""
    seed()

    class NoneFilter(Base, AsyncListAPIView):
        def filter_queryset(self, queryset):
            return queryset.none()

    assert call(NoneFilter.as_view(), rf.get("/")).data == []


def test_apaginate_queryset():
    """V-GEN-003"""
    seed()
    assert arun(instance(AsyncListAPIView).apaginate_queryset, Item.objects.all()) is None
    view = instance(AsyncListAPIView, pagination_class=Page2)
    assert len(arun(view.apaginate_queryset, Item.objects.all())) == 2


@override_settings(
    REST_FRAMEWORK={
        # DRF binds PageNumberPagination.page_size to PAGE_SIZE at import: use a fixed size.
        "DEFAULT_PAGINATION_CLASS": "tests.core.views.test_generics.Page2",
        "PAGE_SIZE": 2,
    }
)
def test_default_pagination_class_setting_applies():
    """V-GEN-004 W5"""
    seed()

    class Listing(AsyncListAPIView):
        queryset = Item.objects.all()
        serializer_class = ItemSerializer
        authentication_classes: list = []
        permission_classes: list = []

    class Sets(AsyncModelViewSet):
        queryset = Item.objects.all()
        serializer_class = ItemSerializer
        authentication_classes: list = []
        permission_classes: list = []

    assert call(Listing.as_view(), rf.get("/")).data["count"] == 5
    assert call(Sets.as_view({"get": "list"}), rf.get("/")).data["count"] == 5
    assert AsyncAPIView.pagination_class is None


def test_paginator_uses_getter():
    """V-GEN-005 W15"""

    class Getter(Base, AsyncListAPIView):
        def get_pagination_class(self):
            return Page3

    view = Getter()
    assert isinstance(view.paginator, Page3)
    seed()
    assert len(call(Getter.as_view(), rf.get("/")).data["results"]) == 3


def test_aget_object_bad_and_missing_lookup_is_404():
    """V-GEN-006"""
    seed(1)
    with pytest.raises(Http404):
        arun(instance(AsyncRetrieveAPIView, kwargs={"pk": "abc"}).aget_object)
    with pytest.raises(Http404):
        arun(instance(AsyncRetrieveAPIView, kwargs={"pk": 99999}).aget_object)


def test_aget_object_without_url_kwarg_asserts():
    """V-GEN-007"""
    with pytest.raises(AssertionError, match='named "pk"'):
        arun(instance(AsyncRetrieveAPIView).aget_object)


def test_aget_object_lookup_field_and_kwarg():
    """V-GEN-008"""
    items = seed(2)
    view = instance(
        AsyncRetrieveAPIView,
        kwargs={"slug": "s1"},
        lookup_field="string_field",
        lookup_url_kwarg="slug",
    )
    assert arun(view.aget_object) == items[1]


def test_aget_object_runs_object_permissions():
    """V-GEN-009"""
    item = seed(1)[0]

    class NoObject(BasePermission):
        async def ahas_object_permission(self, request, view, obj):
            return False

    view = make(AsyncRetrieveAPIView, permission_classes=[NoObject]).as_view()
    assert call(view, rf.get("/"), pk=item.pk).status_code == 403


def test_async_get_queryset():
    """V-GEN-010 W8"""
    items = seed(3)

    class AsyncQs(Base, AsyncListAPIView):
        async def get_queryset(self):
            return Item.objects.filter(integer_field__gte=1)

    class AsyncQsDetail(Base, AsyncRetrieveAPIView):
        async def get_queryset(self):
            return Item.objects.filter(integer_field__gte=1)

    assert len(call(AsyncQs.as_view(), rf.get("/")).data) == 2
    assert call(AsyncQsDetail.as_view(), rf.get("/"), pk=items[2].pk).status_code == 200
    assert call(AsyncQsDetail.as_view(), rf.get("/"), pk=items[0].pk).status_code == 404


def test_sync_get_queryset_override_runs_off_loop():
    """W2 W8: a user's sync get_queryset may query (here: count())."""
    seed(3)

    class Querying(Base, AsyncListAPIView):
        def get_queryset(self):
            limit = Item.objects.count() - 1
            return Item.objects.filter(integer_field__lt=limit)

    assert len(call(Querying.as_view(), rf.get("/")).data) == 2


def test_sync_get_object_override():
    """V-GEN-011 W2"""
    items = seed(2)

    class Fixed(Base, AsyncRetrieveAPIView):
        def get_object(self):
            return Item.objects.get(pk=items[1].pk)

    assert call(Fixed.as_view(), rf.get("/"), pk=items[0].pk).data["id"] == items[1].pk


def test_list_view():
    """V-GEN-012"""
    seed(3)
    view = make(AsyncListAPIView).as_view()
    assert len(call(view, rf.get("/")).data) == 3
    assert call(view, rf.post("/", {}, format="json")).status_code == 405


def test_retrieve_view():
    """V-GEN-013"""
    item = seed(1)[0]
    view = make(AsyncRetrieveAPIView).as_view()
    assert call(view, rf.get("/"), pk=item.pk).data["id"] == item.pk
    assert call(view, rf.get("/"), pk=999).status_code == 404


def test_create_view():
    """V-GEN-014"""
    received = {}

    class Create(Base, AsyncCreateAPIView):
        async def aperform_create(self, serializer):
            received.update(serializer.validated_data)
            await super().aperform_create(serializer)

    view = Create.as_view()
    response = call(view, rf.post("/", {"integer_field": 4}, format="json"))
    assert response.status_code == 201 and received["integer_field"] == 4
    assert Item.objects.filter(integer_field=4).exists()
    assert call(view, rf.get("/")).status_code == 405


def test_update_view():
    """V-GEN-015"""
    item = seed(1)[0]
    calls = []

    class Update(Base, AsyncUpdateAPIView):
        async def aperform_update(self, serializer):
            calls.append(1)
            await super().aperform_update(serializer)

    view = Update.as_view()
    put = call(
        view, rf.put("/", {"integer_field": 9, "string_field": "x"}, format="json"), pk=item.pk
    )
    assert put.status_code == 200 and calls == [1]
    patch = call(view, rf.patch("/", {"integer_field": 10}, format="json"), pk=item.pk)
    assert patch.status_code == 200
    item.refresh_from_db()
    assert (item.integer_field, item.string_field) == (10, "x")


def test_destroy_view():
    """V-GEN-016"""
    item = seed(1)[0]
    received = []

    class Destroy(Base, AsyncDestroyAPIView):
        async def aperform_destroy(self, instance):
            received.append(instance.pk)
            await super().aperform_destroy(instance)

    assert call(Destroy.as_view(), rf.delete("/"), pk=item.pk).status_code == 204
    assert received == [item.pk] and not Item.objects.exists()


def test_list_create_view():
    """V-GEN-017"""
    view = make(AsyncListCreateAPIView).as_view()
    assert call(view, rf.get("/")).data == []
    assert call(view, rf.post("/", {"integer_field": 1}, format="json")).status_code == 201
    assert len(call(view, rf.get("/")).data) == 1


def test_retrieve_update_view():
    """V-GEN-018"""
    item = seed(1)[0]
    view = make(AsyncRetrieveUpdateAPIView).as_view()
    assert call(view, rf.get("/"), pk=item.pk).status_code == 200
    assert (
        call(view, rf.put("/", {"integer_field": 2}, format="json"), pk=item.pk).status_code == 200
    )
    assert (
        call(view, rf.patch("/", {"integer_field": 3}, format="json"), pk=item.pk).status_code
        == 200
    )


def test_retrieve_destroy_view():
    """V-GEN-019"""
    item = seed(1)[0]
    view = make(AsyncRetrieveDestroyAPIView).as_view()
    assert call(view, rf.get("/"), pk=item.pk).status_code == 200
    assert call(view, rf.delete("/"), pk=item.pk).status_code == 204
    assert call(view, rf.get("/"), pk=item.pk).status_code == 404


def test_retrieve_update_destroy_view():
    """V-GEN-020"""
    item = Item.objects.create(integer_field=1, string_field="keep")
    view = make(AsyncRetrieveUpdateDestroyAPIView).as_view()
    statuses = [
        call(view, rf.get("/"), pk=item.pk).status_code,
        call(
            view,
            rf.put("/", {"integer_field": 2, "string_field": "keep"}, format="json"),
            pk=item.pk,
        ).status_code,
        call(view, rf.patch("/", {"integer_field": 3}, format="json"), pk=item.pk).status_code,
    ]
    item.refresh_from_db()
    assert (item.integer_field, item.string_field) == (3, "keep")
    statuses.append(call(view, rf.delete("/"), pk=item.pk).status_code)
    assert statuses == [200, 200, 200, 204]


def test_custom_generic_handler():
    """V-GEN-021"""
    seed()

    class Custom(Base, AsyncGenericAPIView):
        pagination_class = Page2

        async def get(self, request):
            queryset = await self.afilter_queryset(self.get_queryset())
            page = await self.apaginate_queryset(queryset)
            data = [{"id": item.id} for item in page]
            return self.get_paginated_response(data)

    data = call(Custom.as_view(), rf.get("/")).data
    assert data["count"] == 5 and len(data["results"]) == 2


class BearerAuth(BaseAuthentication):
    """Stands in for JWT (restflow-auth is not a dependency of restflow-core)."""

    async def aauthenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        if header != "Bearer good":
            raise exceptions.AuthenticationFailed()
        from django.contrib.auth.models import User

        return (User(username="token-user"), "good")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def test_real_db_views_with_token_auth():
    """V-GEN-022"""
    seed(5)
    attrs = {
        "authentication_classes": [BearerAuth],
        "permission_classes": [IsAuthenticated],
        "pagination_class": Page3,
    }
    listing = make(AsyncListAPIView, **attrs).as_view()
    detail = make(AsyncRetrieveAPIView, **attrs).as_view()
    assert call(listing, rf.get("/")).status_code == 401
    auth = {"HTTP_AUTHORIZATION": "Bearer good"}
    assert len(call(listing, rf.get("/?page=2", **auth)).data["results"]) == 2
    assert call(listing, rf.get("/?page=999", **auth)).status_code == 404
    assert call(listing, rf.put("/", {}, format="json", **auth)).status_code == 405
    assert call(detail, rf.get("/", **auth), pk=Item.objects.first().pk).status_code == 200


def test_isinstance_generic_not_concrete():
    """V-GEN-023"""
    view = AsyncListAPIView()
    assert isinstance(view, drf_generics.GenericAPIView)
    assert not isinstance(view, drf_generics.ListAPIView)
    from rest_framework import mixins as drf_mixins

    assert not isinstance(view, drf_mixins.ListModelMixin)


# Async queryset responses ---------------------------------------------------------------


def test_unpaginated_and_paginated_lists():
    """V-QS-001 V-QS-002"""
    seed(3)
    assert len(call(make(AsyncListAPIView).as_view(), rf.get("/")).data) == 3
    data = call(make(AsyncListAPIView, pagination_class=Page2).as_view(), rf.get("/")).data
    assert data["count"] == 3 and len(data["results"]) == 2


def test_nested_serializer_over_fk():
    """V-QS-003"""
    item = seed(1)[0]
    Note.objects.create(item=item, name="n")
    view = instance(AsyncAPIView, serializer_class=NoteSerializer)
    response = arun(view.aserialized_response, Note.objects.all(), many=True)
    assert response.data[0]["item"]["string_field"] == "s0"


# OPTIONS --------------------------------------------------------------------------------


def test_options_on_async_detail_view():
    """V-OPT-001"""
    item = seed(1)[0]
    response = call(make(AsyncRetrieveUpdateDestroyAPIView).as_view(), rf.options("/"), pk=item.pk)
    assert response.status_code == 200
    assert response.data["renders"] and "PUT" in response.data["actions"]


def test_options_without_serializer_and_metadata_none():
    """V-OPT-002 V-OPT-004"""

    class Bare(AsyncAPIView):
        async def get(self, request):
            return Response({})

    response = call(Bare.as_view(), rf.options("/"))
    assert response.status_code == 200 and "actions" not in response.data

    class NoMeta(Bare):
        metadata_class = None

    assert call(NoMeta.as_view(), rf.options("/")).status_code == 405


def test_options_on_sync_view_via_async_client():
    """V-OPT-003"""
    from django.test import AsyncClient

    with override_settings(ROOT_URLCONF="tests.core.views.urls"):
        response = arun(AsyncClient().options, "/sync/verbs/")
    assert response.status_code == 200


def test_options_runs_permission_checks_for_put_off_loop():
    """W12: metadata computed in a worker (sync permission checks may query)."""
    item = seed(1)[0]

    class QueryingPermission(BasePermission):
        def has_permission(self, request, view):
            return Item.objects.exists()

    view = make(AsyncRetrieveUpdateDestroyAPIView, permission_classes=[QueryingPermission])
    assert call(view.as_view(), rf.options("/"), pk=item.pk).status_code == 200
    assert APIView  # sync counterpart covered in test_helper_surface
