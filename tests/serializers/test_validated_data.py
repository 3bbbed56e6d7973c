"""``ValidatedData``, ``to_json``, ``normalize_default``, ``transform_validated_data`` (§11)."""

import copy
import datetime
import decimal
import json
import pickle
import uuid
from collections.abc import Mapping, MutableMapping
from typing import Any

import pytest

from restflow.serializers import Field, Serializer, ValidatedData
from restflow.serializers.validated_data import normalize_default, transform_validated_data


class Leaf(Serializer):
    v: int


class Mid(Serializer):
    leaf: Leaf


class Top(Serializer):
    mid: Mid


class Y(Serializer):
    a: int


class WithNested(Serializer):
    y: Y
    ys: list[Y]


def validated(serializer_class, data):
    s = serializer_class(data=data)
    assert s.is_valid(), s.errors
    return s.validated_data


def test_attribute_access():
    """Z-SER-171"""

    class S(Serializer):
        name: str

    vd = validated(S, {"name": "n"})
    assert isinstance(vd, ValidatedData)
    assert vd.name == vd["name"] == vd.get("name") == "n"


def test_is_a_dict():
    """Z-SER-172"""
    vd = ValidatedData({"a": 1})
    assert isinstance(vd, dict)
    assert isinstance(vd, Mapping)
    assert isinstance(vd, MutableMapping)
    assert vd == {"a": 1}
    assert dict(vd) == {"a": 1}

    def stub(a):
        return a

    assert stub(**vd) == 1
    with pytest.raises(TypeError):
        hash(vd)
    assert type(vd.copy()) is dict
    assert type(vd | {"b": 2}) is dict


def test_nested_conversion():
    """Z-SER-173"""
    vd = validated(WithNested, {"y": {"a": 1}, "ys": [{"a": 2}]})
    assert isinstance(vd.y, ValidatedData)
    assert vd.y.a == 1
    assert isinstance(vd.ys[0], ValidatedData)
    assert vd.ys[0].a == 2
    assert validated(Top, {"mid": {"leaf": {"v": 42}}}).mid.leaf.v == 42


def test_methods_win_on_read():
    """Z-SER-174"""

    class S(Serializer):
        items_: list[int] = Field(source="items")

    vd = validated(S, {"items_": [1]})
    assert callable(vd.items)
    assert vd["items"] == [1]


def test_missing_keys():
    """Z-SER-175"""
    vd = ValidatedData({"a": 1})
    with pytest.raises(AttributeError):
        vd.missing  # noqa: B018
    with pytest.raises(KeyError):
        vd["missing"]
    with pytest.raises(AttributeError):
        del vd.missing
    try:
        vd.missing  # noqa: B018
    except AttributeError as exc:
        assert isinstance(exc.__cause__, KeyError)


def test_attribute_writes():
    """Z-SER-176"""
    vd = ValidatedData()
    vd.b = 2
    assert vd["b"] == 2
    vd["c"] = 3
    assert vd.c == 3
    del vd.b
    assert "b" not in vd
    vd.items = "payload"
    assert vd["items"] == "payload"
    assert callable(vd.items)


def test_repr():
    """Z-SER-177"""
    assert repr(ValidatedData({"a": 1})) == "ValidatedData({'a': 1})"


def test_pickle_and_deepcopy():
    """Z-SER-178"""
    vd = transform_validated_data({"inner": {"name": "n"}, "xs": [{"k": 1}]})
    for revived in (pickle.loads(pickle.dumps(vd)), copy.deepcopy(vd), copy.copy(vd)):
        assert type(revived) is ValidatedData
        assert type(revived.inner) is ValidatedData
        assert revived.inner.name == "n"
        assert revived == vd
    assert type(copy.deepcopy(vd).xs[0]) is ValidatedData


def test_dunder_json():
    """Z-SER-179"""
    vd = transform_validated_data({"a": 1, "n": {"b": 2}})
    plain = vd.__json__()
    assert type(plain) is dict
    assert plain == {"a": 1, "n": {"b": 2}}


def test_same_object_and_write_only():
    """Z-SER-180"""

    class S(Serializer):
        password: str = Field(write_only=True)

    s = S(data={"password": "p"})
    assert s.is_valid()
    assert s.validated_data is s.validated_data
    assert s.validated_data.password == "p"
    s.validated_data.extra = 1
    assert s.validated_data["extra"] == 1


async def test_after_ais_valid():
    """Z-SER-181"""

    class S(Serializer):
        y: Y

        async def validate(self, attrs):
            attrs["added"] = 5
            return attrs

    s = S(data={"y": {"a": 1}})
    assert await s.ais_valid()
    assert isinstance(s.validated_data, ValidatedData)
    assert s.validated_data.y.a == 1
    assert s.validated_data.added == 5


def test_invalid_data_gives_empty():
    """Z-SER-182"""
    s = Y(data={})
    assert not s.is_valid()
    assert s.validated_data == {}
    assert isinstance(s.validated_data, ValidatedData)


def test_to_json():
    """Z-SER-183"""
    vd = ValidatedData({"a": 1, "b": "x"})
    assert json.loads(vd.to_json()) == {"a": 1, "b": "x"}
    assert "\n  " in vd.to_json(indent=2)
    assert vd.to_json(sort_keys=True) == '{"a": 1, "b": "x"}'


def test_to_json_decimal():
    """Z-SER-184"""

    class S(Serializer):
        price: decimal.Decimal

    assert json.loads(validated(S, {"price": "10.5"}).to_json()) == {"price": "10.500000"}


def test_to_json_dates_and_uuid():
    """Z-SER-185"""
    value = uuid.uuid4()
    vd = ValidatedData(
        {
            "dt": datetime.datetime(2026, 5, 8, 12, 30, tzinfo=datetime.timezone.utc),
            "d": datetime.date(2026, 5, 8),
            "u": value,
        }
    )
    out = json.loads(vd.to_json())
    assert out["dt"].startswith("2026-05-08T12:30:00")
    assert out["d"] == "2026-05-08"
    assert out["u"] == str(value)


def test_to_json_user_default():
    """Z-SER-186"""

    class Point:
        x = 1

    def default(obj):
        if isinstance(obj, Point):
            return {"x": obj.x}
        raise TypeError

    def first(obj):
        return "user"

    vd = ValidatedData({"p": Point(), "d": decimal.Decimal("1.5")})
    assert json.loads(vd.to_json(default=default)) == {"p": {"x": 1}, "d": "1.5"}
    assert json.loads(vd.to_json(default=first)) == {"p": "user", "d": "user"}


def test_normalize_default():
    """Z-SER-187"""
    result = normalize_default(ValidatedData({"b": 2}))
    assert type(result) is dict
    assert result == {"b": 2}
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        normalize_default(object())


def test_to_json_timedelta():
    """Z-SER-188 W-23"""

    class S(Serializer):
        d: datetime.timedelta

    vd = validated(S, {"d": "01:00:00"})
    assert json.loads(vd.to_json()) == {"d": "3600.0"}
    assert validated(S, {"d": "3600.0"}).d == datetime.timedelta(hours=1)


def test_transform_identity_and_lists():
    """Z-SER-189"""
    existing = ValidatedData({"a": {"b": 1}})
    assert transform_validated_data(existing) is existing
    out = transform_validated_data([{"a": 1}, {"b": 2}])
    assert type(out) is list
    assert all(type(item) is ValidatedData for item in out)
    for scalar in (1, "s", (1, 2), {1, 2}, None):
        assert transform_validated_data(scalar) is scalar


def test_transform_cycles():
    """Z-SER-190"""
    payload: dict[str, Any] = {"a": 1}
    payload["self"] = payload
    wrapped = transform_validated_data(payload)
    assert wrapped.a == 1
    assert wrapped["self"] is payload
    items: list[Any] = [1, 2]
    items.append(items)
    wrapped_list = transform_validated_data(items)
    assert wrapped_list[2] is items


def test_transform_shared_without_cycle():
    """Z-SER-191 W-12b"""
    d = {"x": 1}
    wrapped = transform_validated_data({"a": d, "b": d})
    assert type(wrapped.a) is ValidatedData
    assert type(wrapped.b) is ValidatedData


def test_deep_any_payload():
    """Z-SER-192 W-12b"""

    class S(Serializer):
        a: Any

    deep: Any = "leaf"
    for _ in range(700):
        deep = [deep]
    s = S(data={"a": deep})
    assert s.is_valid()
    node = s.validated_data.a
    for _ in range(700):
        node = node[0]
    assert node == "leaf"
    deep_dict: Any = {"v": 1}
    for _ in range(5000):
        deep_dict = {"n": deep_dict}
    wrapped = transform_validated_data(deep_dict)
    assert type(wrapped.n.n.n) is ValidatedData


async def test_payload_deeper_than_the_recursion_limit():
    """W-12b: nesting beyond Python's recursion limit is a field error, never a crash."""

    class S(Serializer):
        a: Any

    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    s = S(data={"a": deep})
    assert not s.is_valid()
    assert s.errors["a"][0].code == "max_depth"
    s = S(data={"a": deep})
    assert not await s.ais_valid()
    assert s.errors["a"] == ["The value is nested too deeply."]
