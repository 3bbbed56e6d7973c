"""Negation, filter_by/method application, operators and processors (§2.7–§2.10)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from restflow.filters import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    FilterSet,
    FloatField,
    IntegerField,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    StringField,
    TimeField,
    UUIDField,
)
from tests.filters.app.models import Sample
from tests.filters.helpers import drf_request, ids, qd

ALL = Sample.objects.all


# Negation -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_negation(samples):
    """F-NEG-001"""

    class F(FilterSet):
        integer_field: int

    Sample.objects.filter(integer_field=30).delete()
    assert ids(F(data=qd("integer_field!=10")).filter_queryset(ALL())) == [20]


def test_allow_negate_false():
    """F-NEG-002"""

    class F(FilterSet):
        field = IntegerField(allow_negate=False)

    assert "field!" not in F().fields


def test_negate_constructor():
    """F-NEG-003"""
    _, q = IntegerField(filter_by="integer_field", negate=True).apply_filter(None, ALL(), 10)
    assert str(q).startswith("(NOT")


@pytest.mark.django_db
def test_alias_negation(samples):
    """F-NEG-004"""

    class F(FilterSet):
        integer_field = IntegerField(lookups={"max": "lte"}, lookup_separator="_")

    assert ids(F(data=qd("integer_field_max!=15")).filter_queryset(ALL())) == [20, 30]


@pytest.mark.django_db
def test_choice_negation():
    """F-NEG-005"""

    class F(FilterSet):
        choice_field = ChoiceField(choices=["a", "b"])

    for i in range(10):
        Sample.objects.create(integer_field=i, choice_field="ab"[i % 2])
    rows = F(data=qd("choice_field!=a")).filter_queryset(ALL())
    assert rows.count() == 5
    assert not rows.filter(choice_field="a").exists()


def test_callable_filter_by_negation():
    """F-NEG-006"""

    class F(FilterSet):
        s = StringField(filter_by=lambda v: {"string_field__icontains": v})

    query = str(F(data=qd("s!=x")).filter_queryset(ALL()).query)
    assert "NOT" in query and "LIKE" in query


@pytest.mark.django_db
def test_method_q_negation(samples):
    """F-NEG-007 W-02"""

    class F(FilterSet):
        s = StringField(method=lambda fs, qs, v: Q(string_field=v))

    positive = set(ids(F(data=qd("s=test1")).filter_queryset(ALL())))
    negative = set(ids(F(data=qd("s!=test1")).filter_queryset(ALL())))
    assert positive == {10}
    assert negative == {20, 30}


@pytest.mark.django_db
def test_method_queryset_negation(samples):
    """F-NEG-008 W-02"""

    class F(FilterSet):
        s = StringField(method="by_string")

        def by_string(self, queryset, value):
            return queryset.filter(string_field=value)

    assert ids(F(data=qd("s=test2")).filter_queryset(ALL())) == [20]
    assert ids(F(data=qd("s!=test2")).filter_queryset(ALL())) == [10, 30]


@pytest.mark.django_db
def test_empty_list_negation(samples):
    """F-NEG-009"""

    class F(FilterSet):
        kinds = MultipleChoiceField(choices=["a", "b", "c"], filter_by="choice_field__in")
        integer_field: list[int]

    assert F(data=qd("kinds!=")).filter_queryset(ALL()).count() == 3
    assert F(data=qd("integer_field!=")).filter_queryset(ALL()).count() == 3
    assert F(data=qd("integer_field=")).filter_queryset(ALL()).count() == 0
    assert F(data=qd("kinds=")).filter_queryset(ALL()).count() == 0


@pytest.mark.django_db
def test_nullable_negation():
    """F-NEG-010"""

    class F(FilterSet):
        x = IntegerField(db_field="nullable_int")

    Sample.objects.create(integer_field=1, nullable_int=5)
    Sample.objects.create(integer_field=2, nullable_int=None)
    Sample.objects.create(integer_field=3, nullable_int=6)
    assert ids(F(data=qd("x!=5")).filter_queryset(ALL())) == [2, 3]


# filter_by / method ---------------------------------------------------------------------

FIELD_VALUES = [
    (IntegerField(), "7", 7),
    (FloatField(), "1.5", 1.5),
    (DecimalField(), "1.25", decimal.Decimal("1.25")),
    (StringField(), "abc", "abc"),
    (BooleanField(), "true", True),
    (DateField(), "2025-01-02", datetime.date(2025, 1, 2)),
    (TimeField(), "01:02:03", datetime.time(1, 2, 3)),
    (DurationField(), "10", datetime.timedelta(seconds=10)),
    (EmailField(), "a@b.io", "a@b.io"),
    (IPAddressField(), "10.0.0.1", "10.0.0.1"),
    (
        UUIDField(),
        "12345678-1234-5678-1234-567812345678",
        uuid.UUID(int=0x12345678123456781234567812345678),
    ),
    (ChoiceField(choices=["x", "y"]), "x", "x"),
]


@pytest.mark.parametrize("field,raw,value", FIELD_VALUES)
def test_filter_by_string(field, raw, value):
    """F-METHOD-001"""
    f = field.clone(filter_by="col__exact")
    assert f.run_validation(raw) == value
    _, q = f.apply_filter(None, ALL(), f.run_validation(raw))
    assert q == Q(col__exact=value)


def test_filter_by_string_lists():
    """F-METHOD-001"""
    lst = ListField(child=IntegerField(), filter_by="col__in")
    _, q = lst.apply_filter(None, ALL(), lst.run_validation("1,2"))
    assert q == Q(col__in=[1, 2])
    multi = MultipleChoiceField(choices=["a", "b"], filter_by="col__in")
    _, q = multi.apply_filter(None, ALL(), multi.run_validation("a,b"))
    assert q == Q(col__in=["a", "b"])
    dt = DateTimeField(filter_by="col__gte")
    value = dt.run_validation("2025-01-01T00:00:00Z")
    assert dt.apply_filter(None, ALL(), value)[1] == Q(col__gte=value)


def test_callable_filter_by():
    """F-METHOD-002"""
    as_q = IntegerField(filter_by=lambda v: Q(a=v))
    as_dict = IntegerField(filter_by=lambda v: {"a": v})
    assert as_q.apply_filter(None, ALL(), 1)[1] == Q(a=1)
    assert as_dict.apply_filter(None, ALL(), 1)[1] == Q(a=1)


def test_callable_filter_by_invalid():
    """F-METHOD-003"""
    with pytest.raises(AssertionError, match="Invalid lookup expression"):
        IntegerField(filter_by=lambda v: "invalid").apply_filter(None, ALL(), 1)


def test_method_arguments():
    """F-METHOD-004"""
    seen = []

    def plain(fs, qs, value):
        seen.append(("plain", fs, value))
        return qs

    class F(FilterSet):
        a = IntegerField(method=plain)
        b = IntegerField(method="named")

        def named(self, queryset, value):
            seen.append(("named", self, value))
            return queryset

    fs = F(data=qd("a=1&b=2"))
    fs.filter_queryset(ALL())
    assert seen == [("plain", fs, 1), ("named", fs, 2)]


def test_get_method():
    """F-METHOD-005"""

    class F(FilterSet):
        a = IntegerField(method=lambda fs, qs, v: qs)
        b = IntegerField(method="named")

        def named(self, queryset, value):
            return queryset

    fs = F()
    assert callable(fs.fields["a"].get_method(fs))
    assert callable(fs.fields["b"].get_method(fs))


def test_method_kwarg_errors():
    """F-METHOD-006"""
    with pytest.raises(TypeError):
        IntegerField(method=1)
    with pytest.raises(AssertionError, match="cannot be used together"):
        IntegerField(method="m", filter_by="x")


def test_method_return_shapes():
    """F-METHOD-007"""
    qs = ALL()
    result = IntegerField(method=lambda fs, q, v: q.filter(integer_field=v)).apply_filter(
        None, qs, 1
    )
    assert result[1] is None and result[0].model is Sample
    result = IntegerField(method=lambda fs, q, v: Q(integer_field=v)).apply_filter(None, qs, 1)
    assert result == (qs, Q(integer_field=1))


@pytest.mark.django_db
def test_custom_filter_method(samples):
    """F-METHOD-008"""

    class F(FilterSet):
        custom_filter = IntegerField(method="gte")

        def gte(self, queryset, value):
            return queryset.filter(integer_field__gte=value)

    Sample.objects.filter(integer_field=30).delete()
    assert ids(F(data=qd("custom_filter=15")).filter_queryset(ALL())) == [20]


@pytest.mark.django_db
def test_custom_apply_filter(samples):
    """F-METHOD-009"""

    class Above(IntegerField):
        def apply_filter(self, filterset, queryset, value):
            return queryset.filter(integer_field__gt=value)

    class F(FilterSet):
        above = Above()

    assert ids(F(data=qd("above=15")).filter_queryset(ALL())) == [20, 30]


def test_method_returning_none():
    """F-METHOD-010 W-08"""

    class F(FilterSet):
        tenant = IntegerField(method=lambda fs, qs, v: None)

    with pytest.raises(TypeError, match="tenant"):
        F(data=qd("tenant=1")).filter_queryset(ALL())


@pytest.mark.django_db
def test_db_field():
    """F-METHOD-011"""

    class F(FilterSet):
        integer_field = IntegerField(db_field="integer_field")

    Sample.objects.create(integer_field=5)
    Sample.objects.create(integer_field=6)
    assert ids(F(data=qd("integer_field=5")).filter_queryset(ALL())) == [5]


# Operators and processors ---------------------------------------------------------------


def rows(*pairs):
    for i, s in pairs:
        Sample.objects.create(integer_field=i, string_field=s)


@pytest.mark.django_db
def test_and():
    """F-OPER-001"""

    class F(FilterSet):
        integer_field: int
        string_field: str

    rows((1, "a"), (1, "b"), (2, "a"))
    assert F(data=qd("integer_field=1&string_field=a")).filter_queryset(ALL()).count() == 1


@pytest.mark.django_db
def test_or():
    """F-OPER-002"""

    class F(FilterSet):
        integer_field: int
        string_field: str

        class Meta:
            operator = "OR"

    rows((10, "test1"), (20, "test2"))
    assert F(data=qd("integer_field=10&string_field=test2")).filter_queryset(ALL()).count() == 2


@pytest.mark.django_db
def test_xor():
    """F-OPER-003 W-22"""

    class F(FilterSet):
        integer_field: int
        string_field: str

        class Meta:
            operator = "XOR"

    rows((10, "test1"), (10, "test2"), (20, "test1"))
    assert F(data=qd("integer_field=10&string_field=test1")).filter_queryset(ALL()).count() == 2


@pytest.mark.django_db
def test_preprocessor(samples):
    """F-OPER-004"""

    class F(FilterSet):
        integer_field: int

        class Meta:
            preprocessors = [lambda fs, qs: qs.filter(integer_field__gte=15)]

    assert ids(F(data=qd("integer_field=20")).filter_queryset(ALL())) == [20]


@pytest.mark.django_db
def test_postprocessor():
    """F-OPER-005"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])

        class Meta:
            postprocessors = [lambda fs, qs: qs.filter(string_field="keep")]

    rows((10, "keep"), (20, "keep"), (30, "drop"), (1, "keep"))
    assert F(data=qd("integer_field__gte=10")).filter_queryset(ALL()).count() == 2


@pytest.mark.django_db
def test_or_with_queryset_method(samples):
    """F-OPER-006"""

    class F(FilterSet):
        integer_field: int
        only = StringField(method=lambda fs, qs, v: qs.filter(string_field=v))

        class Meta:
            operator = "OR"

    assert ids(F(data=qd("integer_field=10&only=test2")).filter_queryset(ALL())) == []
    assert ids(F(data=qd("integer_field=20&only=test2")).filter_queryset(ALL())) == [20]


def test_preprocessor_returning_none():
    """F-OPER-007 W-08"""

    def forgot_return(fs, qs):
        qs.filter(integer_field=1)

    class F(FilterSet):
        class Meta:
            preprocessors = [forgot_return]

    with pytest.raises(TypeError, match="forgot_return"):
        F(data=qd("")).filter_queryset(ALL())


@pytest.mark.django_db
def test_ignore(samples):
    """F-OPER-008"""

    class F(FilterSet):
        integer_field: int

    assert (
        F(data=qd("integer_field=1")).filter_queryset(ALL(), ignore=["integer_field"]).count() == 3
    )
    with pytest.raises(ValidationError):
        F(data=qd("integer_field=x")).filter_queryset(ALL(), ignore=["integer_field"])


def test_model_dump():
    """F-OPER-009"""

    class F(FilterSet):
        integer_field: int
        string_field: str

    assert F(data={"integer_field": "10", "string_field": "test"}).model_dump() == {
        "integer_field": 10,
        "string_field": "test",
    }
    with pytest.raises(ValidationError):
        F(data={"integer_field": "x"}).model_dump()


def test_validate_hooks():
    """F-OPER-010"""

    class F(FilterSet):
        lo: int
        hi: int

        def validate_lo(self, value):
            if value < 0:
                raise ValidationError("negative")
            return value

        def validate(self, attrs):
            if attrs.get("lo", 0) > attrs.get("hi", 10**9):
                raise ValidationError("lo>hi")
            return attrs

    fs = F(data={"lo": 5, "hi": 1})
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["non_field_errors"]] == ["lo>hi"]
    fs = F(data={"lo": -1})
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["lo"]] == ["negative"]


def test_no_data():
    """F-OPER-011"""

    class F(FilterSet):
        x: int

    with pytest.raises(ValidationError) as exc:
        F(data=None).model_dump()
    assert [str(m) for m in exc.value.detail["non_field_errors"]] == ["No data provided"]
    fs = F(data=[1])
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["non_field_errors"]] == [
        "Invalid data. Expected a dictionary, but got list."
    ]


def test_request_sources():
    """F-OPER-012"""
    from django.test import RequestFactory

    class F(FilterSet):
        x: int

    assert F(request=drf_request("x=1")).model_dump() == {"x": 1}
    assert F(request=RequestFactory().get("/?x=2")).model_dump() == {"x": 2}
    fs = F(request=drf_request("x=1"))
    assert fs.request is not None and fs.context["request"] is fs.request


@pytest.mark.django_db
def test_empty_q_contributes_nothing(samples):
    """§2.9: an empty Q() from a method adds no condition under any operator."""
    for operator in ("AND", "OR", "XOR"):
        F = type(FilterSet)(
            "F",
            (FilterSet,),
            {
                "noop": IntegerField(method=lambda fs, qs, v: Q()),
                "integer_field": IntegerField(),
                "Meta": type("Meta", (), {"operator": operator}),
            },
        )
        assert ids(F(data=qd("noop=1&integer_field=10")).filter_queryset(ALL())) == [10]
        assert F(data=qd("noop=1")).filter_queryset(ALL()).count() == 3


def test_filter_by_type_checked():
    """W-13: dict filter_by and source= are declaration errors."""
    with pytest.raises(TypeError):
        IntegerField(filter_by={"a": 1})
    with pytest.raises(TypeError):
        IntegerField(source="x")
