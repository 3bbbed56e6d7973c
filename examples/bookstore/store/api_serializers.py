"""restflow.serializers in the example: annotated request/response serializers, async all the way.

GET   /api/serializers/books/   the 50 first books, author nested (rendered off the event loop)
POST  /api/serializers/books/   create a book: annotations validate, an async hook checks the
                                title, asave() stores it with the async ORM
GET   /api/serializers/authors/ authors through an InlineSerializer
"""

import datetime
import decimal
from typing import Literal

from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from store.models import Author, Book

from restflow.serializers import Field, InlineSerializer, ModelSerializer, Serializer
from restflow.views import AsyncAPIView

AuthorOut = InlineSerializer(name="AuthorOut", model=Author, model_fields=["id", "name", "born"])


class BookIn(Serializer):
    title: str = Field(max_length=200)
    author = serializers.PrimaryKeyRelatedField(queryset=Author.objects.all())
    price: decimal.Decimal = Field(max_digits=8, decimal_places=2, min_value=0)
    pages: int = Field(min_value=1)
    published: datetime.date
    in_stock: bool = Field(default=True)
    genre: Literal["fiction", "science", "history", "poetry"] = Field(default="fiction")

    async def validate_title(self, value):
        if await Book.objects.filter(title__iexact=value).aexists():
            raise serializers.ValidationError("A book with this title already exists.")
        return value

    async def acreate(self, validated_data):
        return await Book.objects.acreate(**validated_data)


class BookOut(ModelSerializer):
    author: AuthorOut

    class Meta:
        model = Book
        fields = ["id", "title", "price", "pages", "published", "in_stock", "genre"]


class Books(AsyncAPIView):
    permission_classes = [AllowAny]

    async def get(self, request):
        books = Book.objects.select_related("author").order_by("id")[:50]
        return Response(await BookOut(books, many=True).adata)

    async def post(self, request):
        serializer = BookIn(data=request.data)
        await serializer.ais_valid(raise_exception=True)
        book = await serializer.asave()
        book = await Book.objects.select_related("author").aget(pk=book.pk)
        return Response(await BookOut(book).adata, status=201)


class Authors(AsyncAPIView):
    permission_classes = [AllowAny]

    async def get(self, request):
        return Response(await AuthorOut(Author.objects.order_by("name"), many=True).adata)


urlpatterns = [
    path("books/", Books.as_view()),
    path("authors/", Authors.as_view()),
]
