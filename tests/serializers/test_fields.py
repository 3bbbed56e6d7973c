# ruff: noqa: UP007, UP045  (Optional and Union spellings are what these tests exercise)
"""Annotation → field resolution, the type map and the ``Field`` carrier (§1-§3)."""

from __future__ import annotations

import datetime
import decimal
import enum
import itertools
import sys
import typing
import uuid
from typing import Annotated, Any, ClassVar, Literal, NewType, Optional, Union

import pytest
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers

import restflow.helpers
import restflow.serializers
from restflow.helpers import BlankableString
from restflow.serializers import (
    DecimalField,
    Email,
    Field,
    IPAddress,
    NotRequired,
    Serializer,
    SerializerFieldMap,
    get_field_from_type,
)
from restflow.serializers.fields import SERIALIZER_TYPE_ASSERTION_ERROR, BlankableCharField


class Inner(Serializer):
    name: str


class N(Serializer):
    n: int


def fields_of(serializer_class):
    return serializer_class().fields


# --- public surface ---------------------------------------------------------------


def test_public_names_import():
    """Z-SER-001"""
    names = [
        "Serializer",
        "ModelSerializer",
        "HyperlinkedModelSerializer",
        "InlineSerializer",
        "ListSerializer",
        "Field",
        "DecimalField",
        "SerializerFieldMap",
        "get_field_from_type",
        "ValidatedData",
        "Email",
        "IPAddress",
        "NotRequired",
    ]
    for name in names:
        assert getattr(restflow.serializers, name) is not None
    assert sorted(restflow.serializers.__all__) == sorted(names)


def test_markers_are_the_helpers_objects():
    """Z-SER-002"""
    assert restflow.serializers.Email is restflow.helpers.Email
    assert restflow.serializers.IPAddress is restflow.helpers.IPAddress
    assert restflow.serializers.NotRequired is restflow.helpers.NotRequired
    if sys.version_info >= (3, 11):
        assert restflow.serializers.NotRequired is typing.NotRequired


def test_classes_subclass_drf():
    """Z-SER-003"""
    assert issubclass(restflow.serializers.Serializer, drf_serializers.Serializer)
    assert issubclass(restflow.serializers.ModelSerializer, drf_serializers.ModelSerializer)
    assert issubclass(
        restflow.serializers.HyperlinkedModelSerializer, drf_serializers.HyperlinkedModelSerializer
    )


def test_assertion_prefix_constant():
    """Z-SER-004"""
    assert SERIALIZER_TYPE_ASSERTION_ERROR == "annotation must be a supported type"


def test_field_carrier_is_not_a_drf_field():
    """Z-SER-005"""
    assert not isinstance(Field(), drf_fields.Field)


# --- base mapping -------------------------------------------------------------------

EXPECTED = {
    int: drf_fields.IntegerField,
    float: drf_fields.FloatField,
    str: drf_fields.CharField,
    bool: drf_fields.BooleanField,
    bytes: drf_fields.CharField,
    datetime.datetime: drf_fields.DateTimeField,
    datetime.date: drf_fields.DateField,
    datetime.time: drf_fields.TimeField,
    datetime.timedelta: drf_fields.DurationField,
    decimal.Decimal: DecimalField,
    uuid.UUID: drf_fields.UUIDField,
    Email: drf_fields.EmailField,
    IPAddress: drf_fields.IPAddressField,
    dict: drf_fields.DictField,
    Any: drf_fields.JSONField,
    BlankableString: BlankableCharField,
}


@pytest.mark.parametrize(("annotation", "field_class"), EXPECTED.items())
def test_base_mapping(annotation, field_class):
    """Z-SER-006"""
    assert type(get_field_from_type(annotation)) is field_class


def test_every_map_key_resolves():
    """Z-SER-007"""
    for key, field_class in SerializerFieldMap.items():
        assert isinstance(get_field_from_type(key), field_class)


def test_decimal_defaults_and_overrides():
    """Z-SER-008"""
    field = get_field_from_type(decimal.Decimal)
    assert isinstance(field, DecimalField)
    assert (field.max_digits, field.decimal_places) == (20, 6)
    field = get_field_from_type(decimal.Decimal, max_digits=5, decimal_places=2)
    assert (field.max_digits, field.decimal_places) == (5, 2)


def test_decimal_validation():
    """Z-SER-009"""

    class S(Serializer):
        price: decimal.Decimal

    s = S(data={"price": "10.5"})
    assert s.is_valid()
    assert s.validated_data["price"] == decimal.Decimal("10.500000")
    s = S(data={"price": "1.23456789"})
    assert not s.is_valid()
    assert s.errors["price"][0].code == "max_decimal_places"


def test_decimal_field_is_keyword_only():
    """Z-SER-010"""
    with pytest.raises(TypeError):
        DecimalField(5, 2)
    assert DecimalField(max_digits=None).max_digits is None


def test_blankable_string():
    """Z-SER-011 W-14"""
    assert get_field_from_type(BlankableString).allow_blank is True
    assert get_field_from_type(BlankableString, allow_blank=False).allow_blank is False
    assert BlankableCharField(allow_blank=False).allow_blank is False


def test_every_mapped_type_validates():
    """Z-SER-012"""

    class S(Serializer):
        i: int
        f: float
        s: str
        b: bool
        by: bytes
        dt: datetime.datetime
        d: datetime.date
        t: datetime.time
        td: datetime.timedelta
        dec: decimal.Decimal
        u: uuid.UUID
        em: Email
        ip: IPAddress
        m: dict
        a: Any

    payload = {
        "i": 1,
        "f": 1.5,
        "s": "hi",
        "b": True,
        "by": "x",
        "dt": "2024-01-01T00:00:00Z",
        "d": "2024-01-01",
        "t": "10:00:00",
        "td": "1 00:00:00",
        "dec": "1.0",
        "u": "00000000-0000-0000-0000-000000000000",
        "em": "a@b.com",
        "ip": "127.0.0.1",
        "m": {"k": 1},
        "a": [1, 2],
    }
    s = S(data=payload)
    assert s.is_valid(), s.errors
    assert s.validated_data["td"] == datetime.timedelta(days=1)


def test_bytes_validates_to_str():
    """Z-SER-013 W-20"""

    class S(Serializer):
        by: bytes

    s = S(data={"by": "abc"})
    assert s.is_valid()
    assert type(s.validated_data["by"]) is str


def test_bare_list():
    """Z-SER-014"""
    field = get_field_from_type(list)
    assert isinstance(field, drf_fields.ListField)
    assert isinstance(field.child, drf_fields.CharField)

    class S(Serializer):
        items_: list

    s = S(data={"items_": ["a", 1]})
    assert s.is_valid()
    assert s.validated_data["items_"] == ["a", "1"]


def test_any_rejects_null_accepts_nested():
    """Z-SER-015"""

    class S(Serializer):
        a: Any

    s = S(data={"a": None})
    assert not s.is_valid()
    assert s.errors["a"] == ["This field may not be null."]
    s = S(data={"a": {"x": [1, {"y": 2}]}})
    assert s.is_valid()


# --- Optional / Union --------------------------------------------------------------


@pytest.mark.parametrize("annotation", [str | None, int | None, Optional[int], Union[int, None]])
def test_optional_forms(annotation):
    """Z-SER-016"""
    field = get_field_from_type(annotation)
    assert field.allow_null is True
    assert field.required is False


def test_optional_accepts_null_and_missing():
    """Z-SER-017"""

    class S(Serializer):
        bio: str | None

    s = S(data={"bio": None})
    assert s.is_valid()
    assert s.validated_data == {"bio": None}
    assert S(data={}).is_valid()


def test_optional_literal():
    """Z-SER-018"""
    field = get_field_from_type(Literal["a", "b"] | None)
    assert isinstance(field, drf_fields.ChoiceField)
    assert field.allow_null is True

    class S(Serializer):
        role: Optional[Literal["admin", "user"]] = Field()

    assert S(data={"role": None}).is_valid()
    assert S(data={"role": "admin"}).is_valid()
    assert not S(data={"role": "foo"}).is_valid()


def test_optional_list():
    """Z-SER-019"""
    field = get_field_from_type(list[str] | None)
    assert isinstance(field, drf_fields.ListField)
    assert field.allow_null is True

    class S(Serializer):
        tags: list[str] | None

    assert S(data={"tags": None}).is_valid()


def test_optional_nested():
    """Z-SER-020"""

    class S(Serializer):
        inner: Inner | None

    field = fields_of(S)["inner"]
    assert isinstance(field, Inner)
    assert field.allow_null is True
    s = S(data={"inner": None})
    assert s.is_valid()
    assert s.validated_data["inner"] is None


@pytest.mark.parametrize("annotation", ["int | str", "Union[int, str]", "int | str | None"])
def test_ambiguous_union(annotation):
    """Z-SER-021"""
    with pytest.raises(AssertionError, match="union with multiple non-None members is ambiguous"):
        type(Serializer)(
            "S",
            (Serializer,),
            {"__module__": __name__, "__annotations__": {"x": eval(annotation)}},
        )


def test_optional_required_true():
    """Z-SER-022"""

    class S(Serializer):
        x: int | None = Field(required=True)

    field = fields_of(S)["x"]
    assert (field.required, field.allow_null) == (True, True)
    assert not S(data={}).is_valid()


def test_optional_allow_null_false():
    """Z-SER-023"""

    class S(Serializer):
        x: Optional[int] = Field(allow_null=False)

    field = fields_of(S)["x"]
    assert (field.allow_null, field.required) == (False, False)


def test_optional_with_default_none():
    """Z-SER-024"""

    class S(Serializer):
        n: int | None = Field(required=False, default=None)

    s = S(data={})
    assert s.is_valid()
    assert s.validated_data == {"n": None}


# --- NotRequired --------------------------------------------------------------------


def test_not_required():
    """Z-SER-025"""

    class S(Serializer):
        nick: NotRequired[str]

    field = fields_of(S)["nick"]
    assert (field.required, field.allow_null) == (False, False)
    assert S(data={}).is_valid()
    assert not S(data={"nick": None}).is_valid()


def test_not_required_optional():
    """Z-SER-026"""

    class S(Serializer):
        bio: NotRequired[str | None]

    field = fields_of(S)["bio"]
    assert (field.required, field.allow_null) == (False, True)
    assert S(data={"bio": None}).is_valid()


def test_not_required_list():
    """Z-SER-027"""

    class S(Serializer):
        tags: NotRequired[list[str]]

    field = fields_of(S)["tags"]
    assert isinstance(field, drf_fields.ListField)
    assert field.required is False
    assert S(data={}).is_valid()


def test_not_required_with_field_kwargs():
    """Z-SER-028"""

    class S(Serializer):
        password: NotRequired[str] = Field(write_only=True, min_length=4)

    field = fields_of(S)["password"]
    assert (field.required, field.write_only) == (False, True)
    assert not S(data={"password": "ab"}).is_valid()
    assert S(data={"password": "abcd"}).is_valid()


def test_not_required_forced_required():
    """Z-SER-029"""

    class S(Serializer):
        x: NotRequired[str] = Field(required=True)

    assert fields_of(S)["x"].required is True
    assert not S(data={}).is_valid()


# --- Annotated ----------------------------------------------------------------------


def test_annotated_plain():
    """Z-SER-030"""
    field = get_field_from_type(Annotated[int, "x"])
    assert type(field) is drf_fields.IntegerField
    assert field._kwargs == {}


def test_annotated_optional():
    """Z-SER-031"""
    for annotation in (Annotated[int | None, "x"], Optional[Annotated[int, "m"]]):
        field = get_field_from_type(annotation)
        assert type(field) is drf_fields.IntegerField
        assert (field.allow_null, field.required) == (True, False)


def test_annotated_serializer_and_list():
    """Z-SER-032 W-13"""
    assert isinstance(get_field_from_type(Annotated[Inner, "m"]), Inner)
    field = get_field_from_type(list[Annotated[Inner, "m"]])
    assert isinstance(field, drf_serializers.ListSerializer)
    assert isinstance(field.child, Inner)


def test_annotated_field_metadata_is_ignored():
    """W-19: a Field inside Annotated metadata is documented as ignored."""
    field = get_field_from_type(Annotated[int, Field(min_value=1)])
    assert field.min_value is None


# --- Literal ------------------------------------------------------------------------


def test_literal_choices():
    """Z-SER-033"""
    field = get_field_from_type(Literal["a", "b", "c"])
    assert isinstance(field, drf_fields.ChoiceField)
    assert {"a", "b", "c"} <= set(field.choices)

    class S(Serializer):
        x: Literal["a", "b", "c"]

    assert S(data={"x": "a"}).is_valid()
    assert not S(data={"x": "z"}).is_valid()


def test_literal_error():
    """Z-SER-034"""

    class S(Serializer):
        role: Literal["admin", "user"]

    s = S(data={"role": "ghost"})
    assert not s.is_valid()
    assert s.errors["role"] == ['"ghost" is not a valid choice.']
    assert s.errors["role"][0].code == "invalid_choice"


def test_literal_int():
    """Z-SER-035"""

    class S(Serializer):
        x: Literal[1, 2]

    s = S(data={"x": "1"})
    assert s.is_valid()
    assert s.validated_data["x"] == 1
    assert type(s.validated_data["x"]) is int


def test_literal_default():
    """Z-SER-036"""

    class S(Serializer):
        role: Literal["admin", "user"] = Field(required=False, default="user")

    s = S(data={})
    assert s.is_valid()
    assert s.validated_data == {"role": "user"}


def test_literal_write_only():
    """Z-SER-037"""

    class S(Serializer):
        role: Literal["admin", "user"] = Field(write_only=True)
        name: str

    assert S({"role": "admin", "name": "n"}).data == {"name": "n"}


def test_literal_explicit_choices_win():
    """Z-SER-038 W-12"""
    field = get_field_from_type(Literal["a"], choices=[("x", "x")])
    assert list(field.choices) == ["x"]


def test_literal_enum_member():
    """Z-SER-039"""

    class Color(enum.Enum):
        R = "r"
        G = "g"

    class S(Serializer):
        c: Literal[Color.R]

    s = S(data={"c": "r"})
    assert s.is_valid(), s.errors
    assert s.validated_data["c"] is Color.R
    assert not S(data={"c": "g"}).is_valid()
    # Keyed by value on every DRF (DRF 3.14 keyed members by str(member), "Color.R").
    assert not S(data={"c": "Color.R"}).is_valid()
    s = S(data={"c": Color.R})
    assert s.is_valid(), s.errors
    assert s.validated_data["c"] is Color.R


# --- list ---------------------------------------------------------------------------


def test_list_types():
    """Z-SER-040"""
    field = get_field_from_type(list[int])
    assert isinstance(field, drf_fields.ListField)
    assert isinstance(field.child, drf_fields.IntegerField)
    field = get_field_from_type(list[list[int]])
    assert isinstance(field.child.child, drf_fields.IntegerField)
    field = get_field_from_type(list[list[list[str]]])
    assert isinstance(field.child.child, drf_fields.ListField)
    assert isinstance(field.child.child.child, drf_fields.CharField)


def test_matrix():
    """Z-SER-041"""

    class S(Serializer):
        matrix: list[list[int]]

    s = S(data={"matrix": [[1, 2], [3, 4]]})
    assert s.is_valid()
    assert s.validated_data["matrix"] == [[1, 2], [3, 4]]


def test_list_of_optional():
    """Z-SER-042"""

    class S(Serializer):
        xs: list[int | None]

    s = S(data={"xs": [1, None, 3]})
    assert s.is_valid()
    assert s.validated_data["xs"] == [1, None, 3]


def test_list_lengths():
    """Z-SER-043"""

    class S(Serializer):
        xs: list[str] = Field(min_length=1, max_length=2)

    class E(Serializer):
        xs: list[str] = Field(allow_empty=False)

    class P(Serializer):
        xs: list[str]

    assert not S(data={"xs": []}).is_valid()
    assert not S(data={"xs": ["a", "b", "c"]}).is_valid()
    assert S(data={"xs": ["a"]}).is_valid()
    assert not E(data={"xs": []}).is_valid()
    assert P(data={"xs": []}).is_valid()


def test_optional_list_lengths():
    """Z-SER-044"""

    class S(Serializer):
        xs: list[str] | None = Field(min_length=1, max_length=3)

    assert S(data={"xs": None}).is_valid()
    assert not S(data={"xs": []}).is_valid()
    assert S(data={"xs": ["a", "b"]}).is_valid()


def test_list_kwargs_go_to_list_not_child():
    """Z-SER-045"""
    field = get_field_from_type(list[str], min_length=1, max_length=3, allow_empty=False)
    assert (field.min_length, field.max_length, field.allow_empty) == (1, 3, False)
    assert field.child.min_length is None


def test_list_explicit_child_wins():
    """Z-SER-046 W-12"""

    class S(Serializer):
        xs: list[str] = Field(child=drf_fields.IntegerField())

    assert isinstance(fields_of(S)["xs"].child, drf_fields.IntegerField)
    s = S(data={"xs": ["1"]})
    assert s.is_valid()
    assert s.validated_data["xs"] == [1]


def test_list_errors():
    """Z-SER-047"""

    class S(Serializer):
        c: list[int]

    s = S(data={"c": 1})
    assert not s.is_valid()
    assert s.errors["c"][0].code == "not_a_list"
    s = S(data={"c": ["x"]})
    assert not s.is_valid()
    assert list(s.errors["c"]) == [0]
    assert s.errors["c"][0][0].code == "invalid"


# --- nested -------------------------------------------------------------------------


def test_nested():
    """Z-SER-048"""

    class S(Serializer):
        inner: Inner

    assert isinstance(fields_of(S)["inner"], Inner)
    s = S(data={"inner": {"name": "n"}})
    assert s.is_valid()
    assert s.validated_data == {"inner": {"name": "n"}}


def test_list_of_serializers():
    """Z-SER-049"""

    class S(Serializer):
        items_: list[Inner]

    field = fields_of(S)["items_"]
    assert isinstance(field, drf_serializers.ListSerializer)
    assert isinstance(field.child, Inner)
    assert S(data={"items_": [{"name": "a"}, {"name": "b"}]}).is_valid()


def test_optional_list_of_serializers():
    """Z-SER-050"""
    field = get_field_from_type(list[Inner] | None)
    assert isinstance(field, drf_serializers.ListSerializer)
    assert (field.allow_null, field.required) == (True, False)


def test_list_of_optional_serializers():
    """Z-SER-051"""

    class S(Serializer):
        xs: list[N | None]

    field = fields_of(S)["xs"]
    assert isinstance(field, drf_fields.ListField)
    assert isinstance(field.child, N)
    assert field.child.allow_null is True
    s = S(data={"xs": [{"n": 1}, None, {"n": 2}]})
    assert s.is_valid(), s.errors


def test_nested_many_and_source():
    """Z-SER-052"""

    class S(Serializer):
        inner: Inner = Field(many=True)
        k: list[Inner] = Field(source="kk")

    assert isinstance(fields_of(S)["inner"], drf_serializers.ListSerializer)

    class Obj:
        inner = ()
        kk = ({"name": "x"},)

    assert S(Obj()).data["k"] == [{"name": "x"}]


def test_partial_nested():
    """Z-SER-053"""

    class In(Serializer):
        x: int
        y: int

    class Outer(Serializer):
        inner: In

    assert Outer(data={"inner": {"x": 1}}, partial=True).is_valid()


def test_nested_errors():
    """Z-SER-054"""

    class In(Serializer):
        a: int
        b: int

    class S(Serializer):
        inner: In
        items_: list[In] = Field(required=False)

    s = S(data={"inner": {"a": 1}})
    assert not s.is_valid()
    assert s.errors["inner"] == {"b": ["This field is required."]}
    s = S(data={"inner": "x"})
    assert not s.is_valid()
    assert s.errors["inner"] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got str."]
    }
    s = S(data={"inner": {"a": 1, "b": 2}, "items_": {"a": 1}})
    assert not s.is_valid()
    assert s.errors["items_"]["non_field_errors"][0].code == "not_a_list"


def test_plain_drf_serializer_as_type():
    """Z-SER-055"""

    class D(drf_serializers.Serializer):
        a = drf_fields.IntegerField()

    assert isinstance(get_field_from_type(D), D)

    class S(Serializer):
        d: D

    assert S(data={"d": {"a": 1}}).is_valid()


# --- unsupported --------------------------------------------------------------------


class Plain:
    pass


class Colour(enum.Enum):
    RED = 1


class Slug(str):
    pass


UNSUPPORTED = [
    set[int],
    set,
    frozenset,
    tuple,
    tuple[int],
    dict[str, int],
    bytearray,
    object,
    None,
    Plain,
    Colour,
    typing.Required[int] if sys.version_info >= (3, 11) else set,
    Slug,
]


@pytest.mark.parametrize("annotation", UNSUPPORTED)
def test_unsupported(annotation):
    """Z-SER-056"""
    with pytest.raises(AssertionError) as info:
        get_field_from_type(annotation)
    assert str(info.value).startswith("annotation must be a supported type")
    with pytest.raises(AssertionError, match=r"^annotation must be a supported type"):
        type(Serializer)(
            "S", (Serializer,), {"__module__": __name__, "__annotations__": {"x": annotation}}
        )


def test_unsupported_message_names_type():
    """Z-SER-056"""
    with pytest.raises(AssertionError, match=r"^annotation must be a supported type, not <class"):
        get_field_from_type(set)


def test_unknown_kwarg():
    """Z-SER-057"""
    with pytest.raises(TypeError):

        class S(Serializer):
            x: int = Field(bogus=1)


def test_conflicting_kwargs():
    """Z-SER-058"""
    with pytest.raises(AssertionError, match="May not set both `required` and `default`"):

        class S(Serializer):
            x: int = Field(required=True, default=1)


def test_classvar_is_not_a_field():
    """Z-SER-059 W-15"""

    class S(Serializer):
        x: ClassVar[int] = 3
        y: int

    assert S.x == 3
    assert list(fields_of(S)) == ["y"]


def test_future_annotations_module():
    """Z-SER-060 W-01"""
    from tests.serializers import future_module

    fields = fields_of(future_module.S)
    assert isinstance(fields["a"], drf_fields.IntegerField)
    assert isinstance(fields["b"], drf_fields.ListField)
    assert fields["b"].allow_null is True
    assert isinstance(fields["nested"], future_module.Child)
    s = future_module.S(data={"a": "1", "b": None, "nested": {"v": 2}})
    assert s.is_valid(), s.errors
    assert s.validated_data.nested.v == 2


def test_unevaluable_string_annotation():
    """Z-SER-061 W-01"""
    with pytest.raises(AssertionError, match="later_field") as info:

        class S(Serializer):
            later_field: DefinedLater  # type: ignore[name-defined]  # noqa: F821

    assert "DefinedLater" in str(info.value)


# --- SerializerFieldMap / get_field_from_type ---------------------------------------


def test_register_new_type():
    """Z-SER-062 Z-SER-063"""
    Phone = NewType("Phone", str)
    with pytest.raises(AssertionError):

        class Before(Serializer):
            p: Phone

    class Kept(Serializer):
        d: decimal.Decimal

    SerializerFieldMap[Phone] = drf_fields.RegexField
    original = SerializerFieldMap[decimal.Decimal]
    SerializerFieldMap[decimal.Decimal] = drf_fields.FloatField
    try:

        class S(Serializer):
            p: Phone = Field(regex=r"^\+\d+$")

        assert isinstance(fields_of(S)["p"], drf_fields.RegexField)
        assert S(data={"p": "+123"}).is_valid()
        assert not S(data={"p": "abc"}).is_valid()
        assert isinstance(fields_of(Kept)["d"], DecimalField)  # Z-SER-063
    finally:
        del SerializerFieldMap[Phone]
        SerializerFieldMap[decimal.Decimal] = original


def test_field_name_has_no_effect():
    """Z-SER-064"""
    field = get_field_from_type(int, field_name="abc")
    assert type(field) is drf_fields.IntegerField
    assert field.field_name is None


# --- Field carrier ------------------------------------------------------------------


def test_clone_with_type():
    """Z-SER-065"""
    field = Field(write_only=True).clone(_type=int)
    assert isinstance(field, drf_fields.IntegerField)
    assert field.write_only is True


def test_clone_without_type():
    """Z-SER-066"""
    carrier = Field(write_only=True, required=False).clone()
    assert isinstance(carrier, Field)
    assert carrier.field_kwargs == {"write_only": True, "required": False}


def test_clone_with_field_name():
    """Z-SER-067"""
    field = Field(default=5).clone(_type=int, field_name="x")
    assert isinstance(field, drf_fields.IntegerField)
    assert field.default == 5


def test_defaults():
    """Z-SER-068"""

    class S(Serializer):
        name: str = Field(default="anon")

    class L(Serializer):
        x: int = Field(default=lambda: 99)

    counter = itertools.count(1)

    class C(Serializer):
        x: int = Field(default=lambda: next(counter))

    s = S(data={})
    assert s.is_valid()
    assert s.validated_data == {"name": "anon"}
    s = L(data={})
    assert s.is_valid()
    assert s.validated_data == {"x": 99}
    first, second = C(data={}), C(data={})
    assert first.is_valid() and second.is_valid()
    assert (first.validated_data["x"], second.validated_data["x"]) == (1, 2)


def test_required_flag():
    """Z-SER-069"""

    class S(Serializer):
        a: int = Field(required=False)
        b: int = Field(required=True)

    s = S(data={})
    assert not s.is_valid()
    assert "a" not in s.errors
    assert s.errors["b"][0].code == "required"
    s = S(data={"b": 1})
    assert s.is_valid()
    assert "a" not in s.validated_data


def test_string_kwargs():
    """Z-SER-070"""

    class S(Serializer):
        short: str = Field(max_length=3, required=False)
        long: str = Field(min_length=3, required=False)
        blank: str = Field(allow_blank=True, required=False)
        strict: str = Field(allow_blank=False, required=False)

    assert not S(data={"short": "abcd"}).is_valid()
    assert not S(data={"long": "ab"}).is_valid()
    assert S(data={"blank": ""}).is_valid()
    assert not S(data={"strict": ""}).is_valid()


def test_trim_whitespace():
    """Z-SER-071"""

    class S(Serializer):
        a: str = Field(trim_whitespace=True)
        b: str = Field(trim_whitespace=False)

    s = S(data={"a": "  hi  ", "b": "  hi  "})
    assert s.is_valid()
    assert s.validated_data == {"a": "hi", "b": "  hi  "}


def test_numeric_bounds_inclusive():
    """Z-SER-072"""

    class S(Serializer):
        i: int = Field(min_value=1, max_value=3, required=False)
        f: float = Field(min_value=1.0, max_value=3.0, required=False)
        td: datetime.timedelta = Field(
            min_value=datetime.timedelta(seconds=1),
            max_value=datetime.timedelta(seconds=3),
            required=False,
        )
        d: decimal.Decimal = Field(
            min_value=decimal.Decimal("1"), max_value=decimal.Decimal("3"), required=False
        )

    for key, low, high, below, above in [
        ("i", 1, 3, 0, 4),
        ("f", 1.0, 3.0, 0.5, 3.5),
        ("td", "1", "3", "0.5", "3.5"),
        ("d", "1", "3", "0.5", "3.5"),
    ]:
        assert S(data={key: low}).is_valid()
        assert S(data={key: high}).is_valid()
        assert not S(data={key: below}).is_valid()
        assert not S(data={key: above}).is_valid()


def test_metadata_kwargs():
    """Z-SER-073"""

    class S(Serializer):
        a: int = Field(help_text="hint", label="X")
        b: int = Field(initial=42)

    fields = fields_of(S)
    assert (fields["a"].help_text, fields["a"].label) == ("hint", "X")
    assert fields["b"].initial == 42


def must_be_even(value):
    if value % 2:
        raise drf_serializers.ValidationError("must be even")


def test_validators_kwarg():
    """Z-SER-074"""

    class S(Serializer):
        x: int = Field(validators=[must_be_even])

    s = S(data={"x": 3})
    assert not s.is_valid()
    assert s.errors["x"] == ["must be even"]
    assert S(data={"x": 4}).is_valid()


def test_write_only_and_read_only():
    """Z-SER-075"""

    class S(Serializer):
        secret: str = Field(write_only=True)
        n: int = Field(read_only=True)
        name: str

    s = S(data={"secret": "s", "n": 5, "name": "a"})
    assert s.is_valid()
    assert s.validated_data["secret"] == "s"
    assert "n" not in s.validated_data
    assert S({"secret": "s", "n": 5, "name": "a"}).data == {"n": 5, "name": "a"}


def test_source_kwarg():
    """Z-SER-076"""

    class S(Serializer):
        title: str = Field(source="name")

    class Obj:
        name = "Ada"

    assert S(Obj()).data == {"title": "Ada"}


def test_input_formats():
    """Z-SER-077"""

    class S(Serializer):
        dt: datetime.datetime = Field(input_formats=["%Y/%m/%d %H:%M"], required=False)
        d: datetime.date = Field(input_formats=["%d/%m/%Y"], required=False)
        t: datetime.time = Field(input_formats=["%H:%M"], required=False)

    s = S(data={"dt": "2024/01/02 10:30", "d": "31/12/2024", "t": "10:30"})
    assert s.is_valid(), s.errors
    assert s.validated_data["d"] == datetime.date(2024, 12, 31)
    assert s.validated_data["t"] == datetime.time(10, 30)


def test_uuid_hex_format():
    """Z-SER-078"""

    class S(Serializer):
        u: uuid.UUID = Field(format="hex")

    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert S({"u": value}).data["u"] == value.hex
    assert S(data={"u": str(value)}).is_valid()


def test_ip_protocol():
    """Z-SER-079"""

    class V4(Serializer):
        ip: IPAddress = Field(protocol="ipv4")

    class V6(Serializer):
        ip: IPAddress = Field(protocol="ipv6")

    class Both(Serializer):
        ip: IPAddress = Field(protocol="both")

    assert not V4(data={"ip": "::1"}).is_valid()
    assert not V6(data={"ip": "127.0.0.1"}).is_valid()
    assert Both(data={"ip": "::1"}).is_valid()
    assert Both(data={"ip": "127.0.0.1"}).is_valid()


def test_dict_child():
    """Z-SER-080"""

    class S(Serializer):
        m: dict = Field(child=drf_fields.IntegerField())

    assert not S(data={"m": {"a": "x"}}).is_valid()
    assert S(data={"m": {"a": "1"}}).is_valid()


def test_json_binary():
    """Z-SER-081"""

    class S(Serializer):
        a: Any = Field(binary=True)

    assert fields_of(S)["a"].binary is True


def test_decimal_coerce_to_string():
    """Z-SER-082"""

    class S(Serializer):
        d: decimal.Decimal = Field(coerce_to_string=False)

    assert S({"d": decimal.Decimal("1.5")}).data["d"] == decimal.Decimal("1.500000")
    assert isinstance(S({"d": decimal.Decimal("1.5")}).data["d"], decimal.Decimal)


def test_email_kwargs():
    """Z-SER-083"""

    class S(Serializer):
        e: Email = Field(max_length=20)

    class B(Serializer):
        e: Email = Field(allow_blank=True)

    assert not S(data={"e": "a" * 15 + "@example.com"}).is_valid()
    assert B(data={"e": ""}).is_valid()
    s = S(data={"e": "nope"})
    assert not s.is_valid()
    assert s.errors["e"] == ["Enter a valid email address."]


def test_field_subclass_carrier():
    """Z-SER-084 W-17"""

    class MyField(Field):
        pass

    class S(Serializer):
        x: int = MyField(min_value=3)

    assert fields_of(S)["x"].min_value == 3
    assert not S(data={"x": 1}).is_valid()
