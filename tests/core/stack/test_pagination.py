"""Paginators (stack.md §3): S-PAG-*, count strategies, weaknesses 9, 10, 11."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from restflow.pagination import (
    BasePagination,
    CursorPagination,
    FastPageNumberPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from restflow.pagination.pagination import AsyncPage, AsyncPaginator
from restflow.responses import Response as RestflowResponse
from restflow.test import AsyncAPIClient
from tests.core.stack.app.models import Item

URLS = "tests.core.stack.urls"
factory = APIRequestFactory()
db = pytest.mark.django_db(transaction=True)


def request(query: str = "", path: str = "/items/") -> Request:
    return Request(factory.get(f"{path}?{query}" if query else path))


def page_number(size=3, **attrs):
    return type("P", (PageNumberPagination,), {"page_size": size, **attrs})()


def limit_offset(limit=3, **attrs):
    return type("L", (LimitOffsetPagination,), {"default_limit": limit, **attrs})()


def fast(size=3, **attrs):
    return type("F", (FastPageNumberPagination,), {"page_size": size, **attrs})()


async def both(paginator_factory, data, query):
    """Run the sync and the async path on fresh paginators; both results must agree."""
    sync_paginator, async_paginator = paginator_factory(), paginator_factory()
    sync_result = sync_paginator.paginate_queryset(data, request(query))
    async_result = await async_paginator.apaginate_queryset(data, request(query))
    assert sync_result == async_result
    return async_result, async_paginator


async def seed(count: int, **fields) -> None:
    await Item.objects.abulk_create([Item(name=f"n{i}", created=i, **fields) for i in range(count)])


# --- page number ----------------------------------------------------------------------------


async def test_page_one():
    """S-PAG-001"""
    paginator = page_number(3)
    assert await paginator.apaginate_queryset(list(range(7)), request("page=1")) == [0, 1, 2]
    assert paginator.page.paginator.count == 7
    assert paginator.page.number == 1
    assert isinstance(paginator.page, AsyncPage)


async def test_page_two():
    """S-PAG-002"""
    result, paginator = await both(lambda: page_number(3), list(range(7)), "page=2")
    assert result == [3, 4, 5]
    assert paginator.page.number == 2


@db
async def test_page_out_of_range_queryset():
    """S-PAG-003"""
    await seed(3)
    with pytest.raises(NotFound):
        await page_number(5).apaginate_queryset(Item.objects.all(), request("page=99"))
    with pytest.raises(NotFound):
        page_number(5).paginate_queryset(list(range(3)), request("page=99"))


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "%00"])
async def test_invalid_page_values(value):
    """S-PAG-004"""
    with pytest.raises(NotFound) as sync_error:
        page_number().paginate_queryset(list(range(7)), request(f"page={value}"))
    with pytest.raises(NotFound) as async_error:
        await page_number().apaginate_queryset(list(range(7)), request(f"page={value}"))
    assert str(sync_error.value.detail) == str(async_error.value.detail) == "Invalid page."


@pytest.mark.urls(URLS)
@db
async def test_invalid_page_envelope(envelope):
    """S-PAG-004: envelope message through a view"""
    await seed(4)
    response = await AsyncAPIClient().get("/items/?page=abc")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Invalid page.", "details": {}}
    }


@db
async def test_empty_page_one():
    """S-PAG-005"""
    paginator = page_number()
    assert await paginator.apaginate_queryset(Item.objects.all(), request("page=1")) == []
    response = paginator.get_paginated_response([])
    assert response.data == {"count": 0, "next": None, "previous": None, "results": []}


@db
async def test_empty_page_five_is_404_on_both_paths():
    """S-PAG-006, W-09"""
    with pytest.raises(NotFound):
        await page_number().apaginate_queryset(Item.objects.all(), request("page=5"))
    with pytest.raises(NotFound):
        await page_number().apaginate_queryset([], request("page=5"))
    with pytest.raises(NotFound):
        page_number().paginate_queryset([], request("page=5"))


class ExplodingCount(list):
    """A sequence that fails if anything counts it."""

    def __len__(self):
        raise AssertionError("counted")

    async def acount(self):
        raise AssertionError("counted")


async def test_no_page_size_never_counts():
    """S-PAG-007"""
    assert await page_number(None).apaginate_queryset(ExplodingCount([1]), request()) is None
    assert page_number(None).paginate_queryset(ExplodingCount([1]), request()) is None
    assert await limit_offset(None).apaginate_queryset(ExplodingCount([1]), request()) is None


async def test_paginated_response():
    """S-PAG-008"""
    paginator = page_number(5)
    await paginator.apaginate_queryset(["a", "b"], request())
    response = paginator.get_paginated_response(["a", "b"])
    assert isinstance(response, RestflowResponse)
    assert response.data["count"] == 2
    assert response.data["results"] == ["a", "b"]
    assert list(response.data) == ["count", "next", "previous", "results"]


async def test_links():
    """S-PAG-009"""
    paginator = page_number(3)
    await paginator.apaginate_queryset(list(range(10)), request("page=2"))
    data = paginator.get_paginated_response([]).data
    assert data["next"] == "http://testserver/items/?page=3"
    assert data["previous"] == "http://testserver/items/"
    await paginator.apaginate_queryset(list(range(10)), request("page=1"))
    assert paginator.get_paginated_response([]).data["previous"] is None
    await paginator.apaginate_queryset(list(range(7)), request("page=3"))
    assert paginator.get_paginated_response([]).data["next"] is None


async def test_link_to_first_page_keeps_other_params():
    """S-PAG-010"""
    paginator = page_number(2, page_size_query_param="size")
    await paginator.apaginate_queryset(list(range(10)), request("page=2&size=2&x=1"))
    assert paginator.get_previous_link() == "http://testserver/items/?size=2&x=1"


@db
async def test_last_page():
    """S-PAG-011"""
    await seed(8)
    paginator = page_number(3)
    rows = await paginator.apaginate_queryset(Item.objects.all(), request("page=last"))
    assert [row.created for row in rows] == [6, 7]
    assert paginator.get_next_link() is None
    sync_rows = page_number(3).paginate_queryset(list(range(1, 9)), request("page=last"))
    assert sync_rows == [7, 8]


async def test_page_size_query_param():
    """S-PAG-012"""
    make = lambda: page_number(3, page_size_query_param="size", max_page_size=4)  # noqa: E731
    assert len((await both(make, list(range(20)), "size=10"))[0]) == 4
    assert len((await both(make, list(range(20)), "size=0"))[0]) == 3


# --- limit / offset -------------------------------------------------------------------------


async def test_limit_offset_basic():
    """S-PAG-013"""
    result, paginator = await both(limit_offset, list(range(5)), "limit=2&offset=2")
    assert result == [2, 3]
    assert paginator.count == 5


@pytest.mark.urls(URLS)
@db
async def test_offset_past_end():
    """S-PAG-014"""
    assert (await both(limit_offset, list(range(2)), "limit=5&offset=99"))[0] == []
    await seed(10)
    response = await AsyncAPIClient().get("/items/limit/?limit=5&offset=99")
    assert response.status_code == 200
    assert response.json()["results"] == []


async def test_no_default_limit():
    """S-PAG-015"""
    assert await limit_offset(None).apaginate_queryset(list(range(5)), request()) is None
    assert limit_offset(None).paginate_queryset(list(range(5)), request()) is None


async def test_bad_limit_and_offset_fall_back():
    """S-PAG-016"""
    assert len((await both(limit_offset, list(range(10)), "limit=0"))[0]) == 3
    result, paginator = await both(limit_offset, list(range(10)), "offset=-3")
    assert result == [0, 1, 2] and paginator.offset == 0
    assert len((await both(limit_offset, list(range(10)), "limit=abc"))[0]) == 3


@db
async def test_limit_offset_empty():
    """S-PAG-017"""
    assert await limit_offset().apaginate_queryset(Item.objects.all(), request()) == []


async def test_max_limit():
    """S-PAG-018"""
    paginator = limit_offset(3, max_limit=5)
    result = await paginator.apaginate_queryset(list(range(20)), request("limit=100"))
    assert len(result) == 5
    assert "limit=5&offset=5" in paginator.get_next_link()


async def test_limit_offset_links():
    """S-PAG-019"""
    paginator = limit_offset()
    await paginator.apaginate_queryset(list(range(8)), request("limit=2&offset=4"))
    assert paginator.get_next_link() == "http://testserver/items/?limit=2&offset=6"
    assert paginator.get_previous_link() == "http://testserver/items/?limit=2&offset=2"
    await paginator.apaginate_queryset(list(range(8)), request())
    assert paginator.get_previous_link() is None
    assert paginator.get_next_link() == "http://testserver/items/?limit=3&offset=3"
    await paginator.apaginate_queryset(list(range(8)), request("limit=2&offset=2"))
    assert paginator.get_previous_link() == "http://testserver/items/?limit=2"


# --- fast page numbers ----------------------------------------------------------------------


async def test_fast_first_page():
    """S-PAG-020"""
    result, paginator = await both(fast, list(range(10)), "page=1")
    assert result == [0, 1, 2] and paginator.has_next is True


async def test_fast_has_next():
    """S-PAG-021"""
    result, paginator = await both(fast, list(range(7)), "page=3")
    assert result == [6] and paginator.has_next is False
    result, paginator = await both(fast, list(range(6)), "page=2")
    assert result == [3, 4, 5] and paginator.has_next is False
    assert (await both(fast, list(range(7)), "page=2"))[1].has_next is True


class NoCountQuerySet:
    """Wraps a queryset; counting it fails the test."""


@db
async def test_fast_never_counts(monkeypatch):
    """S-PAG-022"""
    from django.db.models import QuerySet

    await seed(5)

    def no_count(self, *args, **kwargs):
        raise AssertionError("counted")

    monkeypatch.setattr(QuerySet, "acount", no_count)
    monkeypatch.setattr(QuerySet, "count", no_count)
    rows = await fast().apaginate_queryset(Item.objects.all(), request())
    assert len(rows) == 3
    rows = await fast().apaginate_queryset(Item.objects.all(), request("page=2"))
    assert len(rows) == 2


async def test_fast_links():
    """S-PAG-023"""
    paginator = fast()
    await paginator.apaginate_queryset(list(range(10)), request("page=2"))
    data = paginator.get_paginated_response([]).data
    assert list(data) == ["results", "next", "previous"]
    assert "count" not in data
    assert "page=3" in data["next"] and data["previous"] is not None
    await paginator.apaginate_queryset(list(range(10)), request("page=1"))
    data = paginator.get_paginated_response([]).data
    assert data["previous"] is None and "page=2" in data["next"]
    await paginator.apaginate_queryset(list(range(7)), request("page=3"))
    data = paginator.get_paginated_response([]).data
    assert data["next"] is None and "page=2" in data["previous"]
    assert isinstance(paginator.get_paginated_response([]), RestflowResponse)


@pytest.mark.parametrize("value", ["0", "-5", "notanint", "last"])
async def test_fast_invalid_page(value):
    """S-PAG-024"""
    with pytest.raises(NotFound):
        fast().get_page_number(request(f"page={value}"))
    with pytest.raises(NotFound):
        await fast().apaginate_queryset(list(range(5)), request(f"page={value}"))
    with pytest.raises(NotFound):
        fast().paginate_queryset(list(range(5)), request(f"page={value}"))


@db
async def test_fast_out_of_range():
    """S-PAG-025"""
    await seed(2)
    with pytest.raises(NotFound):
        await fast().apaginate_queryset(Item.objects.all(), request("page=99"))
    with pytest.raises(NotFound):
        fast().paginate_queryset(list(range(2)), request("page=99"))
    assert await fast().apaginate_queryset(Item.objects.none(), request()) == []


def test_fast_sync_lists():
    """S-PAG-026"""
    paginator = fast()
    assert paginator.paginate_queryset(list(range(10)), request("page=1")) == [0, 1, 2]
    assert paginator.has_next is True
    paginator = fast()
    assert paginator.paginate_queryset(list(range(5)), request("page=2")) == [3, 4]
    assert paginator.has_next is False


async def test_fast_page_size_query_param():
    """S-PAG-027"""
    assert (
        len(
            (
                await both(
                    lambda: fast(3, page_size_query_param="size", max_page_size=10),
                    list(range(20)),
                    "size=5",
                )
            )[0]
        )
        == 5
    )
    assert (
        len(
            (
                await both(
                    lambda: fast(3, page_size_query_param="size", max_page_size=4),
                    list(range(20)),
                    "size=999",
                )
            )[0]
        )
        == 4
    )
    for junk in ("notanint", "0", "-1"):
        make = lambda: fast(3, page_size_query_param="size", max_page_size=4)  # noqa: E731
        assert len((await both(make, list(range(20)), f"size={junk}"))[0]) == 3
    make = lambda: fast(3, page_size_query_param="size", max_page_size=None)  # noqa: E731
    assert len((await both(make, list(range(20)), "size=7"))[0]) == 7


async def test_fast_no_page_size():
    """S-PAG-028"""
    assert fast(None).paginate_queryset(list(range(5)), request()) is None
    assert await fast(None).apaginate_queryset(list(range(5)), request()) is None


async def test_fast_empty_page_param_is_first_page():
    """S-PAG-029, W-11"""
    assert (await both(fast, list(range(5)), "page="))[0] == [0, 1, 2]
    assert fast().get_page_number(request("page=")) == 1


def test_fast_schema():
    """S-PAG-030, W-11"""
    paginator = fast(3, page_size_query_param="size")
    names = [p["name"] for p in paginator.get_schema_operation_parameters(None)]
    assert names == ["page", "size"]
    assert [p["name"] for p in fast().get_schema_operation_parameters(None)] == ["page"]
    schema = paginator.get_paginated_response_schema({"type": "array", "items": {}})
    assert schema["required"] == ["results"]
    assert set(schema["properties"]) == {"next", "previous", "results"}
    assert schema["properties"]["next"]["nullable"] is True
    assert schema["properties"]["next"]["format"] == "uri"
    assert schema["properties"]["results"] == {"type": "array", "items": {}}


def test_fast_html_controls(settings):
    """W-11: browsable API controls"""
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
    ]
    paginator = fast()
    paginator.paginate_queryset(list(range(10)), request("page=2"))
    assert paginator.display_page_controls is True
    context = paginator.get_html_context()
    assert context["next_url"].endswith("page=3") and context["previous_url"]
    assert "page=3" in paginator.to_html()


async def test_base_pagination_sync_only_and_async_only():
    """S-PAG-031"""

    class FirstOnly(BasePagination):
        def paginate_queryset(self, queryset, request, view=None):
            return list(queryset)[:1]

    assert await FirstOnly().apaginate_queryset([1, 2, 3], request()) == [1]

    class AsyncFirstOnly(BasePagination):
        async def apaginate_queryset(self, queryset, request, view=None):
            return list(queryset)[:1]

    assert await AsyncFirstOnly().apaginate_queryset([1, 2, 3], request()) == [1]
    from asgiref.sync import sync_to_async

    # sync views (run in a thread without a loop) drive the async-only method
    assert await sync_to_async(AsyncFirstOnly().paginate_queryset)([1, 2, 3], request()) == [1]


def test_async_page_and_paginator():
    """S-PAG-032"""
    assert AsyncPage([1, 2, 3], 4, AsyncPaginator(20, 3)).previous_page_number() == 3
    first = AsyncPage([1], 1, AsyncPaginator(20, 3))
    assert first.next_page_number() == 2 and not first.has_previous()
    page = AsyncPage([1, 2, 3], 1, AsyncPaginator(3, 3))
    assert list(page) == [1, 2, 3] and len(page) == 3
    second = AsyncPage([2], 2, AsyncPaginator(2, 1))
    assert not second.has_next() and second.has_previous()
    assert AsyncPaginator(0, 10).num_pages == 1
    assert AsyncPaginator(7, 3).num_pages == 3


# --- cursor ---------------------------------------------------------------------------------


def cursor(size=2, ordering="created"):
    return type("C", (CursorPagination,), {"page_size": size, "ordering": ordering})()


@db
async def test_cursor_first_page():
    """S-PAG-033"""
    await seed(5)
    paginator = cursor()
    rows = await paginator.apaginate_queryset(Item.objects.all(), request())
    assert [row.created for row in rows] == [0, 1]
    assert paginator.has_next is True and paginator.has_previous is False
    assert await cursor(None).apaginate_queryset(Item.objects.all(), request()) is None
    sync_rows = await __import__("asgiref.sync").sync.sync_to_async(cursor().paginate_queryset)(
        Item.objects.all(), request()
    )
    assert [row.created for row in sync_rows] == [0, 1]


@pytest.mark.urls(URLS)
@db
async def test_cursor_navigation_through_view():
    """S-PAG-034"""
    await seed(8)
    client = AsyncAPIClient()
    first = (await client.get("/items/cursor/")).json()
    assert first["next"] and first["previous"] is None
    assert [r["name"] for r in first["results"]] == ["n0", "n1", "n2"]
    second = (await client.get(first["next"])).json()
    assert [r["name"] for r in second["results"]] == ["n3", "n4", "n5"]
    assert second["next"] and second["previous"]
    back = (await client.get(second["previous"])).json()
    assert [r["name"] for r in back["results"]] == ["n0", "n1", "n2"]
    assert back["previous"] is None


@db
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize(("huge", "equivalent"), [(2**63, 10**9), (-(2**63) - 1, -(10**9))])
async def test_cursor_position_beyond_64_bits_is_a_page_not_a_500(reverse, huge, equivalent):
    """S-PAG-035: a cursor position no integer column can hold pages like any position past
    every row (Django >= 5.0 answers it without the database; on 4.2 it used to overflow)."""
    from base64 import b64encode

    from asgiref.sync import sync_to_async

    await seed(5)

    def query(position: int) -> str:
        text = f"r=1&p={position}" if reverse else f"p={position}"
        return "cursor=" + b64encode(text.encode()).decode()

    paginator = cursor(ordering="id")
    expected = await paginator.apaginate_queryset(Item.objects.all(), request(query(equivalent)))
    got = await cursor(ordering="id").apaginate_queryset(Item.objects.all(), request(query(huge)))
    synced = await sync_to_async(cursor(ordering="id").paginate_queryset)(
        Item.objects.all(), request(query(huge))
    )
    assert got == synced == expected
    assert len(expected) == (2 if (huge > 0) == reverse else 0)


@pytest.mark.urls(URLS)
@db
async def test_cursor_garbage(envelope):
    """S-PAG-035"""
    await seed(3)
    for garbage in ("garbage", "cD1hYmM=", "%FF", "cj14"):
        response = await AsyncAPIClient().get(f"/items/cursor/?cursor={garbage}")
        assert response.status_code == 404, garbage
        assert response.json()["error"] == {
            "code": "not_found",
            "message": "Invalid cursor",
            "details": {},
        }


@db
async def test_cursor_position_of_wrong_type_is_404_not_500():
    """S-PAG-035: p=abc on an integer ordering is an invalid cursor on both paths"""
    from base64 import b64encode

    await seed(3)
    query = "cursor=" + b64encode(b"p=abc").decode()
    with pytest.raises(NotFound):
        await cursor(ordering="id").apaginate_queryset(Item.objects.all(), request(query))


@pytest.mark.urls(URLS)
@db
@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/items/", "", 3),
        ("/items/", "page=2", 3),
        ("/items/limit/", "limit=4&offset=2", 4),
        ("/items/fast/", "", 3),
        ("/items/cursor/", "", 3),
    ],
)
async def test_pagination_matrix(path, query, expected):
    """S-PAG-036 (DRF ModelSerializer; the restflow serializers are in tests/integration)"""
    await seed(8)
    response = await AsyncAPIClient().get(f"{path}?{query}")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == expected
    if path == "/items/fast/":
        assert "count" not in body and body["next"]
    if path == "/items/cursor/":
        assert body["next"]
    missing = await AsyncAPIClient().get("/items/?page=999")
    assert missing.status_code == 404


async def test_async_paths_accept_plain_lists():
    """S-PAG-037, W-10"""
    assert await page_number(2).apaginate_queryset([1, 2, 3], request("page=1")) == [1, 2]
    assert await limit_offset(2).apaginate_queryset([1, 2, 3], request()) == [1, 2]
    assert await fast(2).apaginate_queryset([1, 2, 3], request()) == [1, 2]
    assert await fast(2).apaginate_queryset((1, 2, 3), request("page=2")) == [3]


@pytest.mark.urls(URLS)
@db
async def test_filtered_count():
    """S-PAG-038"""
    await seed(5, choice_field="a")
    await seed(5, choice_field="b")
    body = (await AsyncAPIClient().get("/items/?choice_field=a")).json()
    assert body["count"] == 5


# --- count strategies -----------------------------------------------------------------------


@db
async def test_count_strategy_none_page_number():
    """Count strategy "none": no COUNT, count is null, next from the probe row."""
    from django.db.models import QuerySet

    await seed(7)
    originals = QuerySet.acount, QuerySet.count

    async def no_acount(self):
        raise AssertionError("counted")

    def no_count(self):
        raise AssertionError("counted")

    QuerySet.acount, QuerySet.count = no_acount, no_count
    try:
        paginator = page_number(3, count_strategy="none")
        rows = await paginator.apaginate_queryset(Item.objects.all(), request("page=2"))
        assert [r.created for r in rows] == [3, 4, 5]
        data = paginator.get_paginated_response([]).data
        assert data["count"] is None and "page=3" in data["next"]
        paginator = page_number(3, count_strategy="none")
        await paginator.apaginate_queryset(Item.objects.all(), request("page=3"))
        data = paginator.get_paginated_response([]).data
        assert data["count"] == 7 and data["next"] is None
        with pytest.raises(NotFound):
            await page_number(3, count_strategy="none").apaginate_queryset(
                Item.objects.all(), request("page=4")
            )
    finally:
        QuerySet.acount, QuerySet.count = originals
    # "last" needs a real count and gets one
    paginator = page_number(3, count_strategy="none")
    rows = await paginator.apaginate_queryset(Item.objects.all(), request("page=last"))
    assert [r.created for r in rows] == [6]


@db
async def test_count_strategy_none_limit_offset():
    """Count strategy "none" on limit/offset: same rows, next from the probe row."""
    await seed(5)
    paginator = limit_offset(2, count_strategy="none")
    rows = await paginator.apaginate_queryset(Item.objects.all(), request("offset=2"))
    assert [r.created for r in rows] == [2, 3]
    assert paginator.get_next_link().endswith("limit=2&offset=4")
    rows = await paginator.apaginate_queryset(Item.objects.all(), request("offset=4"))
    assert [r.created for r in rows] == [4] and paginator.get_next_link() is None
    assert paginator.count == 5


@db
async def test_count_strategy_estimate_falls_back_to_exact_off_postgres():
    """Count strategy "estimate": exact below the threshold and on SQLite."""
    await seed(4)
    paginator = page_number(3, count_strategy="estimate")
    await paginator.apaginate_queryset(Item.objects.all(), request())
    assert paginator.page.paginator.count == 4
    sync = page_number(3, count_strategy="estimate")
    await __import__("asgiref.sync").sync.sync_to_async(sync.paginate_queryset)(
        Item.objects.all(), request()
    )
    assert sync.page.paginator.count == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_count_strategy_estimate_uses_planner_on_postgres():
    """Count strategy "estimate" on PostgreSQL: EXPLAIN instead of COUNT(*) above the threshold."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Item.objects.bulk_create([Item(name="x", created=i) for i in range(500)])
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {Item._meta.db_table}")
    paginator = page_number(10, count_strategy="estimate", estimate_threshold=100)
    with CaptureQueriesContext(connection) as queries:
        rows = paginator.paginate_queryset(Item.objects.all(), request("page=2"))
    assert len(rows) == 10
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "EXPLAIN" in sql and "COUNT(" not in sql.upper()
    assert 250 <= paginator.page.paginator.count <= 1000
    exact = page_number(10, count_strategy="estimate", estimate_threshold=10**9)
    exact.paginate_queryset(Item.objects.all(), request())
    assert exact.page.paginator.count == 500


def test_unknown_count_strategy_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="count_strategy"):
        page_number(3, count_strategy="fast").paginate_queryset([1], request())


async def test_max_offset_caps_deep_pages():
    """W-11: optional cap on deep OFFSET scans"""
    with pytest.raises(NotFound):
        await fast(3, max_offset=30).apaginate_queryset(list(range(100)), request("page=20"))
    assert await fast(3, max_offset=30).apaginate_queryset(list(range(100)), request("page=2"))
    with pytest.raises(NotFound):
        await page_number(3, max_offset=30).apaginate_queryset(list(range(100)), request("page=20"))
    with pytest.raises(NotFound):
        limit_offset(3, max_offset=30).paginate_queryset(list(range(100)), request("offset=31"))


@pytest.mark.urls(URLS)
@db
async def test_drf_generic_view_with_restflow_paginator():
    """S-MODE-005"""
    from asgiref.sync import sync_to_async
    from django.test import Client

    await seed(5)
    response = await sync_to_async(Client().get)("/items/drf/")
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert len(response.json()["results"]) == 3


@pytest.mark.urls(URLS)
@db
async def test_async_generic_list_with_filter_backends():
    """S-MODE-006"""
    from restflow.views import AsyncListAPIView
    from tests.core.stack.views import ItemSerializer, PageOfThree

    class SyncBackend:
        def filter_queryset(self, request, queryset, view):
            return queryset.filter(choice_field="a")

    class AsyncBackend:
        def filter_queryset(self, request, queryset, view):
            raise AssertionError("the async hook must be preferred")

        async def afilter_queryset(self, request, queryset, view):
            return queryset.filter(choice_field="b")

    await seed(4, choice_field="a")
    await seed(2, choice_field="b")
    for backend, expected in ((SyncBackend, 4), (AsyncBackend, 2)):
        view = AsyncListAPIView.as_view(
            queryset=Item.objects.all(),
            serializer_class=ItemSerializer,
            pagination_class=PageOfThree,
            filter_backends=[backend],
            authentication_classes=[],
            permission_classes=[],
        )
        from restflow.test import AsyncAPIRequestFactory

        response = await view(AsyncAPIRequestFactory().get("/items/"))
        assert response.status_code == 200
        assert response.data["count"] == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
async def test_count_strategy_estimate_async_and_limit_offset_on_postgres():
    """Count strategy "estimate", async path and limit/offset, on PostgreSQL."""
    from asgiref.sync import sync_to_async
    from django.db import connection

    await Item.objects.abulk_create([Item(name="x", created=i) for i in range(300)])

    def analyze():
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Item._meta.db_table}")

    await sync_to_async(analyze, thread_sensitive=True)()
    paginator = page_number(10, count_strategy="estimate", estimate_threshold=50)
    rows = await paginator.apaginate_queryset(Item.objects.all(), request("page=3"))
    assert [r.created for r in rows] == list(range(20, 30))
    assert 150 <= paginator.page.paginator.count <= 600
    assert paginator.get_next_link().endswith("page=4")
    last = page_number(10, count_strategy="estimate", estimate_threshold=50)
    rows = await last.apaginate_queryset(Item.objects.all(), request("page=last"))
    assert [r.created for r in rows] == list(range(290, 300))
    offsets = limit_offset(25, count_strategy="estimate", estimate_threshold=50)
    rows = await offsets.apaginate_queryset(Item.objects.all(), request("offset=290"))
    assert [r.created for r in rows] == list(range(290, 300))
    assert offsets.get_next_link() is None
    assert offsets.count == 300  # the end was reached: exact
