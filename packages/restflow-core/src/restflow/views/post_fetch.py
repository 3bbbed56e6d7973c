"""``PostFetch``: attach related rows to a page of results with exactly one extra query.

A "join in Python" for data a serializer needs but the base query cannot select cheaply
(latest review per product, first three tags ...). With a ``limit`` the database keeps only
the first rows of each group (``ROW_NUMBER() OVER (PARTITION BY ...)``), so a product with
a hundred thousand reviews costs one row, not a hundred thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from restflow.views._bridge import in_worker

__all__ = ["PostFetch"]

_ROW_NUMBER = "_restflow_post_fetch_row"


class PostFetch:
    """Fetch rows of ``queryset`` matching each base item and set them on ``to_attr``.

    ``**queries`` are ``secondary_field="base_field"`` join pairs. ``limit=1`` sets the first
    match (or ``None``), ``limit=N`` a list of at most N, ``limit=None`` every match.
    """

    def __init__(
        self,
        queryset: Any,
        to_attr: str,
        values: Sequence[str],
        values_dict: dict[str, Any] | None = None,
        limit: int | None = 1,
        order_by: Iterable[str] | None = None,
        **queries: str,
    ) -> None:
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"PostFetch limit must be None or an integer >= 1, got {limit!r}.")
        if not queries:
            raise TypeError(
                "PostFetch needs at least one join keyword, e.g. PostFetch(..., product_id='id')."
            )
        self.queryset = queryset
        self.to_attr = to_attr
        self.values = list(values)
        self.values_dict = dict(values_dict or {})
        self.limit = limit
        self.order_by = tuple(order_by) if order_by else ()
        self.queries = dict(queries)

    # Public building blocks --------------------------------------------------------------

    @staticmethod
    def get_value(obj: Any, attr: str, default: Any = None) -> Any:
        if isinstance(obj, dict):
            return obj.get(attr, default)
        return getattr(obj, attr, default)

    def build_key_tuple(self, obj: Any, field_mapping: dict[str, str]) -> tuple[Any, ...] | None:
        key = tuple(self.get_value(obj, base) for base in field_mapping.values())
        return None if any(value is None for value in key) else key

    def build_filter_kwargs(self, base_items: Iterable[Any]) -> dict[str, list[Any]]:
        keys = [self.build_key_tuple(item, self.queries) for item in base_items]
        return self._filter_kwargs([key for key in keys if key is not None])

    # Fetching ----------------------------------------------------------------------------

    def fetch(self, base: Iterable[Any]) -> list[Any]:
        items, keys, queryset = self._prepare(list(base))
        rows = list(queryset) if queryset is not None else []
        return self._attach(items, keys, rows)

    async def afetch(self, base: Any) -> list[Any]:
        items_list = [item async for item in base] if hasattr(base, "__aiter__") else list(base)
        items, keys, queryset = self._prepare(items_list)
        rows: list[Any] = []
        if queryset is not None:
            if hasattr(queryset, "__aiter__"):
                rows = [row async for row in queryset]
            else:
                rows = await in_worker(list)(queryset)
        return self._attach(items, keys, rows)

    # One core for both -----------------------------------------------------------------

    def _empty(self) -> Any:
        return None if self.limit == 1 else []

    def _filter_kwargs(self, keys: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
        return {
            f"{secondary}__in": list(dict.fromkeys(key[index] for key in keys))
            for index, secondary in enumerate(self.queries)
        }

    def _prepare(self, items: list[Any]) -> tuple[list[Any], list[Any], Any]:
        keys = [self.build_key_tuple(item, self.queries) for item in items]
        present = [key for key in keys if key is not None]
        if not present:
            return items, keys, None
        queryset = self.queryset.filter(**self._filter_kwargs(present))
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        if self.limit is not None and isinstance(queryset, QuerySet):
            queryset = self._first_rows_per_group(queryset)
        values = list(self.values)
        values.extend(field for field in self.queries if field not in values)
        return items, keys, queryset.values(*values, **self.values_dict)

    def _first_rows_per_group(self, queryset: QuerySet) -> QuerySet:
        ordering = list(self.order_by or queryset.query.order_by or queryset.model._meta.ordering)
        ordering = ordering or ["pk"]
        row_number = Window(
            RowNumber(),
            partition_by=[F(field) for field in self.queries],
            order_by=[
                F(field[1:]).desc() if field.startswith("-") else F(field).asc()
                for field in ordering
            ],
        )
        return (
            queryset.annotate(**{_ROW_NUMBER: row_number})
            .filter(**{f"{_ROW_NUMBER}__lte": self.limit})
            .order_by(*ordering)
        )

    def _attach(self, items: list[Any], keys: list[Any], rows: Iterable[Any]) -> list[Any]:
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for row in rows:
            key = tuple(row.get(secondary) for secondary in self.queries)
            if any(value is None for value in key):
                continue
            groups.setdefault(key, []).append(row)
        for item, key in zip(items, keys, strict=True):
            matches = groups.get(key, []) if key is not None else None
            if matches is None:
                value = self._empty()
            elif self.limit == 1:
                value = matches[0] if matches else None
            elif self.limit is None:
                value = matches
            else:
                value = matches[: self.limit]
            if isinstance(item, dict):
                item[self.to_attr] = value
            else:
                setattr(item, self.to_attr, value)
        return items
