"""restflow.filters in the example: a filtered, ordered, paginated book list.

GET /api/filters/books/?title__icontains=dune&genre=essay,poetry&price__lte=20
                       &published__year=2020&author__name=Frank%20Herbert&order_by=-price
GET /api/filters/books/?price!=10          negation: every book whose price is not 10
GET /api/filters/books/?pric=10            strict mode: 400 "Did you mean 'price'?"

The list is async (the FilterSet is applied with ``afilter_queryset``); bad values are a 400
in restflow's error envelope; the OpenAPI parameters come from the same FilterSet.
"""

from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from store.models import Author, Book

from restflow.filters import (
    DecimalField,
    FilterSet,
    MultipleChoiceField,
    RelatedField,
    RestflowFilterBackend,
    StringField,
)
from restflow.pagination import PageNumberPagination
from restflow.views import AsyncListAPIView

GENRES = ["fiction", "science-fiction", "fantasy", "essay", "poetry", "science", "history"]


class BookFilterSet(FilterSet):
    title = StringField(lookups=["icontains", "istartswith"], help_text="Book title")
    genre = MultipleChoiceField(choices=GENRES, filter_by="genre__in", help_text="Genres")
    price = DecimalField(max_digits=8, decimal_places=2, lookups=["gte", "lte", "range"])
    author = RelatedField(model=Author, fields=["name"])

    class Meta:
        model = Book
        fields = ["pages", "published", "in_stock"]
        extra_kwargs = {
            "pages": {"lookups": ["gte", "lte"]},
            "published": {"lookups": ["year", "gte", "lte"]},
        }
        order_fields = [("title", "title"), ("price", "price"), ("published", "published")]
        default_order_fields = ["title"]


class FilteredBookSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name")

    class Meta:
        model = Book
        fields = ["id", "title", "author", "genre", "price", "pages", "published", "in_stock"]


class BookPages(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100


class Books(AsyncListAPIView):
    permission_classes = [AllowAny]
    queryset = Book.objects.select_related("author")
    serializer_class = FilteredBookSerializer
    filter_backends = [RestflowFilterBackend]
    filterset_class = BookFilterSet
    filterset_strict = True
    pagination_class = BookPages


urlpatterns = [path("books/", Books.as_view())]
