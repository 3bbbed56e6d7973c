"""InlineFilterSet (filters.md §6)."""

from __future__ import annotations

import pytest

from restflow.filters import InlineFilterSet, IntegerField, StringField
from tests.filters.app.models import Sample
from tests.filters.helpers import ids, qd


def names(cls):
    return list(cls().fields)


def test_instances():
    """F-INLINE-001"""
    F = InlineFilterSet(
        fields={
            "integer_field": IntegerField(lookups=["gte", "lte"]),
            "string_field": StringField(),
        }
    )
    assert {"integer_field", "string_field", "integer_field__gte"} <= set(names(F))


def test_types():
    """F-INLINE-002"""
    F = InlineFilterSet(fields={"field_1": int, "field_2": str})
    assert {"field_1", "field_2"} <= set(names(F))


def test_model_option():
    """F-INLINE-003"""
    F = InlineFilterSet(model=Sample, fields={"integer_field": int})
    assert F().get_options().model is Sample


def test_operator_and_processors():
    """F-INLINE-004"""

    def p(fs, qs):
        return qs

    F = InlineFilterSet(fields={"a": int}, operator="OR", preprocessors=[p], postprocessors=[p])
    options = F().get_options()
    assert options.operator == "OR"
    assert len(options.preprocessors) == 1 and len(options.postprocessors) == 1


def test_order_param():
    """F-INLINE-005"""
    F = InlineFilterSet(fields={"a": int}, order_param="sort", order_fields=[("field", "field")])
    assert "sort" in names(F)


def test_nothing_given():
    """F-INLINE-006"""
    with pytest.raises(ValueError):
        InlineFilterSet()


def test_names():
    """F-INLINE-007"""
    assert InlineFilterSet(model=Sample).__name__ == "SampleFilterSet"
    assert InlineFilterSet(fields={"a": int}).__name__ == "_FilterSet"
    assert InlineFilterSet(name="Mine", fields={"a": int}).__name__ == "Mine"


def test_model_only_and_extra_kwargs():
    """F-INLINE-008"""
    assert {"integer_field", "string_field", "id"} <= set(names(InlineFilterSet(model=Sample)))
    F = InlineFilterSet(
        model=Sample, fields=["integer_field"], extra_kwargs={"integer_field": {"lookups": ["gte"]}}
    )
    assert names(F) == [
        "integer_field",
        "integer_field__gte",
        "integer_field!",
        "integer_field__gte!",
    ]


@pytest.mark.django_db
def test_dict_with_model(samples):
    """F-INLINE-009"""
    F = InlineFilterSet(model=Sample, fields={"x": IntegerField(db_field="integer_field")})
    assert names(F) == ["x", "x!"]
    assert ids(F(data=qd("x=10")).filter_queryset(Sample.objects.all())) == [10]


def test_order_fields_without_param():
    """F-INLINE-010 W-10"""
    F = InlineFilterSet(fields={"a": int}, order_fields=[("a", "a")])
    assert "order_by" in names(F) and "" not in names(F)


def test_types_honour_extra_kwargs():
    """F-INLINE-011 W-10"""
    F = InlineFilterSet(
        fields={"n": int}, extra_kwargs={"n": {"lookups": ["gte"]}}, allow_negate=False
    )
    assert names(F) == ["n", "n__gte"]


def test_list_without_model():
    """F-INLINE-012 W-10"""
    with pytest.raises(ValueError, match="requires `model`"):
        InlineFilterSet(fields=["integer_field"])
