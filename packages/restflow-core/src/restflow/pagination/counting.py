"""How a paginator learns the size of a result set (stack.md §3, "count strategies").

``exact`` is ``COUNT(*)``; ``estimate`` asks the PostgreSQL planner (``EXPLAIN``) and falls
back to ``COUNT(*)`` below a threshold or on other databases; ``none`` never counts. Plain
sequences are always counted exactly with ``len()``: it is free.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

COUNT_EXACT = "exact"
COUNT_ESTIMATE = "estimate"
COUNT_NONE = "none"
COUNT_STRATEGIES = (COUNT_EXACT, COUNT_ESTIMATE, COUNT_NONE)


def check_count_strategy(owner: type, strategy: str) -> str:
    if strategy not in COUNT_STRATEGIES:
        raise ImproperlyConfigured(
            f"{owner.__name__}.count_strategy must be one of "
            f"{', '.join(map(repr, COUNT_STRATEGIES))}, not {strategy!r}."
        )
    return strategy


def planner_estimate(queryset: QuerySet[Any]) -> int | None:
    """Rows the PostgreSQL planner expects ``queryset`` to return; ``None`` elsewhere.

    The estimate comes from table statistics (``ANALYZE``), so it costs one planning round
    trip instead of a scan; it can be off by a lot right after bulk writes.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
