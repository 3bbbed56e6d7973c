"""restflow.caching in the example: a cached list, a cached detail and a cached statistic.

GET /api/caching/books/?genre=…      cached list; any book save/delete drops every variant
GET /api/caching/books/<pk>/         cached detail; saving/deleting that book drops it
GET /api/caching/authors/<pk>/stats/ cached per-author statistic (@cache_result), dropped
                                     when one of the author's books changes or is added
Responses carry X-Cache-status (MISS / HIT) so the caching is visible with curl.
"""

from django.db.models import Avg, Count
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from store.models import Book

from restflow.caching import (
    ArgsKeyField,
    InvalidationRule,
    KeyConstructor,
    ResponseCacheKeyConstructor,
    cache_response,
    cache_result,
)


class CachedBookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "author", "price", "genre", "in_stock"]


def drop_every_list(wrapper, instance):
    """Any book change can move it in or out of any filtered list."""
    wrapper.invalidate_all()


class BookListKey(ResponseCacheKeyConstructor):
    class Meta:
        namespace = "bookstore"
        shared = True  # the catalogue is the same for every user


class BookList(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="caching_books_list", responses=CachedBookSerializer(many=True))
    @cache_response(
        BookListKey,
        ttl=300,
        set_cache_headers=True,
        invalidates_on=[
            InvalidationRule(Book, invalidator=drop_every_list, trigger_on_create=True),
        ],
    )
    def get(self, request):
        books = Book.objects.order_by("id")
        if genre := request.query_params.get("genre"):
            books = books.filter(genre=genre)
        return Response(CachedBookSerializer(books[:100], many=True).data)


class BookDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="caching_books_retrieve", responses=CachedBookSerializer)
    @cache_response(
        ttl=300,
        set_cache_headers=True,
        invalidates_on=[InvalidationRule(Book, field_mapping={"pk": "pk"})],
    )
    def get(self, request, pk):
        book = Book.objects.filter(pk=pk).first()
        if book is None:
            return Response({"detail": "Not found."}, status=404)
        return Response(CachedBookSerializer(book).data)


class AuthorKey(KeyConstructor):
    author = ArgsKeyField("author_id", partition=True)

    class Meta:
        namespace = "bookstore"


@cache_result(
    AuthorKey,
    ttl=600,
    invalidates_on=[
        InvalidationRule(Book, field_mapping={"author_id": "author_id"}, trigger_on_create=True)
    ],
)
def author_stats(author_id):
    stats = Book.objects.filter(author_id=author_id).aggregate(
        books=Count("id"), avg_price=Avg("price")
    )
    return {"books": stats["books"], "avg_price": str(stats["avg_price"] or 0)}


class AuthorStats(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "AuthorStats",
            {"books": serializers.IntegerField(), "avg_price": serializers.CharField()},
        )
    )
    def get(self, request, pk):
        value, metadata = author_stats.get_with_metadata(pk)
        return Response(
            value, headers={"X-Cache-status": metadata["cache_status"] if metadata else "MISS"}
        )


urlpatterns = [
    path("books/", BookList.as_view()),
    path("books/<int:pk>/", BookDetail.as_view()),
    path("authors/<int:pk>/stats/", AuthorStats.as_view()),
]
