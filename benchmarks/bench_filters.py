"""Filters: build the filtered queryset from the query string (no SQL is executed).

restflow's ``FilterSet`` side by side with an equivalent django-filter ``FilterSet`` (the
baseline): 5 params against a 17-filter set, and 40 params against an 85-filter set.
Negation variants are disabled on the restflow side so both declare the same params.
Goal: restflow ≤ 0.5× django-filter on both.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import QueryDict

from benchmarks.harness import Scenario

NUMERIC = ["exact", "gt", "gte", "lt", "lte", "in", "isnull", "range"]
TEXT = ["exact", "iexact", "icontains", "contains", "startswith", "endswith", "istartswith",
        "iendswith", "in", "isnull"]  # fmt: skip

LARGE_LOOKUPS: dict[str, list[str]] = {
    "id": NUMERIC,
    "price": NUMERIC,
    "pages": NUMERIC,
    "rating": NUMERIC,
    "title": TEXT,
    "isbn": TEXT,
    "language": TEXT,
    "published": ["exact", "gt", "gte", "lt", "lte", "year", "month", "day", "isnull"],
    "created": ["exact", "gt", "gte", "lt", "lte", "year", "month", "date"],
    "in_stock": ["exact", "isnull", "in"],
    "author": ["exact", "in", "isnull"],
}
SMALL_LOOKUPS: dict[str, list[str]] = {
    "title": ["exact", "icontains", "startswith"],
    "price": ["exact", "gte", "lte", "range"],
    "pages": ["exact", "gte", "lte"],
    "published": ["exact", "year", "gte"],
    "in_stock": ["exact"],
    "language": ["exact", "in"],
}

VALUES = {
    "id": "5", "price": "10.50", "pages": "300", "rating": "4.5", "title": "dune",
    "isbn": "978", "language": "en", "published": "2020-01-02",
    "created": "2024-01-02T10:30:00+00:00", "in_stock": "true", "author": "3",
}  # fmt: skip
SPECIAL = {
    "in": lambda field: f"{VALUES[field]},{VALUES[field]}",
    "range": lambda field: f"{VALUES[field]},{VALUES[field]}",
    "isnull": lambda field: "false",
    "year": lambda field: "2020",
    "month": lambda field: "1",
    "day": lambda field: "2",
    "date": lambda field: "2024-01-02",
}


def _params(lookups: dict[str, list[str]]) -> list[tuple[str, str]]:
    """``(param, value)`` for each filter of ``lookups``, in declaration order."""
    found = []
    for field, names in lookups.items():
        for lookup in names:
            param = field if lookup == "exact" else f"{field}__{lookup}"
            value = SPECIAL[lookup](field) if lookup in SPECIAL else VALUES[field]
            found.append((param, value))
    return found


def _query(params: list[tuple[str, str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in params:
        query[name] = value
    return query


def _django_filter_class(lookups: dict[str, list[str]]) -> type[django_filters.FilterSet]:
    from benchmarks.app.models import Book

    meta = type("Meta", (), {"model": Book, "fields": lookups})
    return type(django_filters.FilterSet)(
        "DFBookFilter", (django_filters.FilterSet,), {"Meta": meta}
    )


def _restflow_class(lookups: dict[str, list[str]]) -> type:
    from benchmarks.app.models import Book
    from restflow.filters import FilterSet

    # Alias form (suffix -> lookup): "date" stays the single transform, not the category.
    extra = {
        field: {"lookups": {x: x for x in names if x != "exact"}}
        for field, names in lookups.items()
    }
    meta = type(
        "Meta",
        (),
        {"model": Book, "fields": list(lookups), "extra_kwargs": extra, "allow_negate": False},
    )
    return type(FilterSet)("RestflowBookFilter", (FilterSet,), {"Meta": meta})


def _scenario(name: str, lookups: dict[str, list[str]], count: int, number: int) -> Scenario:
    from benchmarks.app.models import Book

    state: dict[str, Any] = {}

    def setup() -> None:
        params = _params(lookups)
        state["query"] = _query(params[:: max(1, len(params) // count)][:count])
        state["df"] = _django_filter_class(lookups)
        state["rf"] = _restflow_class(lookups)
        rf_params = set(state["rf"]().fields)
        df_params = set(state["df"]().filters)
        assert rf_params == df_params, rf_params ^ df_params
        assert len(state["query"]) == count
        assert state["df"](state["query"], queryset=Book.objects.all()).is_valid()

    def django_filter() -> Any:
        return state["df"](state["query"], queryset=Book.objects.all()).qs

    def restflow() -> Any:
        return state["rf"](data=state["query"]).filter_queryset(Book.objects.all())

    async def restflow_async() -> Any:
        return await state["rf"](data=state["query"]).afilter_queryset(Book.objects.all())

    return Scenario(
        name=name,
        baseline="django-filter",
        contenders={
            "django-filter": django_filter,
            "restflow": restflow,
            "restflow async": restflow_async,
        },
        setup=setup,
        number=number,
        goals={"restflow": 0.5},
    )


def scenarios() -> list[Scenario]:
    small = sum(len(v) for v in SMALL_LOOKUPS.values())
    large = sum(len(v) for v in LARGE_LOOKUPS.values())
    return [
        _scenario(f"5 params, {small}-filter set", SMALL_LOOKUPS, 5, number=300),
        _scenario(f"40 params, {large}-filter set", LARGE_LOOKUPS, 40, number=50),
    ]
