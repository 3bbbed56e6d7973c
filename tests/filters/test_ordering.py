"""Ordering (filters.md §5.12)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from restflow.filters import FilterSet, IntegerField, OrderField
from tests.filters.app.models import Sample
from tests.filters.helpers import errors_of, ids, qd

ALL = Sample.objects.all


def test_meta_order_fields():
    """F-ORDER-001"""

    class F(FilterSet):
        class Meta:
            order_fields = [("field_1", "field_1")]

    assert "order_by" in F().fields


def test_meta_order_param():
    """F-ORDER-002"""

    class F(FilterSet):
        class Meta:
            order_fields = [("a", "a")]
            order_param = "sort_by"

    assert "sort_by" in F().fields and "order_by" not in F().fields


def test_explicit_order_field():
    """F-ORDER-003"""

    class F(FilterSet):
        order_field = OrderField(fields=[("a", "a")])

    assert list(F().fields) == ["order_field"]


def test_child_order_field_replaces_parent():
    """F-ORDER-004"""

    class Parent(FilterSet):
        sort_by = OrderField(fields=[("a", "a")])

    class Child(Parent):
        order_field = OrderField(fields=[("b", "b")])

    assert list(Child().fields) == ["order_field"]


def test_two_order_fields():
    """F-ORDER-005"""
    with pytest.raises(ValueError, match="Only one order field is allowed"):

        class F(FilterSet):
            a = OrderField(fields=[("a", "a")])
            b = OrderField(fields=[("b", "b")])


@pytest.mark.django_db
def test_override_direction(samples):
    """F-ORDER-006"""
    for direction, value in (("asc", "integer_field"), ("desc", "-integer_field")):

        class F(FilterSet):
            class Meta:
                order_fields = [("integer_field", "integer_field")]
                override_order_direction = direction

        assert ids(F(data={"order_by": [value]}).filter_queryset(ALL())) == [10, 20, 30]


def test_process_fields():
    """F-ORDER-007"""
    pairs = OrderField.process_fields([("price", "price"), ("name", "name")])
    assert len(pairs) == 4 and ("-price", "-price") in pairs
    assert OrderField.process_fields([("pub", "-published_at")]) == [
        ("pub", "-published_at"),
        ("-pub", "published_at"),
    ]


def test_process_labels():
    """F-ORDER-008"""
    assert ("-price", "Price") in OrderField.process_labels([("price", "Price"), ("name", "Name")])
    assert OrderField.process_labels(None) == []


def test_process_choices():
    """F-ORDER-009"""
    choices = OrderField.process_choices([("a", "Alpha"), ("-a", "Alpha")])
    assert choices == [("a", "Alpha (Ascending)"), ("-a", "Alpha (Descending)")]
    swapped = dict(OrderField.process_choices([("a", "Alpha"), ("-a", "Alpha")], "desc"))
    assert swapped == {"a": "Alpha (Descending)", "-a": "Alpha (Ascending)"}


def test_partial_labels():
    """F-ORDER-010"""
    f = OrderField(fields=[("id", "id"), ("price", "price"), ("name", "name")],
                   labels=[("price", "Price")])  # fmt: skip
    assert list(f.choices) == ["id", "-id", "price", "-price", "name", "-name"]
    assert f.choices["price"] == "Price (Ascending)"
    assert f.choices["id"] == "id (Ascending)"
    assert f.choices["-name"] == "name (Descending)"
    assert f.to_internal_value("id,-price") == ["id", "-price"]


def test_omitted_labels():
    """F-ORDER-011"""
    assert OrderField(fields=[("price", "price")]).choices["price"] == "price (Ascending)"
    assert OrderField(fields=[("pub", "-published_at")]).choices["pub"] == (
        "-published_at (Ascending)"
    )


def test_request_order_kept():
    """F-ORDER-012"""
    f = OrderField(fields=[("name", "name"), ("price", "price"), ("id", "id"), ("a", "a"),
                           ("b", "b")])  # fmt: skip
    assert f.run_validation("name,-price") == ["name", "-price"]
    assert f.run_validation("-price,name") == ["-price", "name"]
    assert f.run_validation(["id", "name,-price"]) == ["id", "name", "-price"]
    assert f.run_validation("name,name,-price") == ["name", "-price"]
    assert f.run_validation(" a , -b ") == ["a", "-b"]
    assert f.run_validation("a,,b") == ["a", "b"]
    assert OrderField.split_raw_values(" a , -b ") == ["a", "-b"]


def test_order_errors():
    """F-ORDER-013"""
    f = OrderField(fields=[("a", "a")])
    assert errors_of(f, 5) == ['Expected a list of items but got type "int".']
    assert errors_of(f, "c") == ['"c" is not a valid choice.']


def test_apply_filter_shapes():
    """F-ORDER-014"""
    qs = ALL()
    asc = OrderField(fields=[("integer_field", "integer_field")])
    for value in (["integer_field"], ["-integer_field"]):
        result, q = asc.apply_filter(None, qs, value)
        assert isinstance(result, QuerySet) and q is None
    desc = OrderField(fields=[("integer_field", "integer_field")], override_order_direction="desc")
    assert desc.apply_filter(None, qs, ["integer_field"])[0].query.order_by == ("-integer_field",)
    by_callable = OrderField(fields=[("i", "i")], method=lambda fs, q, v: q.order_by("id"))
    result, q = by_callable.apply_filter(None, qs, ["i"])
    assert isinstance(result, QuerySet) and q is None

    class F(FilterSet):
        o = OrderField(fields=[("i", "i")], method="order")

        def order(self, queryset, value):
            return queryset.order_by("id")

    fs = F()
    result, q = fs.fields["o"].apply_filter(fs, qs, ["i"])
    assert isinstance(result, QuerySet) and q is None


@pytest.mark.django_db
def test_multi_key():
    """F-ORDER-015"""

    class F(FilterSet):
        class Meta:
            order_fields = [("integer_field", "integer_field"), ("string_field", "string_field")]

    for i, s in ((2, "a"), (2, "b"), (1, "z")):
        Sample.objects.create(integer_field=i, string_field=s)
    rows = F(data={"order_by": ["integer_field", "-string_field"]}).filter_queryset(ALL())
    assert list(rows.values_list("integer_field", "string_field")) == [(1, "z"), (2, "b"), (2, "a")]


@pytest.mark.django_db
def test_order_param_in_query(samples):
    """F-ORDER-016"""

    class F(FilterSet):
        order = OrderField(fields=[("integer_field", "integer_field")])

    assert ids(F(data=qd("order=integer_field")).filter_queryset(ALL())) == [10, 20, 30]
    assert ids(F(data=qd("order=-integer_field")).filter_queryset(ALL())) == [30, 20, 10]


@pytest.mark.django_db
def test_default_order(samples):
    """F-ORDER-017"""

    class F(FilterSet):
        class Meta:
            order_fields = [("i", "integer_field")]
            default_order_fields = ["-i"]

    assert ids(F(data=qd("")).filter_queryset(ALL())) == [30, 20, 10]
    assert ids(F(data=qd("order_by=i")).filter_queryset(ALL())) == [10, 20, 30]
    unordered = F(data=qd("order_by=")).filter_queryset(Sample.objects.order_by())
    assert unordered.query.order_by == ()


def test_bad_default_order():
    """F-ORDER-018 W-12"""
    with pytest.raises(ImproperlyConfigured, match="bogus"):

        class F(FilterSet):
            class Meta:
                order_fields = [("i", "integer_field")]
                default_order_fields = ["bogus"]


@pytest.mark.django_db
def test_or_with_ordering(samples):
    """F-ORDER-019"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])

        class Meta:
            operator = "OR"
            order_fields = [("i", "integer_field")]

    rows = F(data=qd("integer_field__gte=20&order_by=-i")).filter_queryset(ALL())
    assert ids(rows) == [30, 20]


def test_bad_direction():
    """§2.3: override_order_direction is validated."""
    with pytest.raises(ValueError, match="asc"):

        class F(FilterSet):
            class Meta:
                override_order_direction = "up"
