"""Schema generation through drf-spectacular's real SchemaGenerator, and lookups into it."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.test import override_settings
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from rest_framework import serializers

from tests.spectacular.app.models import Widget

RESTFLOW_SCHEMA = "restflow.spectacular.RestflowAutoSchema"

FILTERS = importlib.util.find_spec("restflow.filters") is not None
SERIALIZERS = importlib.util.find_spec("restflow.serializers") is not None
AUTH = importlib.util.find_spec("restflow.authentication") is not None


@contextmanager
def schema_class(path: str = RESTFLOW_SCHEMA, **spectacular: Any) -> Iterator[None]:
    """``DEFAULT_SCHEMA_CLASS`` (and optional ``SPECTACULAR_SETTINGS``) for a block."""
    rest_framework = {**getattr(settings, "REST_FRAMEWORK", {}), "DEFAULT_SCHEMA_CLASS": path}
    with override_settings(REST_FRAMEWORK=rest_framework), patched_settings(spectacular):
        yield


def generate(patterns: list[Any], *, schema: str = RESTFLOW_SCHEMA, **spectacular: Any) -> dict:
    """The OpenAPI document of ``patterns`` as drf-spectacular renders it."""
    with schema_class(schema, **spectacular):
        generator = SchemaGenerator(patterns=patterns)
        return generator.get_schema(request=None, public=True)


@contextmanager
def spectacular_warnings() -> Iterator[list[str]]:
    """Collect drf-spectacular's warnings and errors emitted inside the block."""
    GENERATOR_STATS.reset()
    found: list[str] = []
    try:
        yield found
    finally:
        found.extend(GENERATOR_STATS._warn_cache)
        found.extend(GENERATOR_STATS._error_cache)
        GENERATOR_STATS.reset()


def operation(schema: dict, route: str, method: str = "get") -> dict:
    return schema["paths"][route][method]


def response_schema(schema: dict, route: str, method: str = "get", code: str = "200") -> dict:
    return operation(schema, route, method)["responses"][code]["content"]["application/json"][
        "schema"
    ]


def request_schema(schema: dict, route: str, method: str = "post") -> dict:
    return operation(schema, route, method)["requestBody"]["content"]["application/json"]["schema"]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def parameter_names(schema: dict, route: str, method: str = "get") -> list[str]:
    return [p["name"] for p in operation(schema, route, method).get("parameters", [])]


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


class WidgetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Widget
        fields = ["id", "name", "slug", "price"]


class WidgetRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Widget
        fields = ["id", "name"]


class WidgetCreateSerializer(serializers.Serializer):
    name = serializers.CharField()


class WidgetInSerializer(serializers.Serializer):
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=8, decimal_places=2)


class WidgetOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
