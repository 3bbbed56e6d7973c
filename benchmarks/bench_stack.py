"""Request stack: pagination count strategies and throttles under concurrency.

* Pagination: page 2 (50 rows) of a 100,000-row ``Book`` table, ordered by id, through each
  paginator, then ``get_paginated_response``. Baseline: DRF's ``PageNumberPagination``
  (``COUNT(*)`` + slice). restflow contenders: the same paginator sync and async with
  ``count_strategy`` ``exact``, ``estimate`` (PostgreSQL planner; exact elsewhere) and
  ``none``, and ``FastPageNumberPagination``. Run with ``--db=postgres`` for the numbers
  that matter (SQLite has no planner estimate: ``estimate`` equals ``exact`` there).
* Throttling: 64 concurrent requests for one client (``asyncio.gather``), limit 100/min, a
  fresh key per burst. Baseline: DRF's ``SimpleRateThrottle`` called 64 times the way a
  sync worker does, on local memory. Contenders: DRF through ``sync_to_async`` (how DRF
  throttles run under async views), restflow async on local memory and Redis (atomic
  script over ``redis.asyncio``), and DRF / restflow sync on Redis.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import itertools
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from rest_framework import pagination as drf_pagination
from rest_framework import throttling as drf_throttling
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from benchmarks.app.models import Author, Book
from benchmarks.harness import Scenario
from restflow import pagination, throttling

ROWS = 100_000
PAGE = 50
BURST = 64


def _seed() -> None:
    missing = ROWS - Book.objects.count()
    if missing <= 0:
        return
    author = Author.objects.first() or Author.objects.create(name="Bench Author")
    for start in range(0, missing, 10_000):
        Book.objects.bulk_create(
            Book(
                title=f"Book {start + i}",
                author=author,
                price=decimal.Decimal("9.99"),
                pages=100,
                published=datetime.date(2024, 1, 1),
                isbn=f"isbn-{start + i}",
            )
            for i in range(min(10_000, missing - start))
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Book._meta.db_table}")


def _request() -> Request:
    return Request(APIRequestFactory().get("/books/?page=2"))


def _paginator(base: type, **attrs: Any) -> type:
    return type("Bench", (base,), {"page_size": PAGE, **attrs})


def _sync(paginator_class: type) -> Any:
    def run() -> Any:
        paginator = paginator_class()
        rows = paginator.paginate_queryset(Book.objects.order_by("id"), _request())
        return paginator.get_paginated_response([row.pk for row in rows])

    return run


def _async(paginator_class: type) -> Any:
    async def run() -> Any:
        paginator = paginator_class()
        rows = await paginator.apaginate_queryset(Book.objects.order_by("id"), _request())
        return paginator.get_paginated_response([row.pk for row in rows])

    return run


def _pagination() -> Scenario:
    page = pagination.PageNumberPagination
    return Scenario(
        name=f"page 2 ({PAGE} rows) of {ROWS:,}",
        baseline="drf",
        setup=_seed,
        number=20,
        contenders={
            "drf": _sync(_paginator(drf_pagination.PageNumberPagination)),
            "restflow exact (sync)": _sync(_paginator(page)),
            "restflow exact (async)": _async(_paginator(page)),
            "restflow estimate (sync)": _sync(_paginator(page, count_strategy="estimate")),
            "restflow estimate (async)": _async(_paginator(page, count_strategy="estimate")),
            "restflow none (async)": _async(_paginator(page, count_strategy="none")),
            "restflow fast (async)": _async(_paginator(pagination.FastPageNumberPagination)),
        },
    )


_keys = itertools.count()


def _throttle(base: type, alias: str) -> type:
    counter = iter(_keys)

    class Bench(base):  # type: ignore[misc, valid-type]
        rate = "100/min"
        cache = caches[alias]
        key = "bench-0"

        def get_cache_key(self, request: Any, view: Any) -> str:
            return self.key

    Bench.next_key = lambda: f"bench-{alias}-{base.__module__}-{next(counter)}"  # type: ignore[attr-defined]
    return Bench


def _drf_sequential(alias: str) -> Any:
    throttle_class = _throttle(drf_throttling.SimpleRateThrottle, alias)

    def run() -> int:
        throttle_class.key = throttle_class.next_key()
        request = _request()
        return sum(throttle_class().allow_request(request, None) for _ in range(BURST))

    return run


def _drf_in_worker(alias: str) -> Any:
    throttle_class = _throttle(drf_throttling.SimpleRateThrottle, alias)

    async def run() -> int:
        throttle_class.key = throttle_class.next_key()
        request = _request()
        allow = sync_to_async(lambda: throttle_class().allow_request(request, None))
        return sum(await asyncio.gather(*(allow() for _ in range(BURST))))

    return run


def _restflow_async(alias: str) -> Any:
    throttle_class = _throttle(throttling.SimpleRateThrottle, alias)

    async def run() -> int:
        throttle_class.key = throttle_class.next_key()
        request = _request()
        burst = (throttle_class().aallow_request(request, None) for _ in range(BURST))
        return sum(await asyncio.gather(*burst))

    return run


def _restflow_sequential(alias: str) -> Any:
    throttle_class = _throttle(throttling.SimpleRateThrottle, alias)

    def run() -> int:
        throttle_class.key = throttle_class.next_key()
        request = _request()
        return sum(throttle_class().allow_request(request, None) for _ in range(BURST))

    return run


def _throttling() -> Scenario:
    return Scenario(
        name=f"{BURST} concurrent requests, one client",
        baseline="drf locmem (sync)",
        number=20,
        contenders={
            "drf locmem (sync)": _drf_sequential("default"),
            "drf locmem (sync_to_async)": _drf_in_worker("default"),
            "restflow locmem (async)": _restflow_async("default"),
            "restflow locmem (sync)": _restflow_sequential("default"),
            "drf redis (sync)": _drf_sequential("redis"),
            "restflow redis (async)": _restflow_async("redis"),
            "restflow redis (sync)": _restflow_sequential("redis"),
        },
    )


def scenarios() -> list[Scenario]:
    return [_pagination(), _throttling()]
