"""Bad input never gives a 500: 4xx in the error envelope of ``restflow.exceptions``."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.views.app.models import Item

ENVELOPE = override_settings(
    ROOT_URLCONF="tests.core.views.urls",
    REST_FRAMEWORK={
        "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    },
)
pytestmark = [pytest.mark.django_db]
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_envelope(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code


@ENVELOPE
def test_malformed_json_is_400():
    client = Client()
    for path in ("/async/items/", "/async-items/", "/sync-items/"):
        response = client.post(path, "{not json", content_type="application/json")
        assert_envelope(response, 400, "parse_error")


@ENVELOPE
def test_unsupported_media_type_is_415():
    response = Client().post("/async/items/", "<a/>", content_type="text/xml")
    assert_envelope(response, 415, "unsupported_media_type")


@ENVELOPE
def test_unknown_and_unimplemented_methods_are_405():
    client = Client()
    response = client.generic("PROPFIND", "/async/items/")
    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    assert_envelope(client.put("/async/items/"), 405, "method_not_allowed")


@ENVELOPE
def test_not_acceptable_is_406():
    response = Client().get("/async/items/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406


@ENVELOPE
@HYPOTHESIS
@given(page=st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.text(max_size=20)))
def test_page_numbers_never_500(page):
    Item.objects.get_or_create(integer_field=1)
    response = Client().get("/async/items/", {"page": page})
    assert response.status_code in (200, 404), response.content
    if response.status_code == 404:
        assert_envelope(response, 404, "not_found")


@ENVELOPE
@HYPOTHESIS
@given(size=st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.text(max_size=10)))
def test_page_sizes_never_500(size):
    response = Client().get("/async/items/", {"page_size": size})
    assert response.status_code == 200


@ENVELOPE
@HYPOTHESIS
@given(lookup=st.integers(min_value=0, max_value=10**30))
def test_lookup_values_never_500(lookup):
    response = Client().get(f"/async/items/{lookup}/")
    assert_envelope(response, 404, "not_found")


@ENVELOPE
@HYPOTHESIS
@given(
    lookup=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=12
    )
)
def test_viewset_lookups_never_500(lookup):
    from urllib.parse import quote

    response = Client().get(f"/async-items/{quote(lookup, safe='')}/")
    assert response.status_code == 404


@ENVELOPE
@HYPOTHESIS
@given(
    body=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_random_json_bodies_never_500(body):
    import json

    response = Client().post("/async/items/", json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert_envelope(response, 400)
