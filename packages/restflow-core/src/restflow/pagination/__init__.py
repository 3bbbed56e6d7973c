"""`restflow.pagination`: paginators with identical sync and async paths (stack.md §3)."""

from restflow.pagination.pagination import (
    BasePagination,
    CursorPagination,
    FastPageNumberPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)

__all__ = [
    "BasePagination",
    "CursorPagination",
    "FastPageNumberPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
]
