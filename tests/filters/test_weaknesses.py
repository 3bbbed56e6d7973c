"""Regression tests for known weaknesses not pinned elsewhere (filters.md §13)."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import ValidationError

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


@pytest.mark.django_db
def test_mismatched_classes_validate_as_the_column():
    """§8.1: a filter whose class differs from its column's type validates values as the
    column's type, so a client can never turn the mismatch into a 500."""
    from restflow.filters import ChoiceField, FloatField, MultipleChoiceField
    from tests.filters.app.models import Related, UUIDThing

    class F(FilterSet):
        integer_field: str
        flag = StringField(db_field="boolean_field")
        code = ChoiceField(choices=["1", "x"], db_field="integer_field")
        codes = MultipleChoiceField(choices=["1", "x"], filter_by="integer_field__in")
        ratio = FloatField(db_field="integer_field", lookups=["gte"])

        class Meta:
            model = Sample
            fields = ["integer_field"]

    def errors(cls, query):
        fs = cls(data=qd(query))
        fs.is_valid()
        return {k: [str(m) for m in v] for k, v in fs.errors.items()} if fs.errors else {}

    Sample.objects.create(integer_field=1)
    Sample.objects.create(integer_field=2)
    qs = Sample.objects.all()
    assert errors(F, "integer_field=abc") == {"integer_field": ["A valid integer is required."]}
    assert F(data=qd("integer_field=1")).filter_queryset(qs).count() == 1
    assert errors(F, "flag=maybe") == {"flag": ["Must be a valid boolean."]}
    assert errors(F, "code=x") == {"code": ["A valid integer is required."]}
    assert F(data=qd("code=1")).filter_queryset(qs).count() == 1
    assert "codes" in errors(F, "codes=1,x")
    assert errors(F, "ratio__gte=1e300") == {
        "ratio__gte": ["Ensure this value is less than or equal to 9223372036854775807."]
    }
    assert F(data=qd("ratio__gte=1.5")).filter_queryset(qs).count() == 1

    class G(FilterSet):  # no Meta.model: hardened at the first use on a model
        parent = StringField(filter_by="sample_model")

    with pytest.raises(ValidationError, match="A valid integer is required"):
        G(data=qd("parent=abc")).filter_queryset(Related.objects.all())

    class U(FilterSet):
        u = StringField(db_field="uid")

    with pytest.raises(ValidationError, match="Must be a valid UUID"):
        U(data=qd("u=bad")).filter_queryset(UUIDThing.objects.all())


def test_explicit_component_filters_bounded():
    """W-05: an explicit IntegerField on a date component gets the component's bounds."""
    from django.utils import timezone

    class F(FilterSet):
        y = IntegerField(filter_by="datetime_field__year")
        m = IntegerField(filter_by="date_field__month__gte")

        class Meta:
            model = Sample

    fs = F(data=qd("y=99999&m=13"))
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["y"]] == ["Ensure this value is less than or equal to 9999."]
    assert [str(m) for m in fs.errors["m"]] == ["Ensure this value is less than or equal to 12."]
    with timezone.override("America/Chicago"):
        assert not F(data=qd("y=9999")).is_valid()  # 9999-12-31 in Chicago is past UTC's end
        assert F(data=qd("y=9998")).is_valid()
