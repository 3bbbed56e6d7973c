"""Regression tests for known weaknesses not pinned elsewhere (filters.md §13)."""

from __future__ import annotations

import pytest

from restflow.filters import FilterSet, IntegerField, StringField
from tests.filters.app.models import Sample
from tests.filters.helpers import qd


def test_fresh_class_variants_inherit_allow_negate():
    """W-01: in/isnull/range variants follow the base's allow_negate."""

    class F(FilterSet):
        price = IntegerField(allow_negate=False, lookups=["gte", "in", "isnull", "range"])

    names = list(F().fields)
    assert names == ["price", "price__gte", "price__in", "price__isnull", "price__range"]


def test_default_not_copied_to_negation():
    """W-01: a defaulted base does not make its negation cancel it out."""

    class F(FilterSet):
        d = IntegerField(default=7, db_field="integer_field")

    fs = F(data=qd(""))
    assert fs.model_dump() == {"d": 7}
    assert "NOT" not in str(fs.filter_queryset(Sample.objects.all()).query)


def test_fields_are_shared_not_copied():
    """W-14: no per-request deep copy of the field set."""

    class F(FilterSet):
        a = IntegerField(lookups="__all__")
        b: str

    first, second = F(data=qd("a=1")), F(data=qd("b=x"))
    assert first.fields["a"] is second.fields["a"]
    with pytest.raises(TypeError):
        first.fields["c"] = IntegerField()  # the class's fields are read-only per instance


def test_only_present_params_are_validated():
    """W-14: validation cost follows the params present, not the declared ones."""
    calls = []

    class Counting(IntegerField):
        def get_value(self, dictionary):
            calls.append(self.field_name)
            return super().get_value(dictionary)

    class F(FilterSet):
        a = Counting(lookups=["gte", "lte", "in"])
        b = Counting()
        c = Counting(required=True)
        d = Counting(default=3)

    F(data=qd("a__gte=1&c=2&unknown=5")).is_valid()
    assert sorted(calls) == ["a__gte", "c", "d"]


def test_sync_path_closes_user_coroutine():
    """W-23: the user's own coroutine is closed, so no 'never awaited' warning."""
    import gc
    import warnings

    created = []

    async def method(fs, qs, value):
        return qs

    def spy(fs, qs, value):
        coroutine = method(fs, qs, value)
        created.append(coroutine)
        return coroutine

    class F(FilterSet):
        x = IntegerField(method=spy)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="afilter_queryset"):
            F(data=qd("x=1")).filter_queryset(Sample.objects.all())
        gc.collect()
    assert created[0].cr_frame is None  # closed


def test_string_fields_keep_text_semantics():
    """W-05: text variants accept any fragment while the base keeps its validation."""

    class F(FilterSet):
        name = StringField(max_length=3, lookups=["icontains"])

    assert F(data=qd("name__icontains=abcdef")).is_valid()
    assert not F(data=qd("name=abcdef")).is_valid()
