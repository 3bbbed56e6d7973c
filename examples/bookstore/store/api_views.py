"""restflow.views in the example: an async viewset per book and a streamed catalogue.

GET/POST        /api/views/books/          list (slim rows) / create
GET/PUT/PATCH   /api/views/books/<id>/     retrieve / update
DELETE          /api/views/books/<id>/     staff only (ActionConfig)
POST            /api/views/books/<id>/restock/
GET             /api/views/catalogue.ndjson  every book, one JSON line each, streamed
"""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.routers import SimpleRouter
from store.models import Book

from restflow.responses import NDJSONResponse
from restflow.views import ActionConfig, AsyncAPIView, AsyncModelViewSet


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "author", "price", "pages", "published", "in_stock", "genre"]


class BookRowSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "title", "author", "price"]


class BookViewSet(AsyncModelViewSet):
    queryset = Book.objects.select_related("author")
    serializer_class = BookSerializer
    permission_classes = [AllowAny]
    action_configs = {
        "list": ActionConfig(response_serializer_class=BookRowSerializer),
        "destroy": ActionConfig(permission_classes=[IsAdminUser]),
    }

    @action(detail=True, methods=["post"])
    async def restock(self, request, pk=None):
        book = await self.aget_object()
        book.in_stock = True
        await book.asave(update_fields=["in_stock"])
        return await self.aserialized_response(book)


class Catalogue(AsyncAPIView):
    """Streams the whole catalogue without loading it in memory."""

    permission_classes = [AllowAny]

    async def get(self, request):
        async def rows():
            async for book in Book.objects.select_related("author").order_by("id"):
                yield {"id": book.id, "title": book.title, "author": book.author.name}

        return NDJSONResponse(rows())


router = SimpleRouter()
router.register("books", BookViewSet, basename="views-book")

urlpatterns = [
    path("catalogue.ndjson", Catalogue.as_view()),
    path("", include(router.urls)),
]
