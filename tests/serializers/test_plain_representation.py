"""The one-pass plain reader gives DRF's ``.data``, or declines (``NOT_PLAIN``).

Async views read a restflow serializer's ``.data`` on the event loop with
``represent_plain``: it checks each value while it formats it. These tests hold it to
DRF's own output for any row, and to declining whenever a value could run code (views W16).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import threading
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers as drf

from restflow.helpers.read_plan import NOT_PLAIN, class_plain_representation, plain_data
from restflow.serializers import Field, ModelSerializer, Serializer
from tests.serializers.app.models import SampleModel


class Typed(Serializer):
    id: int
    title: str
    price: decimal.Decimal = Field(max_digits=12, decimal_places=2)
    fine: decimal.Decimal = Field(max_digits=20, decimal_places=8)
    ratio: float
    flag: bool
    day: datetime.date
    moment: datetime.datetime


class Plain(drf.Serializer):
    """DRF's serializer with the same fields: the reference output."""

    id = drf.IntegerField()
    title = drf.CharField()
    price = drf.DecimalField(max_digits=12, decimal_places=2)
    fine = drf.DecimalField(max_digits=20, decimal_places=8)
    ratio = drf.FloatField()
    flag = drf.BooleanField()
    day = drf.DateField()
    moment = drf.DateTimeField()


NAMES = list(Plain().fields)


@dataclasses.dataclass
class Row:
    id: Any
    title: Any
    price: Any
    fine: Any
    ratio: Any
    flag: Any
    day: Any
    moment: Any


def value_of(kind: str) -> st.SearchStrategy[Any]:
    typed = {
        "id": st.integers(),
        "title": st.text(max_size=5),
        "price": st.decimals(allow_nan=False, allow_infinity=False),
        "fine": st.decimals(allow_nan=False, allow_infinity=False, places=10),
        "ratio": st.floats(allow_nan=False),
        "flag": st.booleans(),
        "day": st.dates(),
        "moment": st.datetimes(timezones=st.sampled_from([None, datetime.timezone.utc])),
    }[kind]
    # Values of another type than the field's: DRF converts them (or fails) its own way.
    other = st.sampled_from([None, 0, 1, "1", 2.5, True, decimal.Decimal("3.14159")])
    return typed | other


rows = st.fixed_dictionaries({name: value_of(name) for name in NAMES})


def outcome(compute):
    try:
        return ("ok", repr(compute()))  # repr: NaN equals itself
    except Exception as exc:  # both sides must fail the same way
        return ("error", type(exc))


@settings(max_examples=300, deadline=None)
@given(items=st.lists(rows, max_size=4), as_objects=st.booleans())
def test_w16_plain_reader_gives_drfs_data(items, as_objects):
    """W16: for any rows, the one-pass reader's ``.data`` is DRF's, exceptions included,
    for a restflow serializer and for the same DRF serializer."""
    instances = [Row(**item) if as_objects else item for item in items]

    def plain():
        data = Typed(instances, many=True)._restflow_plain_data()
        assert data is not NOT_PLAIN
        return [dict(row) for row in data]

    def drf_plain():
        data = plain_data(Plain(instances, many=True))
        assert data is not NOT_PLAIN
        return [dict(row) for row in data]

    expected = outcome(lambda: [dict(r) for r in Plain(instances, many=True).data])
    assert outcome(plain) == expected
    assert outcome(drf_plain) == expected


class TypedUnzoned(Typed):
    """Without the ``DateTimeField``: a plan every instance shares, so read from the class."""

    moment = None


class PlainUnzoned(Plain):
    moment = None


@settings(max_examples=300, deadline=None)
@given(items=st.lists(rows, max_size=4), as_objects=st.booleans(), many=st.booleans())
def test_w16_reading_from_the_class_gives_drfs_data(items, as_objects, many):
    """W16: ``class_plain_representation`` (no serializer built) gives DRF's ``.data``,
    exceptions included, for a restflow serializer and for the same DRF serializer."""
    instances = [Row(**item) if as_objects else item for item in items]
    if not many:
        instances = instances[0] if instances else {}

    def from_class(serializer_class):
        def read():
            data = class_plain_representation(serializer_class, instances, many=many)
            assert data is not NOT_PLAIN
            return [dict(row) for row in data] if many else dict(data)

        return read

    def drf():
        data = PlainUnzoned(instances, many=many).data
        return [dict(row) for row in data] if many else dict(data)

    expected = outcome(drf)
    # A dict lacking a key needs DRF's rules: the class reader declines, the view builds.
    if isinstance(instances, dict) and len(instances) < len(NAMES):
        assert class_plain_representation(PlainUnzoned, instances, many=many) is NOT_PLAIN
        return
    assert outcome(from_class(TypedUnzoned)) == expected
    assert outcome(from_class(PlainUnzoned)) == expected


def test_w16_restflow_serializers_declare_the_representation_read_from_the_class():
    """A restflow serializer is read from its class; one with its own representation is not."""

    class Own(TypedUnzoned):
        def to_representation(self, instance):
            return {"id": instance["id"]}

    row = {
        "id": 1,
        "title": "t",
        "price": decimal.Decimal("2.50"),
        "fine": decimal.Decimal("1"),
        "ratio": 0.5,
        "flag": True,
        "day": datetime.date(2024, 1, 1),
    }
    assert class_plain_representation(TypedUnzoned, [row], many=True) == [
        dict(TypedUnzoned(row).data)
    ]
    assert class_plain_representation(Own, [row], many=True) is NOT_PLAIN
    assert class_plain_representation(Typed, [row], many=True) is NOT_PLAIN  # zoned: not shared


def test_w16_a_dict_missing_a_key_gets_drfs_rules_on_the_loop():
    """W16: a dict is always plain; a missing key falls back to DRF's lookup (defaults)."""

    class WithDefault(Serializer):
        id: int
        label: str = Field(default="none")

    data = plain_data(WithDefault([{"id": 1, "label": "x"}, {"id": 2}], many=True))
    assert data == [{"id": 1, "label": "x"}, {"id": 2, "label": "none"}]


def test_w16_values_that_run_code_are_declined():
    """W16: callables, properties, missing attributes and dict subclasses go to a worker."""

    class Two(Serializer):
        id: int
        title: str

    class WithProperty:
        id = 1

        def __init__(self) -> None:
            self.__dict__["title"] = "shadowed"

        @property
        def title(self) -> str:
            return "computed"

    class ClassAttribute:
        id = 1
        title = "on the class"

    class OrderedRow(dict):
        pass

    declined = [
        {"id": 1, "title": lambda: "called"},
        Row(**dict.fromkeys(NAMES, 1) | {"title": lambda: "called"}),
        WithProperty(),
        ClassAttribute(),
        OrderedRow(id=1, title="t"),
    ]
    for instance in declined:
        assert plain_data(Two(instance)) is NOT_PLAIN, instance
        assert plain_data(Two([instance], many=True)) is NOT_PLAIN, instance
    assert plain_data(Two({"id": 1, "title": "t"})) == {"id": 1, "title": "t"}


def test_w16_model_instances_are_plain_only_when_loaded():
    """W16: loaded concrete fields are read on the loop; a deferred one is declined."""
    loaded = SampleModel(id=1, integer_field=2, string_field="s")
    assert plain_data(SampleOut([loaded], many=True)) == [
        {"id": 1, "integer_field": 2, "string_field": "s"}
    ]
    deferred = SampleModel(id=1, integer_field=2)
    del deferred.__dict__["string_field"]
    assert plain_data(SampleOut([loaded, deferred], many=True)) is NOT_PLAIN


def test_w16_list_render_pins_the_time_zone_once_and_unpins_it():
    """The child's ``DateTimeField`` gets the active time zone for one render only."""

    class Stamped(Serializer):
        moment: datetime.datetime

    serializer = Stamped(
        [{"moment": datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)}] * 2, many=True
    )
    with timezone.override("Europe/Paris"):
        data = plain_data(serializer)
    assert data == [{"moment": "2024-01-01T13:00:00+01:00"}] * 2
    assert not hasattr(serializer.child.fields["moment"], "timezone")


def test_w16_a_user_to_representation_is_never_read_on_the_loop():
    """W16: an overridden ``to_representation`` may do anything: ``.data`` is declined."""

    class Own(Serializer):
        id: int

        def to_representation(self, instance):
            return {"id": threading.current_thread().name}

    assert plain_data(Own({"id": 1})) is NOT_PLAIN
    assert plain_data(Own([{"id": 1}], many=True)) is NOT_PLAIN


async def test_list_awaits_an_async_child_representation_per_item():
    """Z-SER-145: ``ato_representation`` of a list awaits each item's async representation."""

    class Async(Serializer):
        a: int

        async def to_representation(self, instance):
            return {"async": instance["a"]}

    assert await Async(many=True).ato_representation([{"a": 1}, {"a": 2}]) == [
        {"async": 1},
        {"async": 2},
    ]


@pytest.mark.parametrize("places", [6, 7])
def test_decimal_text_matches_drf_on_both_sides_of_scientific_notation(places):
    """``str`` is used only where it equals DRF's ``"{:f}"`` (exponents -6 to 0)."""

    class Tiny(Serializer):
        amount: decimal.Decimal = Field(max_digits=20, decimal_places=places)

    class Reference(drf.Serializer):
        amount = drf.DecimalField(max_digits=20, decimal_places=places)

    for value in ("0", "0.0000001", "-0", "12.5"):
        row = {"amount": decimal.Decimal(value)}
        assert plain_data(Tiny(row)) == Reference(row).data


class Priced(Serializer):
    id: int
    price: decimal.Decimal = Field(max_digits=8, decimal_places=2)


class DRFPriced(drf.Serializer):
    id = drf.IntegerField()
    price = drf.DecimalField(max_digits=8, decimal_places=2)


PRICED = [{"id": 1, "price": decimal.Decimal("2.5")}]


@pytest.mark.parametrize("serializer_class", [Priced, DRFPriced])
def test_w16_fresh_instances_share_one_plan_that_follows_the_settings(serializer_class):
    """W16: the plan shared by fresh instances is rebuilt when a setting it read changes."""
    assert plain_data(serializer_class(PRICED, many=True)) == [{"id": 1, "price": "2.50"}]
    with override_settings(REST_FRAMEWORK={"COERCE_DECIMAL_TO_STRING": False}):
        data = plain_data(serializer_class(PRICED, many=True))
    assert data == [{"id": 1, "price": decimal.Decimal("2.50")}]
    assert plain_data(serializer_class(PRICED, many=True)) == [{"id": 1, "price": "2.50"}]


@pytest.mark.parametrize("serializer_class", [Priced, DRFPriced])
def test_w16_fields_changed_by_an_instance_are_read_as_changed(serializer_class):
    """W16: an ``__init__`` that changes a field, or the declared fields, gets its own plan."""

    class AsNumber(serializer_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["price"].coerce_to_string = False

    class WithoutPrice(serializer_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._declared_fields = {"id": self._declared_fields["id"]}

    assert plain_data(serializer_class(PRICED, many=True)) == [{"id": 1, "price": "2.50"}]
    assert plain_data(AsNumber(PRICED[0])) == {"id": 1, "price": decimal.Decimal("2.50")}
    assert plain_data(AsNumber(PRICED, many=True)) == [{"id": 1, "price": decimal.Decimal("2.50")}]
    assert plain_data(WithoutPrice(PRICED[0])) == {"id": 1}
    assert plain_data(serializer_class(PRICED[0])) == {"id": 1, "price": "2.50"}


def test_w16_custom_get_fields_is_asked_for_every_instance():
    """W16: ``get_fields`` of the user's may differ per instance: no shared plan."""

    class PerRequest(Priced):
        def get_fields(self):
            fields = super().get_fields()
            if self.context.get("hide_price"):
                del fields["price"]
            return fields

    assert plain_data(PerRequest(PRICED[0])) == {"id": 1, "price": "2.50"}
    assert plain_data(PerRequest(PRICED[0], context={"hide_price": True})) == {"id": 1}


def test_w16_decimal_context_of_another_thread_gets_its_own_plan():
    """Decimal fields quantize in a copy of the current thread's context, as DRF does."""
    big = [{"id": 1, "price": decimal.Decimal("123456.78")}]
    assert plain_data(Priced(big, many=True)) == [{"id": 1, "price": "123456.78"}]
    outcome_in_thread = []

    def read_without_traps():
        decimal.getcontext().traps[decimal.InvalidOperation] = False
        huge = [{"id": 1, "price": decimal.Decimal("1234567.89")}]  # 9 digits > max_digits
        outcome_in_thread.append(plain_data(Priced(huge, many=True)))
        outcome_in_thread.append(DRFPriced(huge, many=True).data)

    thread = threading.Thread(target=read_without_traps)
    thread.start()
    thread.join()
    assert outcome_in_thread[0] == [{"id": 1, "price": "NaN"}]
    assert outcome_in_thread[0] == outcome_in_thread[1]


class DRFSampleOut(drf.ModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["id", "integer_field", "string_field"]


class SampleOut(ModelSerializer):
    class Meta:
        model = SampleModel
        fields = ["id", "integer_field", "string_field"]


@pytest.mark.parametrize("serializer_class", [SampleOut, DRFSampleOut])
def test_w16_model_serializers_share_a_plan_unless_a_field_hook_is_the_users(serializer_class):
    """W16: a ModelSerializer's fields follow from Meta and the model, so fresh instances
    share one plan; a field-building hook of the user's is asked for every instance."""
    rows = [SampleModel(id=1, integer_field=2, string_field="s")]
    expected = [{"id": 1, "integer_field": 2, "string_field": "s"}]
    assert plain_data(serializer_class(rows, many=True)) == expected
    assert plain_data(serializer_class(rows, many=True)) == expected

    class PerRequest(serializer_class):
        def get_extra_kwargs(self):
            kwargs = super().get_extra_kwargs()
            if self.context.get("as_text"):
                kwargs["integer_field"] = {"write_only": True}
            return kwargs

        class Meta(serializer_class.Meta):
            pass

    assert plain_data(PerRequest(rows, many=True)) == expected
    hidden = plain_data(PerRequest(rows, many=True, context={"as_text": True}))
    assert hidden == [{"id": 1, "string_field": "s"}]


@pytest.mark.django_db
@pytest.mark.parametrize("serializer_class", [SampleOut, DRFSampleOut])
def test_w16_sync_reads_fetch_the_queryset_once_and_read_rows_plainly(serializer_class):
    """W16: in sync code (a view's worker step) a list's queryset is fetched once and its
    loaded rows are read with the shared plan; the serializer keeps its queryset."""
    from django.db import connection
    from django.db.models import QuerySet
    from django.test.utils import CaptureQueriesContext

    SampleModel.objects.create(integer_field=2, string_field="s")
    SampleModel.objects.create(integer_field=3, string_field="t")
    serializer = serializer_class(SampleModel.objects.order_by("id"), many=True)
    with CaptureQueriesContext(connection) as queries:
        data = plain_data(serializer, evaluate=True)
    assert len(queries) == 1
    expected = serializer_class(SampleModel.objects.order_by("id"), many=True).data
    assert [dict(row) for row in data] == [dict(row) for row in expected]
    assert "fields" not in serializer.child.__dict__
    assert isinstance(serializer.instance, QuerySet)
    assert plain_data(serializer_class(SampleModel.objects.all(), many=True)) is NOT_PLAIN
