"""How class bodies become ``_declared_fields`` (§2.1, §4)."""

import pytest
from rest_framework import fields as drf_fields

from restflow.helpers import RESERVED_SERIALIZER_ATTRS
from restflow.serializers import Field, Serializer


def test_explicit_field_wins_over_annotation():
    """Z-SER-085"""

    class S(Serializer):
        name: int = drf_fields.CharField(default="hello")

    field = S().fields["name"]
    assert type(field) is drf_fields.CharField
    s = S(data={})
    assert s.is_valid()
    assert s.validated_data == {"name": "hello"}


def test_explicit_fields_keep_creation_order():
    """Z-SER-086"""

    class S(Serializer):
        z = drf_fields.CharField()
        a = drf_fields.CharField()
        m = drf_fields.CharField()

    assert list(S().fields) == ["z", "a", "m"]


def test_mixed_ordering():
    """Z-SER-087"""

    class A(Serializer):
        z = drf_fields.CharField()
        b: int
        a: int
        c: str = Field()

    class B(A):
        y = drf_fields.CharField()
        b: str

    assert list(A().fields) == ["b", "a", "c", "z"]
    assert list(B().fields) == ["a", "c", "z", "b", "y"]
    assert isinstance(B().fields["b"], drf_fields.CharField)


def test_inheritance_levels_and_diamond():
    """Z-SER-088"""

    class One(Serializer):
        a: int

    class Two(One):
        b: int

    class Three(Two):
        c: int

    assert list(Three().fields) == ["a", "b", "c"]

    class L(Serializer):
        x: int

    class M1(L):
        m1: int

    class M2(L):
        m2: int

    class D(M1, M2):
        d: int

    assert set(D().fields) == {"x", "m1", "m2", "d"}


def test_child_redeclares_type():
    """Z-SER-089"""

    class Base(Serializer):
        a: int
        b: int

    class Child(Base):
        a: str

    assert isinstance(Child().fields["a"], drf_fields.CharField)
    assert set(Child().fields) == {"a", "b"}


def test_child_field_kwargs():
    """Z-SER-090"""

    class Base(Serializer):
        x: int
        name: str = Field(max_length=3)

    class Child(Base):
        x: int = Field(min_value=10)

    class Other(Base):
        extra: int

    assert not Child(data={"x": 1, "name": "ab"}).is_valid()
    assert Child(data={"x": 100, "name": "ab"}).is_valid()
    s = Other(data={"x": 1, "name": "abcd", "extra": 1})
    assert not s.is_valid()
    assert "name" in s.errors


@pytest.mark.parametrize("name", sorted(RESERVED_SERIALIZER_ATTRS))
def test_reserved_names(name):
    """Z-SER-091"""
    message = f"`{name}` collides with a Serializer attribute. Choose a different name."
    with pytest.raises(ValueError) as info:
        type(Serializer)(
            "S", (Serializer,), {"__module__": __name__, "__annotations__": {name: int}}
        )
    assert str(info.value) == message


def test_reserved_name_as_explicit_field():
    """Z-SER-092"""

    class S(Serializer):
        data = drf_fields.CharField()

    assert "data" in S().fields


def test_plain_value_is_not_a_default():
    """Z-SER-093 W-16"""
    with pytest.warns(UserWarning, match="name"):

        class S(Serializer):
            name: str = "anon"

    s = S(data={})
    assert not s.is_valid()
    assert s.errors == {"name": ["This field is required."]}
    assert S.name == "anon"


def test_carrier_without_annotation():
    """Z-SER-094 W-16"""
    with pytest.raises(TypeError, match="annotation") as info:

        class S(Serializer):
            x = Field(default=1)

    assert "x" in str(info.value)

    class Base(Serializer):
        x: int

    with pytest.raises(TypeError, match="annotation"):

        class Child(Base):
            x = Field(default=1)


def test_none_removes_inherited_field():
    """Z-SER-095 W-18"""

    class Base(Serializer):
        a: int
        b: int

    class Child(Base):
        a = None

    assert list(Child().fields) == ["b"]


def test_fields_are_removed_from_the_namespace():
    """Z-SER-096 W-17"""

    class S(Serializer):
        explicit_field = drf_fields.CharField()
        carrier_field: int = Field(required=False)
        save: int = Field(required=False)

    with pytest.raises(AttributeError):
        S.explicit_field  # noqa: B018
    with pytest.raises(AttributeError):
        S.carrier_field  # noqa: B018
    instance = S(data={})
    assert callable(instance.save)
    assert "save" in instance.fields


def test_underscore_names_are_fields():
    """§2.1: names starting with `_` get no special treatment."""

    class S(Serializer):
        _x: int

    assert list(S().fields) == ["_x"]


def test_declared_fields_built_once_per_class():
    """Instances clone the class-level fields: no shared state between instances."""

    class S(Serializer):
        tags: list[int] = Field(validators=[])
        name: str

    first, second = S(), S()
    assert first.fields["tags"] is not second.fields["tags"]
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    first.fields["name"].validators.append(lambda value: None)
    assert len(second.fields["name"].validators) == len(S._declared_fields["name"].validators)
    assert first.fields["name"].parent is first
    assert S._declared_fields["name"].parent is None
