"""Paginators with one algorithm for the sync and the async path (stack.md §3).

Each paginator writes its algorithm once as a "steps" generator (see
:mod:`restflow.pagination.steps`); ``paginate_queryset`` and ``apaginate_queryset`` only
drive it, so both paths return the same rows and raise the same errors for the same input.

Import-safe (stack.md §0): no ``rest_framework.views`` at module level.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import django
from asgiref.sync import sync_to_async
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination as drf
from rest_framework.exceptions import NotFound
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from restflow.helpers import run_sync as _run_awaitable
from restflow.pagination.counting import COUNT_EXACT, COUNT_NONE, check_count_strategy
from restflow.pagination.steps import CountRows, FetchRows, Steps, run_async, run_sync
from restflow.responses import Response


class AsyncPaginator:
    """Page arithmetic without a queryset: ``count`` rows split in pages of ``per_page``.

    ``count`` is ``None`` when the count strategy does not count; ``num_pages`` may then be
    given by the caller (what the extra-row probe proved to exist).
    """

    def __init__(self, count: int | None, per_page: int, *, num_pages: int | None = None) -> None:
        self.count = count
        self.per_page = per_page
        if num_pages is None:
            num_pages = max(1, math.ceil(count / per_page)) if count else 1
        self.num_pages = num_pages


class AsyncPage:
    """The page object of restflow paginators (Django ``Page``'s navigation API)."""

    def __init__(self, object_list: list[Any], number: int, paginator: AsyncPaginator) -> None:
        self.object_list = object_list
        self.number = number
        self.paginator = paginator

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __repr__(self) -> str:
        return f"<AsyncPage {self.number} of {self.paginator.num_pages}>"


def _is_overridden(instance: object, name: str, base: type) -> bool:
    return getattr(type(instance), name) is not getattr(base, name)


class BasePagination(drf.BasePagination):
    """Adds ``apaginate_queryset``; a subclass may implement either method, or both."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        if _is_overridden(self, "apaginate_queryset", BasePagination):
            return _run_awaitable(self.apaginate_queryset(queryset, request, view))
        return super().paginate_queryset(queryset, request, view)

    async def apaginate_queryset(
        self, queryset: Any, request: Any, view: Any = None
    ) -> list[Any] | None:
        return await sync_to_async(self.paginate_queryset, thread_sensitive=True)(
            queryset, request, view
        )


class _StepsPagination(BasePagination):
    """Shared drivers: subclasses implement ``_steps`` once."""

    def _steps(self, queryset: Any, request: Any, view: Any) -> Steps[list[Any] | None]:
        raise NotImplementedError

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        return run_sync(self._steps(queryset, request, view))

    async def apaginate_queryset(
        self, queryset: Any, request: Any, view: Any = None
    ) -> list[Any] | None:
        return await run_async(self._steps(queryset, request, view), queryset)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's envelope; its ``required`` list (added in DRF 3.15) on every DRF."""
        result: dict[str, Any] = super().get_paginated_response_schema(schema)
        present = result.get("properties", {})
        result.setdefault("required", [key for key in ("count", "results") if key in present])
        return result


def _probe(queryset: Any, start: int, size: int) -> Steps[tuple[list[Any], bool]]:
    """Fetch one row more than a page: tells whether a next page exists without counting."""
    rows = yield FetchRows(queryset, start, start + size + 1)
    return rows[:size], len(rows) > size


class PageNumberPagination(_StepsPagination, drf.PageNumberPagination):
    """``?page=<n>`` pagination with a configurable count strategy.

    ``count_strategy``: ``"exact"`` (``COUNT(*)``, DRF's behaviour), ``"estimate"`` (PostgreSQL
    planner estimate above ``estimate_threshold`` rows) or ``"none"`` (no count; ``count`` is
    ``null`` and ``next`` comes from fetching one extra row). ``max_offset`` optionally caps how
    deep a client may page (deeper pages are 404), since deep ``OFFSET`` scans are expensive.
    """

    count_strategy: str = COUNT_EXACT
    estimate_threshold: int = 10_000
    max_offset: int | None = None

    def _invalid_page(self, page_number: Any, message: str) -> NotFound:
        return NotFound(
            str(self.invalid_page_message).format(page_number=page_number, message=message)
        )

    def _page_number(self, value: Any, num_pages: int | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise self._invalid_page(value, "That page number is not an integer") from None
        if number < 1:
            raise self._invalid_page(value, "That page number is less than 1")
        if num_pages is not None and number > num_pages:
            raise self._invalid_page(value, "That page contains no results")
        return number

    def _check_depth(self, value: Any, start: int) -> None:
        if self.max_offset is not None and start > self.max_offset:
            raise self._invalid_page(value, "That page is deeper than this API allows")

    def _steps(self, queryset: Any, request: Any, view: Any) -> Steps[list[Any] | None]:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        strategy = check_count_strategy(type(self), self.count_strategy)
        count, exact = yield CountRows(queryset, strategy, self.estimate_threshold)
        requested = request.query_params.get(self.page_query_param) or 1
        if not exact and requested in self.last_page_strings:
            count, exact = yield CountRows(queryset)  # "last" needs the real count
        if exact:
            paginator = AsyncPaginator(count, page_size)
            value = self.get_page_number(request, paginator)
            number = self._page_number(value, paginator.num_pages)
            start = (number - 1) * page_size
            self._check_depth(value, start)
            rows = yield FetchRows(queryset, start, start + page_size)
        else:
            number = self._page_number(requested, None)
            start = (number - 1) * page_size
            self._check_depth(requested, start)
            rows, has_next = yield from _probe(queryset, start, page_size)
            if not rows and number > 1:
                raise self._invalid_page(requested, "That page contains no results")
            seen = start + len(rows)
            if not has_next:
                count = seen
            elif count is not None:
                count = max(count, seen + 1)
            known_pages = number + 1 if has_next else number
            if count is not None:
                known_pages = max(known_pages, math.ceil(count / page_size))
            paginator = AsyncPaginator(count, page_size, num_pages=known_pages)
        self.page = AsyncPage(rows, number, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(rows)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = super().get_paginated_response_schema(schema)
        if self.count_strategy == COUNT_NONE:
            result["properties"]["count"]["nullable"] = True
            result["required"] = ["results"]
        return result


class LimitOffsetPagination(_StepsPagination, drf.LimitOffsetPagination):
    """``?limit=&offset=`` pagination with the same count strategies as page numbers.

    Offsets past the end give an empty page (200). ``max_offset`` optionally caps the offset
    (404 ``Invalid offset.`` beyond it).
    """

    count_strategy: str = COUNT_EXACT
    estimate_threshold: int = 10_000
    max_offset: int | None = None
    invalid_offset_message = _("Invalid offset.")
    has_next: bool = False

    def _steps(self, queryset: Any, request: Any, view: Any) -> Steps[list[Any] | None]:
        self.request = request
        self.limit = self.get_limit(request)
        if not self.limit:
            return None
        strategy = check_count_strategy(type(self), self.count_strategy)
        count, exact = yield CountRows(queryset, strategy, self.estimate_threshold)
        self.offset = self.get_offset(request)
        if self.max_offset is not None and self.offset > self.max_offset:
            raise NotFound(self.invalid_offset_message)
        if exact:
            self.count = count
            self.has_next = self.offset + self.limit < count
            if count > self.limit and self.template is not None:
                self.display_page_controls = True
            if count == 0 or self.offset > count:
                return []
            rows = yield FetchRows(queryset, self.offset, min(self.offset + self.limit, count))
            return list(rows)
        rows, self.has_next = yield from _probe(queryset, self.offset, self.limit)
        seen = self.offset + len(rows)
        if not self.has_next and (rows or self.offset == 0):
            count = seen
        elif count is not None and self.has_next:
            count = max(count, seen + 1)
        self.count = count
        if (self.has_next or self.offset > 0) and self.template is not None:
            self.display_page_controls = True
        return list(rows)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = replace_query_param(
            self.request.build_absolute_uri(), self.limit_query_param, self.limit
        )
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_html_context(self) -> dict[str, Any]:
        if self.count is None:
            return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}
        return super().get_html_context()

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


def _filter_past(queryset: Any, name: str, lookup: str, position: Any) -> Any:
    """``queryset.filter(<name>__<lookup>=position)`` for ``lookup`` ``"gt"``/``"lt"``.

    Django >= 5.0 answers an integer position outside the column's range without asking the
    database (nothing is past a too-large ``gt``, everything past a too-small one). Django 4.2
    sends it to the database, which fails (``OverflowError`` on SQLite); this gives 4.2 the
    same answer.
    """
    filtered = queryset.filter(**{f"{name}__{lookup}": position})
    if django.VERSION >= (5, 0):
        return filtered
    try:
        field = queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return filtered
    if not isinstance(field, models.IntegerField):
        return filtered
    low, high = connections[queryset.db].ops.integer_field_range(field.get_internal_type())
    # 4.2's SQLite reports no range (None); its driver, like every backend, stops at 64 bits.
    low = -(2**63) if low is None else low
    high = 2**63 - 1 if high is None else high
    value = field.get_prep_value(position)
    if value > high:
        return queryset.none() if lookup == "gt" else queryset
    if value < low:
        return queryset.none() if lookup == "lt" else queryset
    return filtered


class CursorPagination(_StepsPagination, drf.CursorPagination):
    """Opaque-cursor pagination over a stable ordering (no count, constant-time pages).

    A cursor whose position does not fit the ordering field (``p=abc`` for an integer id)
    is a 404 ``Invalid cursor``, not a 500.
    """

    def _steps(self, queryset: Any, request: Any, view: Any) -> Steps[list[Any] | None]:
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        offset, reverse, current_position = self.cursor or (0, False, None)

        ordering = drf._reverse_ordering(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*ordering)
        if current_position is not None:
            first = self.ordering[0]
            # Past the cursor means "before it" when exactly one of cursor / ordering is reversed.
            lookup = "lt" if reverse != first.startswith("-") else "gt"
            try:
                queryset = _filter_past(queryset, first.lstrip("-"), lookup, current_position)
            except (TypeError, ValueError, DjangoValidationError):
                raise NotFound(self.invalid_cursor_message) from None

        rows = yield FetchRows(queryset, offset, offset + self.page_size + 1)
        page = list(rows[: self.page_size])
        following = None
        if len(rows) > len(page):
            following = self._get_position_from_instance(rows[-1], self.ordering)
        at_start = current_position is None and offset == 0

        self.has_next = self.has_previous = False
        if reverse:
            page.reverse()
            self.has_next, self.has_previous = not at_start, following is not None
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following
        else:
            self.has_next, self.has_previous = following is not None, not at_start
            if self.has_next:
                self.next_position = following
            if self.has_previous:
                self.previous_position = current_position
        self.page = page
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return page

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )


class FastPageNumberPagination(_StepsPagination):
    """Page numbers without ``COUNT(*)``: one extra row tells whether a next page exists.

    The response has no ``count`` and ``?page=last`` is not supported (404). ``max_offset``
    optionally caps how deep a client may page.
    """

    page_size = api_settings.PAGE_SIZE
    page_query_param = "page"
    page_query_description = _("A page number within the paginated result set.")
    page_size_query_param: str | None = None
    page_size_query_description = _("Number of results to return per page.")
    max_page_size: int | None = None
    max_offset: int | None = None
    invalid_page_message = _("Invalid page.")
    template = "rest_framework/pagination/previous_and_next.html"

    def get_page_size(self, request: Any) -> int | None:
        if self.page_size_query_param:
            try:
                return drf._positive_int(
                    request.query_params[self.page_size_query_param],
                    strict=True,
                    cutoff=self.max_page_size,
                )
            except (KeyError, ValueError):
                pass
        return self.page_size

    def get_page_number(self, request: Any) -> int:
        value = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message)
        return number

    def _steps(self, queryset: Any, request: Any, view: Any) -> Steps[list[Any] | None]:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.page_number = self.get_page_number(request)
        start = (self.page_number - 1) * page_size
        if self.max_offset is not None and start > self.max_offset:
            raise NotFound(self.invalid_page_message)
        rows, self.has_next = yield from _probe(queryset, start, page_size)
        if not rows and self.page_number > 1:
            raise NotFound(self.invalid_page_message)
        if (self.has_next or self.page_number > 1) and self.template is not None:
            self.display_page_controls = True
        return list(rows)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.page_number + 1)

    def get_previous_link(self) -> str | None:
        if self.page_number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    **link,
                    "example": f"http://api.example.org/accounts/?{self.page_query_param}=4",
                },
                "previous": {
                    **link,
                    "example": f"http://api.example.org/accounts/?{self.page_query_param}=2",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(self.page_query_description),
                "schema": {"type": "integer"},
            }
        ]
        if self.page_size_query_param is not None:
            parameters.append(
                {
                    "name": self.page_size_query_param,
                    "required": False,
                    "in": "query",
                    "description": str(self.page_size_query_description),
                    "schema": {"type": "integer"},
                }
            )
        return parameters

    def get_html_context(self) -> dict[str, Any]:
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}

    def to_html(self) -> str:
        from django.template import loader

        return loader.get_template(self.template).render(self.get_html_context())
