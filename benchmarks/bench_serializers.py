"""Serializers: validate a 10-field payload, dump 100 objects.

restflow (annotations) side by side with a hand-written DRF ``Serializer`` (the baseline)
and with pydantic through django-ninja's ``Schema``. Goal: restflow ≤ 0.67× DRF on both.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Literal

from ninja import Schema
from rest_framework import serializers as drf

from benchmarks.harness import Scenario
from restflow.serializers import Email, Field, Serializer

PAYLOAD = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "age": "36",
    "score": 9.5,
    "active": True,
    "price": "10.50",
    "joined": "2024-01-02T10:30:00Z",
    "birthday": "1815-12-10",
    "token": "6f1c1c55-9a2c-4c6b-9a55-1df1fbc0c6a1",
    "role": "admin",
}


class DRFPerson(drf.Serializer):
    name = drf.CharField(max_length=100)
    email = drf.EmailField()
    age = drf.IntegerField(min_value=0)
    score = drf.FloatField()
    active = drf.BooleanField()
    price = drf.DecimalField(max_digits=20, decimal_places=6)
    joined = drf.DateTimeField()
    birthday = drf.DateField()
    token = drf.UUIDField()
    role = drf.ChoiceField(choices=[("admin", "admin"), ("user", "user")])


class RestflowPerson(Serializer):
    name: str = Field(max_length=100)
    email: Email
    age: int = Field(min_value=0)
    score: float
    active: bool
    price: decimal.Decimal
    joined: datetime.datetime
    birthday: datetime.date
    token: uuid.UUID
    role: Literal["admin", "user"]


class NinjaPerson(Schema):
    name: str
    email: str
    age: int
    score: float
    active: bool
    price: decimal.Decimal
    joined: datetime.datetime
    birthday: datetime.date
    token: uuid.UUID
    role: Literal["admin", "user"]


@dataclass
class Person:
    name: str
    email: str
    age: int
    score: float
    active: bool
    price: decimal.Decimal
    joined: datetime.datetime
    birthday: datetime.date
    token: uuid.UUID
    role: str


PEOPLE = [
    Person(
        name=f"person {i}",
        email=f"p{i}@example.com",
        age=20 + i % 50,
        score=i / 3,
        active=bool(i % 2),
        price=decimal.Decimal("10.500000"),
        joined=datetime.datetime(2024, 1, 2, 10, 30, tzinfo=datetime.timezone.utc),
        birthday=datetime.date(1990, 1, 1 + i % 28),
        token=uuid.UUID(int=i),
        role="admin" if i % 3 else "user",
    )
    for i in range(100)
]


def _validate_drf() -> None:
    serializer = DRFPerson(data=PAYLOAD)
    assert serializer.is_valid()
    serializer.validated_data  # noqa: B018


def _validate_restflow() -> None:
    serializer = RestflowPerson(data=PAYLOAD)
    assert serializer.is_valid()
    serializer.validated_data  # noqa: B018


async def _avalidate_restflow() -> None:
    serializer = RestflowPerson(data=PAYLOAD)
    assert await serializer.ais_valid()
    serializer.validated_data  # noqa: B018


def _validate_ninja() -> None:
    NinjaPerson.model_validate(PAYLOAD)


def _dump_drf() -> None:
    DRFPerson(PEOPLE, many=True).data  # noqa: B018


def _dump_restflow() -> None:
    RestflowPerson(PEOPLE, many=True).data  # noqa: B018


def _dump_ninja() -> None:
    [NinjaPerson.model_validate(p, from_attributes=True).model_dump(mode="json") for p in PEOPLE]


SCENARIOS = [
    Scenario(
        name="validate a 10-field payload",
        baseline="drf",
        contenders={
            "drf": _validate_drf,
            "restflow": _validate_restflow,
            "restflow async": _avalidate_restflow,
            "ninja (pydantic)": _validate_ninja,
        },
        number=500,
        goals={"restflow": 0.67},
    ),
    Scenario(
        name="dump 100 objects",
        baseline="drf",
        contenders={
            "drf": _dump_drf,
            "restflow": _dump_restflow,
            "ninja (pydantic)": _dump_ninja,
        },
        number=50,
        goals={"restflow": 0.67},
    ),
]
