"""Annotation → DRF field resolution: the type map, the ``Field`` kwargs carrier, three fields."""

from __future__ import annotations

import datetime
import decimal
import inspect
import uuid
from enum import Enum
from typing import Any

from rest_framework import fields as drf_fields
from rest_framework.serializers import BaseSerializer

from restflow.helpers import BlankableString, Email, IPAddress, resolve_field_from_type

__all__ = [
    "SERIALIZER_TYPE_ASSERTION_ERROR",
    "BlankableCharField",
    "DecimalField",
    "Field",
    "SerializerFieldMap",
    "get_field_from_type",
]

SERIALIZER_TYPE_ASSERTION_ERROR = "annotation must be a supported type"


class DecimalField(drf_fields.DecimalField):
    """DRF's ``DecimalField`` with defaults, so a bare ``Decimal`` annotation works."""

    def __init__(self, *, max_digits: int | None = 20, decimal_places: int = 6, **kwargs: Any):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class BlankableCharField(drf_fields.CharField):
    """A ``CharField`` that accepts ``""`` unless told otherwise."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class LiteralChoiceField(drf_fields.ChoiceField):
    """The field of a ``Literal[...]`` annotation: Enum members are chosen by their value
    (``Literal[Color.R]`` accepts ``"r"``) on every DRF; DRF 3.15+ does so itself, DRF 3.14
    keyed them by ``str(member)`` (``"Color.R"``)."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.value if isinstance(data, Enum) else data)

    def _set_choices(self, choices: Any) -> None:
        super()._set_choices(choices)
        self.choice_strings_to_values = {
            str(key.value if isinstance(key, Enum) else key): key for key in self.choices
        }

    choices = property(drf_fields.ChoiceField._get_choices, _set_choices)


SerializerFieldMap: dict[Any, type[drf_fields.Field]] = {
    int: drf_fields.IntegerField,
    float: drf_fields.FloatField,
    str: drf_fields.CharField,
    bytes: drf_fields.CharField,
    bool: drf_fields.BooleanField,
    datetime.datetime: drf_fields.DateTimeField,
    datetime.date: drf_fields.DateField,
    datetime.time: drf_fields.TimeField,
    datetime.timedelta: drf_fields.DurationField,
    decimal.Decimal: DecimalField,
    uuid.UUID: drf_fields.UUIDField,
    Email: drf_fields.EmailField,
    IPAddress: drf_fields.IPAddressField,
    BlankableString: BlankableCharField,
    dict: drf_fields.DictField,
    Any: drf_fields.JSONField,
}


def _is_serializer_class(data_type: Any) -> bool:
    return inspect.isclass(data_type) and issubclass(data_type, BaseSerializer)


def _nested_serializer(serializer_class: Any, kwargs: dict[str, Any]) -> BaseSerializer:
    return serializer_class(**kwargs)


def get_field_from_type(
    data_type: Any, field_name: str | None = None, **field_kwargs: Any
) -> drf_fields.Field:
    """The DRF field instance for the annotation ``data_type`` (serializers.md §2.2)."""
    return resolve_field_from_type(
        data_type,
        type_map=SerializerFieldMap,
        field_name=field_name,
        list_field_class=drf_fields.ListField,
        choice_field_class=LiteralChoiceField,
        nested_predicate=_is_serializer_class,
        nested_factory=_nested_serializer,
        error_message=SERIALIZER_TYPE_ASSERTION_ERROR,
        allow_null_on_optional=True,
        **field_kwargs,
    )


class Field:
    """Carries DRF field kwargs next to an annotation: ``age: int = Field(min_value=0)``.

    Not a DRF field: the metaclass pairs it with the annotation and builds the real one.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.field_kwargs: dict[str, Any] = dict(kwargs)

    def clone(self, _type: Any = None, field_name: str | None = None, **inner_kwargs: Any) -> Any:
        """The DRF field for ``_type`` built with these kwargs, or a new carrier without it."""
        kwargs = {**self.field_kwargs, **inner_kwargs}
        if _type is None:
            return type(self)(**kwargs)
        return get_field_from_type(_type, field_name=field_name, **kwargs)
