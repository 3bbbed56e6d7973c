"""Absent and empty params (filters.md §2.8)."""

from __future__ import annotations

import pytest

from restflow.filters import (
    BooleanField,
    ChoiceField,
    FilterSet,
    IntegerField,
    ListField,
    MultipleChoiceField,
    OrderField,
    StringField,
)
from tests.filters.app.models import Sample
from tests.filters.helpers import ids, qd

ALL = Sample.objects.all


def messages(fs, key):
    return [str(m) for m in fs.errors[key]]


@pytest.mark.django_db
def test_boolean_absent():
    """F-ABSENT-001"""

    class F(FilterSet):
        boolean_field = BooleanField(required=False)

    Sample.objects.create(integer_field=1, boolean_field=True)
    Sample.objects.create(integer_field=2, boolean_field=False)
    assert F(data=qd("")).filter_queryset(ALL()).count() == 2
    assert ids(F(data=qd("boolean_field=true")).filter_queryset(ALL())) == [1]


@pytest.mark.django_db
def test_multiple_choice_absent(samples):
    """F-ABSENT-002"""

    class F(FilterSet):
        choice_field = MultipleChoiceField(choices=["a", "b", "c"], filter_by="choice_field__in")

    assert F(data=qd("")).filter_queryset(ALL()).count() == 3
    assert ids(F(data=qd("choice_field=a,b")).filter_queryset(ALL())) == [10, 20]


def test_absent_skipped():
    """F-ABSENT-003"""

    class F(FilterSet):
        b = BooleanField()
        m = MultipleChoiceField(choices=["a"])
        o = OrderField(fields=[("a", "a")])

    fs = F(data=qd(""))
    assert fs.is_valid()
    assert fs.validated_data == {}


def test_meta_ordering_default_present():
    """F-ABSENT-004"""

    class F(FilterSet):
        x: int

        class Meta:
            order_fields = [("i", "integer_field")]

    assert F(data=qd("")).model_dump() == {"order_by": []}
    assert F(data=qd("x=1")).model_dump() == {"x": 1, "order_by": []}


@pytest.mark.django_db
def test_empty_values_ignored(samples):
    """F-ABSENT-005"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])
        string_field: str
        choice_field = ChoiceField(choices=["a", "b"])
        flag = BooleanField(db_field="boolean_field")

    for query in ("integer_field__gte=", "string_field=", "choice_field=", "flag="):
        assert F(data=qd(query)).filter_queryset(ALL()).count() == 3, query


@pytest.mark.django_db
def test_empty_lists(samples):
    """F-ABSENT-006"""

    class F(FilterSet):
        integer_field: list[int]
        strict = ListField(child=IntegerField(), allow_empty=False, filter_by="integer_field__in")
        k2 = MultipleChoiceField(choices=["a"], allow_empty=False)

    fs = F(data=qd("integer_field="))
    assert fs.model_dump() == {"integer_field": []}
    assert fs.filter_queryset(ALL()).count() == 0
    fs = F(data=qd("strict=&k2="))
    assert not fs.is_valid()
    assert messages(fs, "strict") == ["This list may not be empty."]
    assert messages(fs, "k2") == ["This selection may not be empty."]


def test_plain_dict_empty_values():
    """F-ABSENT-007"""

    class F(FilterSet):
        s: str
        b: bool

    for data, key, message in (
        ({"s": ""}, "s", "This field may not be blank."),
        ({"b": ""}, "b", "Must be a valid boolean."),
        ({"b": None}, "b", "This field may not be null."),
    ):
        fs = F(data=data)
        assert not fs.is_valid()
        assert messages(fs, key) == [message]


def test_whitespace_string():
    """F-ABSENT-008"""

    class F(FilterSet):
        s: str

    fs = F(data=qd("s=%20%20"))
    assert not fs.is_valid()
    assert messages(fs, "s") == ["This field may not be blank."]
    assert F(data=qd("s=%20x%20")).model_dump() == {"s": "x"}


@pytest.mark.django_db
def test_repeated_scalar_last_wins(samples):
    """F-ABSENT-009"""

    class F(FilterSet):
        integer_field: int

    assert not F(data=qd("integer_field=1&integer_field=x")).is_valid()
    assert ids(F(data=qd("integer_field=x&integer_field=10")).filter_queryset(ALL())) == [10]


def test_repeated_list_merged():
    """F-ABSENT-010"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["in"])

    assert F(data=qd("integer_field__in=1,2&integer_field__in=3")).model_dump() == {
        "integer_field__in": [1, 2, 3]
    }


def test_indexed_list_params():
    """F-ABSENT-011"""

    class F(FilterSet):
        ids: list[int]

    assert F(data=qd("ids[0]=1&ids[1]=2")).model_dump() == {"ids": [1, 2]}


@pytest.mark.django_db
def test_no_params(samples):
    """F-ABSENT-012"""

    class F(FilterSet):
        integer_field: int
        string_field = StringField()

    assert F(data=qd("")).filter_queryset(ALL()).count() == 3


@pytest.mark.django_db
def test_default_applied(samples):
    """F-ABSENT-013"""

    class F(FilterSet):
        x = IntegerField(default=20, db_field="integer_field")

    assert ids(F(data=qd("")).filter_queryset(ALL())) == [20]
