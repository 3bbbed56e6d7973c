"""PostgreSQL features on the real local PostgreSQL (filters.md §9)."""

from __future__ import annotations

import datetime
import decimal
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from rest_framework.exceptions import ValidationError

from restflow.filters import (
    DecimalField,
    FilterSet,
    IntegerField,
    ListField,
    StringField,
)
from tests.filters.app.models import PgDoc, Sample
from tests.filters.helpers import qd

pg = pytest.mark.postgres


def model_fs(fields="__all__", **meta):
    Meta = type("Meta", (), {"model": PgDoc, "fields": fields, **meta})
    return type(FilterSet)("PgDocFS", (FilterSet,), {"Meta": Meta})


@pytest.fixture
def docs(pg_schema, db):
    return [
        PgDoc.objects.create(name="alpha", tags=["python", "django"], integer_array=[1],
                             string_array=["hello", "world"], body="café au lait"),
        PgDoc.objects.create(name="beta", tags=["javascript"], integer_array=[1, 2, 10],
                             string_array=["bye"], body="black coffee"),
        PgDoc.objects.create(name="gamma", tags=["python", "rust"], integer_array=[3, 4],
                             string_array=["x"], body="green tea"),
    ]  # fmt: skip


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_array_model_fields():
    """F-PG-001"""
    fields = model_fs()().fields
    assert isinstance(fields["integer_array"], ListField)
    assert isinstance(fields["integer_array"].child, IntegerField)
    assert isinstance(fields["string_array"].child, StringField)
    assert isinstance(fields["date_array"], ListField)
    assert isinstance(fields["decimal_array"], ListField)
    assert isinstance(fields["decimal_array"].child, DecimalField)
    assert sorted(fields["tags"].lookups) == ["contained_by", "contains", "overlaps"]
    assert "tags" in fields and "tags!" in fields


@pg
def test_explicit_array_filters(docs):
    """F-PG-002"""

    class F(FilterSet):
        tags = ListField(child=StringField(), filter_by="tags__contains")
        any_tags = ListField(child=StringField(), filter_by="tags__overlap")
        integer_array__contains = ListField(child=IntegerField())
        integer_array__contained_by = ListField(child=IntegerField())
        string_array__contains = ListField(child=StringField())

    qs = PgDoc.objects.all()
    assert names(F(data={"tags": ["python"]}).filter_queryset(qs)) == ["alpha", "gamma"]
    assert len(F(data={"any_tags": ["python", "javascript"]}).filter_queryset(qs)) == 3
    assert names(F(data=qd("integer_array__contains=10")).filter_queryset(qs)) == ["beta"]
    rows = F(data=qd("integer_array__contained_by=1,2,3,4,5")).filter_queryset(qs)
    assert names(rows) == ["alpha", "gamma"]
    assert names(F(data=qd("string_array__contains=hello")).filter_queryset(qs)) == ["alpha"]
    both = F(data=qd("tags=python&integer_array__contains=3")).filter_queryset(qs)
    assert names(both) == ["gamma"]


def test_integer_list_parsing():
    """F-PG-003"""
    f = ListField(child=IntegerField())
    assert f.run_validation("1,2,3") == [1, 2, 3]

    class F(FilterSet):
        a = ListField(child=IntegerField())

    assert not F(data=qd("a=a,b,c")).is_valid()


@pg
def test_array_with_ordering(docs):
    """F-PG-004"""

    class F(FilterSet):
        tags = ListField(child=StringField(), filter_by="tags__overlap")

        class Meta:
            order_fields = [("name", "name")]

    rows = F(data={"tags": ["python", "javascript"], "order_by": ["name"]}).filter_queryset(
        PgDoc.objects.filter(name__in=["alpha", "beta"])
    )
    assert list(rows.values_list("name", flat=True)) == ["alpha", "beta"]


@pg
def test_model_array_exact(docs):
    """F-PG-005"""
    F = model_fs(["integer_array"])
    assert names(F(data=qd("integer_array=1")).filter_queryset(PgDoc.objects.all())) == ["alpha"]


@pg
def test_model_array_lookups(docs):
    """F-PG-006 W-03"""
    F = model_fs(["tags"])
    qs = PgDoc.objects.all()
    assert names(F(data=qd("tags__contains=python")).filter_queryset(qs)) == ["alpha", "gamma"]
    assert names(F(data=qd("tags__overlaps=python,x")).filter_queryset(qs)) == ["alpha", "gamma"]
    assert names(F(data=qd("tags__contained_by=python,django,x")).filter_queryset(qs)) == ["alpha"]
    assert names(F(data=qd("tags__contains!=python")).filter_queryset(qs)) == ["beta"]


@pg
def test_full_text_search(docs, pg_app):
    """F-PG-007"""

    class F(FilterSet):
        body = StringField(lookups=["search"])

    rows = F(data=qd("body__search=lait")).filter_queryset(PgDoc.objects.all())
    assert names(rows) == ["alpha"]


def test_postgres_lookup_needs_app():
    """F-PG-007 W-05: without django.contrib.postgres the declaration fails."""
    with pytest.raises(ImproperlyConfigured, match=r"django\.contrib\.postgres"):

        class F(FilterSet):
            body = StringField(lookups=["search"])


@pytest.mark.django_db
def test_postgres_lookup_on_other_database(pg_app):
    """F-PG-008 W-05: without PostgreSQL the declaration fails; a queryset on another
    database is an ImproperlyConfigured at its first use, whatever the params."""
    if connection.vendor != "postgresql":
        with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):

            class Declared(FilterSet):
                string_field = StringField(lookups=["postgres"])

        return

    class F(FilterSet):
        string_field = StringField(lookups=["postgres"])

    list(F(data=qd("string_field__trigram_similar=abc")).filter_queryset(Sample.objects.all()))
    F._checked_aliases.clear()
    with (
        mock.patch.object(type(connections["default"]), "vendor", "sqlite"),
        pytest.raises(ImproperlyConfigured, match="PostgreSQL"),
    ):
        F(data=qd("")).filter_queryset(Sample.objects.all())


@pg
def test_trigram_and_unaccent(docs, pg_app):
    """§9: trigram similarity and accent-insensitive matching."""

    class F(FilterSet):
        name = StringField(lookups=["trigram_similar"])
        body = StringField(lookups=["unaccent"])

    qs = PgDoc.objects.all()
    assert names(F(data=qd("name__trigram_similar=alpah")).filter_queryset(qs)) == ["alpha"]
    assert names(F(data=qd("body__unaccent=cafe au lait")).filter_queryset(qs)) == ["alpha"]


@pg
def test_missing_extension_is_reported(docs, pg_app, django_db_blocker):
    """§9: a missing extension is an ImproperlyConfigured naming it, not a database error."""
    from restflow.filters import validation

    class F(FilterSet):
        name = StringField(lookups=["trigram_similar"])

    key = (connection.alias, str(connection.settings_dict["NAME"]))
    validation._EXTENSIONS_SEEN[key] = frozenset()
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_drop")
        cursor.execute("DROP EXTENSION pg_trgm CASCADE")
    try:
        with pytest.raises(ImproperlyConfigured, match="pg_trgm"):
            F(data=qd("name__trigram_similar=x")).filter_queryset(PgDoc.objects.all())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT before_drop")
        validation._EXTENSIONS_SEEN.pop(key, None)


@pg
def test_range_and_json_explicit(docs):
    """§9: range columns are filtered through explicit fields."""
    PgDoc.objects.filter(name="alpha").update(price_range=(10, 20))

    class F(FilterSet):
        price = IntegerField(filter_by="price_range__contains")

    assert names(F(data=qd("price=15")).filter_queryset(PgDoc.objects.all())) == ["alpha"]
    assert names(F(data=qd("price=25")).filter_queryset(PgDoc.objects.all())) == []
    with pytest.raises(ValidationError):  # beyond int4range's element type: a 400
        F(data=qd("price=3000000000")).filter_queryset(PgDoc.objects.all())


@pg
def test_array_date_and_decimal_children(docs):
    """F-PG-001: date/decimal array items are validated by their column type."""
    PgDoc.objects.filter(name="beta").update(
        date_array=[datetime.date(2025, 1, 1)], decimal_array=[decimal.Decimal("1.50")]
    )
    F = model_fs(["date_array", "decimal_array"])
    qs = PgDoc.objects.all()
    assert names(F(data=qd("date_array__contains=2025-01-01")).filter_queryset(qs)) == ["beta"]
    assert names(F(data=qd("decimal_array__overlaps=1.5")).filter_queryset(qs)) == ["beta"]
    assert not F(data=qd("date_array=nope")).is_valid()


@pg
def test_explicit_int_array_items_bounded(docs):
    """F-HTTP-006 W-03: items beyond an int4 array column are a 400, not a database error."""

    class F(FilterSet):
        integer_array__contains = ListField(child=IntegerField())

        class Meta:
            model = PgDoc

    class G(FilterSet):
        nums = ListField(child=IntegerField(), filter_by="integer_array__overlap")

    fs = F(data=qd("integer_array__contains=452726608812"))
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["integer_array__contains"][0]] == [
        "Ensure this value is less than or equal to 2147483647."
    ]
    assert names(F(data=qd("integer_array__contains=10")).filter_queryset(PgDoc.objects.all())) == [
        "beta"
    ]
    with pytest.raises(ValidationError) as exc:  # the first use on a model binds the bounds
        G(data=qd("nums=452726608812")).filter_queryset(PgDoc.objects.all())
    assert "2147483647" in str(exc.value.detail)
