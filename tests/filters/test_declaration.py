"""Declaration styles and annotations (filters.md §2.2, §2.6, §3.1, §3.2)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated, Literal, Optional, Union

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from restflow.filters import (
    ChoiceField,
    Email,
    Field,
    FilterSet,
    InlineFilterSet,
    IntegerField,
    IPAddress,
    ListField,
    StringField,
    UUIDField,
)
from restflow.filters.fields import build_filter_field
from restflow.helpers import NotRequired
from tests.filters.app.models import Sample

TYPES = [int, float, str, bool, datetime.datetime, datetime.date, datetime.time,
         datetime.timedelta, decimal.Decimal, Email, IPAddress, uuid.UUID]  # fmt: skip


def fields_of(fs_class):
    return list(fs_class().fields)


def test_build_filter_field_types():
    """F-DECL-001 W-04"""
    for t in TYPES:
        assert isinstance(build_filter_field(t), serializers.Field), t
    assert isinstance(build_filter_field(uuid.UUID), UUIDField)


def test_unsupported_annotation():
    """F-DECL-002"""

    class Custom:
        pass

    with pytest.raises(AssertionError) as exc:
        build_filter_field(Custom)
    assert "annotations" in str(exc.value) and "must be in" in str(exc.value)
    assert str(exc.value).startswith("`annotations` must be in (")


def test_literal_annotation():
    """F-DECL-003"""
    field = build_filter_field(Literal["a", "b", "c"])
    assert isinstance(field, ChoiceField)
    assert len(field.choices) == 3


def test_optional_annotations():
    """F-DECL-004"""
    for t in (Optional[int], int | None):  # noqa: UP045
        field = build_filter_field(t)
        assert isinstance(field, IntegerField)
        assert field.allow_null is False


def test_list_annotation():
    """F-DECL-005"""
    field = build_filter_field(list[int], field_name="ids")
    assert isinstance(field, ListField)
    assert isinstance(field.child, IntegerField)
    assert field.filter_by == "ids__in"


def test_bare_list_annotation():
    """F-DECL-006"""
    field = build_filter_field(list, field_name="items")
    assert isinstance(field, ListField)
    assert isinstance(field.child, StringField)
    assert field.filter_by == "items__in"


def test_none_annotations():
    """F-DECL-007"""
    for t in (None, Optional[None], Union[None], Union[type(None)]):  # noqa: UP007, UP045
        with pytest.raises(AssertionError):
            build_filter_field(t)


def test_ambiguous_union():
    """F-DECL-008"""
    with pytest.raises(AssertionError, match="union with multiple non-None members is ambiguous"):
        build_filter_field(Union[int, str])  # noqa: UP007


def test_annotated_and_nested_literal():
    """F-DECL-009"""
    assert isinstance(build_filter_field(Annotated[int, "x"]), IntegerField)
    field = build_filter_field(list[Literal["a", "b"]], field_name="k")
    assert isinstance(field, ListField)
    assert isinstance(field.child, ChoiceField)


def test_many_annotations():
    """F-DECL-010"""
    annotations = {}
    variants = [lambda t: t, lambda t: Optional[t], lambda t: t | None, lambda t: list[t],  # noqa: UP045
                lambda t: NotRequired[t]]  # fmt: skip
    index = 0
    for t in TYPES:
        for make in variants:
            annotations[f"f{index}"] = make(t)
            index += 1
    annotations["lit_a"] = Literal["x", "y"]
    annotations["lit_b"] = list[Literal[1, 2]]
    assert len(annotations) == 62
    attrs = {"__annotations__": annotations, "f0": Field(help_text="first")}
    cls = type(FilterSet)("Many", (FilterSet,), attrs)
    fields = cls().fields
    assert len(fields) == 124
    assert all(isinstance(f, Field) for f in fields.values())
    assert not any(f.required for f in fields.values())


def test_reserved_annotation():
    """F-DECL-011"""
    with pytest.raises(ValueError) as exc:

        class F(FilterSet):
            data: int

    assert "data" in str(exc.value) and "collides with a FilterSet attribute" in str(exc.value)


def test_explicit_beats_annotation():
    """F-DECL-012"""

    class F(FilterSet):
        field_1: int
        field_1 = StringField()

    assert isinstance(F().fields["field_1"], StringField)


def test_annotation_beats_model():
    """F-DECL-013"""

    class F(FilterSet):
        integer_field: str

        class Meta:
            model = Sample
            fields = ["integer_field"]

    assert isinstance(F().fields["integer_field"], StringField)


def test_annotation_with_plain_field():
    """F-DECL-014"""

    class F(FilterSet):
        x: int = Field(lookups=["gte"], help_text="hx")

    fields = F().fields
    assert isinstance(fields["x"], IntegerField)
    assert fields["x__gte"].help_text == "hx (Inclusive Lower Bound)"


def test_annotation_with_value():
    """F-DECL-015"""

    class F(FilterSet):
        y: int = 5

    assert isinstance(F().fields["y"], IntegerField)
    assert F.y == 5


def test_inherited_annotations():
    """F-DECL-016"""

    class Parent(FilterSet):
        field_1: int
        field_2: str

    class Child(Parent):
        field_3: bool

    assert {"field_1", "field_2", "field_3"} <= set(fields_of(Child))


def test_redeclaration_drops_variants():
    """F-DECL-017 W-09"""

    class Parent(FilterSet):
        b = IntegerField(lookups=["gte"])

    class Child(Parent):
        b = StringField()

    fields = Child().fields
    assert "b__gte" not in fields and "b__gte!" not in fields
    assert isinstance(fields["b"], StringField)
    assert isinstance(fields["b!"], StringField)
    assert "b__gte" in Parent().fields


def test_missing_string_method():
    """F-DECL-018"""
    with pytest.raises(ImproperlyConfigured, match="does not define"):

        class F(FilterSet):
            count = IntegerField(method="missing")


def test_field_order():
    """F-DECL-019"""

    class F(FilterSet):
        price = IntegerField(lookups=["gte", "lte"])

    assert fields_of(F) == [
        "price",
        "price__gte",
        "price__lte",
        "price!",
        "price__gte!",
        "price__lte!",
    ]


def test_alias_order():
    """F-DECL-020"""

    class F(FilterSet):
        first_field = IntegerField()
        created_at = IntegerField(lookups={"max": "lte"}, lookup_separator="_")

    names = fields_of(F)
    assert (
        names.index("first_field")
        < names.index("created_at")
        < names.index("created_at_max")
        < names.index("created_at_max!")
    )


def test_field_str():
    """F-DECL-021"""

    class F(FilterSet):
        price = IntegerField(filter_by="price__gte")

    field = F().fields["price"]
    assert "IntegerField" in str(field) and "price" in str(field)
    assert repr(field) == str(field)


def test_many_true_rejected():
    """F-DECL-022 W-15"""

    class F(FilterSet):
        x: int

    with pytest.raises(NotImplementedError, match="is not supported"):
        F(many=True)
    with pytest.raises(NotImplementedError, match="is not supported"):
        F().many_init()


def test_bare_field_rejected():
    """F-DECL-023 W-13"""
    with pytest.raises(TypeError, match="x"):

        class F(FilterSet):
            x = Field()

    with pytest.raises(TypeError, match="x"):
        InlineFilterSet(fields={"x": Field()})

    class Ok(FilterSet):
        x: int = Field()

    assert isinstance(Ok().fields["x"], IntegerField)


def test_typing_list_alias():
    """F-DECL-005: typing.List behaves like list."""
    assert isinstance(build_filter_field(list[int], field_name="n"), ListField)
