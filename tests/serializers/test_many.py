"""``many=True`` and restflow's ``ListSerializer`` (§7.8, W-09)."""

import threading
import warnings

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

import restflow.serializers.core as core
from restflow.serializers import ListSerializer, ModelSerializer, Serializer, ValidatedData
from tests.serializers.app.models import SampleModel
from tests.serializers.drf_versions import per_item_errors


class Item(Serializer):
    x: int


def test_many_builds_restflow_list_serializer():
    """Z-SER-193"""
    s = Item(data=[{"x": 1}, {"x": "2"}], many=True)
    assert isinstance(s, drf_serializers.ListSerializer)
    assert isinstance(s, ListSerializer)
    assert isinstance(s.child, Item)


async def test_many_ais_valid():
    """Z-SER-193"""
    s = Item(data=[{"x": 1}, {"x": "2"}], many=True)
    assert await s.ais_valid()
    assert s.validated_data == [{"x": 1}, {"x": 2}]
    assert all(type(item) is ValidatedData for item in s.validated_data)
    s = Item(data=[{"x": 1}, {"x": "no"}], many=True)
    assert not await s.ais_valid()
    assert s.errors == per_item_errors({1: {"x": ["A valid integer is required."]}}, 2)
    s = Item(data={"x": 1}, many=True)
    with pytest.raises(ValidationError):
        await s.ais_valid(raise_exception=True)
    assert s.errors["non_field_errors"][0].code == "not_a_list"


async def test_many_list_level_kwargs():
    """§7.8: allow_empty / min_length / max_length go to the list."""
    assert not await Item(data=[], many=True, allow_empty=False).ais_valid()
    s = Item(data=[{"x": 1}], many=True, min_length=2)
    assert not await s.ais_valid()
    assert s.errors["non_field_errors"][0].code == "min_length"
    s = Item(data=[{"x": 1}] * 3, many=True, max_length=2)
    assert not await s.ais_valid()
    assert s.errors["non_field_errors"][0].code == "max_length"


async def test_many_with_async_child_hooks():
    """W-09: the child's async hooks run for each item."""

    class Child(Serializer):
        x: int

        async def validate_x(self, value):
            if value < 0:
                raise ValidationError("negative")
            return value + 1

    s = Child(data=[{"x": 1}, {"x": 2}], many=True)
    assert await s.ais_valid()
    assert [item.x for item in s.validated_data] == [2, 3]
    s = Child(data=[{"x": 1}, {"x": -2}], many=True)
    assert not await s.ais_valid()
    assert s.errors == per_item_errors({1: {"x": ["negative"]}}, 2)


def test_list_serializer_class_honoured():
    """Z-SER-194"""

    class CustomList(ListSerializer):
        pass

    class S(Serializer):
        x: int

        class Meta:
            list_serializer_class = CustomList

    assert type(S(many=True)) is CustomList
    assert type(S(many=True).child) is S


@pytest.mark.django_db(transaction=True)
async def test_many_asave_creates_each():
    """Z-SER-195"""

    class S(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    s = S(data=[{"integer_field": 1}, {"integer_field": 2}], many=True)
    assert await s.ais_valid()
    objs = await s.asave()
    assert [obj.integer_field for obj in objs] == [1, 2]
    assert await SampleModel.objects.acount() == 2

    class Custom(Serializer):
        integer_field: int

        def create(self, validated_data):
            return SampleModel.objects.create(**validated_data, string_field="sync")

    s = Custom(data=[{"integer_field": 3}], many=True)
    assert await s.ais_valid()
    (obj,) = await s.asave(integer_field=4)
    assert (obj.integer_field, obj.string_field) == (4, "sync")


@pytest.mark.django_db(transaction=True)
async def test_many_validation_is_one_thread_hop(monkeypatch):
    """A DB-bound list is validated in ONE thread hop, not one per item."""
    parent = await SampleModel.objects.acreate()

    class Child(Serializer):
        ref = drf_serializers.PrimaryKeyRelatedField(queryset=SampleModel.objects.all())

        def validate_ref(self, value):
            return value

    hops = []

    def counting_hop(func):
        hops.append(func)
        return sync_to_async(func, thread_sensitive=True)

    monkeypatch.setattr(core, "_hop", counting_hop)
    s = Child(data=[{"ref": parent.pk}] * 50, many=True)
    assert await s.ais_valid(), s.errors
    assert len(hops) == 1
    assert all(item.ref == parent for item in s.validated_data)


@pytest.mark.django_db(transaction=True)
async def test_many_adata_one_hop(monkeypatch):
    """Rendering a list asynchronously uses one hop for the whole list."""
    for i in range(5):
        await SampleModel.objects.acreate(integer_field=i)

    class S(ModelSerializer):
        class Meta:
            model = SampleModel
            fields = ["integer_field"]

    hops = []

    def counting_hop(func):
        hops.append(func)
        return sync_to_async(func, thread_sensitive=True)

    monkeypatch.setattr(core, "_hop", counting_hop)
    data = await S(SampleModel.objects.order_by("integer_field"), many=True).adata
    assert [row["integer_field"] for row in data] == [0, 1, 2, 3, 4]
    assert len(hops) == 1


async def test_pure_parsing_stays_on_the_loop():
    """Nothing DB-bound: validation runs inline, without a thread hop."""
    loop_thread = threading.get_ident()
    seen = []

    class S(Serializer):
        x: int

        async def validate_x(self, value):
            seen.append(threading.get_ident())
            return value

    s = S(data=[{"x": 1}, {"x": 2}], many=True)
    assert await s.ais_valid()
    assert seen == [loop_thread, loop_thread]
    assert await Item(data=[{"x": 1}], many=True).ais_valid()
    assert Item(data=[{"x": 1}], many=True)._validation_mode() == core.INLINE


def test_list_render_uses_the_active_time_zone():
    """Rendering a list looks the active time zone up once, and still honours it."""
    import datetime

    from django.utils import timezone

    from restflow.serializers import Field

    class Event:
        def __init__(self, hour):
            self.at = datetime.datetime(2026, 1, 1, hour, tzinfo=datetime.timezone.utc)

    class S(Serializer):
        at: datetime.datetime
        fixed: datetime.datetime = Field(source="at", default_timezone=datetime.timezone.utc)

    events = [Event(10), Event(11)]
    with timezone.override("Europe/Paris"):
        rows = S(events, many=True).data
    assert [row["at"] for row in rows] == ["2026-01-01T11:00:00+01:00", "2026-01-01T12:00:00+01:00"]
    assert rows[0]["fixed"] == "2026-01-01T10:00:00Z"
    serializer = S(events, many=True)
    with timezone.override("Asia/Tokyo"):
        assert serializer.data[0]["at"] == "2026-01-01T19:00:00+09:00"
    assert not hasattr(serializer.child.fields["at"], "timezone")
    with timezone.override("UTC"):
        assert S(events, many=True).data[0]["at"] == "2026-01-01T10:00:00Z"


@pytest.mark.django_db(transaction=True)
async def test_many_with_async_child_is_one_thread_hop(monkeypatch):
    """A child with async hooks still gets ONE hop for the DB-bound fields and sync field
    hooks of all items (they are validated up front)."""
    parent = await SampleModel.objects.acreate(integer_field=7)
    calls = []

    class Child(Serializer):
        ref = drf_serializers.PrimaryKeyRelatedField(queryset=SampleModel.objects.all())
        name: str

        async def validate_name(self, value):
            calls.append(("async", value))
            return value.upper()

        def validate_ref(self, value):
            calls.append(("sync", SampleModel.objects.filter(pk=value.pk).count()))
            return value

    hops = []

    def counting_hop(func):
        hops.append(func)
        return sync_to_async(func, thread_sensitive=True)

    monkeypatch.setattr(core, "_hop", counting_hop)
    payload = [{"ref": parent.pk, "name": f"n{i}"} for i in range(30)]
    s = Child(data=payload, many=True)
    assert await s.ais_valid(), s.errors
    assert len(hops) == 1
    assert [item.name for item in s.validated_data][:2] == ["N0", "N1"]
    assert all(item.ref == parent for item in s.validated_data)
    assert calls.count(("sync", 1)) == 30
    s = Child(
        data=[{"ref": 999_999, "name": "x"}, {"ref": parent.pk, "name": "y"}, "junk"], many=True
    )
    assert not await s.ais_valid()
    errors = per_item_errors({0: s.errors[0], 2: s.errors[2]}, 3)
    assert s.errors == errors
    assert s.errors[0] == {"ref": ['Invalid pk "999999" - object does not exist.']}
    assert s.errors[2]["non_field_errors"][0].code == "invalid"


@pytest.mark.django_db(transaction=True)
async def test_many_prefetch_with_async_validators_and_hooks():
    """Prefetched fields still await their async validators before the sync hook runs."""
    parent = await SampleModel.objects.acreate(integer_field=1)
    hooked = []

    async def not_seven(value):
        if value.integer_field == 7:
            raise ValidationError("seven is not allowed")

    class Child(Serializer):
        ref = drf_serializers.PrimaryKeyRelatedField(
            queryset=SampleModel.objects.all(), validators=[not_seven]
        )

        def validate_ref(self, value):
            hooked.append(value.pk)
            return value

    seven = await SampleModel.objects.acreate(integer_field=7)
    s = Child(data=[{"ref": parent.pk}, {"ref": seven.pk}], many=True)
    assert not await s.ais_valid()
    assert s.errors == per_item_errors({1: {"ref": ["seven is not allowed"]}}, 2)
    assert hooked == [parent.pk]


# DRF 3.18 added LIST_SERIALIZER_ERRORS_AS_DICT; before it, the list style was the only one.
DRF_HAS_ERRORS_AS_DICT = hasattr(api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT")


class AsyncItem(Serializer):
    """An async hook puts ``many=True`` on restflow's own async list core."""

    x: int

    async def validate_x(self, value):
        return value


@pytest.mark.parametrize("child", [Item, AsyncItem])
@pytest.mark.parametrize("as_dict", [True, False] if DRF_HAS_ERRORS_AS_DICT else [None])
async def test_many_errors_shaped_like_drf_sync_path(as_dict, child):
    """stack.md §6.7: ``ais_valid`` shapes per-item errors exactly as DRF's sync ``is_valid``
    does on the installed DRF: dict or list style per ``LIST_SERIALIZER_ERRORS_AS_DICT``
    where DRF has it (3.18+), list style where it does not (``as_dict`` None)."""
    data = [{"x": 1}, {"x": "no"}, {}]
    overrides = {"REST_FRAMEWORK": {"LIST_SERIALIZER_ERRORS_AS_DICT": as_dict}}
    with override_settings(**(overrides if as_dict is not None else {})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DRF 3.18 deprecates the list style
            sync = Item(data=data, many=True)  # the sync API refuses async hooks
            assert not await sync_to_async(sync.is_valid)()
            async_ = child(data=data, many=True)
            assert not await async_.ais_valid()
    assert async_.errors == sync.errors
    assert type(async_.errors) is type(sync.errors)
    expected = {1: {"x": ["A valid integer is required."]}, 2: {"x": ["This field is required."]}}
    assert async_.errors == (expected if as_dict else [{}, *expected.values()])
