"""Helpers shared by the filter tests."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict


def qd(query: str = "") -> QueryDict:
    return QueryDict(query)


def drf_request(query: str = "") -> Any:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    return Request(APIRequestFactory().get(f"/?{query}" if query else "/"))


def errors_of(field: Any, value: Any) -> list[str]:
    """The messages ``field`` raises for ``value`` (``[]`` when valid)."""
    from rest_framework.exceptions import ValidationError

    try:
        field.run_validation(value)
    except ValidationError as exc:
        detail = exc.detail
        if isinstance(detail, dict):
            return [str(m) for msgs in detail.values() for m in msgs]
        return [str(m) for m in detail]
    return []


def ids(queryset: Any) -> list[int]:
    return list(queryset.values_list("integer_field", flat=True))
