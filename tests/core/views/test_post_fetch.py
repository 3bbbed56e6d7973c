"""PostFetch (B-PF): one extra query attaches related rows to a page of results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext

from restflow.views import PostFetch
from tests.core.views.app.models import Item, Note
from tests.core.views.conftest import arun

pytestmark = pytest.mark.django_db


def run_both(fetcher, make_base):
    """Results of ``fetch`` and ``afetch`` on fresh bases (they must agree)."""
    sync_items = fetcher.fetch(make_base())
    async_items = arun(fetcher.afetch, make_base())
    return sync_items, async_items


def normalize(items, attr):
    out = []
    for item in items:
        value = item[attr] if isinstance(item, dict) else getattr(item, attr)
        out.append(value)
    return out


@pytest.fixture
def data():
    a = Item.objects.create(integer_field=1, string_field="a")
    b = Item.objects.create(integer_field=2, string_field="b")
    c = Item.objects.create(integer_field=3, string_field="c")
    notes = [
        Note.objects.create(item=a, name="a1", rank=1),
        Note.objects.create(item=a, name="a2", rank=2),
        Note.objects.create(item=a, name="a3", rank=3),
        Note.objects.create(item=b, name="b1", rank=1),
        Note.objects.create(item=None, name="orphan", rank=9),
    ]
    return {"items": (a, b, c), "notes": notes}


def dict_base(data):
    return lambda: [{"id": item.id} for item in data["items"]]


def test_limit_one_first_match(data):
    """V-PF-001 V-PF-002 V-PF-011"""
    fetch = PostFetch(Note.objects.all(), "note", ["name"], order_by=("rank",), item_id="id")
    for items in run_both(fetch, dict_base(data)):
        first, second, third = normalize(items, "note")
        assert first == {"name": "a1", "item_id": data["items"][0].id}
        assert second["name"] == "b1"
        assert third is None


def test_limit_n_and_none(data):
    """V-PF-003 V-PF-011"""
    two = PostFetch(
        Note.objects.all(), "notes", ["name"], limit=2, order_by=("rank",), item_id="id"
    )
    for items in run_both(two, dict_base(data)):
        assert [n["name"] for n in normalize(items, "notes")[0]] == ["a1", "a2"]
        assert normalize(items, "notes")[2] == []
    every = PostFetch(
        Note.objects.all(), "notes", ["name"], limit=None, order_by=("rank",), item_id="id"
    )
    for items in run_both(every, dict_base(data)):
        assert [n["name"] for n in normalize(items, "notes")[0]] == ["a1", "a2", "a3"]


def test_two_join_keys(data):
    """V-PF-004 V-PF-011"""
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id", rank="wanted_rank")
    a = data["items"][0].id
    base = lambda: [{"id": a, "wanted_rank": 2}, {"id": a, "wanted_rank": 7}]  # noqa: E731
    for items in run_both(fetch, base):
        assert normalize(items, "note")[0]["name"] == "a2"
        assert normalize(items, "note")[1] is None


def test_object_items(data):
    """V-PF-005 V-PF-012: afetch on an unevaluated QuerySet under a running loop."""
    fetch = PostFetch(Note.objects.all(), "first_note", ["name"], order_by=("rank",), item_id="id")
    items = arun(fetch.afetch, Item.objects.order_by("id"))
    assert [getattr(i.first_note, "get", lambda k: None)("name") for i in items] == [
        "a1",
        "b1",
        None,
    ]
    items = fetch.fetch(Item.objects.order_by("id"))
    assert items[0].first_note["name"] == "a1"


def test_none_join_values(data):
    """V-PF-006 V-PF-008"""
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    base = lambda: [{"id": None}, {"id": data["items"][1].id}]  # noqa: E731
    for items in run_both(fetch, base):
        assert normalize(items, "note") == [None, {"name": "b1", "item_id": data["items"][1].id}]
    many = PostFetch(Note.objects.all(), "notes", ["name"], limit=None, item_id="id")
    with CaptureQueriesContext(connection) as queries:
        assert normalize(many.fetch([{"id": None}, {"id": None}]), "notes") == [[], []]
        assert normalize(fetch.fetch([{"id": None}]), "note") == [None]
    assert len(queries) == 0


def test_empty_base_no_query():
    """V-PF-007"""
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    with CaptureQueriesContext(connection) as queries:
        assert fetch.fetch([]) == []
        assert arun(fetch.afetch, []) == []
    assert len(queries) == 0


def test_values_not_mutated(data):
    """V-PF-009"""
    values = ["name"]
    fetch = PostFetch(Note.objects.all(), "note", values, item_id="id")
    fetch.fetch(dict_base(data)())
    fetch.fetch(dict_base(data)())
    assert values == ["name"] and fetch.values == ["name"]


def test_order_by_picks_newest(data):
    """V-PF-010"""
    newest = PostFetch(Note.objects.all(), "note", ["name"], order_by=("-rank",), item_id="id")
    for items in run_both(newest, dict_base(data)):
        assert normalize(items, "note")[0]["name"] == "a3"


def test_values_dict_expression(data):
    """V-PF-013"""
    fetch = PostFetch(
        Note.objects.all(),
        "note",
        ["name"],
        values_dict={"up": Upper("name")},
        order_by=("rank",),
        item_id="id",
    )
    for items in run_both(fetch, dict_base(data)):
        assert normalize(items, "note")[0]["up"] == "A1"


def test_bad_construction():
    """V-PF-014 W6"""
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            PostFetch(Note.objects.all(), "note", ["name"], limit=bad, item_id="id")
    with pytest.raises(TypeError):
        PostFetch(Note.objects.all(), "note", ["name"])


def test_exactly_one_query(data):
    """V-PF-015"""
    more = [Item.objects.create(integer_field=i) for i in range(20)]
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    for base in ([{"id": data["items"][0].id}], [{"id": i.id} for i in more]):
        with CaptureQueriesContext(connection) as queries:
            fetch.fetch(base)
        assert len(queries) == 1


def test_limit_is_applied_in_the_database(data):
    """W6: with a limit the database returns at most ``limit`` rows per group."""
    item = data["items"][0]
    Note.objects.bulk_create([Note(item=item, name=f"bulk{i}", rank=100 + i) for i in range(200)])
    fetch = PostFetch(Note.objects.all(), "note", ["name"], order_by=("rank",), item_id="id")
    with CaptureQueriesContext(connection) as queries:
        items = fetch.fetch([{"id": item.id}])
    assert items[0]["note"]["name"] == "a1"
    sql = queries[0]["sql"].upper()
    assert "ROW_NUMBER" in sql
    rows = list(fetch._prepare([{"id": item.id}])[2])
    assert len(rows) == 1


def test_matching_uses_equality_of_types(data):
    """Base and secondary types must agree: "1" does not match 1."""
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    items = fetch.fetch([{"id": str(data["items"][0].id)}])
    assert items[0]["note"] is None
