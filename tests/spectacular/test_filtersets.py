"""FilterSet query parameters through RestflowAutoSchema and the hook (§2.6, §2.7).

FilterSets come from restflow-filters, which restflow-spectacular does not depend on. In a
split install without it these tests have nothing to build; test_absent.py checks that
generation then works without filter parameters.
"""

from __future__ import annotations

import logging

import pytest
from django.urls import include, path, re_path
from rest_framework import generics, versioning

from tests.spectacular.app.models import Widget
from tests.spectacular.helpers import (
    FILTERS,
    WidgetSerializer,
    generate,
    operation,
    parameter_names,
    schema_class,
)

pytestmark = pytest.mark.skipif(
    not FILTERS, reason="FilterSets need restflow-filters (absent here; see test_absent.py)"
)

if FILTERS:
    from drf_spectacular.generators import SchemaGenerator

    from restflow.filters import FilterSet, IntegerField, RestflowFilterBackend, StringField
    from restflow.spectacular import hooks, resolve_filterset_class
    from restflow.views import AsyncAPIView, AsyncListAPIView, AsyncListCreateAPIView

    class WidgetFilters(FilterSet):
        integer_field = IntegerField(lookups=["gte", "lte"])
        string_field = StringField(lookups=["icontains"])

    class OtherFilters(FilterSet):
        name = StringField()


EXPECTED = ("integer_field__gte", "integer_field__lte", "string_field__icontains")


def view(base=None, **attrs):
    base = base or AsyncListCreateAPIView
    attrs = {"queryset": Widget.objects.all(), "serializer_class": WidgetSerializer, **attrs}
    return type("Filtered", (base,), attrs).as_view()


def test_filterset_without_backend():
    """A-SCHEMA-017"""
    schema = generate([path("items/", view(AsyncListAPIView, filterset_class=WidgetFilters))])
    names = parameter_names(schema, "/items/")
    for name in EXPECTED:
        assert name in names
    assert (
        next(
            p
            for p in operation(schema, "/items/")["parameters"]
            if p["name"] == "integer_field__gte"
        )["in"]
        == "query"
    )


def test_filterset_on_plain_async_apiview():
    """A-SCHEMA-017: any view exposing a FilterSet, generic or not."""

    class Plain(AsyncAPIView):
        serializer_class = WidgetSerializer
        filterset_class = WidgetFilters

        async def get(self, request):
            raise NotImplementedError

    schema = generate([path("plain/", Plain.as_view())])
    assert set(EXPECTED) <= set(parameter_names(schema, "/plain/"))


def test_methods_default_view_and_global():
    """A-SCHEMA-018 W-34: every method by default; the view attribute beats the setting."""
    patterns = [
        path("all/", view(filterset_class=WidgetFilters)),
        path("get/", view(filterset_class=WidgetFilters, filterset_schema_methods=["GET"])),
        path("lower/", view(filterset_class=WidgetFilters, filterset_schema_methods=["get"])),
        path(
            "both/",
            view(filterset_class=WidgetFilters, filterset_schema_methods=["GET", "POST"]),
        ),
    ]
    schema = generate(patterns)
    assert set(EXPECTED) <= set(parameter_names(schema, "/all/", "get"))
    assert set(EXPECTED) <= set(parameter_names(schema, "/all/", "post"))
    for route in ("/get/", "/lower/"):
        assert set(EXPECTED) <= set(parameter_names(schema, route, "get"))
        assert not set(EXPECTED) & set(parameter_names(schema, route, "post"))

    from django.test import override_settings

    with override_settings(RESTFLOW_SETTINGS={"SCHEMA": {"FILTER_METHODS": ["GET"]}}):
        schema = generate(patterns)
    assert set(EXPECTED) <= set(parameter_names(schema, "/all/", "get"))
    assert not set(EXPECTED) & set(parameter_names(schema, "/all/", "post"))
    assert set(EXPECTED) <= set(parameter_names(schema, "/both/", "post"))


def test_backend_and_filterset_not_duplicated():
    """A-SCHEMA-019"""
    schema = generate(
        [
            path(
                "items/",
                view(
                    AsyncListAPIView,
                    filterset_class=WidgetFilters,
                    filter_backends=[RestflowFilterBackend],
                ),
            )
        ]
    )
    assert parameter_names(schema, "/items/").count("integer_field__gte") == 1


def test_broken_filterset_class(caplog):
    """A-SCHEMA-020"""
    with caplog.at_level(logging.WARNING, logger="restflow.spectacular.schema"):
        schema = generate([path("odd/", view(AsyncListAPIView, filterset_class=object))])
    assert operation(schema, "/odd/")["responses"]
    assert any(
        r.getMessage().startswith("RestflowAutoSchema: failed to build filterset params for <")
        for r in caplog.records
    )


def test_resolve_filterset_class():
    """A-SCHEMA-021"""

    def raising(self):
        raise RuntimeError("no request")

    class Base:
        filterset_class = WidgetFilters

    getter_raises = type("V", (Base,), {"get_filterset_class": raising})()
    getter_class = type("V", (Base,), {"get_filterset_class": lambda self: OtherFilters})()
    getter_none = type("V", (Base,), {"get_filterset_class": lambda self: None})()
    assert resolve_filterset_class(getter_raises) is WidgetFilters
    assert resolve_filterset_class(getter_class) is OtherFilters
    assert resolve_filterset_class(getter_none) is WidgetFilters
    assert resolve_filterset_class(object()) is None


def drf_list(filterset, **attrs):
    attrs = {"queryset": Widget.objects.all(), "serializer_class": WidgetSerializer, **attrs}
    if filterset is not None:
        attrs["filterset_class"] = filterset
    return type("DRFList", (generics.ListCreateAPIView,), attrs).as_view()


def spectacular_schema(patterns, **spectacular):
    """A document of drf-spectacular's own AutoSchema, and its generator."""
    with schema_class("drf_spectacular.openapi.AutoSchema", **spectacular):
        generator = SchemaGenerator(patterns=patterns)
        return generator, generator.get_schema(request=None, public=True)


class TestHook:
    def test_injects_skips_and_is_idempotent(self, caplog):
        """A-SCHEMA-022"""
        patterns = [
            path("items/", drf_list(WidgetFilters)),
            path("plain/", drf_list(None)),
            path("odd/", drf_list(object)),
            path("gets/", drf_list(WidgetFilters, filterset_schema_methods=["GET"])),
        ]
        generator, schema = spectacular_schema(patterns)
        assert "integer_field__gte" not in parameter_names(schema, "/items/")
        schema["paths"]["/unrelated/"] = {"get": {"responses": {}}}
        listed = operation(schema, "/items/")
        listed["parameters"] = [
            {"name": "integer_field__gte", "in": "query", "schema": {"type": "integer"}}
        ]
        with caplog.at_level(logging.WARNING, logger="restflow.spectacular.hooks"):
            result = hooks.add_filterset_parameters(schema, generator)
            result = hooks.add_filterset_parameters(result, generator)
        assert result is schema
        names = parameter_names(result, "/items/")
        assert set(EXPECTED) <= set(names)
        assert names.count("integer_field__gte") == 1
        assert len(names) == len(set(names))
        assert set(EXPECTED) <= set(parameter_names(result, "/items/", "post"))
        assert not set(EXPECTED) & set(parameter_names(result, "/plain/"))
        assert result["paths"]["/unrelated/"] == {"get": {"responses": {}}}
        assert operation(result, "/odd/")["responses"]
        assert set(EXPECTED) <= set(parameter_names(result, "/gets/"))
        assert not set(EXPECTED) & set(parameter_names(result, "/gets/", "post"))
        assert any(
            r.getMessage().startswith("restflow add_filterset_parameters: failed to build params")
            for r in caplog.records
        )
        del result["paths"]["/items/"]["get"]
        hooks.add_filterset_parameters(result, generator)  # a missing operation is skipped

    def test_generator_without_endpoints(self):
        """A-SCHEMA-022 W-32: no private generator API is required; nothing to walk, no change."""
        result = {"paths": {"/items/": {"get": {"responses": {}}}}}
        assert hooks.add_filterset_parameters(result, generator=object()) == {
            "paths": {"/items/": {"get": {"responses": {}}}}
        }

    def test_fresh_generator_is_initialised(self):
        """A-SCHEMA-022: a generator that has not parsed yet still yields its endpoints."""
        patterns = [path("items/", drf_list(WidgetFilters))]
        _, schema = spectacular_schema(patterns)
        with schema_class("drf_spectacular.openapi.AutoSchema"):
            hooks.add_filterset_parameters(schema, SchemaGenerator(patterns=patterns))
        assert set(EXPECTED) <= set(parameter_names(schema, "/items/"))

    def test_registered_as_postprocessing_hook(self):
        """A-SCHEMA-022: through SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]."""
        _, schema = spectacular_schema(
            [path("items/", drf_list(WidgetFilters))],
            POSTPROCESSING_HOOKS=[
                "drf_spectacular.hooks.postprocess_schema_enums",
                "restflow.spectacular.hooks.add_filterset_parameters",
            ],
        )
        assert set(EXPECTED) <= set(parameter_names(schema, "/items/"))

    def test_versioned_paths(self):
        """A-SCHEMA-022 W-32: URL-path versioning rewrites `{version}` before the hook runs."""
        versioned = drf_list(
            WidgetFilters,
            versioning_class=type("V", (versioning.URLPathVersioning,), {"default_version": "v1"}),
        )
        patterns = [re_path(r"^(?P<version>v1)/items/$", versioned)]
        _, schema = spectacular_schema(
            patterns,
            POSTPROCESSING_HOOKS=["restflow.spectacular.hooks.add_filterset_parameters"],
        )
        assert list(schema["paths"]) == ["/v1/items/"]
        assert set(EXPECTED) <= set(parameter_names(schema, "/v1/items/"))

    def test_prefix_trimmed_and_inserted_paths(self):
        """A-SCHEMA-022 W-32: SCHEMA_PATH_PREFIX_TRIM / _INSERT rewrite the keys."""
        inner = [path("items/", drf_list(WidgetFilters)), path("plain/", drf_list(None))]
        _, schema = spectacular_schema(
            [path("api/", include(inner))],
            SCHEMA_PATH_PREFIX="/api",
            SCHEMA_PATH_PREFIX_TRIM=True,
            SCHEMA_PATH_PREFIX_INSERT="/public",
            POSTPROCESSING_HOOKS=["restflow.spectacular.hooks.add_filterset_parameters"],
        )
        assert "/public/items/" in schema["paths"]
        assert set(EXPECTED) <= set(parameter_names(schema, "/public/items/"))
