"""restflow.caching side by side with raw Django, Django's cache_page and drf-extensions.

Every scenario runs on the local-memory cache and on Redis (Django's RedisCache). Goals
(issue 7): @cache_response hit ≤1.2× a DRF view returning cached bytes itself; @cache_result
hit ≤2× a bare cache.get (sync and async); a miss ≤1.1× the uncached path; one invalidation
rule adds ≤0.25× to a plain save().
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.views.decorators.cache import cache_page
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_extensions.cache.decorators import cache_response as ext_cache_response

from benchmarks.app.models import Author, Book
from benchmarks.harness import Scenario
from benchmarks.settings import REDIS_URL
from restflow.caching import (
    ArgsKeyField,
    InvalidationRule,
    KeyConstructor,
    cache_response,
    cache_result,
)
from restflow.helpers.cache import async_cache

PAYLOAD = {"id": 1, "title": "A book", "tags": ["x", "y", "z"], "price": "12.50"}
factory = RequestFactory()


def cache_config(kind: str) -> dict[str, Any]:
    prefix = f"bench-caching-{uuid.uuid4().hex[:6]}"
    if kind == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }


def use(kind: str) -> None:
    """Point the ``default`` cache at ``kind`` for the scenarios that follow."""
    override_settings(CACHES={"default": cache_config(kind)}).enable()
    caches["default"].clear() if kind == "locmem" else None


# -- response hits ----------------------------------------------------------------------------


class RawView(APIView):
    """The baseline: a DRF view that returns cached bytes itself."""

    def get(self, request):
        cached = caches["default"].get("raw-view")
        if cached is None:
            cached = JSON_BYTES
            caches["default"].set("raw-view", cached, 3600)
        return HttpResponse(cached, content_type="application/json")


JSON_BYTES = b'{"id":1,"title":"A book","tags":["x","y","z"],"price":"12.50"}'


class RestflowView(APIView):
    @cache_response(ttl=3600)
    def get(self, request):
        return Response(PAYLOAD)


class ExtensionsView(APIView):
    @ext_cache_response(timeout=3600)
    def get(self, request):
        return Response(PAYLOAD)


class PlainView(APIView):
    def get(self, request):
        return Response(PAYLOAD)


cache_page_view = cache_page(3600)(PlainView.as_view())
raw_view, restflow_view, extensions_view = (
    RawView.as_view(),
    RestflowView.as_view(),
    ExtensionsView.as_view(),
)


def call(view):
    def run():
        response = view(factory.get("/books/1/"))
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        return response

    return run


# -- result hits and misses ---------------------------------------------------------------------


class BookKey(KeyConstructor):
    book = ArgsKeyField("book_id", partition=True)


@cache_result(BookKey, ttl=3600)
def book_title(book_id):
    return list(Book.objects.filter(pk=book_id).values_list("title", flat=True))


@cache_result(BookKey, ttl=3600)
async def abook_title(book_id):
    return ["A book"]


def uncached_title(book_id):
    return list(Book.objects.filter(pk=book_id).values_list("title", flat=True))


_misses = itertools.count(1_000_000)


def bare_get():
    return caches["default"].get("bare-key")


async def abare_get():
    return await async_cache(caches["default"]).get("bare-key")


async def django_aget():
    return await caches["default"].aget("bare-key")


def result_hit():
    return book_title(1)


async def aresult_hit():
    return await abook_title(1)


def miss():
    return book_title(next(_misses))


def uncached():
    return uncached_title(next(_misses))


def cache_aside():
    """The floor of any miss: one bare read, the ORM read, one bare write (no invalidation,
    no stampede protection, no metadata)."""
    book_id = next(_misses)
    cache = caches["default"]
    value = cache.get(f"aside:{book_id}")
    if value is None:
        value = uncached_title(book_id)
        cache.set(f"aside:{book_id}", value, 3600)
    return value


# -- invalidation cost --------------------------------------------------------------------------


class PlainAuthor(Author):
    """Same table, no rule: the baseline (a proxy save costs a little more than a plain one)."""

    class Meta:
        proxy = True
        app_label = "bench"


class RuledAuthor(Author):
    """Same table as Author; one rule is declared on this proxy."""

    class Meta:
        proxy = True
        app_label = "bench"


@cache_result(
    BookKey, invalidates_on=[InvalidationRule(RuledAuthor, field_mapping={"book_id": "pk"})]
)
def author_books(book_id):
    return []


class PooledAuthor(Author):
    """Same table again; its rule runs on the threadpool dispatcher."""

    class Meta:
        proxy = True
        app_label = "bench"


@cache_result(
    BookKey,
    invalidates_on=[
        InvalidationRule(PooledAuthor, field_mapping={"book_id": "pk"}, dispatcher="threadpool")
    ],
)
def pooled_author_books(book_id):
    return []


_author: dict[str, Any] = {}
_bare_write: dict[str, Any] = {}


def setup_save(kind):
    def setup():
        use(kind)
        if kind == "redis":  # one raw SET on a plain redis-py client: one round trip
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            _bare_write["write"] = lambda: client.set("bench-caching-bare-gen", b"1")
        else:
            cache = caches["default"]
            _bare_write["write"] = lambda: cache.set("bench-caching-bare-gen", 1, None)
        author = Author.objects.get_or_create(name="bench")[0]
        _author["plain"] = PlainAuthor.objects.get(pk=author.pk)
        _author["ruled"] = RuledAuthor.objects.get(pk=author.pk)
        _author["pooled"] = PooledAuthor.objects.get(pk=author.pk)

    return setup


def plain_save():
    _author["plain"].save()


def ruled_save():
    _author["ruled"].save()


def save_and_bare_write():
    """The floor of a save that invalidates: the save, then one bare cache write."""
    _author["plain"].save()
    _bare_write["write"]()


def pooled_save():
    _author["pooled"].save()


def setup_data(kind):
    def setup():
        use(kind)
        if not Book.objects.exists():
            import datetime

            author = Author.objects.create(name="a")
            Book.objects.create(
                pk=1,
                title="A book",
                author=author,
                price=1,
                pages=1,
                published=datetime.date(2020, 1, 1),
                isbn="x",
            )
        caches["default"].set("bare-key", {"value": ["A book"], "metadata": {}}, 3600)

    return setup


def scenarios() -> list[Scenario]:
    found = []
    kinds = ["locmem"]
    if "redis" in caches.settings:
        try:
            caches["redis"].get("ping")
            kinds.append("redis")
        except Exception:
            pass
    for kind in kinds:
        found += [
            Scenario(
                name=f"[{kind}] response hit",
                baseline="raw DRF view (cached bytes)",
                contenders={
                    "raw DRF view (cached bytes)": call(raw_view),
                    "restflow @cache_response": call(restflow_view),
                    "drf-extensions cache_response": call(extensions_view),
                    "django cache_page": call(cache_page_view),
                },
                setup=setup_data(kind),
                number=300,
                goals={"restflow @cache_response": 1.2},
            ),
            Scenario(
                name=f"[{kind}] cache_result hit (sync)",
                baseline="bare cache.get",
                contenders={"bare cache.get": bare_get, "restflow @cache_result": result_hit},
                setup=setup_data(kind),
                number=1000,
                goals={"restflow @cache_result": 2.0},
            ),
            Scenario(
                name=f"[{kind}] cache_result hit (async)",
                baseline="bare native async get",
                contenders={
                    "bare native async get": abare_get,
                    "restflow @cache_result": aresult_hit,
                    "django cache.aget (thread hop)": django_aget,
                },
                setup=setup_data(kind),
                number=1000,
                goals={"restflow @cache_result": 2.0},
            ),
            Scenario(
                name=f"[{kind}] miss vs uncached ORM read",
                baseline="uncached",
                contenders={
                    "uncached": uncached,
                    "restflow miss": miss,
                    "hand-written get + ORM + set (floor)": cache_aside,
                },
                setup=setup_data(kind),
                number=300,
                goals={"restflow miss": 1.1},
            ),
            Scenario(
                name=f"[{kind}] save() with one invalidation rule",
                baseline="plain save()",
                contenders={
                    "plain save()": plain_save,
                    "save() + 1 rule": ruled_save,
                    "save() + one bare cache write (floor)": save_and_bare_write,
                },
                setup=setup_save(kind),
                number=200,
                goals={"save() + 1 rule": 1.25},
            ),
            # Separate scenario: the pool drains its jobs in the background, which would
            # slow whichever contender runs next.
            Scenario(
                name=f"[{kind}] save() with one threadpool rule",
                baseline="plain save()",
                contenders={
                    "plain save()": plain_save,
                    "save() + 1 rule (threadpool)": pooled_save,
                },
                setup=setup_save(kind),
                number=200,
            ),
        ]
    return found
