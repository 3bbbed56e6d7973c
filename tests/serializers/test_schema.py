"""Annotation-built fields are plain DRF fields: drf-spectacular and renderers see them."""

import datetime
import decimal
import json
import uuid
from typing import Literal

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from restflow.serializers import Email, Field, NotRequired, Serializer


class Address(Serializer):
    city: str


class Person(Serializer):
    name: str = Field(max_length=20)
    age: int = Field(min_value=0)
    email: Email
    price: decimal.Decimal
    born: datetime.date
    token: uuid.UUID
    role: Literal["admin", "user"]
    nick: NotRequired[str | None]
    tags: list[str]
    address: Address
    addresses: list[Address]


class PersonView(APIView):
    serializer_class = Person

    def post(self, request):  # pragma: no cover - only introspected
        raise NotImplementedError


def test_spectacular_component():
    """drf-spectacular builds the component from the annotation-built fields."""
    pytest.importorskip("drf_spectacular")
    from django.urls import path
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.openapi import AutoSchema

    PersonView.schema = AutoSchema()
    generator = SchemaGenerator(patterns=[path("people/", PersonView.as_view())])
    schema = generator.get_schema(request=None, public=True)
    person = schema["components"]["schemas"]["Person"]
    props = person["properties"]
    assert props["name"] == {"type": "string", "maxLength": 20}
    assert props["age"]["type"] == "integer"
    assert props["age"]["minimum"] == 0
    assert props["email"]["format"] == "email"
    assert props["price"]["format"] == "decimal"
    assert props["born"]["format"] == "date"
    assert props["token"]["format"] == "uuid"
    assert props["nick"]["nullable"] is True
    assert props["tags"]["type"] == "array"
    assert props["address"]["$ref"].endswith("/Address")
    assert props["addresses"]["items"]["$ref"].endswith("/Address")
    assert set(person["required"]) == {
        "name",
        "age",
        "email",
        "price",
        "born",
        "token",
        "role",
        "tags",
        "address",
        "addresses",
    }


def test_renderers():
    """DRF renderers handle restflow output (ReturnDict with a serializer backlink)."""
    data = Person(
        {
            "name": "Ada",
            "age": 36,
            "email": "a@b.com",
            "price": decimal.Decimal("1.5"),
            "born": datetime.date(1815, 12, 10),
            "token": uuid.UUID(int=1),
            "role": "admin",
            "tags": ["x"],
            "address": {"city": "London"},
            "addresses": [],
        }
    ).data
    assert json.loads(JSONRenderer().render(data))["price"] == "1.500000"
    assert data.serializer.__class__ is Person


def test_options_metadata_and_repr():
    """DRF's OPTIONS metadata and serializer repr read annotation-built fields as usual."""
    from rest_framework.metadata import SimpleMetadata

    info = SimpleMetadata().get_serializer_info(Person())
    assert list(info)[:3] == ["name", "age", "email"]
    assert info["name"]["max_length"] == 20
    assert info["role"]["type"] == "choice"
    assert [choice["value"] for choice in info["role"]["choices"]] == ["admin", "user"]
    assert info["nick"]["required"] is False
    text = repr(Person())
    assert "name = CharField(max_length=20)" in text
    assert "address = Address():" in text
