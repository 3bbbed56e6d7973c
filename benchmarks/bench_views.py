"""Views: one GET through Django's ASGI handler, in-process, per framework.

* JSON-bound: 20 in-memory objects serialized (no database).
* DB-bound: 50 ``Book`` rows read from the database and serialized (SQLite, or
  PostgreSQL with ``--db=postgres``).

Contenders: a plain Django async view (the floor and baseline: hand-written dicts and
``JsonResponse``), restflow's ``AsyncAPIView`` / ``AsyncListAPIView`` with the same DRF
serializer as DRF (``restflow``) and with a ``restflow.serializers`` serializer
(``restflow+rf-serializer``), DRF (sync ``APIView``/``ListAPIView``), adrf and django-ninja.
Every DRF-family view runs without authentication or permission classes.
Goal: restflow within 1.3× of the floor on the JSON-bound case, ahead of adrf and DRF.
``benchmarks/load_views.py`` serves the same routes under uvicorn and drives them with wrk.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from adrf import generics as adrf_generics
from adrf import serializers as adrf_serializers
from adrf.views import APIView as ADRFAPIView
from django.core.asgi import get_asgi_application
from django.http import JsonResponse
from django.urls import path
from ninja import NinjaAPI, Schema
from rest_framework import generics as drf_generics
from rest_framework import serializers as drf
from rest_framework.response import Response as DRFResponse
from rest_framework.views import APIView as DRFAPIView

from benchmarks import urls
from benchmarks.app.models import Author, Book
from benchmarks.harness import Scenario
from restflow.serializers import Field, ModelSerializer, Serializer
from restflow.views import AsyncAPIView, AsyncListAPIView

OPEN = {"authentication_classes": [], "permission_classes": [], "throttle_classes": []}


@dataclass
class Row:
    id: int
    title: str
    price: decimal.Decimal
    pages: int
    in_stock: bool
    rating: float
    published: datetime.date


ROWS = [
    Row(
        i,
        f"Book {i}",
        decimal.Decimal("12.50"),
        100 + i,
        i % 2 == 0,
        4.5,
        datetime.date(2024, 1, 1),
    )
    for i in range(20)
]
BOOK_FIELDS = ["id", "title", "price", "pages", "in_stock", "rating", "published"]


def row_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "price": str(row.price),
        "pages": row.pages,
        "in_stock": row.in_stock,
        "rating": row.rating,
        "published": row.published.isoformat(),
    }


# Serializers ----------------------------------------------------------------------------


class RowSerializer(drf.Serializer):
    id = drf.IntegerField()
    title = drf.CharField()
    price = drf.DecimalField(max_digits=8, decimal_places=2)
    pages = drf.IntegerField()
    in_stock = drf.BooleanField()
    rating = drf.FloatField()
    published = drf.DateField()


class RestflowRowSerializer(Serializer):
    id: int
    title: str
    price: decimal.Decimal = Field(max_digits=8, decimal_places=2)
    pages: int
    in_stock: bool
    rating: float
    published: datetime.date


class ADRFRowSerializer(adrf_serializers.Serializer):
    id = drf.IntegerField()
    title = drf.CharField()
    price = drf.DecimalField(max_digits=8, decimal_places=2)
    pages = drf.IntegerField()
    in_stock = drf.BooleanField()
    rating = drf.FloatField()
    published = drf.DateField()


class BookSerializer(drf.ModelSerializer):
    class Meta:
        model = Book
        fields = BOOK_FIELDS


class RestflowBookSerializer(ModelSerializer):
    class Meta:
        model = Book
        fields = BOOK_FIELDS


class ADRFBookSerializer(adrf_serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = BOOK_FIELDS


class BookOut(Schema):
    id: int
    title: str
    price: decimal.Decimal
    pages: int
    in_stock: bool
    rating: float
    published: datetime.date


def books():
    return Book.objects.order_by("id")[:50]


# JSON-bound views -------------------------------------------------------------------------


async def django_rows(request):
    return JsonResponse([row_dict(row) for row in ROWS], safe=False)


class RestflowRows(AsyncAPIView):
    serializer_class = RowSerializer
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return await self.aserialized_response(ROWS, many=True)


class RestflowRowsTyped(RestflowRows):
    serializer_class = RestflowRowSerializer


class DRFRows(DRFAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        return DRFResponse(RowSerializer(ROWS, many=True).data)


class ADRFRows(ADRFAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return DRFResponse(await ADRFRowSerializer(ROWS, many=True).adata)


# DB-bound views ---------------------------------------------------------------------------


async def django_books(request):
    rows = [row_dict(book) async for book in books()]
    return JsonResponse(rows, safe=False)


class RestflowBooks(AsyncListAPIView):
    serializer_class = BookSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        return books()


class RestflowBooksTyped(RestflowBooks):
    serializer_class = RestflowBookSerializer


class DRFBooks(drf_generics.ListAPIView):
    serializer_class = BookSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        return books()


class ADRFBooks(adrf_generics.ListAPIView):
    serializer_class = ADRFBookSerializer
    pagination_class = None
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        return books()


ninja_api = NinjaAPI(urls_namespace="bench_views")


@ninja_api.get("/rows", response=list[BookOut])
async def ninja_rows(request):
    return ROWS


@ninja_api.get("/books", response=list[BookOut])
async def ninja_books(request):
    return [book async for book in books()]


urls.urlpatterns += [
    path("views/django/rows/", django_rows),
    path("views/restflow/rows/", RestflowRows.as_view()),
    path("views/restflow-typed/rows/", RestflowRowsTyped.as_view()),
    path("views/drf/rows/", DRFRows.as_view()),
    path("views/adrf/rows/", ADRFRows.as_view()),
    path("views/django/books/", django_books),
    path("views/restflow/books/", RestflowBooks.as_view()),
    path("views/restflow-typed/books/", RestflowBooksTyped.as_view()),
    path("views/drf/books/", DRFBooks.as_view()),
    path("views/adrf/books/", ADRFBooks.as_view()),
    path("views/ninja/", ninja_api.urls),
]

# In-process ASGI client ---------------------------------------------------------------------

APPLICATION = get_asgi_application()


async def asgi_get(path: str) -> bytes:
    """One GET through Django's ASGI handler; fails loudly on anything but a 200."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    requested = False
    status = 0
    body = []

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Future()  # the client never disconnects; Django cancels this wait
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await APPLICATION(scope, receive, send)
    if status != 200:
        raise AssertionError(f"GET {path} answered {status}: {b''.join(body)[:300]!r}")
    return b"".join(body)


def _client(path: str):
    async def get() -> bytes:
        return await asgi_get(path)

    get.__name__ = f"get_{path.strip('/').replace('/', '_')}"
    return get


def _seed_books() -> None:
    if Book.objects.count() >= 50:
        return
    author = Author.objects.create(name="Bench Author")
    Book.objects.bulk_create(
        Book(
            title=f"Book {i}",
            author=author,
            price=decimal.Decimal("12.50"),
            pages=100 + i,
            published=datetime.date(2024, 1, 1),
            isbn=f"isbn-{i}",
        )
        for i in range(60)
    )


def _contenders(kind: str) -> dict[str, Any]:
    typed = {"restflow+rf-serializer": _client(f"/views/restflow-typed/{kind}/")}
    return {
        "django": _client(f"/views/django/{kind}/"),
        "restflow": _client(f"/views/restflow/{kind}/"),
        **typed,
        "drf": _client(f"/views/drf/{kind}/"),
        "adrf": _client(f"/views/adrf/{kind}/"),
        "ninja": _client(f"/views/ninja/{kind}"),
    }


SCENARIOS = [
    Scenario(
        name="views: GET 20 serialized objects (JSON-bound, ASGI)",
        baseline="django",
        contenders=_contenders("rows"),
        number=50,  # adrf takes ~50-90 ms a call here
        goals={"restflow": 1.3, "restflow+rf-serializer": 1.3},
    ),
    Scenario(
        name="views: GET list of 50 rows (DB-bound, ASGI)",
        baseline="django",
        contenders=_contenders("books"),
        setup=_seed_books,
        number=50,
    ),
]
