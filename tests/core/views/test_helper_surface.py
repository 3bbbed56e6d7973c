"""The helper surface on sync views (B-HLP) and the sync APIView (B-APIV)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response as DRFResponse

from restflow.responses import Response
from restflow.views import APIView, UpdateModelMixin
from tests.core.views.app.models import Item
from tests.core.views.app.serializers import ItemSerializer, SlimItemSerializer, ValueSerializer
from tests.core.views.conftest import call


class Obj:
    def __init__(self, value, extra=None):
        self.value = value
        self.extra = extra


class Page2(PageNumberPagination):
    page_size = 2


class Page3(PageNumberPagination):
    page_size = 3


class NonePaginator(PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        return None


class HeaderPaginator(Page2):
    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response["X-A"] = "paginator"
        return response


class EnrichFetcher:
    def __init__(self):
        self.calls = 0

    def fetch(self, items):
        self.calls += 1
        for item in items:
            item.extra = item.value * 10


class ExtraSerializer(ValueSerializer):
    from rest_framework import serializers as _s

    extra = _s.IntegerField(allow_null=True)


def make_view(cls=APIView, method="get", path="/", data=None, **attrs):
    from rest_framework.test import APIRequestFactory

    view_cls = type("V", (cls,), attrs)
    view = view_cls()
    django_request = getattr(APIRequestFactory(), method)(path, data, format="json")
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(django_request)
    view.format_kwarg = None
    view.headers = view.default_response_headers
    return view


def test_get_serializer_context_has_request_view_format():
    """V-HLP-001 V-HLP-002"""
    view = make_view(serializer_class=ValueSerializer)
    view.format_kwarg = "json"
    serializer = view.get_serializer(Obj(1))
    assert isinstance(serializer, ValueSerializer)
    assert serializer.context["request"] is view.request
    assert serializer.context["view"] is view
    assert serializer.context["format"] == "json"


def test_get_serializer_explicit_class_and_context():
    """V-HLP-003 V-HLP-005"""
    view = make_view(serializer_class=ValueSerializer)
    assert isinstance(view.get_serializer(serializer_class=ExtraSerializer), ExtraSerializer)
    assert view.get_serializer(context={"x": 1}).context == {"x": 1}


def test_get_serializer_without_class_is_improperly_configured():
    """V-HLP-004"""
    view = make_view()
    with pytest.raises(ImproperlyConfigured, match="serializer_class"):
        view.get_serializer()


def test_validated_serializer_uses_request_data_or_given_data():
    """V-HLP-007 V-HLP-008 V-HLP-009"""
    view = make_view(method="post", data={"value": 7}, serializer_class=ValueSerializer)
    assert view.validated_serializer().validated_data == {"value": 7}
    assert view.validated_serializer(data={"value": 3}).validated_data == {"value": 3}
    with pytest.raises(ValidationError):
        view.validated_serializer(data={})

    class Strict(APIView):
        serializer_class = ValueSerializer

        def post(self, request):
            return self.serialized_response(self.validated_serializer().validated_data)

    from rest_framework.test import APIRequestFactory

    response = call(Strict.as_view(), APIRequestFactory().post("/", {"value": "x"}, format="json"))
    assert response.status_code == 400


def test_serialized_response_shapes():
    """V-HLP-010 V-HLP-011 V-HLP-012 V-HLP-013 V-HLP-014"""
    view = make_view(serializer_class=ValueSerializer)
    response = view.serialized_response(Obj(1))
    assert response.status_code == 200 and response.data == {"value": 1}
    assert isinstance(response, Response) and isinstance(response, DRFResponse)
    many = view.serialized_response([Obj(1), Obj(2)], many=True, status=201)
    assert many.status_code == 201 and len(many.data) == 2
    alt = view.serialized_response(Obj(1, 5), serializer_class=ExtraSerializer)
    assert alt.data == {"value": 1, "extra": 5}
    assert view.serialized_response(Obj(1), headers={"X-A": "1"})["X-A"] == "1"


def test_paginated_response_branches():
    """V-HLP-015 V-HLP-016 V-HLP-017 V-HLP-018"""
    items = [Obj(i) for i in range(5)]
    view = make_view(serializer_class=ValueSerializer)
    assert len(view.paginated_response(items).data) == 5
    paged = make_view(path="/?page=1", serializer_class=ValueSerializer, pagination_class=Page2)
    data = paged.paginated_response(items).data
    assert data["count"] == 5 and len(data["results"]) == 2
    assert len(view.paginated_response(items, pagination_class=Page3).data["results"]) == 3
    none = make_view(serializer_class=ValueSerializer, pagination_class=NonePaginator)
    assert len(none.paginated_response(items).data) == 5


def test_paginated_response_headers_in_every_branch():
    """V-HLP-019 V-HLP-020"""
    items = [Obj(i) for i in range(5)]
    for pagination_class in (None, NonePaginator, Page2):
        view = make_view(serializer_class=ValueSerializer, pagination_class=pagination_class)
        assert view.paginated_response(items, headers={"X-B": "2"})["X-B"] == "2"
    view = make_view(serializer_class=ValueSerializer, pagination_class=HeaderPaginator)
    assert view.paginated_response(items, headers={"X-A": "mine"})["X-A"] == "mine"
    assert view.paginated_response(items)["X-A"] == "paginator"


def test_paginated_response_out_of_range_page_is_404():
    """V-HLP-021"""
    view = make_view(path="/?page=999", serializer_class=ValueSerializer, pagination_class=Page2)
    with pytest.raises(NotFound):
        view.paginated_response([Obj(1), Obj(2), Obj(3)])


def test_post_fetches_in_serialized_response():
    """V-HLP-022"""
    view = make_view(serializer_class=ExtraSerializer)
    assert view.serialized_response(Obj(2), post_fetches=[EnrichFetcher()]).data["extra"] == 20
    many = view.serialized_response([Obj(1), Obj(2)], many=True, post_fetches=[EnrichFetcher()])
    assert [row["extra"] for row in many.data] == [10, 20]


def test_post_fetches_in_every_paginated_branch():
    """V-HLP-023 V-HLP-024 W6"""
    for pagination_class in (Page2, None, NonePaginator):
        view = make_view(serializer_class=ExtraSerializer, pagination_class=pagination_class)
        data = view.paginated_response(
            [Obj(1), Obj(2), Obj(3)], post_fetches=[EnrichFetcher()]
        ).data
        rows = data["results"] if isinstance(data, dict) else data
        assert rows and all(row["extra"] == row["value"] * 10 for row in rows)


def test_post_fetches_consume_a_generator_once():
    """V-HLP-025 W6"""
    view = make_view(serializer_class=ExtraSerializer)
    fetcher = EnrichFetcher()
    generator = (Obj(i) for i in range(3))
    data = view.serialized_response(generator, many=True, post_fetches=[fetcher]).data
    assert [row["extra"] for row in data] == [0, 10, 20]
    assert fetcher.calls == 1


# Sync APIView -------------------------------------------------------------------------


class Verbs(APIView):
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


@override_settings(ROOT_URLCONF="tests.core.views.urls")
def test_sync_apiview_verbs_through_client():
    """V-APIV-001"""
    client = Client()
    expected = {"get": 200, "post": 201, "put": 200, "patch": 202, "delete": 204}
    for method, status in expected.items():
        response = getattr(client, method)("/sync/verbs/", content_type="application/json")
        assert response.status_code == status, method


def test_apiview_rejects_async_handlers():
    """V-APIV-002 V-APIV-003"""

    class AllAsync(APIView):
        async def get(self, request):
            return Response({})

    with pytest.raises(ImproperlyConfigured, match="AsyncAPIView"):
        AllAsync.as_view()

    class Mixed(APIView):
        def get(self, request):
            return Response({})

        async def post(self, request):
            return Response({})

    with pytest.raises(ImproperlyConfigured, match="must either be all sync or all async"):
        Mixed.as_view()


def test_sync_options_without_serializer_and_without_metadata():
    """V-APIV-004 V-APIV-005"""
    from rest_framework.test import APIRequestFactory

    response = call(Verbs.as_view(), APIRequestFactory().options("/"))
    assert response.status_code == 200
    assert response.data["renders"] and "actions" not in response.data

    class NoMeta(Verbs):
        metadata_class = None

    assert call(NoMeta.as_view(), APIRequestFactory().options("/")).status_code == 405


@pytest.mark.django_db
def test_sync_update_mixin_on_apiview_resets_prefetch_cache():
    """V-APIV-006"""
    from rest_framework.test import APIRequestFactory

    item = Item.objects.create(integer_field=1)
    seen = {}

    class Update(UpdateModelMixin, APIView):
        serializer_class = ItemSerializer

        def get_object(self):
            obj = Item.objects.get(pk=item.pk)
            obj._prefetched_objects_cache = {"notes": []}
            seen["obj"] = obj
            return obj

        def put(self, request, *args, **kwargs):
            return self.update(request, *args, **kwargs)

    response = call(
        Update.as_view(), APIRequestFactory().put("/", {"integer_field": 5}, format="json")
    )
    assert response.status_code == 200
    assert response.data["integer_field"] == 5
    assert seen["obj"]._prefetched_objects_cache == {}
    assert SlimItemSerializer  # imported for other modules' parity
