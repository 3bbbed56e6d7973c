"""Lookup tables and the normalisation of ``lookups=`` values (filters.md §4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

ALL_FIELDS = "__all__"

LOOKUP_CATEGORIES: dict[str, list[str]] = {
    "basic": ["exact", "in", "isnull"],
    "text": ["icontains", "contains", "startswith", "endswith", "iexact"],
    "comparison": ["gt", "gte", "lt", "lte"],
    "date": ["date", "year", "month", "day", "week", "week_day", "quarter"],
    "time": ["time", "hour", "minute", "second"],
    "postgres": ["search", "trigram_similar", "unaccent"],
    "pg_array": ["contains", "overlaps", "contained_by"],
    "unsafe": ["regex", "iregex"],
}

# Informational only: never applied automatically (model-derived fields get no variants).
DEFAULT_FIELD_LOOKUPS: dict[str, list[str]] = {
    "CharField": ["basic", "text"],
    "TextField": ["basic", "text"],
    "SlugField": ["basic", "text"],
    "URLField": ["basic", "text"],
    "EmailField": ["basic", "text"],
    "GenericIPAddressField": ["basic", "text"],
    "IntegerField": ["basic", "comparison"],
    "BigIntegerField": ["basic", "comparison"],
    "SmallIntegerField": ["basic", "comparison"],
    "PositiveIntegerField": ["basic", "comparison"],
    "PositiveSmallIntegerField": ["basic", "comparison"],
    "PositiveBigIntegerField": ["basic", "comparison"],
    "AutoField": ["basic", "comparison"],
    "BigAutoField": ["basic", "comparison"],
    "FloatField": ["basic", "comparison"],
    "DecimalField": ["basic", "comparison"],
    "BooleanField": ["basic"],
    "UUIDField": ["basic"],
    "DateField": ["basic", "comparison", "date"],
    "DateTimeField": ["basic", "comparison", "date", "time"],
    "TimeField": ["basic", "comparison", "time"],
    "DurationField": ["basic", "comparison"],
    "ForeignKey": ["basic"],
    "OneToOneField": ["basic"],
    "ManyToManyField": ["basic"],
    "ArrayField": ["basic", "pg_array"],
}

# Client-facing suffixes whose ORM lookup has another name (W-03).
ORM_LOOKUP_ALIASES: dict[str, str] = {"overlaps": "overlap"}

POSTGRES_LOOKUPS = frozenset(LOOKUP_CATEGORIES["postgres"])
# PostgreSQL extensions a lookup needs at query time.
POSTGRES_EXTENSIONS: dict[str, str] = {"trigram_similar": "pg_trgm", "unaccent": "unaccent"}

LOOKUP_BOUND_LABELS: dict[str, str] = {
    "exact": "Exact Match",
    "iexact": "Exact Match (Case-Insensitive)",
    "contains": "Substring Match",
    "icontains": "Substring Match (Case-Insensitive)",
    "startswith": "Prefix Match",
    "istartswith": "Prefix Match (Case-Insensitive)",
    "endswith": "Suffix Match",
    "iendswith": "Suffix Match (Case-Insensitive)",
    "gt": "Exclusive Lower Bound",
    "gte": "Inclusive Lower Bound",
    "lt": "Exclusive Upper Bound",
    "lte": "Inclusive Upper Bound",
    "in": "Value Set Membership",
    "range": "Inclusive Range",
    "isnull": "Null Check",
    "regex": "Regex Match",
    "iregex": "Regex Match (Case-Insensitive)",
    "date": "Date Component",
    "year": "Year Component",
    "month": "Month Component",
    "day": "Day Component",
    "week": "Week Component",
    "week_day": "Weekday Component",
    "quarter": "Quarter Component",
    "hour": "Hour Component",
    "minute": "Minute Component",
    "second": "Second Component",
    "search": "Full-Text Search",
    "trigram_similar": "Trigram Similarity",
    "unaccent": "Accent-Insensitive Match",
    "overlaps": "Range Overlap",
    "overlap": "Range Overlap",
    "contained_by": "Contained By",
}

# Bounds of the integer a date/time component lookup accepts (W-05).
COMPONENT_BOUNDS: dict[str, tuple[int, int]] = {
    "year": (1, 9999),
    "iso_year": (1, 9998),  # Django computes the bounds from year + 1
    "month": (1, 12),
    "day": (1, 31),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "quarter": (1, 4),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}

LookupOptions = dict[str, Any]
LookupsType = Union[  # noqa: UP007 - runtime alias on 3.10
    None, str, list[str], tuple[str, ...], dict[str, str | LookupOptions]
]

_ENTRY_ERROR = "`lookups` must be a list of strings or dict with string keys"


def bound_label(orm_lookup: str) -> str:
    """The label appended to a base help text for a lookup variant."""
    return LOOKUP_BOUND_LABELS.get(orm_lookup) or orm_lookup.replace("_", " ").title()


def _expand(name: str) -> list[str]:
    return list(LOOKUP_CATEGORIES.get(name, [name]))


def process_lookups(lookups: Any, lookup_categories: Any) -> list[str] | dict[str, Any]:
    """Normalise a ``lookups=`` value (§4.1).

    ``"__all__"`` becomes ``lookup_categories`` expanded; a list has its categories expanded
    and duplicates dropped; an alias dict (all values ``str``) is returned unchanged; an
    options dict has its category keys expanded.
    """
    if lookups is None or (isinstance(lookups, (list, tuple, dict)) and not lookups):
        return {} if isinstance(lookups, dict) else []
    if lookups == ALL_FIELDS:
        lookups = list(lookup_categories or [])
    elif isinstance(lookups, str):
        lookups = [lookups]
    if isinstance(lookups, (list, tuple)):
        result: list[str] = []
        for entry in lookups:
            assert isinstance(entry, str), _ENTRY_ERROR
            names = list(lookup_categories or []) if entry == ALL_FIELDS else [entry]
            for lookup in (found for name in names for found in _expand(name)):
                if lookup not in result:
                    result.append(lookup)
        return result
    if isinstance(lookups, Mapping):
        assert all(isinstance(key, str) for key in lookups), _ENTRY_ERROR
        if all(isinstance(value, str) for value in lookups.values()):
            return dict(lookups)
        options: dict[str, Any] = {}
        for key, value in lookups.items():
            if isinstance(value, str):
                options[key] = value
                continue
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"`lookups[{key!r}]` must be an ORM lookup name or a dict of options, "
                    f"got {type(value).__name__}."
                )
            for lookup in _expand(key):
                options.setdefault(lookup, value)
        return options
    raise TypeError(
        "`lookups` must be None, '__all__', a lookup or category name, a list/tuple of "
        f"names or a dict, got {type(lookups).__name__}."
    )


def iter_lookups(normalised: list[str] | dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(suffix, orm_lookup, options)`` triples of a normalised ``lookups`` value."""
    entries: list[tuple[str, str, dict[str, Any]]] = []
    if isinstance(normalised, dict):
        for suffix, value in normalised.items():
            if isinstance(value, str):
                entries.append((suffix, value, {}))
            else:
                entries.append((suffix, value.get("lookup") or suffix, dict(value)))
    else:
        entries = [(suffix, suffix, {}) for suffix in normalised]
    return [(suffix, ORM_LOOKUP_ALIASES.get(orm, orm), opts) for suffix, orm, opts in entries]
