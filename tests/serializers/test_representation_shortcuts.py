"""The representation shortcuts give exactly DRF's output, for any value and field setting.

``to_representation`` of restflow serializers resolves field settings once per instance and
formats booleans, ISO dates and decimals directly; these properties compare every result
(or the exception raised) with DRF's own field method.
"""

from __future__ import annotations

import datetime
import decimal

from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import fields as drf

from restflow.helpers.read_plan import representation_of

DECIMAL_FIELDS = [
    drf.DecimalField(max_digits=8, decimal_places=2),
    drf.DecimalField(max_digits=None, decimal_places=3, rounding=decimal.ROUND_UP),
    drf.DecimalField(max_digits=5, decimal_places=0),
    drf.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False),
    drf.DecimalField(max_digits=6, decimal_places=2, localize=True),
    drf.DecimalField(max_digits=None, decimal_places=None),
]
DATE_FIELDS = [drf.DateField(), drf.DateField(format="%d/%m/%Y"), drf.DateField(format=None)]

decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.decimals()
anything = st.one_of(
    decimals,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


def outcome(represent, value):
    try:
        return ("ok", repr(represent(value)))  # repr: NaN equals itself
    except Exception as exc:  # both sides must fail the same way
        return ("error", type(exc))


def same(field, value):
    shortcut = representation_of(field)
    assert outcome(shortcut, value) == outcome(field.to_representation, value)


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(DECIMAL_FIELDS) - 1), value=anything)
def test_decimal_shortcut_matches_drf(index, value):
    same(DECIMAL_FIELDS[index], value)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(DATE_FIELDS) - 1), value=anything)
def test_date_shortcut_matches_drf(index, value):
    same(DATE_FIELDS[index], value)


@settings(max_examples=200, deadline=None)
@given(value=anything | st.sampled_from(["true", "0", "on", None, 1, 0]))
def test_bool_shortcut_matches_drf(value):
    same(drf.BooleanField(allow_null=True), value)


def test_shortcuts_follow_the_settings_of_their_time():
    """A project setting read by DRF per value is read when the shortcut is made."""
    field = drf.DecimalField(max_digits=6, decimal_places=2)
    with override_settings(REST_FRAMEWORK={"COERCE_DECIMAL_TO_STRING": False}):
        assert representation_of(field)(decimal.Decimal("1.234")) == decimal.Decimal("1.23")
    with override_settings(REST_FRAMEWORK={"DATE_FORMAT": "%Y"}):
        assert representation_of(drf.DateField())(datetime.date(2024, 5, 1)) == "2024"
