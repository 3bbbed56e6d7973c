"""Model-derived fields and relation expansion (filters.md §3.4, §3.5)."""

from __future__ import annotations

import decimal
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Lookup

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
    RelatedField,
    StringField,
    TimeField,
    UUIDField,
)
from restflow.filters.fields import extract_model_fields
from tests.filters.app.models import (
    Article,
    PgDoc,
    Precise,
    Related,
    Sample,
    Tag,
    UUIDChild,
    UUIDThing,
)
from tests.filters.helpers import qd


def model_fs(model, fields="__all__", **meta):
    Meta = type("Meta", (), {"model": model, "fields": fields, **meta})
    return type(FilterSet)(f"{model.__name__}FS", (FilterSet,), {"Meta": Meta})


def errors(cls, query):
    fs = cls(data=qd(query))
    fs.is_valid()
    return {k: [str(m) for m in v] for k, v in fs.errors.items()}


def test_text_fields():
    """F-MODEL-001"""
    fields = model_fs(Precise, ["slug", "url", "text"])().fields
    for name in ("slug", "url", "text"):
        assert isinstance(fields[name], StringField)
        assert fields[name].filter_by is None
        assert fields[name].db_field == name
    sample = model_fs(Sample, ["string_field", "email_field"])().fields
    assert type(sample["string_field"]) is StringField
    assert isinstance(sample["email_field"], EmailField)


def test_numeric_fields():
    """F-MODEL-002"""
    fields = model_fs(Precise, ["big", "small", "pos", "pos_small", "amount"])().fields
    for name in ("big", "small", "pos", "pos_small"):
        assert isinstance(fields[name], IntegerField), name
    assert isinstance(fields["amount"], DecimalField)
    sample = model_fs(Sample, ["integer_field", "float_field"])().fields
    assert isinstance(sample["integer_field"], IntegerField)
    assert isinstance(sample["float_field"], FloatField)


def test_temporal_boolean_ip_fields():
    """F-MODEL-003"""
    fields = model_fs(Sample)().fields
    assert type(fields["date_field"]) is DateField
    assert type(fields["datetime_field"]) is DateTimeField
    assert type(fields["time_field"]) is TimeField
    assert type(fields["duration_field"]) is DurationField
    assert type(fields["boolean_field"]) is BooleanField
    assert isinstance(model_fs(Precise, ["ip"])().fields["ip"], IPAddressField)


@pytest.mark.django_db
def test_choices():
    """F-MODEL-004"""
    F = model_fs(Sample, ["choice_field"])
    assert isinstance(F().fields["choice_field"], ChoiceField)
    assert len(F().fields["choice_field"].choices) == 3
    Sample.objects.create(choice_field="a")
    Sample.objects.create(choice_field="b")
    assert F(data=qd("choice_field=b")).filter_queryset(Sample.objects.all()).count() == 1
    P = model_fs(Precise, ["num"])
    assert errors(P, "num=3") == {"num": ['"3" is not a valid choice.']}


def test_foreign_keys():
    """F-MODEL-005"""
    fields = model_fs(Related, ["sample_model"])().fields
    assert isinstance(fields["sample_model"], IntegerField)
    assert fields["sample_model"].filter_by == "sample_model__pk"
    o2o = model_fs(UUIDChild, ["profile"])().fields["profile"]
    assert isinstance(o2o, IntegerField) and o2o.filter_by == "profile__pk"
    assert errors(model_fs(Related, ["sample_model"]), "sample_model=abc") == {
        "sample_model": ["A valid integer is required."]
    }


def test_negation_but_no_lookups_by_default():
    """F-MODEL-006"""
    names = list(model_fs(Sample, ["integer_field", "string_field"])().fields)
    assert names == ["integer_field", "integer_field!", "string_field", "string_field!"]


@pytest.mark.django_db
def test_auto_pk():
    """F-MODEL-007 W-04"""
    F = model_fs(Sample)
    assert isinstance(F().fields["id"], IntegerField)
    assert errors(F, "id=abc") == {"id": ["A valid integer is required."]}
    row = Sample.objects.create(integer_field=1)
    Sample.objects.create(integer_field=2)
    assert list(F(data=qd(f"id={row.pk}")).filter_queryset(Sample.objects.all())) == [row]


def test_reverse_relations_skipped():
    """F-MODEL-008 W-04"""
    assert "articles" not in model_fs(Tag)().fields
    assert "related_items" not in model_fs(Sample)().fields
    explicit = model_fs(Sample, ["related_items"])().fields["related_items"]
    assert isinstance(explicit, IntegerField)
    assert explicit.filter_by == "related_items__pk"


@pytest.mark.django_db
def test_many_to_many():
    """F-MODEL-009 W-04"""
    F = model_fs(Article)
    tags = F().fields["tags"]
    assert isinstance(tags, IntegerField) and tags.filter_by == "tags__pk"
    assert errors(F, "tags=abc") == {"tags": ["A valid integer is required."]}
    t1, t2 = Tag.objects.create(name="x"), Tag.objects.create(name="y")
    a = Article.objects.create(title="a")
    a.tags.add(t1)
    Article.objects.create(title="b").tags.add(t2)
    assert list(F(data=qd(f"tags={t1.pk}")).filter_queryset(Article.objects.all())) == [a]


def test_uuid_model_field():
    """F-MODEL-010 W-04"""
    F = model_fs(UUIDThing)
    assert isinstance(F().fields["uid"], UUIDField)
    assert errors(F, "uid=bad") == {"uid": ["Must be a valid UUID."]}


@pytest.mark.django_db
def test_fk_to_uuid_pk():
    """F-MODEL-011 W-04"""
    F = model_fs(UUIDChild, ["parent"])
    assert isinstance(F().fields["parent"], UUIDField)
    thing = UUIDThing.objects.create()
    other = UUIDThing.objects.create()
    child = UUIDChild.objects.create(parent=thing)
    UUIDChild.objects.create(parent=other)
    rows = F(data=qd(f"parent={thing.pk}")).filter_queryset(UUIDChild.objects.all())
    assert list(rows) == [child]


@pytest.mark.django_db
def test_fk_lookups_via_extra_kwargs():
    """F-MODEL-012 W-11"""
    F = model_fs(Related, ["sample_model"], extra_kwargs={"sample_model": {"lookups": ["in"]}})
    names = list(F().fields)
    assert "sample_model__in" in names and "sample_model__in!" in names
    s1, s2, s3 = (Sample.objects.create(integer_field=i) for i in (1, 2, 3))
    for s in (s1, s2, s3):
        Related.objects.create(sample_model=s)
    rows = F(data=qd(f"sample_model__in={s1.pk},{s3.pk}")).filter_queryset(Related.objects.all())
    assert sorted(r.sample_model_id for r in rows) == [s1.pk, s3.pk]


def test_decimal_precision_copied():
    """F-MODEL-013 W-14"""
    F = model_fs(Precise, ["amount"])
    fs = F(data=qd("amount=1.2345"))
    assert fs.is_valid(), fs.errors
    assert fs.validated_data["amount"] == decimal.Decimal("1.2345")


@pytest.mark.django_db
def test_json_field():
    """F-MODEL-014"""
    F = model_fs(Precise, ["js"])
    assert isinstance(F().fields["js"], StringField)
    list(F(data=qd("js=1")).filter_queryset(Precise.objects.all()))


def test_array_field_by_class_name():
    """F-MODEL-015"""

    class _CharField(models.CharField):
        pass

    class ArrayField(models.Field):
        def __init__(self, base_field, **kwargs):
            self.base_field = base_field
            super().__init__(**kwargs)

    for name in ("contains", "overlap", "contained_by"):
        ArrayField.register_lookup(type(f"L{name}", (Lookup,), {"lookup_name": name}))

    class Model(models.Model):
        tags = ArrayField(_CharField(max_length=5))

        class Meta:
            app_label = "filters_tests"
            managed = False

    F = model_fs(Model, ["tags"])
    field = F().fields["tags"]
    assert isinstance(field, ListField)
    assert isinstance(field.child, StringField)
    assert {"contains", "overlaps", "contained_by"} <= set(field.lookups)


@pytest.mark.django_db
def test_filtering_model_fields():
    """F-MODEL-016"""
    F = model_fs(Sample, ["integer_field", "string_field", "boolean_field", "choice_field"])
    Sample.objects.create(integer_field=1, string_field="x", boolean_field=True, choice_field="a")
    Sample.objects.create(integer_field=2, string_field="y", boolean_field=False, choice_field="b")
    Sample.objects.create(integer_field=1, string_field="y", boolean_field=True, choice_field="c")
    qs = Sample.objects.all()
    assert F(data=qd("integer_field=1")).filter_queryset(qs).count() == 2
    assert F(data=qd("string_field=y")).filter_queryset(qs).count() == 2
    assert F(data=qd("boolean_field=false")).filter_queryset(qs).count() == 1
    assert F(data=qd("choice_field=c")).filter_queryset(qs).count() == 1
    both = F(data=qd("integer_field=1&string_field=y&boolean_field=true&choice_field=c"))
    assert both.filter_queryset(qs).count() == 1


def test_generic_and_range_fields():
    """W-04 W-03: range columns are skipped by __all__ and refused when named."""
    names = list(model_fs(PgDoc)().fields)
    assert "price_range" not in names
    with pytest.raises(ImproperlyConfigured, match="declare an explicit filter"):
        model_fs(PgDoc, ["price_range"])


def test_generic_foreign_key_skipped():
    """W-04: GenericForeignKey is never generated by __all__."""
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.contrib.contenttypes.models import ContentType

    class Tagged(models.Model):
        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
        object_id = models.PositiveIntegerField()
        target = GenericForeignKey("content_type", "object_id")

        class Meta:
            app_label = "filters_tests"
            managed = False

    names = list(model_fs(Tagged)().fields)
    assert "target" not in names and "content_type" in names


# Relation expansion --------------------------------------------------------------------


def test_meta_related_fields():
    """F-REL-001"""
    F = model_fs(Related, ["sample_model"], related_fields=["sample_model"])
    names = list(F().fields)
    assert "sample_model__id" in names and "sample_model" not in names
    assert "sample_model__integer_field!" in names


def test_related_field_all():
    """F-REL-002"""

    class F(FilterSet):
        sample_model = RelatedField(model=Related, fields="__all__", exclude=[])

    assert "sample_model__id" in F().fields


def test_related_field_listed():
    """F-REL-003"""

    class F(FilterSet):
        sample_model = RelatedField(model=Sample, fields=["string_field", "integer_field"])

    names = list(F().fields)
    assert names == [
        "sample_model__string_field",
        "sample_model__string_field!",
        "sample_model__integer_field",
        "sample_model__integer_field!",
    ]


@pytest.mark.django_db
def test_related_filter_goes_through_relation():
    """F-REL-004 F-REL-005"""

    class F(FilterSet):
        sample_model = RelatedField(model=Sample, fields=["string_field", "integer_field"])

    alpha = Sample.objects.create(string_field="alpha", integer_field=7)
    beta = Sample.objects.create(string_field="beta", integer_field=8)
    r1 = Related.objects.create(sample_model=alpha, name="beta")
    r2 = Related.objects.create(sample_model=beta, name="alpha")
    qs = Related.objects.all()
    assert list(F(data=qd("sample_model__string_field=beta")).filter_queryset(qs)) == [r2]
    assert list(F(data=qd("sample_model__integer_field=7")).filter_queryset(qs)) == [r1]


def test_related_field_str():
    """F-REL-006"""
    field = RelatedField(model=Sample, fields=["name"])
    assert "RelatedField" in str(field)
    assert field.model is Sample
    assert field.exclude == []


def test_extract_model_fields_type_errors():
    """F-REL-007"""
    with pytest.raises(TypeError):
        extract_model_fields(model=None, fields="__all__", exclude=1)


def test_related_extra_kwargs_prefixed_wins():
    """W-10: a prefixed extra_kwargs key targets only the expanded field."""
    F = model_fs(
        Related,
        ["sample_model", "name"],
        related_fields=["sample_model"],
        extra_kwargs={
            "name": {"help_text": "own name"},
            "sample_model__string_field": {"help_text": "parent's string"},
            "sample_model": {"exclude": ["email_field"]},
        },
    )
    fields = F().fields
    assert fields["name"].help_text == "own name"
    assert fields["sample_model__string_field"].help_text == "parent's string"
    assert "sample_model__email_field" not in fields


def test_related_expansion_keeps_order():
    """W-09: expansions stay in place, each followed by its own negation."""
    F = model_fs(Related, ["name", "sample_model"], related_fields=["sample_model"])
    names = list(F().fields)
    assert names[:2] == ["name", "name!"]
    assert names[2:4] == ["sample_model__id", "sample_model__id!"]
    assert names[4:6] == ["sample_model__integer_field", "sample_model__integer_field!"]


def test_uuid_field_maps_to_uuid_pk_filter():
    """W-04: FK to a UUID pk becomes a UUIDField."""
    assert uuid  # imported for readability of the models
    assert isinstance(model_fs(UUIDChild, ["parent"])().fields["parent"], UUIDField)
