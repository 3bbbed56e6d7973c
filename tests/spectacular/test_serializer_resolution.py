"""Which serializer the document shows for each operation (auth-and-schema §2.2, §2.4)."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import path
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from restflow.pagination import PageNumberPagination
from restflow.spectacular import RestflowAutoSchema
from restflow.views import (
    ActionConfig,
    APIView,
    AsyncAPIView,
    AsyncListAPIView,
    AsyncListCreateAPIView,
    AsyncModelViewSet,
    AsyncRetrieveAPIView,
)
from tests.spectacular.app.models import Widget
from tests.spectacular.helpers import (
    ReceiptSerializer,
    WidgetCreateSerializer,
    WidgetInSerializer,
    WidgetOutSerializer,
    WidgetRowSerializer,
    WidgetSerializer,
    component,
    generate,
    operation,
    ref,
    request_schema,
    response_schema,
    spectacular_warnings,
)


class Pages(PageNumberPagination):
    page_size = 10


def routed(viewset, prefix="widgets"):
    router = SimpleRouter()
    router.register(prefix, viewset, basename=prefix)
    return router.urls


class TestActionConfigs:
    def test_list_and_create_configs(self):
        """A-SCHEMA-001"""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            action_configs = {
                "list": ActionConfig(serializer_class=WidgetRowSerializer),
                "create": ActionConfig(serializer_class=WidgetCreateSerializer),
            }

        schema = generate(routed(Widgets))
        assert response_schema(schema, "/widgets/") == {
            "type": "array",
            "items": ref("WidgetRow"),
        }
        assert request_schema(schema, "/widgets/") == ref("WidgetCreate")

    def test_without_configs_the_default_serializer(self):
        """A-SCHEMA-002"""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        schema = generate(routed(Widgets))
        assert response_schema(schema, "/widgets/") == {"type": "array", "items": ref("Widget")}
        assert request_schema(schema, "/widgets/") == ref("Widget")

    def test_request_and_response_split_on_create(self):
        """A-SCHEMA-007"""

        class Both(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            action_configs = {
                "create": ActionConfig(
                    request_serializer_class=WidgetInSerializer,
                    response_serializer_class=WidgetOutSerializer,
                )
            }

        class RequestOnly(Both):
            action_configs = {"create": ActionConfig(request_serializer_class=WidgetInSerializer)}

        class ResponseOnly(Both):
            action_configs = {"create": ActionConfig(response_serializer_class=WidgetOutSerializer)}

        schema = generate(
            routed(Both, "both") + routed(RequestOnly, "request") + routed(ResponseOnly, "response")
        )
        assert request_schema(schema, "/both/") == ref("WidgetIn")
        assert response_schema(schema, "/both/", "post", "201") == ref("WidgetOut")
        assert request_schema(schema, "/request/") == ref("WidgetIn")
        assert response_schema(schema, "/request/", "post", "201") == ref("Widget")
        assert request_schema(schema, "/response/") == ref("Widget")
        assert response_schema(schema, "/response/", "post", "201") == ref("WidgetOut")

    def test_view_level_request_serializer_beats_config_serializer(self):
        """A-SCHEMA-008 W-26: the schema shows what the view validates at runtime."""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            request_serializer_class = WidgetInSerializer
            action_configs = {"create": ActionConfig(serializer_class=WidgetCreateSerializer)}

        schema = generate(routed(Widgets))
        assert request_schema(schema, "/widgets/") == ref("WidgetIn")
        runtime = Widgets(action="create", action_configs=Widgets.action_configs)
        assert runtime.get_request_serializer_class() is WidgetInSerializer

    def test_action_serializer_with_config_response(self):
        """A-SCHEMA-016"""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            action_configs = {"bulk": ActionConfig(response_serializer_class=ReceiptSerializer)}

            @action(detail=False, methods=["post"], serializer_class=WidgetCreateSerializer)
            async def bulk(self, request):
                raise NotImplementedError

        schema = generate(routed(Widgets))
        assert request_schema(schema, "/widgets/bulk/") == ref("WidgetCreate")
        assert response_schema(schema, "/widgets/bulk/", "post") == ref("Receipt")

    def test_detail_delete_and_patch(self):
        """A-SCHEMA-015"""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            pagination_class = Pages

        schema = generate(routed(Widgets))
        assert response_schema(schema, "/widgets/{id}/") == ref("Widget")
        assert "page" not in [p["name"] for p in operation(schema, "/widgets/{id}/")["parameters"]]
        assert operation(schema, "/widgets/{id}/", "delete")["responses"] == {
            "204": {"description": "No response body"}
        }
        assert request_schema(schema, "/widgets/{id}/", "patch") == ref("PatchedWidget")
        assert "required" not in component(schema, "PatchedWidget")
        assert response_schema(schema, "/widgets/") == ref("PaginatedWidgetList")

    def test_product_viewset_table(self):
        """A-SCHEMA-007: the §2.4 table, operation by operation."""

        class Products(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetOutSerializer
            request_serializer_class = WidgetInSerializer
            pagination_class = Pages
            action_configs = {
                "list": ActionConfig(response_serializer_class=WidgetRowSerializer),
                "create": ActionConfig(request_serializer_class=WidgetCreateSerializer),
            }

        schema = generate(routed(Products, "products"))
        assert response_schema(schema, "/products/") == ref("PaginatedWidgetRowList")
        assert "page" in [p["name"] for p in operation(schema, "/products/")["parameters"]]
        assert request_schema(schema, "/products/") == ref("WidgetCreate")
        assert response_schema(schema, "/products/", "post", "201") == ref("WidgetOut")
        assert request_schema(schema, "/products/{id}/", "put") == ref("WidgetIn")
        assert response_schema(schema, "/products/{id}/", "put") == ref("WidgetOut")
        assert request_schema(schema, "/products/{id}/", "patch") == ref("PatchedWidgetIn")
        assert response_schema(schema, "/products/{id}/", "patch") == ref("WidgetOut")
        assert response_schema(schema, "/products/{id}/") == ref("WidgetOut")
        assert set(operation(schema, "/products/{id}/", "delete")["responses"]) == {"204"}


class TestPlainViews:
    def test_apiview_get_single_object_and_paginated_envelope(self):
        """A-SCHEMA-005: APIView and AsyncAPIView alike."""

        class SyncOne(APIView):
            serializer_class = WidgetSerializer

            def get(self, request):
                raise NotImplementedError

        class AsyncOne(AsyncAPIView):
            serializer_class = WidgetSerializer

            async def get(self, request):
                raise NotImplementedError

        class SyncPaged(SyncOne):
            pagination_class = Pages

        class AsyncPaged(AsyncOne):
            pagination_class = Pages

        schema = generate(
            [
                path("sync/", SyncOne.as_view()),
                path("async/", AsyncOne.as_view()),
                path("sync-paged/", SyncPaged.as_view()),
                path("async-paged/", AsyncPaged.as_view()),
            ]
        )
        assert response_schema(schema, "/sync/") == ref("Widget")
        assert response_schema(schema, "/async/") == ref("Widget")
        for route in ("/sync-paged/", "/async-paged/"):
            assert response_schema(schema, route) == ref("PaginatedWidgetList")
        envelope = component(schema, "PaginatedWidgetList")
        assert set(envelope["properties"]) == {"count", "next", "previous", "results"}
        assert envelope["properties"]["results"] == {"type": "array", "items": ref("Widget")}

    def test_apiview_request_and_response_serializers(self):
        """A-SCHEMA-006"""

        class Convert(AsyncAPIView):
            request_serializer_class = WidgetInSerializer
            response_serializer_class = WidgetOutSerializer

            async def post(self, request):
                raise NotImplementedError

        schema = generate([path("convert/", Convert.as_view())])
        assert request_schema(schema, "/convert/") == ref("WidgetIn")
        assert set(operation(schema, "/convert/", "post")["responses"]) == {"200"}
        assert response_schema(schema, "/convert/", "post") == ref("WidgetOut")

    def test_restflow_generic_views(self):
        """A-SCHEMA-028"""

        class Listing(AsyncListAPIView):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        class Paged(Listing):
            pagination_class = Pages

        class ListCreate(AsyncListCreateAPIView):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        class One(AsyncRetrieveAPIView):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        schema = generate(
            [
                path("list/", Listing.as_view()),
                path("paged/", Paged.as_view()),
                path("both/", ListCreate.as_view()),
                path("one/<int:pk>/", One.as_view()),
            ]
        )
        assert response_schema(schema, "/list/") == {"type": "array", "items": ref("Widget")}
        assert response_schema(schema, "/paged/") == ref("PaginatedWidgetList")
        assert response_schema(schema, "/both/") == {"type": "array", "items": ref("Widget")}
        assert set(operation(schema, "/both/", "post")["responses"]) == {"201"}
        assert response_schema(schema, "/both/", "post", "201") == ref("Widget")
        assert response_schema(schema, "/one/{id}/") == ref("Widget")

    def test_list_view_recognised_by_restflow_mixins(self):
        """A-SCHEMA-028: `_is_list_view` knows restflow's list mixins, not only DRF's."""

        class Listing(AsyncListAPIView):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        schema = RestflowAutoSchema()
        schema.view = Listing()
        schema.method, schema.path, schema.path_regex = "GET", "/list/", "^list/$"
        assert schema._is_list_view() is True
        schema.path, schema.path_regex = "/list/{pk}/", "^list/(?P<pk>[^/.]+)/$"
        assert schema._is_list_view() is False
        schema.method, schema.path = "POST", "/list/"
        assert schema._is_list_view() is False


class Broken(Exception):
    pass


def failing(exc):
    def hook(self):
        raise exc

    return hook


class TestFailingHooks:
    def test_plain_generic_view_post_has_request_body(self):
        """A-SCHEMA-009: a plain DRF GenericAPIView keeps drf-spectacular's behaviour."""

        class Create(generics.CreateAPIView):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer

        schema = generate([path("create/", Create.as_view())])
        assert request_schema(schema, "/create/") == ref("Widget")
        assert response_schema(schema, "/create/", "post", "201") == ref("Widget")

    def test_hooks_raising_or_returning_none(self, caplog):
        """A-SCHEMA-009: failures fall through with a WARNING; generation goes on."""
        views = {}
        for hook in (
            "get_request_serializer_class",
            "get_response_serializer_class",
            "get_serializer_class",
            "get_pagination_class",
        ):
            for label, body in (
                ("raises", failing(AttributeError("no request"))),
                ("improper", failing(ImproperlyConfigured("no queryset"))),
                ("none", lambda self: None),
            ):
                views[f"{hook}-{label}"] = type(
                    "Hooked",
                    (AsyncListCreateAPIView,),
                    {
                        "queryset": Widget.objects.all(),
                        "serializer_class": WidgetSerializer,
                        "pagination_class": Pages,
                        hook: body,
                    },
                )
        patterns = [path(f"{name}/", view.as_view()) for name, view in views.items()]
        with caplog.at_level(logging.WARNING, logger="restflow.spectacular.schema"):
            schema = generate(patterns)
        for name in views:
            post = operation(schema, f"/{name}/", "post")
            assert "requestBody" in post, name
            assert post["responses"], name
            assert operation(schema, f"/{name}/")["responses"], name
        messages = [
            r.getMessage() for r in caplog.records if r.name == "restflow.spectacular.schema"
        ]
        assert any(
            m.startswith("RestflowAutoSchema: get_serializer_class on <")
            and m.endswith("failed: no request")
            for m in messages
        )
        assert any("get_pagination_class on" in m and "no queryset" in m for m in messages)

    def test_drf_assertion_reported_by_spectacular(self):
        """A-SCHEMA-009: DRF's own `serializer_class` assertion stays drf-spectacular's error."""

        class Bare(generics.GenericAPIView):
            def post(self, request):
                raise NotImplementedError

        with spectacular_warnings() as problems:
            schema = generate([path("bare/", Bare.as_view())])
        assert operation(schema, "/bare/", "post")["responses"]
        assert any("exception raised while getting serializer" in p for p in problems)

    def test_other_exceptions_propagate(self):
        """A-SCHEMA-009: only the documented failure types are tolerated."""
        view = type(
            "Exploding",
            (AsyncListAPIView,),
            {"serializer_class": WidgetSerializer, "get_pagination_class": failing(Broken())},
        )
        schema = RestflowAutoSchema()
        schema.view = view()
        schema.method, schema.path, schema.path_regex = "GET", "/x/", "^x/$"
        with pytest.raises(Broken):
            schema.resolved_pagination_class()


class TestPaginationResolution:
    def test_resolved_pagination_class_from_action_config(self):
        """A-SCHEMA-010"""

        class Widgets(AsyncModelViewSet):
            queryset = Widget.objects.all()
            serializer_class = WidgetSerializer
            action_configs = {"list": ActionConfig(pagination_class=Pages)}

        schema = RestflowAutoSchema()
        schema.view = Widgets(action="list", action_configs=Widgets.action_configs)
        assert schema.resolved_pagination_class() is Pages
        assert schema.restflow_action_config() is Widgets.action_configs["list"]
        schema.view.action = None
        assert schema.restflow_action_config() is None

    def test_should_paginate_false_cases(self):
        """A-SCHEMA-011 W-27"""

        class Widgets(AsyncListAPIView):
            serializer_class = WidgetSerializer
            pagination_class = Pages
            lookup_url_kwarg = "pk"

        class BySlug(AsyncListAPIView):
            serializer_class = WidgetSerializer
            pagination_class = Pages
            lookup_field = "slug"

        schema = RestflowAutoSchema()
        schema.view = Widgets()
        schema.method, schema.path, schema.path_regex = "GET", "/widgets/", "^/widgets/$"
        assert schema.should_paginate() is True
        schema.method = "POST"
        assert schema.should_paginate() is False
        schema.method, schema.path_regex = "GET", "^/widgets/(?P<pk>[^/.]+)/$"
        assert schema.should_paginate() is False
        schema.view = BySlug()
        schema.path, schema.path_regex = "/widgets/{slug}/", ""
        assert schema.should_paginate() is False
        schema.path = "/slugs/"  # the lookup name as a substring is not a path variable
        assert schema.should_paginate() is True
