"""Any validation detail renders as plain JSON strings, lists and objects (W-06, W-07)."""

from __future__ import annotations

import json

from django.core import exceptions as django_exceptions
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import exceptions as drf
from rest_framework.exceptions import ErrorDetail

from restflow.exceptions import APIException, exception_handler

text = st.text(max_size=8)
leaves = st.one_of(text, text.map(lambda s: ErrorDetail(s, code="c")), st.integers())
details = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(text, st.integers(0, 5)), children, max_size=3),
    ),
    max_leaves=12,
)


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return type(value) is str


@settings(max_examples=100, deadline=None)
@given(detail=details)
def test_any_detail_is_plain_json(detail):
    """S-EXC-051, S-EXC-052, S-EXC-055, S-EXC-065, W-06"""
    for exc in (drf.ValidationError(detail), APIException(detail), drf.PermissionDenied(detail)):
        response = exception_handler(exc, {})
        body = response.data
        assert set(body) == {"error"}
        assert type(body["error"]["message"]) is str
        assert isinstance(body["error"]["details"], dict)
        assert _plain(body["error"]["details"])
        rendered = json.dumps(body)
        assert "ErrorDetail(" not in rendered


@settings(max_examples=50, deadline=None)
@given(
    messages=st.one_of(
        text, st.lists(text, min_size=1, max_size=3), st.dictionaries(text, text, max_size=3)
    )
)
def test_django_validation_errors_are_plain(messages):
    """S-EXC-035..038, W-07"""
    body = exception_handler(django_exceptions.ValidationError(messages), {}).data
    assert body["error"]["code"] == "validation_error"
    assert _plain(body["error"]["details"])
