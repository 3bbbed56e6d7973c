"""Descriptions come from the user's docstrings only (§2.3, W-29), and streams (§2.9)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf
from rest_framework.routers import SimpleRouter

import restflow.spectacular
from restflow.pagination import PageNumberPagination
from restflow.spectacular.schema import get_lib_doc_excludes
from restflow.views import AsyncAPIView, AsyncListAPIView, AsyncModelViewSet, GenericViewSet
from tests.spectacular.app.models import Widget
from tests.spectacular.helpers import (
    SERIALIZERS,
    WidgetSerializer,
    component,
    generate,
    operation,
    ref,
    schema_class,
)

if SERIALIZERS:
    from restflow.serializers import ModelSerializer, Serializer

    class Plain(Serializer):
        name: str

    class Modelled(ModelSerializer):
        class Meta:
            model = Widget
            fields = ["id", "name"]

else:  # the same shapes without restflow-serializers

    class Plain(drf.Serializer):  # type: ignore[no-redef]
        name = drf.CharField()

    class Modelled(drf.ModelSerializer):  # type: ignore[no-redef]
        class Meta:
            model = Widget
            fields = ["id", "name"]


class Documented(Plain):
    """A documented shape."""


class Pages(PageNumberPagination):
    page_size = 5


def test_no_library_docstrings():
    """A-SCHEMA-025 W-29"""

    class Listing(AsyncListAPIView):
        queryset = Widget.objects.all()
        serializer_class = Plain
        pagination_class = Pages

    class Models(AsyncListAPIView):
        queryset = Widget.objects.all()
        serializer_class = Modelled

    schema = generate([path("plain/", Listing.as_view()), path("models/", Models.as_view())])
    assert "description" not in component(schema, "Plain")
    assert "description" not in component(schema, "Modelled")
    assert "description" not in operation(schema, "/plain/")
    assert "description" not in operation(schema, "/models/")


def test_user_docstrings_kept():
    """A-SCHEMA-025: the user's class and method docstrings still describe the API."""

    class Listing(AsyncListAPIView):
        """Every widget."""

        queryset = Widget.objects.all()
        serializer_class = Documented

    class Widgets(AsyncModelViewSet):
        """Widgets."""

        queryset = Widget.objects.all()
        serializer_class = WidgetSerializer

        async def list(self, request, *args, **kwargs):
            """The catalogue."""
            return await super().list(request, *args, **kwargs)

    router = SimpleRouter()
    router.register("widgets", Widgets, basename="widgets")
    schema = generate([path("all/", Listing.as_view()), *router.urls])
    assert operation(schema, "/all/")["description"] == "Every widget."
    assert component(schema, "Documented")["description"] == "A documented shape."
    assert operation(schema, "/widgets/")["description"] == "The catalogue."
    assert operation(schema, "/widgets/{id}/")["description"] == "Widgets."


def test_viewset_without_docstrings():
    """A-SCHEMA-025 W-29: viewsets and mixins of restflow describe nothing."""

    class Widgets(AsyncModelViewSet):
        queryset = Widget.objects.all()
        serializer_class = Plain

    class SyncWidgets(GenericViewSet):
        queryset = Widget.objects.all()
        serializer_class = Plain

        def list(self, request):
            raise NotImplementedError

    router = SimpleRouter()
    router.register("widgets", Widgets, basename="widgets")
    router.register("sync", SyncWidgets, basename="sync")
    schema = generate(router.urls)
    for route, methods in schema["paths"].items():
        for method, op in methods.items():
            assert "description" not in op, (route, method)


def test_lib_doc_excludes_lists_restflow_bases():
    """A-SCHEMA-025: usable as SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]."""
    excludes = restflow.spectacular.get_lib_doc_excludes()
    assert excludes == get_lib_doc_excludes()
    assert "get_lib_doc_excludes" not in restflow.spectacular.__all__
    from restflow.views import generics, mixins, viewsets

    for cls in (AsyncAPIView, generics.AsyncListAPIView, mixins.AsyncListModelMixin):
        assert cls in excludes
    assert viewsets.AsyncModelViewSet in excludes
    assert PageNumberPagination.__mro__[1] in excludes or PageNumberPagination in excludes
    if SERIALIZERS:
        from restflow import serializers as restflow_serializers

        assert restflow_serializers.Serializer in excludes
        assert restflow_serializers.ModelSerializer in excludes
        assert restflow_serializers.HyperlinkedModelSerializer in excludes


def test_lib_doc_excludes_setting_for_spectacular_autoschema():
    """A-SCHEMA-025 W-29: drf-spectacular's own AutoSchema, with the documented setting."""

    class Listing(AsyncListAPIView):
        queryset = Widget.objects.all()
        serializer_class = Plain

    patterns = [path("plain/", Listing.as_view())]
    schema = generate(
        patterns,
        schema="drf_spectacular.openapi.AutoSchema",
        GET_LIB_DOC_EXCLUDES="restflow.spectacular.get_lib_doc_excludes",
    )
    assert "description" not in component(schema, "Plain")
    assert "description" not in operation(schema, "/plain/")


def test_ndjson_stream_documented_explicitly():
    """A-SCHEMA-027: `@extend_schema` builds on DEFAULT_SCHEMA_CLASS when it decorates."""
    with schema_class():

        class Rows(AsyncAPIView):
            @extend_schema(responses={(200, "application/x-ndjson"): WidgetSerializer})
            async def get(self, request):
                raise NotImplementedError

    schema = generate([path("rows/", Rows.as_view())])
    content = operation(schema, "/rows/")["responses"]["200"]["content"]
    assert content["application/x-ndjson"]["schema"] == ref("Widget")
