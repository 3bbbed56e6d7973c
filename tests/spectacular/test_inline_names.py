"""Anonymous InlineSerializer products are named by shape (§2.3, W-33).

restflow-serializers marks a product built without ``name=`` with the class attribute
``inline_anonymous = True``; in a split install without it, classes carrying the same marker
stand in for its products (the marker is the whole contract).
"""

from __future__ import annotations

import hashlib
import re

from django.urls import path
from rest_framework import serializers as drf

from restflow.spectacular.schema import anonymous_inline_name
from restflow.views import AsyncAPIView
from tests.spectacular.app.models import Widget
from tests.spectacular.helpers import (
    SERIALIZERS,
    generate,
    ref,
    response_schema,
    spectacular_warnings,
)

INLINE = re.compile(r"^Inline[0-9a-f]{8}$")


def inline(fields=None, *, model=None, name=None):
    """An InlineSerializer product (or, without restflow-serializers, its stand-in)."""
    if SERIALIZERS:
        from restflow.serializers import InlineSerializer

        return InlineSerializer(name=name, fields=fields, model=model, model_fields=None)
    attrs = {"inline_anonymous": name is None, **(fields or {})}
    if model is None:
        return type(name or "_Serializer", (drf.Serializer,), attrs)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": "__all__"})
    return type(name or f"{model.__name__}Serializer", (drf.ModelSerializer,), attrs)


def int_field():
    return int if SERIALIZERS else drf.IntegerField()


def str_field():
    return str if SERIALIZERS else drf.CharField()


def view_of(serializer_class):
    async def get(self, request):
        raise NotImplementedError

    return type("Shaped", (AsyncAPIView,), {"serializer_class": serializer_class, "get": get})


def document(*serializer_classes):
    patterns = [path(f"v{i}/", view_of(s).as_view()) for i, s in enumerate(serializer_classes)]
    with spectacular_warnings() as warnings:
        schema = generate(patterns)
    refs = [response_schema(schema, f"/v{i}/")["$ref"] for i in range(len(serializer_classes))]
    return schema, [r.rsplit("/", 1)[1] for r in refs], warnings


def test_different_shapes_different_components():
    """A-SCHEMA-029 W-33"""
    first = inline({"a": int_field()})
    second = inline({"b": str_field()})
    schema, names, warnings = document(first, second)
    assert all(INLINE.match(name) for name in names), names
    assert names[0] != names[1]
    assert not warnings
    assert set(schema["components"]["schemas"][names[0]]["properties"]) == {"a"}
    assert set(schema["components"]["schemas"][names[1]]["properties"]) == {"b"}


def test_same_shape_one_component():
    """A-SCHEMA-029 W-33: two classes of one shape share a component, without a warning."""
    schema, names, warnings = document(inline({"a": int_field()}), inline({"a": int_field()}))
    assert names[0] == names[1]
    assert not warnings
    assert sum(1 for name in schema["components"]["schemas"] if INLINE.match(name)) == 1


def test_names_are_stable_across_runs():
    """A-SCHEMA-029 W-33: fresh classes, a cleared cache, the same names."""
    _, first, _ = document(inline({"a": int_field()}), inline({"b": str_field()}))
    anonymous_inline_name.cache_clear()
    _, second, _ = document(inline({"a": int_field()}), inline({"b": str_field()}))
    assert first == second


def test_name_is_the_shape_hash():
    """A-SCHEMA-029 W-33: SHA-256 of (model label +) DRF's repr, first 8 hex digits."""
    plain = inline({"a": int_field()})
    digest = hashlib.sha256(repr(plain()).encode()).hexdigest()[:8]
    assert anonymous_inline_name(plain) == f"Inline{digest}"
    modelled = inline(model=Widget)
    digest = hashlib.sha256((Widget._meta.label + repr(modelled())).encode()).hexdigest()[:8]
    assert anonymous_inline_name(modelled) == f"WidgetInline{digest}"


def test_model_mode_prefix():
    """A-SCHEMA-029 W-33: model products are `<Model>Inline<h>`."""
    _, names, _ = document(inline(model=Widget))
    assert re.match(r"^WidgetInline[0-9a-f]{8}$", names[0])


def test_named_product_keeps_its_name():
    """A-SCHEMA-029"""
    schema, names, _ = document(inline({"a": int_field()}, name="Foo"))
    assert names == ["Foo"]
    assert response_schema(schema, "/v0/") == ref("Foo")
