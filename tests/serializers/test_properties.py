"""Property-based: any JSON input gives a 400 with field errors or valid data, never a 500.

One serializer per annotation kind; each is fed arbitrary JSON values (wrong types, nulls,
unknown choices, nesting) through ``is_valid(raise_exception=True)`` and DRF's exception
handler, and through ``ais_valid``; both paths must agree.
"""

import asyncio
import datetime
import decimal
import importlib
import uuid
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler

from restflow.helpers import BlankableString
from restflow.serializers import Email, Field, IPAddress, NotRequired, Serializer

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "1",
            "1.5",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "10:00",
            "1 00:00:00",
            "127.0.0.1",
            "::1",
            "a@b.com",
            "00000000-0000-0000-0000-000000000000",
            "admin",
            "true",
            "1e400",
            "NaN",
        ]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=15,
)


class Inner(Serializer):
    a: int
    b: NotRequired[str]


class ByKind:
    """One single-field serializer per annotation kind (§2.3, §2.4)."""

    kinds: dict[str, type[Serializer]] = {}


def _kind(name: str, annotation: Any, **kwargs: Any) -> None:
    attrs: dict[str, Any] = {"__module__": __name__, "__annotations__": {"v": annotation}}
    if kwargs:
        attrs["v"] = Field(**kwargs)
    ByKind.kinds[name] = type(Serializer)(f"Kind_{name}", (Serializer,), attrs)


for _name, _annotation in {
    "int": int,
    "float": float,
    "str": str,
    "bytes": bytes,
    "bool": bool,
    "datetime": datetime.datetime,
    "date": datetime.date,
    "time": datetime.time,
    "timedelta": datetime.timedelta,
    "decimal": decimal.Decimal,
    "uuid": uuid.UUID,
    "email": Email,
    "ip": IPAddress,
    "blankable": BlankableString,
    "dict": dict,
    "any": Any,
    "literal": Literal["admin", "user"],
    "literal_int": Literal[1, 2],
    "optional": int | None,
    "not_required": NotRequired[str],
    "annotated": Annotated[int, "meta"],
    "list": list[int],
    "nested_list": list[list[str]],
    "list_optional": list[int | None],
    "nested": Inner,
    "optional_nested": Inner | None,
    "list_nested": list[Inner],
    "list_optional_nested": list[Inner | None],
}.items():
    _kind(_name, _annotation)
_kind("bounded_int", int, min_value=0, max_value=10)
_kind("bounded_list", list[str], min_length=1, max_length=3)
_kind("dict_of_int", dict, child=__import__("rest_framework").fields.IntegerField())

KINDS = sorted(ByKind.kinds)


def _assert_is_400(exc: ValidationError) -> None:
    response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 400
    assert isinstance(response.data, dict)
    assert response.data  # names the failing field(s)
    handler = getattr(importlib.import_module("restflow.exceptions"), "exception_handler", None)
    if handler is not None:
        envelope = handler(exc, {})
        assert envelope.status_code == 400
        assert envelope.data["error"]["code"] == "validation_error"
        assert envelope.data["error"]["details"]


def _check(serializer_class: type[Serializer], payload: Any) -> None:
    sync = serializer_class(data=payload)
    try:
        sync.is_valid(raise_exception=True)
    except ValidationError as exc:
        _assert_is_400(exc)
    else:
        sync.validated_data  # noqa: B018 - converting must not fail either
    async_serializer = serializer_class(data=payload)
    valid = asyncio.run(async_serializer.ais_valid())
    assert valid == (not sync.errors)
    assert async_serializer.errors == sync.errors


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY_SETTINGS
@given(value=json_values)
def test_any_field_value(kind, value):
    """Bad input per annotation kind: a 400 with the field named, never a 500."""
    serializer_class = ByKind.kinds[kind]
    _check(serializer_class, {"v": value})


@pytest.mark.parametrize("kind", ["int", "nested", "list_nested", "literal"])
@PROPERTY_SETTINGS
@given(payload=json_values)
def test_any_root_payload(kind, payload):
    """Wrong types, nulls and junk at the root also give 400s."""
    _check(ByKind.kinds[kind], payload)


def test_huge_list_payload():
    """A large payload validates (or fails) as data, without special-casing."""
    serializer_class = ByKind.kinds["list"]
    _check(serializer_class, {"v": list(range(20_000))})
    _check(serializer_class, {"v": [*range(20_000), "x"]})
    _check(ByKind.kinds["list_nested"], {"v": [{"a": i} for i in range(5_000)]})


@pytest.mark.parametrize("kind", ["any", "dict", "nested_list", "list_nested"])
def test_deeply_nested_payload(kind):
    """Payloads nested thousands of levels deep give a 400, not a RecursionError."""
    deep: Any = 1
    for _ in range(50_000):
        deep = [deep]
    _check(ByKind.kinds[kind], {"v": deep})
    deep_dict: Any = 1
    for _ in range(50_000):
        deep_dict = {"a": deep_dict}
    _check(ByKind.kinds[kind], {"v": deep_dict})
