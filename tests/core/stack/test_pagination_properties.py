"""Bad pagination input of any kind is a 4xx envelope on both paths, never a 500.

Property-based (hypothesis): the sync path (DRF generic view + restflow paginator) and the
async path (restflow async generic view) answer every query with the same status and the
same rows (W-09: the two paths never disagree).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restflow.test import AsyncAPIClient
from tests.core.stack.app.models import Item
from tests.core.stack.views import PROPERTY_PAGINATORS

URLS = "tests.core.stack.urls"

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, 2, 3, 4, -1, 10**18, 2**63, 2**64]),
).map(str)
junk = st.one_of(
    numbers,
    st.text(max_size=12),
    st.sampled_from(["", "last", "abc", "1.5", "1e3", "0x10", " 2", "NaN", "١", "%00", "--1"]),
)
cursors = st.one_of(
    junk,
    st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode()),
    st.dictionaries(st.sampled_from(["o", "r", "p"]), junk, max_size=3).map(
        lambda d: base64.b64encode(urlencode(d).encode()).decode()
    ),
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "page": junk,
        "size": junk,
        "limit": junk,
        "offset": junk,
        "cursor": cursors,
    },
)


@pytest.fixture
def rows(transactional_db):
    Item.objects.bulk_create([Item(name=f"n{i}", created=i) for i in range(8)])


def _body(response):
    # links name the view's own path; compare the rest
    return json.loads(response.content.decode().replace("/async/", "/sync/"))


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("kind", list(PROPERTY_PAGINATORS))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries)
def test_bad_pagination_input_is_4xx_on_both_paths(rows, envelope, kind, query):
    """S-PAG-004, S-PAG-016, S-PAG-024, S-PAG-035, W-09: never a 500, both paths agree."""
    query_string = urlencode(query)
    sync = Client().get(f"/prop/{kind}/sync/?{query_string}")
    async_ = async_to_sync(AsyncAPIClient().get)(f"/prop/{kind}/async/?{query_string}")
    assert sync.status_code in (200, 404), sync.content
    assert async_.status_code == sync.status_code
    if sync.status_code == 200:
        assert _body(sync) == _body(async_)
    else:
        assert set(_body(sync)) == {"error"}
        assert _body(sync)["error"]["code"] == "not_found"
        assert _body(async_) == _body(sync)
