"""Annotation-driven serializers in the document (§2.3 table).

With restflow-serializers the serializers are declared by annotation; in a split install
without it the same rows are declared with the DRF fields the annotations produce, so the
OpenAPI side of the table is checked either way.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, Literal

from django.urls import path
from rest_framework import serializers as drf

from restflow.helpers import BlankableString, Email, IPAddress, NotRequired
from restflow.views import AsyncAPIView
from tests.spectacular.helpers import SERIALIZERS, component, generate, ref

DECIMAL_PATTERN = r"^-?\d{0,14}(?:\.\d{0,6})?$"


class Nested(drf.Serializer):
    x = drf.IntegerField()


if SERIALIZERS:
    from restflow.serializers import Field, Serializer

    class Row(Serializer):
        an_int: int
        a_float: float
        a_str: str
        some_bytes: bytes
        a_bool: bool
        a_datetime: datetime.datetime
        a_date: datetime.date
        a_time: datetime.time
        a_duration: datetime.timedelta
        a_decimal: decimal.Decimal
        a_uuid: uuid.UUID
        an_email: Email
        an_ip: IPAddress
        a_dict: dict
        anything: Any
        blankable: BlankableString
        role: Literal["a", "b"]
        maybe: str | None
        optional: NotRequired[int]
        tags: list[str]
        nested: Nested
        nested_many: list[Nested]
        read: int = Field(read_only=True)
        write: int = Field(write_only=True)
        defaulted: int = Field(default=3)
        helped: str = Field(help_text="h", max_length=5)

else:

    class Row(drf.Serializer):  # type: ignore[no-redef]
        an_int = drf.IntegerField()
        a_float = drf.FloatField()
        a_str = drf.CharField()
        some_bytes = drf.CharField()
        a_bool = drf.BooleanField()
        a_datetime = drf.DateTimeField()
        a_date = drf.DateField()
        a_time = drf.TimeField()
        a_duration = drf.DurationField()
        a_decimal = drf.DecimalField(max_digits=20, decimal_places=6)
        a_uuid = drf.UUIDField()
        an_email = drf.EmailField()
        an_ip = drf.IPAddressField()
        a_dict = drf.DictField()
        anything = drf.JSONField()
        blankable = drf.CharField(allow_blank=True)
        role = drf.ChoiceField(choices=["a", "b"])
        maybe = drf.CharField(allow_null=True, required=False)
        optional = drf.IntegerField(required=False)
        tags = drf.ListField(child=drf.CharField())
        nested = Nested()
        nested_many = Nested(many=True)
        read = drf.IntegerField(read_only=True)
        write = drf.IntegerField(write_only=True)
        defaulted = drf.IntegerField(default=3)
        helped = drf.CharField(help_text="h", max_length=5)


class Echo(AsyncAPIView):
    serializer_class = Row

    async def post(self, request):
        raise NotImplementedError


def row_component(**spectacular):
    schema = generate([path("echo/", Echo.as_view())], **spectacular)
    return schema, component(schema, "Row")


def test_every_row_of_the_table():
    """A-SCHEMA-004"""
    schema, row = row_component()
    properties = row["properties"]
    expected = {
        "an_int": {"type": "integer"},
        "a_float": {"type": "number", "format": "double"},
        "a_str": {"type": "string"},
        "some_bytes": {"type": "string"},
        "a_bool": {"type": "boolean"},
        "a_datetime": {"type": "string", "format": "date-time"},
        "a_date": {"type": "string", "format": "date"},
        "a_time": {"type": "string", "format": "time"},
        "a_duration": {"type": "string"},
        "a_decimal": {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN},
        "a_uuid": {"type": "string", "format": "uuid"},
        "an_email": {"type": "string", "format": "email"},
        "an_ip": {"type": "string"},
        "a_dict": {"type": "object", "additionalProperties": {}},
        "anything": {},
        "blankable": {"type": "string"},
        "role": ref("RoleEnum"),
        "maybe": {"type": "string", "nullable": True},
        "optional": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "nested": ref("Nested"),
        "nested_many": {"type": "array", "items": ref("Nested")},
        "read": {"type": "integer", "readOnly": True},
        "write": {"type": "integer", "writeOnly": True},
        "defaulted": {"type": "integer", "default": 3},
        "helped": {"type": "string", "description": "h", "maxLength": 5},
    }
    assert properties == expected
    assert set(row["required"]) == set(expected) - {"maybe", "optional", "defaulted"}
    assert component(schema, "RoleEnum") == {
        "enum": ["a", "b"],
        "type": "string",
        "description": "* `a` - a\n* `b` - b",
    }


def test_email_literal_list_and_optional():
    """A-SCHEMA-003"""
    _, row = row_component()
    properties = row["properties"]
    assert properties["an_email"]["format"] == "email"
    assert properties["tags"] == {"type": "array", "items": {"type": "string"}}
    assert properties["maybe"]["nullable"] is True
    assert "maybe" not in row["required"]


def test_nullable_in_openapi_31():
    """A-SCHEMA-004: `T | None` is `type: [T, "null"]` in OpenAPI 3.1."""
    _, row = row_component(OAS_VERSION="3.1.0")
    assert row["properties"]["maybe"] == {"type": ["string", "null"]}


def test_literal_enum_values():
    """A-SCHEMA-003: exactly the literal values."""
    schema, _ = row_component()
    assert component(schema, "RoleEnum")["enum"] == ["a", "b"]
