"""Filter fields derived from Django model fields (filters.md §3.4, §3.5)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import ForeignObjectRel

from restflow.filters import fields as ff

DJANGO_FIELD_MAP: dict[str, type[ff.Field]] = {
    "CharField": ff.StringField,
    "TextField": ff.StringField,
    "URLField": ff.StringField,
    "SlugField": ff.StringField,
    "EmailField": ff.EmailField,
    "IntegerField": ff.IntegerField,
    "BigIntegerField": ff.IntegerField,
    "SmallIntegerField": ff.IntegerField,
    "PositiveIntegerField": ff.IntegerField,
    "PositiveSmallIntegerField": ff.IntegerField,
    "PositiveBigIntegerField": ff.IntegerField,
    "AutoField": ff.IntegerField,
    "BigAutoField": ff.IntegerField,
    "SmallAutoField": ff.IntegerField,
    "FloatField": ff.FloatField,
    "DecimalField": ff.DecimalField,
    "DateField": ff.DateField,
    "DateTimeField": ff.DateTimeField,
    "TimeField": ff.TimeField,
    "DurationField": ff.DurationField,
    "BooleanField": ff.BooleanField,
    "NullBooleanField": ff.BooleanField,
    "IPAddressField": ff.IPAddressField,
    "GenericIPAddressField": ff.IPAddressField,
    "UUIDField": ff.UUIDField,
}


def _mapped_class(model_field: Any) -> type[ff.Field]:
    for klass in type(model_field).__mro__:
        found = DJANGO_FIELD_MAP.get(klass.__name__)
        if found is not None:
            # A DateTimeField subclasses DateField: the first (most specific) name wins.
            return found
    return ff.StringField


def _is_array(model_field: Any) -> bool:
    return type(model_field).__name__ == "ArrayField" and hasattr(model_field, "base_field")


def _is_range(model_field: Any) -> bool:
    return any(
        k.__name__ == "RangeField" or k.__name__.endswith("RangeField")
        for k in type(model_field).__mro__
    )


def is_forward_single(model_field: Any) -> bool:
    """A forward ForeignKey / OneToOneField (candidates for ``Meta.related_fields``)."""
    return (
        not isinstance(model_field, ForeignObjectRel)
        and model_field.is_relation
        and bool(model_field.many_to_one or model_field.one_to_one)
        and model_field.related_model is not None
    )


def related_pk_class(related_model: Any) -> type[ff.Field]:
    """The filter class matching a related model's primary key type (W-04)."""
    pk = related_model._meta.pk
    while pk.is_relation and pk.related_model is not None:
        pk = pk.target_field
    klass = _mapped_class(pk)
    if klass in (ff.IntegerField, ff.UUIDField):
        return klass
    return ff.StringField


def column_bounds(model_field: Any) -> dict[str, Any]:
    """``min_value``/``max_value`` of an integer column narrower than 64 bits.

    Comparing a scalar column with a bigger value is harmless, but an array literal is cast
    to the column type and fails in PostgreSQL; bounding keeps such values a 400.
    """
    bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
    if bounds is None or bounds == (ff.INT64_MIN, ff.INT64_MAX):
        return {}
    return {"min_value": bounds[0], "max_value": bounds[1]}


def value_field(model_field: Any) -> ff.Field:
    """A validation-only filter field for a model field's values (array items)."""
    if _is_array(model_field):
        return ff.ListField(child=value_field(model_field.base_field))
    if getattr(model_field, "choices", None):
        return ff.ChoiceField(choices=list(model_field.choices))
    klass = _mapped_class(model_field)
    if klass is ff.DecimalField:
        return ff.DecimalField(
            max_digits=model_field.max_digits, decimal_places=model_field.decimal_places
        )
    if klass is ff.IntegerField:
        return ff.IntegerField(**column_bounds(model_field))
    return klass()


def column_value_field(column: Any) -> ff.Field | None:
    """A field validating values as ``column``'s type, or ``None`` when any string will do
    (text columns) or the column takes lists (arrays, ranges)."""
    if isinstance(column, ForeignObjectRel):
        return None
    if column.is_relation:
        if column.related_model is None:
            return None
        pk = column.related_model._meta.pk
        while pk.is_relation and pk.related_model is not None:
            pk = pk.target_field
        return column_value_field(pk)
    if _is_array(column) or _is_range(column):
        return None
    klass = _mapped_class(column)
    if klass in (ff.StringField, ff.EmailField, ff.IPAddressField):
        return None
    if klass is ff.DecimalField:
        return ff.DecimalField(max_digits=column.max_digits, decimal_places=column.decimal_places)
    if klass is ff.IntegerField:
        return ff.IntegerField(**column_bounds(column))
    return klass()


def model_filter_field(
    model_field: Any, path: str, allow_negate: bool, extra: dict[str, Any]
) -> ff.Field:
    """The filter field for one model field at ORM ``path`` (§3.4 table)."""
    kwargs: dict[str, Any] = {"allow_negate": allow_negate, "lookups": []}
    klass: type[ff.Field]
    if model_field.is_relation:
        if model_field.related_model is None:
            raise ImproperlyConfigured(
                f"Cannot generate a filter for the generic relation `{path}`: declare an "
                "explicit filter field."
            )
        klass = related_pk_class(model_field.related_model)
        kwargs.update(filter_by=f"{path}__pk", relation=True)
    elif _is_range(model_field):
        raise ImproperlyConfigured(
            f"`{path}` is a range field: declare an explicit filter for it (for example "
            f"IntegerField(filter_by='{path}__contains'))."
        )
    elif _is_array(model_field):
        klass = ff.ListField
        kwargs.update(
            child=value_field(model_field.base_field), lookups=["pg_array"], db_field=path
        )
    elif getattr(model_field, "choices", None):
        klass = ff.ChoiceField
        kwargs.update(choices=list(model_field.choices), db_field=path)
    else:
        klass = _mapped_class(model_field)
        kwargs["db_field"] = path
        if klass is ff.DecimalField:
            kwargs.update(
                max_digits=model_field.max_digits, decimal_places=model_field.decimal_places
            )
        elif klass is ff.IntegerField:
            kwargs.update(column_bounds(model_field))
    extra = {key: value for key, value in extra.items() if key != "exclude"}
    kwargs.update(extra)
    return klass(**kwargs)


__all__ = [
    "DJANGO_FIELD_MAP",
    "column_value_field",
    "is_forward_single",
    "model_filter_field",
    "related_pk_class",
    "value_field",
]
