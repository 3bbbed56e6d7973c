"""OpenAPI parameters (filters.md §10)."""

from __future__ import annotations

import datetime
from typing import Literal

import pytest
from django.test import override_settings
from rest_framework import generics, serializers, viewsets
from rest_framework.schemas.openapi import AutoSchema

from restflow.filters import (
    DateField,
    DecimalField,
    DurationField,
    EmailField,
    FilterSet,
    IntegerField,
    IPAddressField,
    ListField,
    RestflowFilterBackend,
    StringField,
    TimeField,
)
from restflow.filters import fields as ff
from restflow.filters.parameters import (
    build_filterset_parameters,
    field_to_schema,
    filterset_schema_applies,
    get_field_description,
    resolve_filterset_class,
    resolve_filterset_schema_methods,
)
from tests.filters.app.models import Sample


def params(fs_class):
    return {p["name"]: p for p in build_filterset_parameters(fs_class)}


def test_basic_schemas():
    """F-SCHEMA-001"""

    class F(FilterSet):
        count: int
        ratio: float
        is_active: bool
        name: str

    p = params(F)
    assert p["count"]["schema"] == {"type": "integer"}
    assert p["ratio"]["schema"] == {"type": "number", "format": "float"}
    assert p["is_active"]["schema"] == {"type": "boolean"}
    assert p["name"]["schema"] == {"type": "string"}
    for parameter in p.values():
        assert parameter["in"] == "query" and "required" in parameter
        assert list(parameter)[:4] == ["name", "in", "required", "schema"]


def test_formats():
    """F-SCHEMA-002"""

    class F(FilterSet):
        at: datetime.datetime
        mail = EmailField()
        day = DateField()
        clock = TimeField()
        span = DurationField()
        ip = IPAddressField()

    p = params(F)
    assert p["at"]["schema"]["format"] == "date-time"
    assert p["mail"]["schema"]["format"] == "email"
    assert p["day"]["schema"]["format"] == "date"
    assert p["clock"]["schema"]["format"] == "time"
    assert p["span"]["schema"]["format"] == "duration"
    assert p["ip"]["schema"] == {"type": "string"}


def test_decimal_schema():
    """F-SCHEMA-003"""
    schema = field_to_schema(DecimalField(max_digits=8, decimal_places=2))
    assert schema == {"type": "string", "format": "decimal", "x-maxDigits": 8, "x-decimalPlaces": 2}


def test_literal_schema():
    """F-SCHEMA-004 W-19"""

    class F(FilterSet):
        status: Literal["active", "inactive", "pending"]
        level: Literal[1, 2]
        mix: Literal[1, 2.5]

    p = params(F)
    assert p["status"]["schema"] == {"type": "string", "enum": ["active", "inactive", "pending"]}
    assert p["level"]["schema"] == {"type": "integer", "enum": [1, 2]}
    assert p["mix"]["schema"]["type"] == "number"


def test_list_schema():
    """F-SCHEMA-005"""

    class F(FilterSet):
        ids: list[int]

    p = params(F)["ids"]
    assert p["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert p["explode"] is False and p["style"] == "form"
    assert list(p)[-2:] == ["explode", "style"]


def test_comparison_schemas():
    """F-SCHEMA-006"""

    class F(FilterSet):
        price = IntegerField(lookups=["comparison"])

    p = params(F)
    for name in ("price", "price__gt", "price__gte", "price__lt", "price__lte"):
        assert p[name]["schema"] == {"type": "integer"}


def test_negation_description():
    """F-SCHEMA-007"""

    class F(FilterSet):
        category: str

    assert params(F)["category!"]["description"].lower().startswith("exclude where")
    assert "description" not in params(F)["category"]


def test_variant_descriptions():
    """F-SCHEMA-008"""

    class F(FilterSet):
        price = IntegerField(lookups=["gte"])
        a_val = IntegerField(lookups=["lte"])

    p = params(F)
    assert p["price__gte"]["description"] == "price is greater than or equal to"
    assert p["price__gte!"]["description"] == "exclude where price is greater than or equal to"
    assert p["a_val__lte"]["description"] == "a_val is less than or equal to"


def test_order_schema():
    """F-SCHEMA-009"""

    class F(FilterSet):
        class Meta:
            order_fields = [("integer_field", "integer_field")]

    schema = params(F)["order_by"]["schema"]
    assert schema["type"] == "array" and schema["uniqueItems"] is True
    assert {"integer_field", "-integer_field"} <= set(schema["items"]["enum"])


def test_required_flags():
    """F-SCHEMA-010 W-01"""

    class F(FilterSet):
        name = StringField(required=True)

    p = params(F)
    assert p["name"]["required"] is True
    assert p["name!"]["required"] is False


def test_help_text_description():
    """F-SCHEMA-011"""

    class F(FilterSet):
        name = StringField(help_text="Filter by product name")

    p = params(F)
    assert p["name"]["description"] == "Filter by product name"
    assert p["name!"]["description"] == "exclude where name - Filter by product name"


def test_options_dict_descriptions():
    """F-SCHEMA-012"""

    class F(FilterSet):
        a_val = IntegerField(
            help_text="A value",
            lookups={"min": {"lookup": "gte", "help_text": "Minimum A value"}, "max": "lte"},
            lookup_separator="_",
        )

    p = params(F)
    assert p["a_val_min"]["description"] == "Minimum A value"
    assert p["a_val_min!"]["description"] == "exclude where Minimum A value"
    assert p["a_val_max"]["description"] == "A value (Inclusive Upper Bound)"


class ProductFilterSet(FilterSet):
    name: str
    price = IntegerField(lookups=["comparison"])


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sample
        fields = ["id"]


class ProductList(generics.ListAPIView):
    queryset = Sample.objects.all()
    serializer_class = ProductSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = ProductFilterSet


def test_drf_autoschema():
    """F-SCHEMA-013"""
    view = ProductList()
    view.request = None
    schema = AutoSchema()
    schema.view = view
    found = {p["name"]: p for p in schema.get_filter_parameters("/products/", "GET")}
    for name in ("name", "name!", "price", "price__gt", "price__lte!"):
        assert name in found
    assert found["price__gte"]["schema"] == {"type": "integer"}


def test_label_description():
    """F-SCHEMA-014"""
    text = get_field_description("integer_field", IntegerField(label="A meaningful label"), "__")
    assert "A meaningful label" in text


def test_bounds():
    """F-SCHEMA-015"""
    assert field_to_schema(IntegerField(min_value=1, max_value=10)) == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
    }
    assert field_to_schema(StringField(min_length=2, max_length=8)) == {
        "type": "string",
        "maxLength": 8,
        "minLength": 2,
    }


def test_fallback_schemas():
    """F-SCHEMA-016"""
    field = ListField(child=IntegerField())
    field.child = object()
    assert field_to_schema(field) == {"type": "array", "items": {"type": "string"}}

    class Odd(ff.Field):
        pass

    assert field_to_schema(Odd()) == {"type": "string"}


def test_resolve_filterset_class():
    """F-SCHEMA-019 W-18"""

    class View:
        filterset_class = ProductFilterSet

    class Raising(View):
        def get_filterset_class(self):
            raise RuntimeError("boom")

    class Returning(View):
        def get_filterset_class(self):
            return FilterSet

    class ReturningNone(View):
        def get_filterset_class(self):
            return None

    assert resolve_filterset_class(Raising()) is ProductFilterSet
    assert resolve_filterset_class(Returning()) is FilterSet
    assert resolve_filterset_class(ReturningNone()) is ProductFilterSet
    assert resolve_filterset_class(object()) is None


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Sample.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet


def test_schema_methods_resolution():
    """F-SCHEMA-021 F-SCHEMA-022 W-19"""
    view = ItemViewSet()
    assert filterset_schema_applies(view, "GET") and filterset_schema_applies(view, "POST")
    for methods in (["GET"], ["get"], "GET"):
        view.filterset_schema_methods = methods
        assert resolve_filterset_schema_methods(view) == {"GET"}
        assert filterset_schema_applies(view, "get") and not filterset_schema_applies(view, "POST")
    del view.filterset_schema_methods
    with override_settings(RESTFLOW_SETTINGS={"SCHEMA": {"FILTER_METHODS": ["GET"]}}):
        assert not filterset_schema_applies(view, "POST")
        view.filterset_schema_methods = ["GET", "POST"]
        assert filterset_schema_applies(view, "POST")
        view.filterset_schema_methods = None
        assert filterset_schema_applies(view, "DELETE")
        view.filterset_schema_methods = []
        assert not filterset_schema_applies(view, "GET")


def test_variant_description_table():
    """F-SCHEMA-024"""

    class F(FilterSet):
        price = IntegerField(lookups=["in", "isnull"], min_value=0)
        created_at = DateField(lookups=["year"])
        cost = IntegerField(help_text="Cost", lookups={"max": "lte"})

    p = params(F)
    assert p["price__in"]["description"] == "price is one of"
    assert p["price__in"]["schema"] == {"type": "array", "items": {"type": "integer", "minimum": 0}}
    assert p["price__isnull"]["schema"] == {"type": "boolean"}
    assert p["price__isnull"]["description"] == "price is null"
    assert p["created_at__year"]["description"] == "created_at year is"
    assert p["created_at__year"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 9999}
    assert p["cost__max!"]["description"] == "exclude where Cost (Inclusive Upper Bound)"
    assert p["cost!"]["description"] == "exclude where cost - Cost"


def test_field_level_separator_description():
    """F-SCHEMA-025 W-19"""

    class F(FilterSet):
        rate = IntegerField(lookups={"max": "lte"}, lookup_separator="-")

        class Meta:
            lookup_separator = "_"

    p = params(F)
    assert p["rate-max"]["description"] == "rate max"
    assert p["rate-max!"]["description"] == "exclude where rate max"


def test_more_descriptions():
    """§10.4 table: labels, aliases, expansions and Meta separators."""
    from restflow.filters import RelatedField

    class F(FilterSet):
        lbl = IntegerField(label="Custom label")
        price = IntegerField(lookups={"max": "lte"})
        sample_model = RelatedField(model=Sample, fields=["string_field"])

    class G(FilterSet):
        plain_name: str

        class Meta:
            lookup_separator = "_"

    p = params(F)
    assert p["lbl"]["description"] == "Custom label"
    assert p["lbl!"]["description"] == "exclude where lbl - Custom label"
    assert p["price__max"]["description"] == "price max"
    assert p["sample_model__string_field"]["description"] == "sample_model string field"
    assert params(G)["plain_name"]["description"] == "plain name"


def test_schema_needs_no_instance_data():
    """§11: parameters are built once per class, without request data."""
    first = build_filterset_parameters(ProductFilterSet)
    first[0]["name"] = "mutated"
    assert build_filterset_parameters(ProductFilterSet)[0]["name"] == "name"
    assert build_filterset_parameters(None) == []


@pytest.fixture
def spectacular():
    return pytest.importorskip("restflow.spectacular.parameters")


def test_spectacular_reexports(spectacular):
    """F-API-007 F-SCHEMA-017: restflow.spectacular re-exports the same builder."""
    if not hasattr(spectacular, "build_filterset_parameters"):
        pytest.skip("restflow.spectacular.parameters not written yet")
    assert spectacular.build_filterset_parameters is build_filterset_parameters
