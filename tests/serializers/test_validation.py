"""Sync and async validation, hooks and saving on plain serializers (§5, §7)."""

import asyncio
import threading
import warnings

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty

from restflow.serializers import Field, Serializer, ValidatedData
from tests.serializers.app.models import SampleModel
from tests.serializers.drf_versions import per_item_errors

# --- sync ---------------------------------------------------------------------------


def test_validate_field_hook_transforms():
    """Z-SER-097"""

    class S(Serializer):
        name: str

        def validate_name(self, value):
            return value.upper()

    s = S(data={"name": "ada"})
    assert s.is_valid()
    assert s.validated_data["name"] == "ADA"


def test_validate_adds_key():
    """Z-SER-098"""

    class S(Serializer):
        a: int
        b: int

        def validate(self, attrs):
            attrs["sum"] = attrs["a"] + attrs["b"]
            return attrs

    s = S(data={"a": 1, "b": 2})
    assert s.is_valid()
    assert s.validated_data["sum"] == 3


def test_all_errors_at_once():
    """Z-SER-099"""

    class S(Serializer):
        a: int
        b: str
        c: bool

    s = S(data={"a": "x", "c": "maybe"})
    assert not s.is_valid()
    assert set(s.errors) == {"a", "b", "c"}


class Named(Serializer):
    name: str


def test_non_mapping_data():
    """Z-SER-100"""
    s = Named(data="not a dict")
    with pytest.raises(ValidationError):
        s.is_valid(raise_exception=True)
    assert s.errors == {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}


def test_none_data():
    """Z-SER-101"""
    s = Named(data=None)
    assert not s.is_valid()
    assert s.errors == {"non_field_errors": ["No data provided"]}


def test_django_error_in_validate():
    """Z-SER-102"""

    class S(Serializer):
        name: str

        def validate(self, attrs):
            raise DjangoValidationError("bad", code="c")

    s = S(data={"name": "x"})
    assert not s.is_valid()
    assert s.errors == {"non_field_errors": ["bad"]}
    assert s.errors["non_field_errors"][0].code == "c"


def test_django_error_in_field_hook():
    """Z-SER-103"""

    class S(Serializer):
        name: str

        def validate_name(self, value):
            raise DjangoValidationError("m", code="c")

    s = S(data={"name": "x"})
    assert not s.is_valid()
    assert s.errors == {"name": ["m"]}
    assert s.errors["name"][0].code == "c"


def test_skip_field_in_hook():
    """Z-SER-104"""

    class S(Serializer):
        name: str
        other: int

        def validate_name(self, value):
            raise SkipField()

    s = S(data={"name": "x", "other": 1})
    assert s.is_valid()
    assert "name" not in s.validated_data


def test_validate_returning_none():
    """Z-SER-105"""

    class S(Serializer):
        name: str

        def validate(self, attrs):
            return None

    with pytest.raises(AssertionError, match="should return the validated data"):
        S(data={"name": "x"}).is_valid(raise_exception=True)


def test_async_hooks_refused_on_sync_path():
    """Z-SER-106"""

    class Hook(Serializer):
        name: str

        async def validate_name(self, value):
            return value

    class Validate(Serializer):
        name: str

        async def validate(self, attrs):
            return attrs

    class Create(Serializer):
        name: str

        async def create(self, validated_data):
            return validated_data

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="ato_internal_value"):
            Hook(data={"name": "x"}).is_valid()
        with pytest.raises(TypeError, match="arun_validation"):
            Validate(data={"name": "x"}).is_valid()
        s = Create(data={"name": "x"})
        assert s.is_valid()
        with pytest.raises(TypeError, match="asave"):
            s.save()


async def _reject_async(value):
    raise ValidationError("rejected by async validator")


def test_async_validator_refused_on_sync_path():
    """Z-SER-107 W-03"""

    class S(Serializer):
        name: str = Field(validators=[_reject_async])

    class Meta_(Serializer):
        name: str

        class Meta:
            validators = [_reject_async]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="ais_valid"):
            S(data={"name": "x"}).is_valid()
        with pytest.raises(TypeError, match="ais_valid"):
            Meta_(data={"name": "x"}).is_valid()


def test_async_validator_on_explicit_field_refused():
    """W-03: explicit DRF fields in a restflow class are guarded too."""

    class S(Serializer):
        name = drf_fields.CharField(validators=[_reject_async])

    with pytest.raises(TypeError, match="ais_valid"):
        S(data={"name": "x"}).is_valid()


class Recorder(Serializer):
    name: str

    def create(self, validated_data):
        self.created_with = validated_data
        return {"created": validated_data}

    def update(self, instance, validated_data):
        return {"updated": instance, **validated_data}


def test_save_create_and_update():
    """Z-SER-108"""
    s = Recorder(data={"name": "x"})
    assert s.is_valid()
    assert s.save() == {"created": {"name": "x"}}
    assert s.instance == {"created": {"name": "x"}}
    s = Recorder("old", data={"name": "y"})
    assert s.is_valid()
    assert s.save() == {"updated": "old", "name": "y"}


def test_save_kwargs_and_plain_dict():
    """Z-SER-109"""
    s = Recorder(data={"name": "x"})
    assert s.is_valid()
    s.save(extra="stamp")
    assert s.created_with == {"name": "x", "extra": "stamp"}
    assert type(s.created_with) is dict


def test_save_preconditions():
    """Z-SER-110"""
    s = Recorder(data={"name": "x"})
    with pytest.raises(AssertionError, match=r"You must call `.is_valid\(\)` before calling"):
        s.save()
    assert s.is_valid()
    with pytest.raises(AssertionError, match="'commit' is not a valid keyword argument"):
        s.save(commit=False)
    s.data  # noqa: B018
    with pytest.raises(AssertionError, match=r"after accessing `serializer\.data`"):
        s.save()
    s = Recorder(data={})
    assert not s.is_valid()
    with pytest.raises(AssertionError, match="invalid data"):
        s.save()


def test_many_representation():
    """Z-SER-111"""

    class S(Serializer):
        x: int

    class Obj:
        def __init__(self, x):
            self.x = x

    assert S([Obj(i) for i in range(3)], many=True).data == [{"x": 0}, {"x": 1}, {"x": 2}]


def test_instance_representation():
    """Z-SER-112"""

    class S(Serializer):
        name: str
        age: int
        nick: str | None

    class Obj:
        name = "Ada"
        age = "36"
        nick = None

    assert S(Obj()).data == {"name": "Ada", "age": 36, "nick": None}


def test_representation_matches_drf_edge_cases():
    """The fast representation path keeps DRF semantics (callables, dicts, misses)."""

    class S(Serializer):
        title: str
        count: int = Field(required=False)
        dotted: str = Field(source="inner.value")
        method: str = Field(source="compute")
        default: int = Field(default=7)

    class Inner:
        value = "v"

    class Obj:
        title = "t"
        inner = Inner()

        def compute(self):
            return "computed"

    assert S(Obj()).data == {"title": "t", "dotted": "v", "method": "computed", "default": 7}
    mapping = {"title": "m", "count": "2", "inner": {"value": "w"}, "compute": "x"}
    assert S(mapping).data == {
        "title": "m",
        "count": 2,
        "dotted": "w",
        "method": "x",
        "default": 7,
    }


def test_validated_data_before_validation():
    """Z-SER-113"""
    with pytest.raises(AssertionError, match=r"You must call `\.is_valid"):
        Named(data={"name": "x"}).validated_data  # noqa: B018


# --- async --------------------------------------------------------------------------


async def test_async_field_hook():
    """Z-SER-114"""

    class A(Serializer):
        name: str

        async def validate_name(self, value):
            await asyncio.sleep(0)
            return value.upper()

    class B(Serializer):
        name: str

        def validate_name(self, value):
            return value + "!"

    a = A(data={"name": "ada"})
    assert await a.ais_valid()
    assert a.validated_data["name"] == "ADA"
    b = B(data={"name": "ada"})
    assert await b.ais_valid()
    assert b.validated_data["name"] == "ada!"


async def test_async_validate_sees_hook_result():
    """Z-SER-115"""

    class S(Serializer):
        a: int

        async def validate_a(self, value):
            return value * 10

        async def validate(self, attrs):
            attrs["seen"] = attrs["a"]
            return attrs

    s = S(data={"a": 2})
    assert await s.ais_valid()
    assert s.validated_data == {"a": 20, "seen": 20}


async def test_async_hook_errors():
    """Z-SER-116"""

    class DRF(Serializer):
        a: int

        async def validate_a(self, value):
            raise ValidationError("drf no")

    class Dj(Serializer):
        a: int

        async def validate_a(self, value):
            raise DjangoValidationError("django no", code="dj")

    class Skip(Serializer):
        a: int
        b: int

        async def validate_a(self, value):
            raise SkipField()

    s = DRF(data={"a": 1})
    assert not await s.ais_valid()
    assert s.errors == {"a": ["drf no"]}
    s = Dj(data={"a": 1})
    assert not await s.ais_valid()
    assert s.errors == {"a": ["django no"]}
    assert s.errors["a"][0].code == "dj"
    s = Skip(data={"a": 1, "b": 2})
    assert await s.ais_valid()
    assert s.validated_data == {"b": 2}


async def test_ais_valid_raise_exception():
    """Z-SER-117"""
    with pytest.raises(ValidationError):
        await Named(data={}).ais_valid(raise_exception=True)
    with pytest.raises(ValidationError):
        await Named(data=[1]).ais_valid(raise_exception=True)


async def test_async_validate_django_error():
    """Z-SER-118"""

    class S(Serializer):
        a: int

        async def validate(self, attrs):
            raise DjangoValidationError("bad", code="c")

    s = S(data={"a": 1})
    with pytest.raises(ValidationError) as info:
        await s.ais_valid(raise_exception=True)
    assert info.value.detail == {"non_field_errors": ["bad"]}


async def test_async_validate_returning_none():
    """Z-SER-119"""

    class S(Serializer):
        a: int

        async def validate(self, attrs):
            return None

    with pytest.raises(AssertionError, match="should return the validated data"):
        await S(data={"a": 1}).ais_valid()


async def test_arun_validation_read_only_default():
    """Z-SER-120"""
    s = Named(read_only=True, default={"name": "x"})
    assert await s.arun_validation(empty) == {"name": "x"}


async def test_arun_validation_non_mapping():
    """Z-SER-121"""
    with pytest.raises(ValidationError) as info:
        await Named().arun_validation([1])
    assert info.value.detail == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


async def test_ais_valid_without_data():
    """Z-SER-122"""
    with pytest.raises(AssertionError) as info:
        await Named().ais_valid()
    assert str(info.value) == (
        "Cannot call `.ais_valid()` as no `data=` keyword argument was passed when "
        "instantiating the serializer instance."
    )


async def test_ais_valid_then_is_valid_is_cached():
    """Z-SER-123"""
    calls = []

    class S(Serializer):
        a: int

        async def validate_a(self, value):
            calls.append(value)
            return value

    s = S(data={"a": 1})
    assert await s.ais_valid()
    first = s.validated_data
    assert s.is_valid()
    assert calls == [1]
    assert s.validated_data is first


async def test_avalidate_default():
    """Z-SER-124"""
    attrs = {"a": 1}
    assert await Named().avalidate(attrs) is attrs


async def test_avalidate_override_replaces_validate():
    """Z-SER-125 W-02"""
    called = []

    class S(Serializer):
        a: int

        def validate(self, attrs):
            called.append("validate")
            return attrs

        async def avalidate(self, attrs):
            raise ValidationError("x")

    s = S(data={"a": 1})
    assert not await s.ais_valid()
    assert s.errors == {"non_field_errors": ["x"]}
    assert called == []


async def test_nested_async_hook():
    """Z-SER-126 W-05"""

    class Inner(Serializer):
        x: int

        async def validate_x(self, value):
            if value < 0:
                raise ValidationError("negative")
            return value * 2

    class Outer(Serializer):
        inner: Inner
        many: list[Inner] = Field(required=False)

    s = Outer(data={"inner": {"x": 2}, "many": [{"x": 1}, {"x": 3}]})
    assert await s.ais_valid(), s.errors
    assert s.validated_data.inner.x == 4
    assert [item.x for item in s.validated_data.many] == [2, 6]
    s = Outer(data={"inner": {"x": -1}, "many": [{"x": 1}, {"x": -3}]})
    assert not await s.ais_valid()
    assert s.errors["inner"] == {"x": ["negative"]}
    assert s.errors["many"] == per_item_errors({1: {"x": ["negative"]}}, 2)


async def test_async_validators_awaited():
    """Z-SER-127 W-03"""

    async def reject_admin(value):
        await asyncio.sleep(0)
        if value == "admin":
            raise ValidationError("name is taken")

    async def reject_pair(attrs):
        if attrs.get("name") == "root":
            raise ValidationError("root is reserved")

    class S(Serializer):
        name: str = Field(validators=[reject_admin])

        class Meta:
            validators = [reject_pair]

    s = S(data={"name": "admin"})
    assert not await s.ais_valid()
    assert s.errors == {"name": ["name is taken"]}
    s = S(data={"name": "root"})
    assert not await s.ais_valid()
    assert s.errors == {"non_field_errors": ["root is reserved"]}
    s = S(data={"name": "ada"})
    assert await s.ais_valid()


async def test_async_validator_errors_join_sync_errors():
    """W-03: sync and async validator errors of one field are reported together."""

    async def async_no(value):
        raise ValidationError("async no")

    def sync_no(value):
        raise ValidationError("sync no")

    class S(Serializer):
        name: str = Field(validators=[sync_no, async_no])

    s = S(data={"name": "x"})
    assert not await s.ais_valid()
    assert s.errors == {"name": ["sync no", "async no"]}


async def test_async_validator_on_list_child():
    """W-03 W-06: validators of list children are awaited too."""

    async def positive(value):
        if value <= 0:
            raise ValidationError("must be positive")

    class S(Serializer):
        xs: list[int] = Field(child=drf_fields.IntegerField(validators=[positive]))

    s = S(data={"xs": [1, -1]})
    assert not await s.ais_valid()
    assert "must be positive" in str(s.errors["xs"])
    assert await S(data={"xs": [1, 2]}).ais_valid()


@pytest.mark.django_db(transaction=True)
async def test_sync_hook_runs_off_the_loop():
    """Z-SER-128 W-04"""
    await SampleModel.objects.acreate(integer_field=5)
    loop_thread = threading.get_ident()
    seen = {}

    class S(Serializer):
        a: int

        def validate_a(self, value):
            seen["hook"] = threading.get_ident()
            return value + SampleModel.objects.count()

        def validate(self, attrs):
            seen["validate"] = threading.get_ident()
            attrs["total"] = SampleModel.objects.filter(integer_field=5).count()
            return attrs

    s = S(data={"a": 1})
    assert await s.ais_valid(), s.errors
    assert s.validated_data == {"a": 2, "total": 1}
    assert seen["hook"] != loop_thread
    assert seen["validate"] != loop_thread


@pytest.mark.django_db(transaction=True)
async def test_sync_hooks_with_async_hook_run_off_the_loop():
    """W-04: field-by-field path (an async hook present) still hops for sync hooks."""
    await SampleModel.objects.acreate(integer_field=5)

    class S(Serializer):
        a: int
        b: int

        async def validate_a(self, value):
            return value

        def validate_b(self, value):
            return value + SampleModel.objects.count()

        def validate(self, attrs):
            attrs["n"] = SampleModel.objects.count()
            return attrs

    s = S(data={"a": 1, "b": 1})
    assert await s.ais_valid(), s.errors
    assert s.validated_data == {"a": 1, "b": 2, "n": 1}


async def test_validated_data_is_validated_data_after_async():
    """Z-SER-181 (async path conversion)"""

    class Inner(Serializer):
        v: int

    class S(Serializer):
        inner: Inner

        async def validate(self, attrs):
            attrs["added"] = {"k": 1}
            return attrs

    s = S(data={"inner": {"v": 1}})
    assert await s.ais_valid()
    vd = s.validated_data
    assert isinstance(vd, ValidatedData)
    assert vd.inner.v == 1
    assert vd.added.k == 1


async def test_async_path_matches_sync_errors():
    """The async core reports the same errors as the sync one."""

    class Inner(Serializer):
        v: int

    class S(Serializer):
        a: int
        b: list[int]
        inner: Inner

        async def validate_a(self, value):
            return value

    payload = {"a": "x", "b": ["y"], "inner": {"v": "z"}}

    class Plain(Serializer):
        a: int
        b: list[int]
        inner: Inner

    expected = Plain(data=payload)
    assert not expected.is_valid()
    got = S(data=payload)
    assert not await got.ais_valid()
    assert got.errors == expected.errors


async def test_async_create_and_sync_fallbacks():
    """§7.3 dispatch table on a plain Serializer."""

    class AsyncCreate(Serializer):
        a: int

        async def create(self, validated_data):
            return {"async": validated_data}

    s = AsyncCreate(data={"a": 1})
    assert await s.ais_valid()
    assert await s.asave() == {"async": {"a": 1}}


def test_drf_nested_serializer_untouched():
    """A plain DRF serializer nested in a restflow one validates with DRF's rules."""

    class D(drf_serializers.Serializer):
        a = drf_fields.IntegerField()

    class S(Serializer):
        d: D

    s = S(data={"d": {"a": "x"}})
    assert not s.is_valid()
    assert s.errors["d"]["a"][0].code == "invalid"


async def test_concurrent_ais_valid_validates_once():
    """W-24: concurrent ais_valid calls on one instance run the hooks once."""
    calls = []
    release = asyncio.Event()

    class S(Serializer):
        a: int

        async def validate_a(self, value):
            calls.append(value)
            await release.wait()
            return value

    s = S(data={"a": 1})
    first = asyncio.ensure_future(s.ais_valid())
    second = asyncio.ensure_future(s.ais_valid())
    await asyncio.sleep(0)
    release.set()
    assert await first and await second
    assert calls == [1]


async def test_list_field_of_async_serializers():
    """W-05: `list[S | None]` (a ListField whose child is S) runs S's async hooks."""

    class Inner(Serializer):
        n: int

        async def validate_n(self, value):
            if value < 0:
                raise ValidationError("negative")
            return value * 10

    class S(Serializer):
        xs: list[Inner | None] = Field(min_length=1)

    s = S(data={"xs": [{"n": 1}, None, {"n": 2}]})
    assert await s.ais_valid(), s.errors
    assert s.validated_data.xs[0].n == 10
    assert s.validated_data.xs[1] is None
    s = S(data={"xs": [{"n": 1}, {"n": -1}]})
    assert not await s.ais_valid()
    assert s.errors == {"xs": {1: {"n": ["negative"]}}}
    for bad, code in (("nope", "not_a_list"), ([], "min_length")):
        s = S(data={"xs": bad})
        assert not await s.ais_valid()
        assert s.errors["xs"][0].code == code
