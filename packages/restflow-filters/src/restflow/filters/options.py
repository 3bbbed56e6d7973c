"""``FilterOptions``: a FilterSet's resolved ``Meta`` (filters.md §2.3)."""

from __future__ import annotations

from typing import Any

from restflow.helpers import getattr_multi_source

OPERATORS = ("AND", "OR", "XOR")

# option name -> default
OPTION_DEFAULTS: dict[str, Any] = {
    "model": None,
    "fields": [],
    "exclude": [],
    "extra_kwargs": {},
    "required_fields": [],
    "order_param": "order_by",
    "order_fields": [],
    "default_order_fields": [],
    "order_field_labels": [],
    "override_order_direction": "asc",
    "preprocessors": [],
    "postprocessors": [],
    "operator": "AND",
    "allow_negate": True,
    "lookup_separator": "__",
    "related_fields": [],
}


class FilterOptions:
    """Each option comes from the class's own ``Meta`` when written there (presence wins,
    W-07), else from the first base FilterSet, else the default."""

    model: Any
    fields: Any
    exclude: list[str]
    extra_kwargs: dict[str, dict[str, Any]]
    required_fields: list[str]
    order_param: str
    order_fields: list[tuple[str, str]]
    default_order_fields: list[str]
    order_field_labels: list[tuple[str, str]]
    override_order_direction: str
    preprocessors: list[Any]
    postprocessors: list[Any]
    operator: str
    allow_negate: bool
    lookup_separator: str
    related_fields: list[str]
    enable_ordering: bool

    def __init__(self, meta: Any = None, bases: tuple[type, ...] = ()) -> None:
        sources = [
            meta,
            *(
                base._meta  # type: ignore[attr-defined]
                for base in bases
                if isinstance(getattr(base, "_meta", None), FilterOptions)
            ),
        ]
        for name, default in OPTION_DEFAULTS.items():
            value = getattr_multi_source(sources, name, default)
            if isinstance(default, list) and value is None:
                value = []
            setattr(self, name, value)
        self.extra_kwargs = dict(self.extra_kwargs or {})
        operator = (
            (self.operator or "AND").upper()
            if isinstance(self.operator, str) or not self.operator
            else self.operator
        )
        if operator not in OPERATORS:
            raise ValueError("Operator must be one of AND, OR, XOR")
        self.operator = operator
        self.order_param = self.order_param or "order_by"
        self.lookup_separator = self.lookup_separator or "__"
        direction = self.override_order_direction or "asc"
        if direction not in ("asc", "desc"):
            raise ValueError(
                f"Meta.override_order_direction must be 'asc', 'desc' or None, got {direction!r}."
            )
        self.override_order_direction = direction
        self.preprocessors = list(self.preprocessors)
        self.postprocessors = list(self.postprocessors)
        self.order_fields = list(self.order_fields)
        self.enable_ordering = bool(self.order_fields)

    def __repr__(self) -> str:
        return f"FilterOptions(model={self.model!r}, operator={self.operator!r})"
