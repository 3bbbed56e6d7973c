"""The request stack in the example: envelope errors, composed permissions, count strategies,
exact throttles.

GET  /api/stack/books/              page numbers, planner-estimated count on PostgreSQL
GET  /api/stack/books/fast/         page numbers without COUNT(*)
GET  /api/stack/books/cursor/       cursor pagination
GET  /api/stack/quota/              3 requests per minute per client (429 + Retry-After)
POST /api/stack/books/<id>/price/   staff, or the book's in-stock flag set; envelope errors
"""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from store.models import Book

from restflow.exceptions import APIException, ErrorCode
from restflow.pagination import CursorPagination, FastPageNumberPagination, PageNumberPagination
from restflow.permissions import AllowAny, BasePermission, IsAdminUser
from restflow.throttling import AnonRateThrottle
from restflow.views import AsyncAPIView, AsyncListAPIView


class StackBookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "price", "in_stock"]


class EstimatedPages(PageNumberPagination):
    page_size = 10
    page_size_query_param = "size"
    max_page_size = 100
    count_strategy = "estimate"


class FastPages(FastPageNumberPagination):
    page_size = 10
    max_offset = 10_000


class ByTitle(CursorPagination):
    page_size = 10
    ordering = ("title", "id")


class InStock(BasePermission):
    message = "Prices of books out of stock are frozen."

    async def ahas_object_permission(self, request, view, obj):
        return obj.in_stock


class PriceOutOfRange(APIException):
    status_code = 409
    code = ErrorCode.CONFLICT
    default_detail = "That price is outside the allowed range."


class BookList(AsyncListAPIView):
    queryset = Book.objects.order_by("id")
    serializer_class = StackBookSerializer
    permission_classes = [AllowAny]
    pagination_class = EstimatedPages


class FastBookList(BookList):
    pagination_class = FastPages


class CursorBookList(BookList):
    pagination_class = ByTitle


class ThreePerMinute(AnonRateThrottle):
    rate = "3/min"


class Quota(AsyncAPIView):
    permission_classes = [AllowAny]
    throttle_classes = [ThreePerMinute]

    async def get(self, request):
        return Response({"ok": True})


class BookPrice(AsyncAPIView):
    permission_classes = [IsAdminUser | InStock]

    async def post(self, request, pk):
        book = await Book.objects.aget(pk=pk)  # DoesNotExist → 404 "Resource not found."
        await self.acheck_object_permissions(request, book)
        price = serializers.DecimalField(max_digits=8, decimal_places=2).run_validation(
            request.data.get("price")
        )
        if price <= 0 or price > 1000:
            raise PriceOutOfRange(details={"min": "0.01", "max": "1000.00"})
        book.price = price
        await book.asave(update_fields=["price"])
        return Response(StackBookSerializer(book).data)


urlpatterns = [
    path("books/", BookList.as_view()),
    path("books/fast/", FastBookList.as_view()),
    path("books/cursor/", CursorBookList.as_view()),
    path("books/<int:pk>/price/", BookPrice.as_view()),
    path("quota/", Quota.as_view()),
]
