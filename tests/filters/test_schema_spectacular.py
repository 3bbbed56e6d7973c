"""Filter parameters through drf-spectacular and restflow-spectacular (filters.md §10.7, §10.8).

restflow-spectacular is another distribution: these tests run where it is installed and skip
(naming it) where only restflow-filters is.
"""

from __future__ import annotations

import pytest

spectacular = pytest.importorskip("restflow.spectacular", reason="needs restflow-spectacular")
hooks = pytest.importorskip("restflow.spectacular.hooks")


@pytest.fixture(autouse=True)
def _spectacular_default_schema(settings):
    """drf-spectacular generates only for views whose schema is one of its AutoSchemas."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }


from django.urls import path  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402

from restflow.filters import FilterSet, IntegerField, RestflowFilterBackend, StringField  # noqa: E402
from tests.filters.app.models import Sample  # noqa: E402


class SampleFS(FilterSet):
    integer_field = IntegerField(lookups=["gte", "lte"])
    string_field = StringField(lookups=["icontains"])


class SortedFS(FilterSet):
    zeta = IntegerField(lookups=["gte"])
    alpha = StringField()


class EmptyFS(FilterSet):
    pass


class Out(serializers.ModelSerializer):
    class Meta:
        model = Sample
        fields = ["id"]


def list_view(filterset, **attrs):
    attrs = {"queryset": Sample.objects.all(), "serializer_class": Out, **attrs}
    if filterset is not None:
        attrs["filterset_class"] = filterset
    return type("V", (generics.ListAPIView,), attrs).as_view()


def schema_of(patterns):
    generator = SchemaGenerator(patterns=patterns)
    return generator, generator.get_schema(request=None, public=True)


def names(schema, route="/items/", method="get"):
    return [p["name"] for p in schema["paths"][route][method].get("parameters", [])]


def test_restflow_autoschema_without_backend():
    """F-SCHEMA-017"""
    view = list_view(SampleFS, schema=spectacular.RestflowAutoSchema())
    _, schema = schema_of([path("items/", view)])
    found = names(schema)
    for name in ("integer_field__gte", "integer_field__lte", "string_field__icontains"):
        assert name in found


def test_hook_idempotent_and_tolerant():
    """F-SCHEMA-018"""
    patterns = [
        path("items/", list_view(SampleFS)),
        path("plain/", list_view(None)),
        path("empty/", list_view(EmptyFS)),
        path("odd/", list_view(object)),
    ]
    generator, schema = schema_of(patterns)
    schema["paths"]["/extra/"] = {}
    result = hooks.add_filterset_parameters(schema, generator)
    result = hooks.add_filterset_parameters(result, generator)
    assert names(result).count("integer_field__gte") == 1
    assert "integer_field__gte" not in names(result, "/plain/")
    assert names(result, "/empty/") == [n for n in names(result, "/empty/") if "!" not in n]
    assert "responses" in result["paths"]["/odd/"]["get"]
    del result["paths"]["/items/"]["get"]
    hooks.add_filterset_parameters(result, generator)


def test_backend_and_autoschema_no_duplicates():
    """F-SCHEMA-020"""
    view = list_view(
        SampleFS, filter_backends=[RestflowFilterBackend], schema=spectacular.RestflowAutoSchema()
    )
    _, schema = schema_of([path("items/", view)])
    assert names(schema).count("integer_field__gte") == 1


def test_alphabetical_parameters():
    """F-SCHEMA-023"""
    view = list_view(SortedFS, schema=spectacular.RestflowAutoSchema())
    _, schema = schema_of([path("items/", view)])
    found = [n for n in names(schema) if n in {"alpha", "alpha!", "zeta", "zeta!", "zeta__gte",
                                                "zeta__gte!"}]  # fmt: skip
    assert found == ["alpha", "alpha!", "zeta", "zeta!", "zeta__gte", "zeta__gte!"]
