"""Checks that a FilterSet's ORM expressions exist before any client sends them (§4.7, W-05)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections
from django.db.models import DateTimeField as DateTimeModelField
from django.db.models import Field as ModelField
from rest_framework.utils.formatting import lazy_format

from restflow.filters.fields import INT64_MAX, INT64_MIN, Field
from restflow.filters.lookups import COMPONENT_BOUNDS, POSTGRES_EXTENSIONS, POSTGRES_LOOKUPS

LOOKUP_SEP = "__"
# Lookups whose value Django converts to the column's type before querying.
VALUE_LOOKUPS = frozenset({"exact", "gt", "gte", "lt", "lte", "in", "range"})


def field_expression(field: Field) -> str | None:
    """The ORM expression a built-in field filters on, or ``None`` (methods, callables,
    ordering)."""
    from restflow.filters.fields import OrderField

    if field.method is not None or isinstance(field, OrderField):
        return None
    if isinstance(field.filter_by, str):
        return field.filter_by
    if field.filter_by is None:
        return field.db_field or None
    return None


def postgres_lookup(field: Field) -> str | None:
    """The PostgreSQL-only lookup a field applies, if any."""
    expression = field_expression(field)
    if expression is None:
        return None
    last = expression.rsplit(LOOKUP_SEP, 1)[-1]
    return last if last in POSTGRES_LOOKUPS else None


def _resolve(model: Any, parts: list[str]) -> tuple[Any, list[str]] | None:
    opts = model._meta
    try:
        field = opts.pk if parts[0] == "pk" else opts.get_field(parts[0])
    except FieldDoesNotExist:
        return None
    index = 1
    while index < len(parts) and field.is_relation and field.related_model is not None:
        related = field.related_model._meta
        segment = parts[index]
        try:
            field = related.pk if segment == "pk" else related.get_field(segment)
        except FieldDoesNotExist:
            break
        index += 1
    return field, parts[index:]


def _standard_lookups() -> dict[str, Any]:
    return ModelField.get_lookups()


def expression_error(model: Any, expression: str) -> str | None:
    """Why ``expression`` cannot be applied to ``model``, or ``None`` when it can (or when its
    first part is not a model field, e.g. an annotation)."""
    resolved = _resolve(model, expression.split(LOOKUP_SEP))
    if resolved is None:
        return None
    field, remaining = resolved
    current: Any = field
    transformed = False
    for position, segment in enumerate(remaining):
        last = position == len(remaining) - 1
        if last and current.get_lookup(segment) is not None:
            return None
        if transformed and last and segment in _standard_lookups():
            return None
        transform = current.get_transform(segment)
        if transform is None:
            return f"lookup '{segment}' is not registered on {model.__name__}.{field.name}"
        output = getattr(transform, "output_field", None)
        current = output if isinstance(output, ModelField) else transform
        transformed = True
    return None


def check_expressions(owner: str, model: Any, fields: Iterable[tuple[str, Field]]) -> None:
    for param, field in fields:
        expression = field_expression(field)
        if expression is None:
            continue
        error = expression_error(model, expression)
        if error is not None:
            raise ImproperlyConfigured(
                f"{owner}: the filter `{param}` uses `{expression}`, but {error}. "
                "Remove the lookup or filter on a field that supports it."
            )
        harden(model, expression, field)


def _bound(target: Field, low: int, high: int) -> None:
    """Give an unbounded number field the bounds ``low``..``high`` (DRF messages)."""
    if getattr(target, "min_value", None) is not None:
        return
    if getattr(target, "max_value", None) is not None:
        return
    target.min_value, target.max_value = low, high
    messages = target.error_messages
    target.validators.append(
        MinValueValidator(low, message=lazy_format(messages["min_value"], min_value=low))
    )
    target.validators.append(
        MaxValueValidator(high, message=lazy_format(messages["max_value"], max_value=high))
    )


def harden(model: Any, expression: str, field: Field) -> None:
    """Make values that the column cannot take a 400 instead of a database error (§8.1).

    Called once per class (with ``Meta.model``) or per model at first use, before any
    validation: integers sent to narrower integer array/range columns are bounded (W-03),
    explicit date-component filters get the component's bounds (W-05), and a filter whose
    class differs from its column's type also validates the value as the column's type.
    """
    from restflow.filters.fields import (
        DecimalField,
        FloatField,
        IntegerField,
        ListField,
        OrderField,
    )
    from restflow.filters.model_fields import column_bounds, column_value_field

    resolved = _resolve(model, expression.split(LOOKUP_SEP))
    if resolved is None or isinstance(field, OrderField):
        return
    column, remaining = resolved
    target: Any = field
    if isinstance(field, ListField) and isinstance(field.child, Field):
        target = field.child
    numbers = (IntegerField, FloatField, DecimalField)
    base = getattr(column, "base_field", None)
    if base is not None:  # arrays and ranges: PostgreSQL casts the value to the element type
        bounds = column_bounds(base() if isinstance(base, type) else base)
        if bounds and type(target) is IntegerField:
            _bound(target, bounds["min_value"], bounds["max_value"])
        return
    components = [segment for segment in remaining if segment in COMPONENT_BOUNDS]
    if components:
        if isinstance(target, IntegerField):
            _bound(target, *COMPONENT_BOUNDS[components[0]])
            if components[0] in ("year", "iso_year") and isinstance(column, DateTimeModelField):
                target.utc_year = True
        return
    lookup = remaining[0] if remaining else "exact"
    if len(remaining) > 1 or lookup not in VALUE_LOOKUPS:
        return
    expected = column_value_field(column)
    if expected is None or isinstance(target, type(expected)):
        return
    if isinstance(target, numbers) and isinstance(expected, numbers):
        if isinstance(expected, IntegerField) and not isinstance(target, IntegerField):
            _bound(target, INT64_MIN, INT64_MAX)  # Django rounds to an int for the column
        return
    target.column_field = expected


def check_postgres_app(owner: str, fields: Iterable[tuple[str, Field]]) -> None:
    """PostgreSQL lookups need ``django.contrib.postgres`` (it registers them) and a
    PostgreSQL database among ``DATABASES``: declaring one elsewhere fails here, not with a
    500 when a client sends the param."""
    for param, field in fields:
        lookup = postgres_lookup(field)
        if lookup is None:
            continue
        if not apps.is_installed("django.contrib.postgres"):
            raise ImproperlyConfigured(
                f"{owner}: the filter `{param}` uses the PostgreSQL lookup '{lookup}', which "
                "needs 'django.contrib.postgres' in INSTALLED_APPS."
            )
        if not any(connections[alias].vendor == "postgresql" for alias in connections):
            raise ImproperlyConfigured(
                f"{owner}: the filter `{param}` uses the PostgreSQL lookup '{lookup}', but no "
                "database in DATABASES is PostgreSQL. Remove the lookup or use PostgreSQL."
            )


def check_postgres_vendor(param: str, lookup: str, alias: str) -> None:
    vendor = connections[alias].vendor
    if vendor != "postgresql":
        raise ImproperlyConfigured(
            f"The filter `{param}` uses the PostgreSQL lookup '{lookup}', but the database "
            f"'{alias}' is {vendor}. Use it only with PostgreSQL."
        )


_EXTENSIONS_SEEN: dict[tuple[str, str], frozenset[str]] = {}


def check_postgres_extension(param: str, lookup: str, alias: str) -> None:
    """Fail clearly when the extension a lookup needs is missing (once per database)."""
    extension = POSTGRES_EXTENSIONS.get(lookup)
    if extension is None:
        return
    connection = connections[alias]
    key = (alias, str(connection.settings_dict.get("NAME")))
    installed = _EXTENSIONS_SEEN.get(key)
    if installed is None or extension not in installed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension")
            installed = frozenset(row[0] for row in cursor.fetchall())
        _EXTENSIONS_SEEN[key] = installed
    if extension not in installed:
        raise ImproperlyConfigured(
            f"The filter `{param}` uses the lookup '{lookup}', which needs the PostgreSQL "
            f"extension '{extension}' (CREATE EXTENSION {extension}; or a "
            f"django.contrib.postgres.operations migration)."
        )
