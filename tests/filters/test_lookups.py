"""Lookups and variant fields (filters.md §4)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count

from restflow.filters import (
    BooleanField,
    DateField,
    DateTimeField,
    DurationField,
    EmailField,
    FilterSet,
    IntegerField,
    ListField,
    StringField,
    TimeField,
)
from restflow.filters.fields import process_lookups
from tests.filters.app.models import Sample
from tests.filters.helpers import ids, qd


def names(cls):
    return list(cls().fields)


def test_process_lookups_forms():
    """F-LOOKUP-001"""
    f = IntegerField
    assert process_lookups(["gte", "lte"], f.lookup_categories) == ["gte", "lte"]
    assert process_lookups(("gte", "lte"), f.lookup_categories) == ["gte", "lte"]
    comparison = ["gt", "gte", "lt", "lte"]
    assert process_lookups(["comparison", "gte", "lte", "lt"], []) == comparison
    assert process_lookups(["comparison"], []) == comparison
    assert list(process_lookups({"comparison": {"x": 1}}, [])) == comparison
    assert process_lookups({"comparison": {"x": 1}}, []) == {k: {"x": 1} for k in comparison}
    assert process_lookups("__all__", ["basic", "comparison"]) == [
        "exact", "in", "isnull", "gt", "gte", "lt", "lte",
    ]  # fmt: skip
    assert process_lookups({"max": "lte"}, []) == {"max": "lte"}


@pytest.mark.parametrize(
    "klass", [StringField, IntegerField, DateField, DateTimeField, TimeField, DurationField,
              BooleanField, EmailField]
)  # fmt: skip
def test_all_lookups_per_class(klass):
    """F-LOOKUP-002"""
    assert klass(lookups="__all__").lookups == process_lookups(klass.lookup_categories, [])


def test_empty_lookups():
    """F-LOOKUP-003"""
    assert IntegerField(lookups=[]).lookups == []


def test_non_string_lookups():
    """F-LOOKUP-004"""
    with pytest.raises(AssertionError):
        IntegerField(lookups=[1, 2, 3])


def test_lookups_with_filter_by_or_method():
    """F-LOOKUP-005"""
    with pytest.raises(AssertionError):
        IntegerField(filter_by="field__gte", lookups=["lt"])
    with pytest.raises(AssertionError):
        IntegerField(method=lambda fs, qs, v: qs, lookups=["lt"])


def test_variant_names():
    """F-LOOKUP-006"""

    class F(FilterSet):
        price = IntegerField(lookups=["gte", "lte"])

    assert {"price", "price__gte", "price__lte", "price!"} <= set(names(F))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookups",
    [["gte", "lte"], ["comparison"], {"gte": {"allow_negate": False}, "lte": {"help_text": "x"}}],
)
def test_lookup_forms_filter(lookups, samples):
    """F-LOOKUP-007"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=lookups)

    rows = F(data=qd("integer_field__gte=15&integer_field__lte=25")).filter_queryset(
        Sample.objects.all()
    )
    assert ids(rows) == [20]
    if isinstance(lookups, dict):
        assert "integer_field__gte!" not in names(F)
        assert "integer_field__lte!" in names(F)


@pytest.mark.django_db
def test_alias_dict(samples):
    """F-LOOKUP-008"""

    class F(FilterSet):
        integer_field = IntegerField(lookups={"max": "lte", "min": "gte"}, lookup_separator="_")

    fields = F().fields
    for name in (
        "integer_field_max",
        "integer_field_min",
        "integer_field_max!",
        "integer_field_min!",
    ):
        assert name in fields
    assert fields["integer_field_max"].filter_by == "integer_field__lte"
    assert fields["integer_field_min"].filter_by == "integer_field__gte"
    rows = F(data=qd("integer_field_max=25&integer_field_min=15")).filter_queryset(
        Sample.objects.all()
    )
    assert ids(rows) == [20]


def test_alias_default_separator():
    """F-LOOKUP-009"""

    class F(FilterSet):
        integer_field = IntegerField(lookups={"max": "lte"})

    assert F().fields["integer_field__max"].filter_by == "integer_field__lte"


def test_alias_with_db_field():
    """F-LOOKUP-010"""

    class F(FilterSet):
        product_price = IntegerField(db_field="price", lookups={"max": "lte"}, lookup_separator="_")

    assert F().fields["product_price_max"].filter_by == "price__lte"


def test_options_dict_help():
    """F-LOOKUP-011"""

    class F(FilterSet):
        a_val = IntegerField(
            help_text="A value",
            lookups={
                "min": {"lookup": "gte", "help_text": "Minimum A value"},
                "max": {"lookup": "lte"},
            },
            lookup_separator="_",
        )

    fields = F().fields
    assert fields["a_val_min"].help_text == "Minimum A value"
    assert fields["a_val_max"].help_text == "A value (Inclusive Upper Bound)"
    assert fields["a_val_min"].filter_by == "a_val__gte"
    assert fields["a_val_max"].filter_by == "a_val__lte"


def test_no_parent_help():
    """F-LOOKUP-012"""

    class F(FilterSet):
        a_val = IntegerField(lookups={"max": "lte"}, lookup_separator="_")

    assert F().fields["a_val_max"].help_text is None


def test_options_dict_without_lookup_key():
    """F-LOOKUP-013"""

    class F(FilterSet):
        x = IntegerField(db_field="col", lookups={"lo": {"help_text": "low"}})

    assert F().fields["x__lo"].filter_by == "col__lo"


def test_date_category_precedence():
    """F-LOOKUP-014"""

    class F(FilterSet):
        d = DateTimeField(lookups=["date", "exact"])
        e = DateTimeField(lookups={"date": "date"})

    fields = names(F)
    for suffix in ("date", "year", "month", "day", "week", "week_day", "quarter", "exact"):
        assert f"d__{suffix}" in fields
    assert [n for n in fields if n.startswith("e__") and not n.endswith("!")] == ["e__date"]
    assert isinstance(F().fields["e__date"], DateField)


def test_string_and_set_lookups():
    """F-LOOKUP-015 W-10"""
    assert IntegerField(lookups="comparison").lookups == ["gt", "gte", "lt", "lte"]
    with pytest.raises(TypeError):
        IntegerField(lookups={"gte", "lte"})
    with pytest.raises(TypeError):
        IntegerField(lookups=5)


def test_unknown_lookup_rejected_with_model():
    """F-LOOKUP-016 W-05"""
    with pytest.raises(ImproperlyConfigured, match="foo"):

        class F(FilterSet):
            x = IntegerField(db_field="integer_field", lookups=["foo"])

            class Meta:
                model = Sample


@pytest.mark.django_db
def test_unknown_lookup_rejected_without_model_on_first_use():
    """F-LOOKUP-016 W-05: checked once per model at the first filter_queryset."""

    class F(FilterSet):
        x = IntegerField(db_field="integer_field", lookups=["foo"])

    with pytest.raises(ImproperlyConfigured, match="x__foo"):
        F(data=qd("")).filter_queryset(Sample.objects.all())


def test_all_categories_per_class():
    """F-LOOKUP-017 W-05"""

    class F(FilterSet):
        d = DateField(lookups="__all__")
        t = TimeField(lookups="__all__")
        u = DurationField(lookups="__all__")

        class Meta:
            model = Sample
            extra_kwargs = {}

    fields = names(F)
    assert "d__date" not in fields and "d__year" in fields
    assert "t__time" not in fields and "t__hour" in fields
    assert sorted(n for n in fields if n.startswith("u__") and not n.endswith("!")) == sorted(
        f"u__{x}" for x in ["exact", "in", "isnull", "gt", "gte", "lt", "lte"]
    )


@pytest.mark.django_db
def test_annotation_paths_not_rejected(samples):
    """F-LOOKUP-018"""

    def annotate(fs, qs):
        return qs.annotate(review_count=Count("related_items"))

    class F(FilterSet):
        reviews = IntegerField(filter_by="review_count__gte")

        class Meta:
            model = Sample
            preprocessors = [annotate]

    assert F(data=qd("reviews=0")).filter_queryset(Sample.objects.all()).count() == 3


# Variant field types -----------------------------------------------------------------


def test_in_variant():
    """F-VAR-001"""

    class F(FilterSet):
        price = IntegerField(lookups=["in"])

    fields = F().fields
    assert isinstance(fields["price__in"], ListField)
    assert isinstance(fields["price__in!"], ListField)


@pytest.mark.django_db
def test_range_variant(samples):
    """F-VAR-002 W-05"""

    class F(FilterSet):
        price = IntegerField(db_field="integer_field", lookups=["range"])

    assert isinstance(F().fields["price__range"], ListField)
    for bad in ("1", "1,2,3"):
        assert not F(data=qd(f"price__range={bad}")).is_valid()
    rows = F(data=qd("price__range=10,20")).filter_queryset(Sample.objects.all())
    assert ids(rows) == [10, 20]


def test_isnull_variant():
    """F-VAR-003"""

    class F(FilterSet):
        price = IntegerField(lookups=["isnull"])

    assert isinstance(F().fields["price__isnull"], BooleanField)


def test_datetime_variants():
    """F-VAR-004"""

    class F(FilterSet):
        created = DateTimeField(
            lookups=["comparison", "year", "month", "day", "hour", "date", "time"]
        )

    fields = F().fields
    for suffix in ("year", "month", "day", "hour"):
        assert isinstance(fields[f"created__{suffix}"], IntegerField)
    assert type(fields["created__date"]) is DateField
    assert type(fields["created__time"]) is TimeField
    assert type(fields["created__gte"]) is DateTimeField


def test_email_variants():
    """F-VAR-005"""

    class F(FilterSet):
        email = EmailField(lookups=["exact", "icontains", "startswith"])

    fields = F().fields
    assert type(fields["email__icontains"]) is StringField
    assert type(fields["email__startswith"]) is StringField
    assert type(fields["email"]) is EmailField
    assert type(fields["email__exact"]) is EmailField


@pytest.mark.django_db
def test_email_variant_filtering():
    """F-VAR-006"""

    class F(FilterSet):
        email_field = EmailField(lookups=["exact", "icontains"])

    Sample.objects.create(email_field="organizer3@example.com")
    Sample.objects.create(email_field="other@example.com")
    rows = F(data=qd("email_field__icontains=organizer3")).filter_queryset(Sample.objects.all())
    assert [r.email_field for r in rows] == ["organizer3@example.com"]
    fs = F(data=qd("email_field__exact=not-an-email"))
    assert not fs.is_valid()
    assert "email_field__exact" in fs.errors


@pytest.mark.django_db
def test_year_variant_filtering():
    """F-VAR-007"""

    class F(FilterSet):
        datetime_field = DateTimeField(lookups=["year"])

    tz = datetime.timezone.utc
    Sample.objects.create(integer_field=1, datetime_field=datetime.datetime(2026, 6, 1, tzinfo=tz))
    Sample.objects.create(integer_field=2, datetime_field=datetime.datetime(2025, 6, 1, tzinfo=tz))
    rows = F(data=qd("datetime_field__year=2026")).filter_queryset(Sample.objects.all())
    assert ids(rows) == [1]


def test_component_bounds():
    """F-VAR-008 W-05"""

    class F(FilterSet):
        datetime_field = DateTimeField(lookups=["year", "month"])

    for query in ("datetime_field__year=99999999", "datetime_field__year=-5",
                  "datetime_field__month=13"):  # fmt: skip
        assert not F(data=qd(query)).is_valid(), query
    fs = F(data=qd("datetime_field__year=99999"))
    fs.is_valid()
    assert [str(m) for m in fs.errors["datetime_field__year"]] == [
        "Ensure this value is less than or equal to 9999."
    ]


def test_variants_never_required_nor_defaulted():
    """F-VAR-009 W-01"""

    class F(FilterSet):
        name = StringField(required=True, lookups=["iexact"], db_field="string_field")
        d = IntegerField(default=7, db_field="integer_field")

    fields = F().fields
    assert fields["name__iexact"].required is False
    assert fields["name!"].required is False
    fs = F(data=qd("name=a"))
    assert fs.is_valid(), fs.errors
    assert fs.validated_data == {"name": "a", "d": 7}
    fs = F(data=qd("name=a"))
    query = str(fs.filter_queryset(Sample.objects.all()).query)
    assert '"integer_field" = 7' in query
    assert "NOT" not in query


def test_in_items_keep_base_validation():
    """F-VAR-010"""

    class F(FilterSet):
        price = IntegerField(min_value=0, lookups=["in"])

    assert F(data=qd("price__in=0,1")).is_valid()
    fs = F(data=qd("price__in=1,-1"))
    assert not fs.is_valid()
    assert 1 in fs.errors["price__in"]


def test_regex_opt_in_compiles():
    """W-16: regex variants must compile; never part of a class default."""

    class F(FilterSet):
        name = StringField(lookups=["regex"], max_length=50)
        other = StringField(lookups="__all__")

    assert "other__regex" not in F().fields
    fs = F(data=qd("name__regex=("))
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["name__regex"]] == ["Enter a valid regular expression."]
    assert F(data=qd("name__regex=^a.*b$")).is_valid()
