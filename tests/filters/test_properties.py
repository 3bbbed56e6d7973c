"""No filter value produces a 500 (filters.md §8.1): hypothesis over every field type ×
lookup × negation, through a real DRF view, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import decimal
import json
import os
import uuid
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import generics, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.test import APIRequestFactory

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
    RestflowFilterBackend,
    StringField,
    TimeField,
    UUIDField,
)
from tests.filters.app.models import Article, PgDoc, Sample, Tag, UUIDThing

factory = APIRequestFactory()
ENVELOPE = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}
EXTRA = ["range", "iexact", "istartswith", "iendswith", "iso_year", "iso_week_day"]


class EveryField(FilterSet):
    """Every field type with every lookup its class offers (plus the opt-in ones)."""

    integer_field = IntegerField(lookups=["__all__", "range", "in"])
    n = IntegerField(db_field="nullable_int", lookups="__all__")
    float_field = FloatField(lookups=["__all__", "range"])
    decimal_field = DecimalField(lookups=["__all__", "range"])
    string_field = StringField(lookups=["__all__", "regex", "iregex", "istartswith", "iendswith"],
                               max_length=100)  # fmt: skip
    boolean_field = BooleanField(lookups="__all__")
    date_field = DateField(lookups=["__all__", "range", "iso_year", "iso_week_day"])
    datetime_field = DateTimeField(lookups=["__all__", "year", "month", "day", "week", "week_day",
                                            "quarter", "iso_year", "range"])  # fmt: skip
    time_field = TimeField(lookups="__all__")
    duration_field = DurationField(lookups=["__all__", "range"])
    email_field = EmailField(lookups="__all__")
    choice_field = ChoiceField(choices=["a", "b", "c"], lookups="__all__")
    kinds = MultipleChoiceField(choices=["a", "b", "c"], filter_by="choice_field__in")
    ids = ListField(child=IntegerField(), filter_by="integer_field__in")
    ip = IPAddressField(db_field="string_field", lookups="__all__")
    uid = UUIDField(db_field="string_field")
    js_like = StringField(filter_by="string_field__icontains")
    # Declared with a class that does not match the column (hardened in validation.harden).
    int_as_text = StringField(db_field="integer_field", lookups=["gte", "in", "range", "icontains"])
    bool_as_text = StringField(db_field="boolean_field")
    date_as_text = StringField(db_field="date_field", lookups=["gte", "in"])
    datetime_as_text = StringField(db_field="datetime_field", lookups=["lt"])
    time_as_text = StringField(db_field="time_field")
    duration_as_text = StringField(db_field="duration_field")
    decimal_as_text = StringField(db_field="decimal_field")
    float_on_int = FloatField(db_field="integer_field", lookups=["gte", "lte", "in"])
    decimal_on_int = DecimalField(db_field="integer_field", max_digits=30, decimal_places=2)
    choice_on_int = ChoiceField(choices=["1", "2", "x"], db_field="integer_field")
    multi_on_int = MultipleChoiceField(choices=["1", "x"], filter_by="integer_field__in")
    year_explicit = IntegerField(filter_by="datetime_field__year")
    month_explicit = IntegerField(filter_by="date_field__month__gte")

    class Meta:
        model = Sample
        order_fields = [("i", "integer_field"), ("s", "string_field")]


def model_fs(model, **meta):
    Meta = type("Meta", (), {"model": model, "fields": "__all__", **meta})
    return type(FilterSet)(f"{model.__name__}All", (FilterSet,), {"Meta": Meta})


SampleAll = model_fs(Sample, extra_kwargs={"related_items": {}})
ArticleAll = model_fs(Article)
UUIDAll = model_fs(UUIDThing)

SAMPLES = [
    "", " ", ",", ",,", "abc", "0", "1", "-1", "1.5", "1e3", "1e400", "nan", "inf", "-inf",
    "99999999999999999999", "-99999999999999999999", "9223372036854775808", "2147483648",
    "2025-01-01", "0001-01-01", "9999-12-31", "2025-13-45", "9999-12-31T23:59:59",
    "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
    "2025-06-01T12:00:00Z", "12:00", "25:61", "999999999 00", "-999999999 00", "106751992 00",
    "P1D", "P999999999D", "true", "false", "null", "(", "[a-", "a{1,2", "(a+)+$", "\\", "%",
    "_", "'", '"', "\x00", "a@b.io", "not-an-email", "::1", "2001:db8::1", "256.1.1.1",
    str(uuid.UUID(int=1)), "1,2", "1,2,3", "a,b", "10,1", "x" * 300, "ÿ€😀", "-", "--",
]  # fmt: skip

value = st.one_of(
    st.sampled_from(SAMPLES),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20),
    st.lists(st.sampled_from(SAMPLES[:30]), min_size=1, max_size=4).map(",".join),
)


def query_strategy(fs_class):
    names = sorted(fs_class().fields)
    return st.lists(st.tuples(st.sampled_from(names), value), min_size=1, max_size=4)


class AnySerializer(serializers.Serializer):
    id = serializers.CharField()


def view_for(model, fs_class):
    class Pages(LimitOffsetPagination):
        default_limit = 5

    attrs = {
        "queryset": model.objects.all(),
        "serializer_class": AnySerializer,
        "filter_backends": [RestflowFilterBackend],
        "filterset_class": fs_class,
        "pagination_class": Pages,
    }
    return type("PropertyView", (generics.ListAPIView,), attrs).as_view()


def check(view, pairs):
    query = urlencode(pairs)
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        response = view(factory.get(f"/items/?{query}"))
        response.render()
    assert response.status_code in (200, 400), (query, response.status_code)
    body = json.loads(response.content)
    if response.status_code == 400:
        error = body["error"]
        assert error["code"] == "validation_error"
        assert error["message"] == "Request validation failed."
        assert set(error["details"]) <= {name for name, _ in pairs} | {"non_field_errors"}
    else:
        assert isinstance(body["results"], list)


# FILTERS_PROPERTY_EXAMPLES=3000 runs a deeper search locally.
EXAMPLES = int(os.environ.get("FILTERS_PROPERTY_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def rows(db):
    tz = datetime.timezone.utc
    thing = Sample.objects.create(
        integer_field=5,
        string_field="alpha",
        boolean_field=True,
        date_field=datetime.date(2025, 1, 1),
        datetime_field=datetime.datetime(2025, 1, 1, 12, tzinfo=tz),
        decimal_field=decimal.Decimal("1.50"),
        nullable_int=None,
        time_field=datetime.time(12),
        duration_field=datetime.timedelta(days=1),
        choice_field="b",
    )
    Sample.objects.create(integer_field=7, string_field="beta")
    tag = Tag.objects.create(name="t")
    Article.objects.create(title="a").tags.add(tag)
    UUIDThing.objects.create(name="u")
    return thing


@PROPERTY
@given(pairs=query_strategy(EveryField))
def test_every_field_lookup_and_negation(rows, pairs):
    """F-HTTP-006 W-03 W-05 W-06 W-16 W-17: any value is a 200 or a 400 in the envelope."""
    check(view_for(Sample, EveryField), pairs)


@PROPERTY
@given(pairs=query_strategy(SampleAll))
def test_model_derived_sample(rows, pairs):
    """F-HTTP-006 W-04: model-derived fields (pk, FK reverse named explicitly, choices)."""
    check(view_for(Sample, SampleAll), pairs)


@settings(
    max_examples=max(60, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(pairs=query_strategy(ArticleAll))
def test_model_derived_m2m(rows, pairs):
    """F-HTTP-006 W-04: many-to-many filters."""
    check(view_for(Article, ArticleAll), pairs)


@settings(
    max_examples=max(60, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(pairs=query_strategy(UUIDAll))
def test_model_derived_uuid(rows, pairs):
    """F-HTTP-006 W-04: UUID primary keys and columns."""
    check(view_for(UUIDThing, UUIDAll), pairs)


@pytest.mark.parametrize(
    "model,fs_class,query",
    [
        (Sample, EveryField, "integer_field__range=1"),
        (Sample, EveryField, "integer_field__range=1,2,3"),
        (Sample, EveryField, "integer_field__range="),
        (Sample, SampleAll, "id=abc"),
        (UUIDThing, UUIDAll, "uid=bad"),
        (Article, ArticleAll, "tags=abc"),
        (Sample, EveryField, "datetime_field__year=99999999"),
        (Sample, EveryField, "integer_field__in=99999999999999999999"),
        (Sample, EveryField, "string_field__regex=("),
        (Sample, EveryField, "date_field__year=-5"),
        (Sample, EveryField, "duration_field=999999999%2000"),
        (Sample, EveryField, "datetime_field__year=9999"),
        (Sample, EveryField, "datetime_field__iso_year=9999"),
        (Sample, EveryField, "date_field__iso_year=9999"),
    ],
)
def test_listed_inputs(rows, model, fs_class, query):
    """F-HTTP-006"""
    check(view_for(model, fs_class), [tuple(part.split("=", 1)) for part in query.split("&")])


@pytest.fixture
def pg_rows(pg_schema, db):
    PgDoc.objects.create(name="a", tags=["python"], integer_array=[1, 2])


PgAll = model_fs(PgDoc, exclude=["price_range"])


@pytest.mark.postgres
@settings(
    max_examples=max(100, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(pairs=query_strategy(PgAll))
def test_postgres_arrays(pg_rows, pairs):
    """F-HTTP-006 W-03: array columns and their pg_array variants."""
    check(view_for(PgDoc, PgAll), pairs)


@pytest.fixture
def pg_filterset(pg_app):
    class PgExplicit(FilterSet):
        name = StringField(lookups=["postgres", "icontains"])
        body = StringField(lookups=["search", "unaccent"])
        nums = ListField(child=IntegerField(), filter_by="integer_array__overlap")
        words = ListField(child=StringField(), filter_by="tags__contains")
        within = IntegerField(filter_by="price_range__contains")

        class Meta:
            model = PgDoc

    return PgExplicit


@pytest.mark.postgres
@settings(
    max_examples=max(100, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_postgres_explicit_features(pg_rows, pg_filterset, data):
    """F-HTTP-006 W-03 W-05: search, trigram, unaccent, explicit array and range filters."""
    check(view_for(PgDoc, pg_filterset), data.draw(query_strategy(pg_filterset)))


@pytest.mark.postgres
def test_postgres_listed_inputs(pg_rows):
    """F-HTTP-006 W-03"""
    view = view_for(PgDoc, PgAll)
    for query in ("tags__contains=python", "tags__overlaps=a", "tags=abc", "integer_array=x"):
        check(view, [tuple(query.split("=", 1))])


@pytest.fixture
def committed_rows(transactional_db):
    Sample.objects.create(integer_field=5, string_field="alpha", choice_field="b")
    Sample.objects.create(integer_field=7, string_field="beta")


@settings(
    max_examples=max(50, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(pairs=query_strategy(EveryField))
def test_async_view_never_500(committed_rows, pairs):
    """F-HTTP-006: the async path (restflow AsyncListAPIView → afilter_queryset) as well."""
    import asyncio

    from asgiref.sync import sync_to_async
    from django.db import connections

    from restflow.views import AsyncListAPIView

    attrs = {
        "queryset": Sample.objects.all(),
        "serializer_class": AnySerializer,
        "filter_backends": [RestflowFilterBackend],
        "filterset_class": EveryField,
    }
    view = type("AsyncPropertyView", (AsyncListAPIView,), attrs).as_view()

    async def call():
        try:
            return await view(factory.get(f"/items/?{urlencode(pairs)}"))
        finally:
            await sync_to_async(connections.close_all, thread_sensitive=True)()

    with override_settings(REST_FRAMEWORK=ENVELOPE):
        response = asyncio.run(call())
    assert response.status_code in (200, 400), (pairs, response.status_code)
    if response.status_code == 400:
        assert response.data["error"]["code"] == "validation_error"
