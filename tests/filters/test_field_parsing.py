"""Field parsing and validation (filters.md §5)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.test import override_settings
from rest_framework.exceptions import ValidationError

from restflow.filters import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    FilterSet,
    FloatField,
    IntegerField,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    StringField,
    TimeField,
    UUIDField,
)
from restflow.filters.parameters import field_to_schema
from tests.filters.helpers import errors_of, qd

NULL = "This field may not be null."


def test_boolean_field():
    """F-FIELD-001"""
    f = BooleanField()
    for v in ["True", "TRUE", "tRuE", "t", "T", "true", "on", "ON", "oN", "1", 1]:
        assert f.run_validation(v) is True
    for v in ["False", "FALSE", "fALse", "f", "F", "false", "off", "OFF", "oFf", "0", 0]:
        assert f.run_validation(v) is False
    assert errors_of(f, "foo") == ["Must be a valid boolean."]
    assert errors_of(f, None) == [NULL]


def test_integer_field():
    """F-FIELD-002"""
    f = IntegerField()
    assert [f.run_validation(v) for v in (1, "1", "1.0", 10)] == [1, 1, 1, 10]
    assert errors_of(f, "foo") == ["A valid integer is required."]
    assert errors_of(f, None) == [NULL]


def test_float_field():
    """F-FIELD-003"""
    f = FloatField()
    for v in (1.0, "1.1", "1.5", "1.55", 10.76):
        assert f.run_validation(v) == float(v)
    assert errors_of(f, "foo") == ["A valid number is required."]
    for v in ("nan", "inf", "1e400", "-inf", "Infinity", "NaN", float("nan"), float("-inf")):
        assert errors_of(f, v) == ["A valid number is required."], v


def test_float_filter_rejects_non_finite_on_every_drf():
    """F-FIELD-003: NaN and infinities are rejected by restflow itself (DRF < 3.18 accepts
    them), for an annotated filter, its lookups and list children alike."""

    class F(FilterSet):
        ratio: float
        score = FloatField(lookups=["gte"])
        ratios = ListField(child=FloatField())

    fs = F(data=qd("ratio=nan&score__gte=inf&ratios=1.5,-inf"))
    assert not fs.is_valid()
    assert [str(m) for m in fs.errors["ratio"]] == ["A valid number is required."]
    assert [str(m) for m in fs.errors["score__gte"]] == ["A valid number is required."]
    assert set(fs.errors["ratios"]) == {1}
    assert F(data=qd("ratio=1e300&score__gte=-2.5&ratios=1.5,2")).is_valid()


def test_string_field():
    """F-FIELD-004"""
    assert StringField().run_validation("foo") == "foo"
    assert StringField().run_validation("1.1") == "1.1"


def test_datetime_field():
    """F-FIELD-005"""
    value = DateTimeField().run_validation("2025-01-01T01:01:01+00:00")
    assert value.tzinfo is not None
    assert value == datetime.datetime(2025, 1, 1, 1, 1, 1, tzinfo=datetime.timezone.utc)
    assert errors_of(DateTimeField(), "foo") == [
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
    ]


def test_time_field():
    """F-FIELD-006"""
    assert TimeField().run_validation("01:01:01") == datetime.time(1, 1, 1)
    assert errors_of(TimeField(), "foo") == [
        "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."
    ]


def test_date_field():
    """F-FIELD-007"""
    assert DateField().run_validation("2025-01-01") == datetime.date(2025, 1, 1)
    assert errors_of(DateField(), "foo") == [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    ]


def test_duration_field():
    """F-FIELD-008"""
    f = DurationField()
    td = datetime.timedelta
    assert f.run_validation("13") == td(seconds=13)
    assert f.run_validation("3 08:32:01.000123") == td(
        days=3, hours=8, minutes=32, seconds=1, microseconds=123
    )
    assert f.run_validation("08:01") == td(minutes=8, seconds=1)
    assert f.run_validation(3600) == td(hours=1)
    wrong = (
        "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."
    )
    assert errors_of(f, "abc") == [wrong]
    assert errors_of(f, "3 08:32 01.123") == [wrong]
    for v in ("-1000000000 00", "1000000000 00"):
        assert errors_of(f, v) == ["The number of days must be between -999999999 and 999999999."]
    # DRF accepts +/-999999999 days; restflow's 64-bit guard then bounds them (F-FIELD-021).
    for v in ("-999999999 00", "999999999 00"):
        assert errors_of(f, v) and "Ensure this value is" in errors_of(f, v)[0]


def test_email_field():
    """F-FIELD-009"""
    assert EmailField().run_validation("user@example.com") == "user@example.com"
    assert errors_of(EmailField(), "foo") == ["Enter a valid email address."]


def test_decimal_field_precision():
    """F-FIELD-010"""
    f = DecimalField(max_digits=3, decimal_places=1)
    for v in ("12.3", 10, 0, 12.3, 0.1, "2E+1"):
        assert not errors_of(f, v), v
    assert f.run_validation("2E+1") == decimal.Decimal("20")
    assert errors_of(f, None) == [NULL]
    for v in ("", " ", "abc", "NaN", "sNaN", "Inf"):
        assert errors_of(f, v) == ["A valid number is required."], v
    total = "Ensure that there are no more than 3 digits in total."
    assert errors_of(f, "12.345") == [total]
    assert errors_of(f, 200000000000.0) == [total]
    assert errors_of(f, "0.01") == ["Ensure that there are no more than 1 decimal places."]
    before = "Ensure that there are no more than 2 digits before the decimal point."
    assert errors_of(f, 123) == [before]
    assert errors_of(f, "2E+2") == [before]


def test_decimal_field_defaults():
    """F-FIELD-011"""
    f = DecimalField()
    assert (f.max_digits, f.decimal_places) == (10, 2)
    assert errors_of(f, 1.234) == ["Ensure that there are no more than 2 decimal places."]
    assert errors_of(f, 123456789.5) == [
        "Ensure that there are no more than 8 digits before the decimal point."
    ]


def test_ip_address_field():
    """F-FIELD-012"""
    f = IPAddressField()
    assert f.run_validation("127.0.0.1") == "127.0.0.1"
    assert f.run_validation("2001:0db8:85a3:0042:1000:8a2e:0370:7334") == (
        "2001:db8:85a3:42:1000:8a2e:370:7334"
    )
    assert f.run_validation("2001:cdba:0:0:0:0:3257:9652") == "2001:cdba::3257:9652"
    bad = [
        "127001",
        "127.122.111.2231",
        "2001:::9652",
        "2001:0db8:85a3:0042:1000:8a2e:0370:73341",
        1000,
    ]
    for v in bad:
        assert errors_of(f, v) == ["Enter a valid IPv4 or IPv6 address."], v


def test_choice_field():
    """F-FIELD-013"""
    f = ChoiceField(choices=[("1", "One"), ("2", "Two")])
    assert f.run_validation("1") == "1"
    assert f.run_validation("2") == "2"
    assert errors_of(f, "a") == ['"a" is not a valid choice.']


def test_multiple_choice_field():
    """F-FIELD-014"""
    f = MultipleChoiceField(choices=[("1", "One"), ("2", "Two")])
    assert set(f.run_validation("1,2")) == {"1", "2"}
    assert errors_of(f, "a") == ['"a" is not a valid choice.']
    ab = MultipleChoiceField(choices=["a", "b"])
    with pytest.raises(ValidationError):
        ab.to_internal_value([1, "a"])
    assert ab.run_validation(["a", "b"]) == ["a", "b"]
    assert errors_of(ab, {"k": 5}) == ['Expected a list of items but got type "dict".']
    assert errors_of(ab, 5) == ['Expected a list of items but got type "int".']


@pytest.mark.parametrize(
    "child",
    [StringField, IntegerField, FloatField, DecimalField, EmailField, DateTimeField, DateField,
     TimeField, DurationField],
)  # fmt: skip
def test_list_field_children(child):
    """F-FIELD-015"""
    samples = {
        StringField: "1,2,3,4",
        IntegerField: "1,2,3,4",
        FloatField: "1,2,3,4",
        DecimalField: "1,2,3,4",
        EmailField: "a@x.io,b@x.io,c@x.io,d@x.io",
        DateTimeField: "2025-01-01T00:00,2025-01-02T00:00,2025-01-03T00:00,2025-01-04T00:00",
        DateField: "2025-01-01,2025-01-02,2025-01-03,2025-01-04",
        TimeField: "01:00,02:00,03:00,04:00",
        DurationField: "1,2,3,4",
    }
    f = ListField(child=child())
    assert len(f.run_validation(samples[child])) == 4
    assert errors_of(f, 5)
    if child is not StringField:
        assert errors_of(f, "a,b,3,4")


def test_list_field_values():
    """F-FIELD-015"""
    f = ListField(child=IntegerField())
    assert f.run_validation([1, 2, 3]) == [1, 2, 3]
    assert f.run_validation("1, 2, 3") == [1, 2, 3]
    assert errors_of(f, 5) == ['Expected a list of items but got type "int".']


def test_list_field_errors_by_index():
    """F-FIELD-016"""

    class F(FilterSet):
        ids = ListField(child=IntegerField())
        few = ListField(child=IntegerField(), max_length=2)

    fs = F(data=qd("ids=a,b,3&few=1,2,3"))
    assert not fs.is_valid()
    assert set(fs.errors["ids"]) == {0, 1}
    assert [str(m) for m in fs.errors["ids"][0]] == ["A valid integer is required."]
    assert [str(m) for m in fs.errors["few"]] == ["Ensure this field has no more than 2 elements."]


def test_string_field_errors():
    """F-FIELD-017"""
    assert errors_of(StringField(max_length=3), "abcd") == [
        "Ensure this field has no more than 3 characters."
    ]
    assert errors_of(StringField(), "\x00") == ["Null characters are not allowed."]


def test_required_and_default_conflict():
    """F-FIELD-018"""
    with pytest.raises(AssertionError, match="May not set both `required` and `default`"):
        IntegerField(required=True, default=1)


def test_uuid_field():
    """F-FIELD-019 W-04"""
    u = uuid.uuid4()
    assert UUIDField().run_validation(str(u)) == u
    assert UUIDField().run_validation(u.hex) == u
    assert errors_of(UUIDField(), "bad") == ["Must be a valid UUID."]
    assert field_to_schema(UUIDField()) == {"type": "string", "format": "uuid"}


def test_integer_guard():
    """F-FIELD-020 W-06"""
    f = IntegerField()
    assert errors_of(f, "99999999999999999999") == [
        "Ensure this value is less than or equal to 9223372036854775807."
    ]
    assert errors_of(f, "-99999999999999999999") == [
        "Ensure this value is greater than or equal to -9223372036854775808."
    ]
    assert field_to_schema(f) == {"type": "integer"}


@pytest.mark.django_db
def test_duration_guard():
    """F-FIELD-021 W-06"""
    from tests.filters.app.models import Sample

    class F(FilterSet):
        dur = DurationField(db_field="duration_field", lookups=["gte", "in"])

    Sample.objects.create(duration_field=datetime.timedelta(days=1))
    Sample.objects.create(duration_field=datetime.timedelta(days=2))
    for query in ("dur=999999999%2000", "dur__gte=999999999%2000", "dur__in=999999999%2000"):
        fs = F(data=qd(query))
        assert not fs.is_valid()
        assert "less than or equal to" in str(next(iter(fs.errors.values())))
    rows = F(data=qd("dur=1%2000")).filter_queryset(Sample.objects.all())
    assert rows.count() == 1
    assert field_to_schema(DurationField()) == {"type": "string", "format": "duration"}


def test_datetime_out_of_range():
    """F-FIELD-022"""
    assert errors_of(DateTimeField(), "9999-12-31T23:59:59-05:00") == [
        "Datetime value out of range."
    ]


def test_list_cap():
    """F-FIELD-023 W-17"""

    class F(FilterSet):
        ids: list[int]
        big = ListField(child=IntegerField(), max_length=5000)
        price = IntegerField(lookups=["in"])

    def check(query):
        fs = F(data=qd(query))
        return fs.is_valid(), fs.errors

    items = ",".join(str(i) for i in range(1000))
    assert check(f"ids={items}")[0]
    ok, errors = check(f"ids={items},1000")
    assert not ok
    assert [str(e) for e in errors["ids"]] == ["Ensure this field has no more than 1000 elements."]
    assert not check(f"price__in={items},1000")[0]
    many = ",".join(str(i) for i in range(5000))
    assert check(f"big={many}")[0]
    with override_settings(RESTFLOW_SETTINGS={"FILTERS": {"MAX_LIST_ITEMS": 3}}):
        assert not check("ids=1,2,3,4")[0]
        assert check("ids=1,2,3")[0]
    with override_settings(RESTFLOW_SETTINGS={"FILTERS": {"MAX_LIST_ITEMS": None}}):
        assert check(f"ids={many}")[0]
    assert "maxItems" not in field_to_schema(F().fields["ids"])
