"""Filter fields: DRF fields that also know how to turn their value into a query (§3, §5)."""

from __future__ import annotations

import copy
import datetime
import decimal
import inspect
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Union

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from restflow.filters.lookups import (
    ALL_FIELDS,
    COMPONENT_BOUNDS,
    DEFAULT_FIELD_LOOKUPS,
    LOOKUP_BOUND_LABELS,
    LOOKUP_CATEGORIES,
    LookupsType,
    bound_label,
    iter_lookups,
    process_lookups,
)
from restflow.helpers import Email, IPAddress, resolve_field_from_type
from restflow.settings import restflow_settings

__all__ = [
    "ALL_FIELDS",
    "DEFAULT_FIELD_LOOKUPS",
    "LOOKUP_BOUND_LABELS",
    "LOOKUP_CATEGORIES",
    "LOOKUP_DEFAULT_FIELD",
    "BooleanField",
    "ChoiceField",
    "DataTypeSerializerMap",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "EmailField",
    "Field",
    "FieldsType",
    "FloatField",
    "IPAddressField",
    "IntegerField",
    "ListField",
    "LookupsType",
    "MultipleChoiceField",
    "OrderField",
    "RelatedField",
    "StringField",
    "TimeField",
    "UUIDField",
    "bound_label",
    "build_filter_field",
    "extract_model_fields",
    "process_lookups",
]

FieldsType = Union[str, list[str], tuple[str, ...]]  # noqa: UP007 - runtime alias on 3.10

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Several backends store durations as bigint microseconds (W-06).
DURATION_MAX = datetime.timedelta(microseconds=INT64_MAX)
DURATION_MIN = -DURATION_MAX

_DROP = object()


def split_items(data: Any) -> list[Any]:
    """Comma-split strings (also inside a list), trim pieces, drop empty ones, keep others."""
    items = [data] if isinstance(data, str) else data
    result: list[Any] = []
    for item in items:
        if isinstance(item, str):
            result.extend(piece.strip() for piece in item.split(",") if piece.strip())
        else:
            result.append(item)
    return result


def _is_queryset(value: Any) -> bool:
    return isinstance(value, QuerySet)


class Field(serializers.Field):
    """Base of every filter field: the DRF field plus the query it applies.

    Only meaningful on an annotated attribute (``x: int = Field(...)``): the kwargs are then
    replayed onto the field class the annotation selects.
    """

    lookup_categories: ClassVar[list[str]] = ["basic", "text"]

    def __init__(
        self,
        *,
        db_field: str = "",
        filter_by: str | Callable[[Any], Any] | None = None,
        lookups: LookupsType = None,
        lookup_separator: str | None = None,
        method: Callable[..., Any] | str | None = None,
        negate: bool = False,
        required: bool = False,
        allow_negate: bool = True,
        **kwargs: Any,
    ) -> None:
        if "source" in kwargs:
            raise TypeError(
                "`source=` is not supported on filter fields; use `db_field=` or `filter_by=`."
            )
        relation = kwargs.pop("relation", False)
        assert not (method and filter_by), "`method` and `filter_by` cannot be used together."
        if method is not None and not (callable(method) or isinstance(method, str)):
            raise TypeError("`method` must be a callable or a string.")
        if filter_by is not None and not (isinstance(filter_by, str) or callable(filter_by)):
            raise TypeError(
                "`filter_by` must be a string ORM expression or a callable returning a dict "
                f"or Q, got {type(filter_by).__name__}."
            )
        normalised = process_lookups(lookups, self.lookup_categories)
        assert not (normalised and (method or filter_by) and not relation), (
            "`lookups` cannot be combined with `method` or `filter_by`"
        )
        for forced in ("allow_null", "read_only", "write_only"):
            kwargs.pop(forced, None)
        self.db_field = db_field or ""
        self.filter_by = filter_by
        self.lookups = normalised
        self.lookup_separator = lookup_separator
        self.method = method
        self.negate = negate
        self.allow_negate = allow_negate
        self.relation = relation
        # Set on variants by the FilterSet compiler (§4.4, §10.4).
        self.base_name: str | None = None
        self.variant_suffix: str | None = None
        self.variant_separator: str | None = None
        self.orm_lookup: str | None = None
        self.help_from_lookup = False
        super().__init__(required=required, allow_null=False, **kwargs)

    # Representation ------------------------------------------------------------------

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(field_name={getattr(self, 'field_name', None)!r},"
            f"db_field={self.db_field!r}, filter_by={self.filter_by!r}, "
            f"lookups={self.lookups!r}, method={self.method!r})"
        )

    __repr__ = __str__

    # Construction helpers ------------------------------------------------------------

    def clone(self, _type: Any = None, field_name: str | None = None, **overrides: Any) -> Field:
        """A new field replaying this one's constructor kwargs with ``overrides``."""
        kwargs = dict(self._kwargs)
        for key, value in overrides.items():
            if value is _DROP:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        if "child" in kwargs and not isinstance(kwargs["child"], type):
            kwargs["child"] = copy.deepcopy(kwargs["child"])
        if _type is not None:
            return build_filter_field(_type, field_name, **kwargs)
        return type(self)(**kwargs)

    def ensure_db_field(self, name: str) -> None:
        """Filter on the attribute's name when nothing else says where to filter."""
        if not (self.filter_by or self.method or self.db_field):
            self.db_field = name
            self._kwargs["db_field"] = name

    @property
    def orm_path(self) -> str:
        """The ORM path lookup variants are built on."""
        if self.relation and isinstance(self.filter_by, str):
            return self.filter_by.rsplit("__pk", 1)[0]
        return self.db_field or getattr(self, "field_name", "") or ""

    # Validation -----------------------------------------------------------------------

    column_field: Any = None  # the column's own value field, when it differs (validation.py)

    def run_validation(self, data: Any = empty) -> Any:
        value = super().run_validation(data)
        column = self.column_field
        if column is None:
            return value
        if isinstance(value, list):
            return [column.run_validation(item) for item in value]
        return column.run_validation(value)

    # Filtering ------------------------------------------------------------------------

    def get_method(self, filterset: Any = None) -> Callable[..., Any] | None:
        if self.method is None:
            return None
        if isinstance(self.method, str):
            return getattr(filterset, self.method, None) if filterset is not None else None
        return self.method

    def call_method(self, filterset: Any, queryset: Any, value: Any) -> Any:
        if isinstance(self.method, str):
            return getattr(filterset, self.method)(queryset, value)
        return self.method(filterset, queryset, value)  # type: ignore[misc]

    def build_q(self, value: Any) -> Q:
        filter_by = self.filter_by
        if filter_by is None:
            return Q(**{self.db_field or self.field_name: value})
        if isinstance(filter_by, str):
            return Q(**{filter_by: value})
        expression = filter_by(value)
        if isinstance(expression, Q):
            return expression
        if isinstance(expression, dict):
            return Q(**expression)
        raise AssertionError(
            f"Invalid lookup expression returned from filter_by function: `{expression}`, "
            "must be a `dict` or `django.models.Q` object"
        )

    def finish_method(self, queryset: Any, result: Any) -> tuple[Any, Q | None]:
        """Check a method's result and apply negation to it (W-02, W-08)."""
        if isinstance(result, Q):
            return queryset, (~result if self.negate and result else result)
        if _is_queryset(result):
            if self.negate:
                return queryset.exclude(pk__in=result.values("pk")), None
            return result, None
        raise TypeError(
            f"Filter method of field `{getattr(self, 'field_name', '?')}` returned "
            f"{type(result).__name__}; it must return a Q or a QuerySet."
        )

    async def _finish_awaitable(self, queryset: Any, awaitable: Any) -> tuple[Any, Q | None]:
        return self.finish_method(queryset, await awaitable)

    def apply_filter(self, filterset: Any, queryset: Any, value: Any) -> Any:
        """``(queryset, Q | None)`` for ``value``; an awaitable of it for async methods."""
        if self.method is None:
            q = self.build_q(value)
            return queryset, (~q if self.negate else q)
        result = self.call_method(filterset, queryset, value)
        if inspect.isawaitable(result):
            return self._finish_awaitable(queryset, result)
        return self.finish_method(queryset, result)


class StringField(Field, serializers.CharField):
    lookup_categories: ClassVar[list[str]] = ["basic", "text"]


class EmailField(Field, serializers.EmailField):
    lookup_categories: ClassVar[list[str]] = ["basic", "text"]


class IPAddressField(Field, serializers.IPAddressField):
    lookup_categories: ClassVar[list[str]] = ["basic", "text"]


class IntegerField(Field, serializers.IntegerField):
    """Integer with an implicit signed 64-bit guard (W-06), not shown in the schema.

    ``utc_year`` (set for ``year``/``iso_year`` filters on datetime columns): the whole year
    must be representable in UTC, because Django turns the lookup into a range of datetimes
    in the current time zone that the database adapter converts to UTC (W-05).
    """

    lookup_categories: ClassVar[list[str]] = ["basic", "comparison"]
    utc_year = False

    def to_internal_value(self, data: Any) -> int:
        value = super().to_internal_value(data)
        if value > INT64_MAX:
            self.fail("max_value", max_value=INT64_MAX)
        if value < INT64_MIN:
            self.fail("min_value", min_value=INT64_MIN)
        if self.utc_year and settings.USE_TZ and 1 <= value <= 9999:
            zone = timezone.get_current_timezone()
            try:
                datetime.datetime(value, 1, 1, tzinfo=zone).astimezone(datetime.timezone.utc)
            except OverflowError:
                self.fail("min_value", min_value=value + 1)
            try:
                end = datetime.datetime(value, 12, 31, 23, 59, 59, 999999, tzinfo=zone)
                end.astimezone(datetime.timezone.utc)
            except OverflowError:
                self.fail("max_value", max_value=value - 1)
        return value


class FloatField(Field, serializers.FloatField):
    lookup_categories: ClassVar[list[str]] = ["basic", "comparison"]

    def to_internal_value(self, data: Any) -> float:
        """A filter on NaN or an infinity matches nothing meaningful, so they are invalid on
        every DRF (DRF < 3.18 accepts "nan", "inf" and "1e400")."""
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class DecimalField(Field, serializers.DecimalField):
    lookup_categories: ClassVar[list[str]] = ["basic", "comparison"]

    def __init__(
        self, *, max_digits: int | None = 10, decimal_places: int | None = 2, **kwargs: Any
    ) -> None:
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class BooleanField(Field, serializers.BooleanField):
    lookup_categories: ClassVar[list[str]] = ["basic"]
    default_empty_html = empty  # absent means "no filter", never False

    def to_internal_value(self, data: Any) -> bool | None:
        """Case-insensitive on every DRF: DRF < 3.15 only knew a few spellings ("true",
        "True", "TRUE"), so "tRuE" would be invalid there."""
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class UUIDField(Field, serializers.UUIDField):
    lookup_categories: ClassVar[list[str]] = ["basic"]


class DateField(Field, serializers.DateField):
    lookup_categories: ClassVar[list[str]] = [
        "basic",
        "comparison",
        "year",
        "month",
        "day",
        "week",
        "week_day",
        "quarter",
    ]


class DateTimeField(Field, serializers.DateTimeField):
    lookup_categories: ClassVar[list[str]] = ["basic", "comparison", "date", "time"]

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        try:
            value = super().enforce_timezone(value)
        except OverflowError:  # DRF's own existence check converts to UTC
            self.fail("overflow")
        if value.tzinfo is not None:
            # The database adapter converts to UTC; near the calendar's ends that overflows.
            try:
                value.astimezone(datetime.timezone.utc)
            except OverflowError:
                self.fail("overflow")
        return value


class TimeField(Field, serializers.TimeField):
    lookup_categories: ClassVar[list[str]] = ["basic", "comparison", "hour", "minute", "second"]


class DurationField(Field, serializers.DurationField):
    """Duration with an implicit signed 64-bit-microseconds guard (W-06)."""

    lookup_categories: ClassVar[list[str]] = ["basic", "comparison"]
    # DRF 3.15 added this message; declared here so DRF 3.14 reports the same one.
    default_error_messages = {
        "overflow": _("The number of days must be between {min_days} and {max_days}."),
    }

    def to_internal_value(self, value: Any) -> datetime.timedelta:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:  # DRF < 3.15 lets parse_duration's OverflowError through
            min_days, max_days = datetime.timedelta.min.days, datetime.timedelta.max.days
            self.fail("overflow", min_days=min_days, max_days=max_days)
        if parsed > DURATION_MAX:
            self.fail("max_value", max_value=DURATION_MAX)
        if parsed < DURATION_MIN:
            self.fail("min_value", min_value=DURATION_MIN)
        return parsed


class ChoiceField(Field, serializers.ChoiceField):
    lookup_categories: ClassVar[list[str]] = ["basic"]


class MultipleChoiceField(Field, serializers.MultipleChoiceField):
    """Choices from a comma-separated value and/or repeated params, in request order."""

    lookup_categories: ClassVar[list[str]] = ["basic"]
    default_empty_html = empty

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name not in dictionary:
            return empty
        if html.is_html_input(dictionary):
            return dictionary.getlist(self.field_name)
        return dictionary.get(self.field_name, empty)

    @staticmethod
    def split_raw_values(data: Any) -> list[Any]:
        return split_items(data)

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, Mapping) or not (isinstance(data, str) or hasattr(data, "__iter__")):
            self.fail("not_a_list", input_type=type(data).__name__)
        items = self.split_raw_values(data)
        if not self.allow_empty and not items:
            self.fail("empty")
        return list(
            dict.fromkeys(serializers.ChoiceField.to_internal_value(self, item) for item in items)
        )


class ListField(Field, serializers.ListField):
    """A comma-separated list; its size is capped by ``FILTERS.MAX_LIST_ITEMS`` (W-17)."""

    lookup_categories: ClassVar[list[str]] = ["basic"]

    def __init__(self, *, child: Any = None, **kwargs: Any) -> None:
        if child is None:
            child = StringField()
        if getattr(child, "source", None) is not None:
            child.source = None
        super().__init__(child=child, **kwargs)

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary):
            values = dictionary.getlist(self.field_name, [])
            if values:
                return values
            return html.parse_html_list(dictionary, prefix=self.field_name, default=empty)
        return dictionary.get(self.field_name, empty)

    def max_items(self) -> int | None:
        if self.max_length is not None:
            return self.max_length
        return restflow_settings.FILTERS.MAX_LIST_ITEMS

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, Mapping) or not (isinstance(data, str) or hasattr(data, "__iter__")):
            self.fail("not_a_list", input_type=type(data).__name__)
        items = split_items(data)
        if not self.allow_empty and not items:
            self.fail("empty")
        cap = self.max_items()
        if cap is not None and len(items) > cap:
            self.fail("max_length", max_length=cap)
        return self.run_child_validation(items)


class RegexStringField(StringField):
    """A pattern that must compile with Python ``re`` (W-16)."""

    default_error_messages = {"invalid_regex": "Enter a valid regular expression."}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            re.compile(value)
        except (re.error, RecursionError, OverflowError):
            self.fail("invalid_regex")
        return value


class OrderField(MultipleChoiceField):
    """Whitelisted ordering options ``key`` / ``-key`` (§5.12)."""

    lookup_categories: ClassVar[list[str]] = []
    _IGNORED = ("distinct", "distinct_order", "exclude", "filter_by", "lookups")

    def __init__(
        self,
        *,
        fields: Iterable[tuple[str, str]],
        labels: Iterable[tuple[str, str]] | None = None,
        override_order_direction: str | None = "asc",
        **kwargs: Any,
    ) -> None:
        for ignored in self._IGNORED:
            kwargs.pop(ignored, None)
        direction = override_order_direction or "asc"
        if direction not in ("asc", "desc"):
            raise ValueError(
                f"override_order_direction must be 'asc', 'desc' or None, got {direction!r}."
            )
        self.order_fields = list(fields)
        self.labels = labels
        self.override_order_direction = direction
        self.order_paths = dict(self.process_fields(self.order_fields))
        label_map = dict(self.process_labels(labels))
        originals = dict(self.order_fields)
        choices = []
        for key in self.order_paths:
            base_key = key[1:] if key.startswith("-") and key[1:] in originals else key
            label = originals[base_key] if labels is None else label_map.get(key, base_key)
            choices.append((key, label))
        kwargs["choices"] = self.process_choices(choices, direction)
        kwargs.setdefault("allow_negate", False)
        super().__init__(**kwargs)
        self.allow_negate = False

    @staticmethod
    def _flip(path: str) -> str:
        return path[1:] if path.startswith("-") else f"-{path}"

    @classmethod
    def process_fields(cls, fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for key, path in fields:
            pairs.append((key, path))
            pairs.append((f"-{key}", cls._flip(path)))
        return pairs

    @staticmethod
    def process_labels(labels: Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for key, label in labels or []:
            pairs.append((key, label))
            pairs.append((f"-{key}", label))
        return pairs

    @staticmethod
    def process_choices(
        choices: Iterable[tuple[str, str]], override_order_direction: str | None = "asc"
    ) -> list[tuple[str, str]]:
        up, down = ("Ascending", "Descending")
        if override_order_direction == "desc":
            up, down = down, up
        return [(key, f"{label} ({down if key.startswith('-') else up})") for key, label in choices]

    def paths_for(self, value: Iterable[str]) -> list[str]:
        paths = [self.order_paths[key] for key in value]
        if self.override_order_direction == "desc":
            paths = [self._flip(path) for path in paths]
        return paths

    def finish_method(self, queryset: Any, result: Any) -> tuple[Any, Q | None]:
        if not _is_queryset(result):
            raise TypeError(
                f"Ordering method of field `{getattr(self, 'field_name', '?')}` returned "
                f"{type(result).__name__}; it must return a QuerySet."
            )
        return result, None

    def apply_filter(self, filterset: Any, queryset: Any, value: Any) -> Any:
        if self.method is None:
            if not value:
                return queryset, None
            return queryset.order_by(*self.paths_for(value)), None
        result = self.call_method(filterset, queryset, value)
        if inspect.isawaitable(result):
            return self._finish_awaitable(queryset, result)
        return self.finish_method(queryset, result)


class RelatedField:
    """Marker replaced, at class creation, by filters on the related model's fields (§3.5)."""

    def __init__(
        self,
        *,
        model: Any,
        fields: FieldsType,
        exclude: list[str] | tuple[str, ...] | None = None,
        extra_kwargs: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.fields = fields
        self.exclude = list(exclude or [])
        self.extra_kwargs = dict(extra_kwargs or {})
        self._creation_counter = serializers.Field._creation_counter
        serializers.Field._creation_counter += 1

    def __str__(self) -> str:
        return (
            f"RelatedField(model={self.model!r}, fields={self.fields!r}, "
            f"extra_kwargs={self.extra_kwargs!r}, exclude={self.exclude!r})"
        )

    __repr__ = __str__


# Variants ------------------------------------------------------------------------------

_TEXT_LOOKUPS = (
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "search",
    "trigram_similar",
    "unaccent",
)

LOOKUP_DEFAULT_FIELD: dict[str, type[Field]] = {
    "in": ListField,
    "range": ListField,
    "isnull": BooleanField,
    **{lookup: IntegerField for lookup in COMPONENT_BOUNDS},
    "date": DateField,
    "time": TimeField,
    **{lookup: StringField for lookup in _TEXT_LOOKUPS},
    "regex": RegexStringField,
    "iregex": RegexStringField,
    "overlap": ListField,
    "overlaps": ListField,
    "contained_by": ListField,
}

_CLONE_RESET: dict[str, Any] = {
    "filter_by": _DROP,
    "db_field": _DROP,
    "method": _DROP,
    "lookups": _DROP,
    "lookup_separator": _DROP,
    "negate": _DROP,
    "required": _DROP,
    "default": _DROP,
    "relation": _DROP,
    "help_text": _DROP,
}


def _value_copy(base: Field) -> Field:
    """A copy of ``base`` that only validates (used as a list child)."""
    if isinstance(base, ListField):
        return copy.deepcopy(base.child)
    return base.clone(**_CLONE_RESET)


def build_variant(base: Field, orm_lookup: str, expr: str, help_text: str | None) -> Field:
    """The field of one lookup variant of ``base`` (§4.6); never required, never defaulted."""
    common: dict[str, Any] = {"filter_by": expr, "allow_negate": base.allow_negate}
    if help_text is not None:
        common["help_text"] = help_text
    if orm_lookup in ("in", "range"):
        child = _value_copy(base)
        if orm_lookup == "range":
            return ListField(child=child, min_length=2, max_length=2, **common)
        return ListField(child=child, **common)
    if orm_lookup in ("overlap", "overlaps", "contained_by") or (
        orm_lookup == "contains" and isinstance(base, ListField)
    ):
        if isinstance(base, ListField):
            return ListField(child=copy.deepcopy(base.child), **common)
        if orm_lookup != "contains":
            return base.clone(**{**_CLONE_RESET, **common})
    if orm_lookup in COMPONENT_BOUNDS:
        low, high = COMPONENT_BOUNDS[orm_lookup]
        component = IntegerField(min_value=low, max_value=high, **common)
        component.utc_year = orm_lookup in ("year", "iso_year") and isinstance(base, DateTimeField)
        return component
    variant_class = LOOKUP_DEFAULT_FIELD.get(orm_lookup)
    if variant_class is not None:
        return variant_class(**common)
    return base.clone(**{**_CLONE_RESET, **common})


def lookup_variants(name: str, base: Field, meta_separator: str) -> list[tuple[str, Field]]:
    """``(param, field)`` for each lookup variant of the base field ``name`` (§4.4, §4.5)."""
    if not base.lookups or base.method is not None or callable(base.filter_by):
        return []
    separator = base.lookup_separator if base.lookup_separator is not None else meta_separator
    base_help = base.help_text
    variants = []
    for suffix, orm_lookup, options in iter_lookups(base.lookups):
        help_text = options.get("help_text")
        from_lookup = bool(help_text or base_help)
        if not help_text and base_help:
            help_text = f"{base_help} ({bound_label(orm_lookup)})"
        field = build_variant(base, orm_lookup, f"{base.orm_path}__{orm_lookup}", help_text)
        if options.get("allow_negate") is False:
            field.allow_negate = False
        field.base_name = name
        field.variant_suffix = suffix
        field.variant_separator = separator
        field.orm_lookup = orm_lookup
        field.help_from_lookup = from_lookup
        variants.append((f"{name}{separator}{suffix}", field))
    return variants


def negation_of(field: Field) -> Field:
    """The ``!`` copy of ``field``: same validation and filter, never required (W-01)."""
    negated = field.clone(negate=True, required=False, default=_DROP, lookups=[])
    for attr in ("base_name", "variant_suffix", "variant_separator", "orm_lookup"):
        setattr(negated, attr, getattr(field, attr))
    negated.help_from_lookup = field.help_from_lookup
    negated.utc_year = getattr(field, "utc_year", False)
    negated.allow_negate = False
    if not field.db_field and not field.filter_by and not field.method:
        negated.db_field = getattr(field, "field_name", "")
    return negated


# Annotations ---------------------------------------------------------------------------

DataTypeSerializerMap: dict[Any, type[Field]] = {
    int: IntegerField,
    float: FloatField,
    str: StringField,
    bool: BooleanField,
    datetime.datetime: DateTimeField,
    datetime.date: DateField,
    datetime.time: TimeField,
    datetime.timedelta: DurationField,
    decimal.Decimal: DecimalField,
    Email: EmailField,
    IPAddress: IPAddressField,
    uuid.UUID: UUIDField,
}


def _type_name(data_type: Any) -> str:
    return getattr(data_type, "__name__", str(data_type))


_ANNOTATION_ERROR = (
    "`annotations` must be in ("
    + ", ".join(_type_name(t) for t in [*DataTypeSerializerMap, "Literal", "list"])
    + ")"
)


def _list_hook(kwargs: dict[str, Any], field_name: str | None, inner: Any) -> None:
    if field_name and not kwargs.get("method"):
        kwargs.setdefault("filter_by", f"{field_name}__in")


def build_filter_field(data_type: Any, field_name: str | None = None, **field_kwargs: Any) -> Field:
    """The filter field for an annotation (§3.2); unsupported types raise ``AssertionError``."""
    assert data_type is not None and data_type is not type(None), (
        f"{_ANNOTATION_ERROR}, not {data_type!r}"
    )
    field: Field = resolve_field_from_type(
        data_type,
        type_map=DataTypeSerializerMap,
        field_name=field_name,
        list_field_class=ListField,
        list_field_hook=_list_hook,
        choice_field_class=ChoiceField,
        error_message=_ANNOTATION_ERROR,
        allow_null_on_optional=False,
        **field_kwargs,
    )
    return field


# Model fields --------------------------------------------------------------------------


def extract_model_fields(model: Any, fields: Any, exclude: Any) -> list[Any]:
    """The model fields a ``Meta``/``RelatedField`` selects (§3.4); errors per §2.3."""
    if fields and not (isinstance(fields, (list, tuple)) or fields == ALL_FIELDS):
        raise TypeError(
            f'The `fields` option must be a list or tuple or "__all__" Got {type(fields).__name__}'
        )
    if exclude and not isinstance(exclude, (list, tuple)):
        raise TypeError(
            f"The `exclude` option must be a list or tuple. Got {type(exclude).__name__}"
        )
    if model is None or not fields:
        return []
    if model._meta.abstract:
        raise ValueError(f"Abstract models cannot be used. {model.__name__} is abstract.")
    if fields == ALL_FIELDS:
        selected = [f for f in model._meta.get_fields() if _generated_by_all(f)]
    else:
        selected = [model._meta.get_field(name) for name in fields]
    excluded = set(exclude or [])
    return [f for f in selected if f.name not in excluded]


def _generated_by_all(model_field: Any) -> bool:
    from django.db.models import ForeignObjectRel

    if isinstance(model_field, ForeignObjectRel):
        return False
    if type(model_field).__name__ in ("GenericForeignKey", "GenericRelation"):
        return False
    if model_field.is_relation and model_field.related_model is None:
        return False
    return not type(model_field).__name__.endswith("RangeField")
