"""``FilterSet``: a serializer over the query string that builds one queryset filter (§2)."""

from __future__ import annotations

import functools
import operator as op
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.serializers import SerializerMetaclass
from rest_framework.settings import api_settings

from restflow.filters import fields as ff
from restflow.filters import validation
from restflow.filters.lookups import ALL_FIELDS
from restflow.filters.model_fields import DJANGO_FIELD_MAP, is_forward_single, model_filter_field
from restflow.filters.options import FilterOptions
from restflow.filters.pipeline import Call, Pipeline, is_async_callable, run_async, run_sync
from restflow.helpers import RESERVED_SERIALIZER_ATTRS, getattr_multi_source

__all__ = [
    "DJANGO_FIELD_MAP",
    "FilterMetaClass",
    "FilterOptions",
    "FilterSet",
    "InlineFilterSet",
    "QuerySetT",
    "getattr_multi_source",
]

QuerySetT = TypeVar("QuerySetT", bound=QuerySet)

_OPERATORS: dict[str, Callable[[Q, Q], Q]] = {"AND": op.and_, "OR": op.or_, "XOR": op.xor}
_BUILTIN_APPLY = (ff.Field.apply_filter, ff.OrderField.apply_filter)


# Class compilation --------------------------------------------------------------------


def _annotations(attrs: dict[str, Any]) -> dict[str, Any]:
    raw = attrs.get("__annotations__")
    if raw is None and "__annotate__" in attrs:  # Python 3.14 lazy annotations
        import annotationlib

        raw = annotationlib.call_annotate_function(
            attrs["__annotate__"], annotationlib.Format.FORWARDREF
        )
    if not raw:
        return {}
    module = sys.modules.get(attrs.get("__module__", ""))
    globalns = dict(vars(module)) if module else {}
    resolved = {}
    for name, annotation in raw.items():
        if isinstance(annotation, str):
            annotation = eval(annotation, {**vars(typing), **globalns}, dict(attrs))
        if typing.get_origin(annotation) is ClassVar or annotation is ClassVar:
            continue
        resolved[name] = annotation
    return resolved


def _expand(name: str, field: ff.Field, separator: str) -> list[tuple[str, ff.Field]]:
    """A base field followed by its lookup variants, its negation, their negations (§2.6)."""
    if isinstance(field, ff.OrderField):
        return [(name, field)]
    variants = ff.lookup_variants(name, field, separator)
    entries = [(name, field), *variants]
    if field.allow_negate:
        entries.append((f"{name}!", ff.negation_of(field)))
    entries.extend(
        (f"{param}!", ff.negation_of(variant))
        for param, variant in variants
        if variant.allow_negate
    )
    return entries


class _Compiler:
    """Builds the ordered ``{param: field}`` of one FilterSet class, once."""

    def __init__(self, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        self.name = name
        self.bases = bases
        self.attrs = attrs
        self.meta: FilterOptions = attrs["_meta"]
        self.roots: dict[str, str] = {}

    # Own declarations -----------------------------------------------------------------

    def own_fields(self) -> list[tuple[str, Any]]:
        attrs, meta = self.attrs, self.meta
        annotations = _annotations(attrs)
        explicit = sorted(
            (
                (key, value)
                for key, value in attrs.items()
                if isinstance(value, (serializers.Field, ff.RelatedField))
            ),
            key=lambda item: item[1]._creation_counter,
        )
        declared: list[tuple[str, Any]] = []
        explicit_names = {
            key for key, value in explicit if not (type(value) is ff.Field and key in annotations)
        }
        for key, annotation in annotations.items():
            if key in explicit_names:
                continue
            if key in RESERVED_SERIALIZER_ATTRS:
                raise ValueError(
                    f"`{key}` collides with a FilterSet attribute. Choose a different name."
                )
            value = attrs.get(key)
            if type(value) is ff.Field:
                field = ff.build_filter_field(annotation, key, **value._kwargs)
            else:
                kwargs = {"allow_negate": meta.allow_negate, **meta.extra_kwargs.get(key, {})}
                field = ff.build_filter_field(annotation, key, **kwargs)
            field.ensure_db_field(key)
            declared.append((key, field))
        for key, value in explicit:
            attrs.pop(key, None)
            if key not in explicit_names:
                continue
            if isinstance(value, ff.RelatedField):
                declared.extend(self.related_expansion(key, value))
                continue
            if type(value) is ff.Field:
                raise TypeError(
                    f"{self.name}.{key} is a bare Field(): declare a concrete filter field class "
                    f"(IntegerField, StringField, ...) or annotate it (`{key}: int = Field(...)`)."
                )
            if not isinstance(value, ff.Field):
                raise TypeError(
                    f"{self.name}.{key} is a {type(value).__name__}: FilterSets accept "
                    "restflow.filters field classes only."
                )
            value.ensure_db_field(key)
            declared.append((key, value))
        return declared

    def related_expansion(self, prefix: str, related: ff.RelatedField) -> list[tuple[str, Any]]:
        model_fields = ff.extract_model_fields(related.model, related.fields, related.exclude)
        found = []
        for model_field in model_fields:
            path = f"{prefix}__{model_field.name}"
            extra = related.extra_kwargs.get(path, related.extra_kwargs.get(model_field.name, {}))
            found.append(
                (path, model_filter_field(model_field, path, self.meta.allow_negate, extra))
            )
        return found

    def model_fields(self, taken: set[str]) -> list[tuple[str, Any]]:
        meta = self.meta
        if meta.model is None:
            ff.extract_model_fields(None, meta.fields, meta.exclude)  # type checks only
            return []
        selected = ff.extract_model_fields(meta.model, meta.fields, meta.exclude)
        found: list[tuple[str, Any]] = []
        for model_field in selected:
            if model_field.name in taken:
                continue
            found.extend(self._model_entry(model_field, "", [meta.model]))
        return found

    def _model_entry(self, model_field: Any, prefix: str, path_models: list[Any]):
        meta = self.meta
        name = model_field.name
        path = f"{prefix}__{name}" if prefix else name
        if (
            is_forward_single(model_field)
            and name in meta.related_fields
            and model_field.related_model not in path_models
        ):
            related_model = model_field.related_model
            own = meta.extra_kwargs.get(path, meta.extra_kwargs.get(name, {})) or {}
            exclude = own.get("exclude", [])
            entries = []
            for related_field in ff.extract_model_fields(related_model, ALL_FIELDS, exclude):
                entries.extend(
                    self._model_entry(related_field, path, [*path_models, related_model])
                )
            return entries
        extra = meta.extra_kwargs.get(path)
        if extra is None:
            extra = meta.extra_kwargs.get(name, {})
        return [(path, model_filter_field(model_field, path, meta.allow_negate, extra or {}))]

    # Whole class ----------------------------------------------------------------------

    def inherited(self) -> dict[str, ff.Field]:
        fields: dict[str, ff.Field] = {}
        for base in self.bases:
            for param, field in getattr(base, "_declared_fields", {}).items():
                if param not in fields:
                    fields[param] = field
                    self.roots[param] = getattr(base, "_filter_roots", {}).get(param, param)
        return fields

    def order_field(self, own: list[tuple[str, Any]]) -> tuple[str, ff.OrderField] | None:
        meta = self.meta
        declared = [(key, f) for key, f in own if isinstance(f, ff.OrderField)]
        if len(declared) > 1:
            raise ValueError(
                "Only one order field is allowed, found multiple: "
                + ", ".join(key for key, _ in declared)
            )
        if declared:
            return declared[0]
        if not meta.order_fields:
            return None
        field = ff.OrderField(
            fields=meta.order_fields,
            labels=meta.order_field_labels or None,
            override_order_direction=meta.override_order_direction,
            default=list(meta.default_order_fields),
        )
        for entry in meta.default_order_fields:
            if entry not in field.order_paths:
                raise ImproperlyConfigured(
                    f"{self.name}.Meta.default_order_fields contains {entry!r}, which is not an "
                    f"ordering option; use one of {', '.join(field.order_paths)}."
                )
        return meta.order_param, field

    def compile(self) -> dict[str, ff.Field]:
        meta = self.meta
        inherited = self.inherited()
        own = self.own_fields()
        order = self.order_field(own)
        own = [(key, f) for key, f in own if not isinstance(f, ff.OrderField)]
        redeclared = {key for key, _ in own}
        taken = set(redeclared) | {self.roots.get(p, p) for p in inherited}
        own += self.model_fields(taken)
        redeclared |= {key for key, _ in own}
        if order is not None:
            redeclared.add(order[0])
        compiled: dict[str, ff.Field] = {}
        for param, field in inherited.items():
            if self.roots[param] in redeclared:
                continue
            if order is not None and isinstance(field, ff.OrderField):
                continue
            compiled[param] = field
        required = set(meta.required_fields)
        for key, field in own:
            if key in required:
                field.required = True
            for param, entry in _expand(key, field, meta.lookup_separator):
                compiled[param] = entry
                self.roots[param] = key
        for key in required - {key for key, _ in own}:
            if key not in compiled:
                raise ImproperlyConfigured(
                    f"{self.name}.Meta.required_fields names {key!r}, which is not a filter of "
                    f"{self.name}."
                )
            compiled[key] = compiled[key].clone(required=True)
        # The OrderField is always last.
        for param in [p for p, f in compiled.items() if isinstance(f, ff.OrderField)]:
            compiled[param] = compiled.pop(param)
        if order is not None:
            compiled.pop(order[0], None)
            compiled[order[0]] = order[1]
            self.roots[order[0]] = order[0]
        return compiled


class FilterMetaClass(SerializerMetaclass):
    """Compiles a FilterSet class once: options, fields, variants and checks (§11)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]):
        meta = attrs.pop("Meta", None)
        attrs["_meta"] = FilterOptions(meta, bases)
        compiler = _Compiler(name, bases, attrs)
        declared = compiler.compile()
        attrs["_declared_fields"] = declared
        attrs["_filter_roots"] = compiler.roots
        cls = type.__new__(mcs, name, bases, attrs)
        cls._prepare_plan()
        return cls


# Instances ------------------------------------------------------------------------------


class FilterSet(serializers.Serializer, metaclass=FilterMetaClass):
    """Declarative filters over the query string; see filters.md."""

    _meta: ClassVar[FilterOptions]
    _declared_fields: ClassVar[dict[str, ff.Field]]
    _filter_roots: ClassVar[dict[str, str]]
    # The per-class plan (``_prepare_plan``).
    _fields_view: ClassVar[Mapping[str, ff.Field]]
    _positions: ClassVar[dict[str, int]]
    _list_params: ClassVar[frozenset[str]]
    _always: ClassVar[frozenset[str]]
    _postgres: ClassVar[dict[str, str]]
    _checked_models: ClassVar[set[Any]]
    _checked_aliases: ClassVar[set[str]]
    _app_checked: ClassVar[bool]

    def __init__(self, data: Any = None, request: Any = None, **kwargs: Any) -> None:
        if data is None and request is not None:
            data = request.query_params if hasattr(request, "query_params") else request.GET
        kwargs.setdefault("context", {"request": request})
        super().__init__(data=data, **kwargs)
        self.request = request
        if not self._app_checked and apps.ready:
            self._check_configuration()

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("`many=True` is not supported.")

    # Per-class plan --------------------------------------------------------------------

    @classmethod
    def _prepare_plan(cls) -> None:
        prototype = cls.__new__(cls)
        prototype.partial = False
        prototype._context = {}
        prototype.parent = None
        prototype.field_name = ""
        for param, field in cls._declared_fields.items():
            if getattr(field, "parent", None) is None:
                field.bind(field_name=param, parent=prototype)
        cls._fields_view = MappingProxyType(cls._declared_fields)
        cls._positions = {param: index for index, param in enumerate(cls._declared_fields)}
        cls._list_params = frozenset(
            param
            for param, field in cls._declared_fields.items()
            if isinstance(field, (ff.ListField, ff.MultipleChoiceField))
        )
        cls._always = frozenset(
            param
            for param, field in cls._declared_fields.items()
            if field.required or field.default is not empty
        )
        cls._postgres = {
            param: lookup
            for param, field in cls._declared_fields.items()
            if (lookup := validation.postgres_lookup(field)) is not None
        }
        cls._checked_models = set()
        cls._checked_aliases = set()
        cls._app_checked = False
        for param, field in cls._declared_fields.items():
            method = field.method
            if isinstance(method, str) and not callable(getattr(cls, method, None)):
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{param} declares method={method!r} but {cls.__name__} "
                    f"does not define a callable {method!r}."
                )
        if apps.ready:
            cls._check_configuration()
        model = cls._meta.model
        if model is not None and apps.ready:
            validation.check_expressions(cls.__name__, model, cls._declared_fields.items())
            cls._checked_models.add(model)

    @classmethod
    def _check_configuration(cls) -> None:
        validation.check_postgres_app(cls.__name__, cls._declared_fields.items())
        cls._app_checked = True

    @classmethod
    def _check_queryset(cls, queryset: Any) -> None:
        """First use on a model / database: the checks class creation could not do."""
        if not cls._app_checked:
            cls._check_configuration()
        alias = getattr(queryset, "db", None)
        if cls._postgres and alias is not None and alias not in cls._checked_aliases:
            param, lookup = next(iter(cls._postgres.items()))
            validation.check_postgres_vendor(param, lookup, alias)
            cls._checked_aliases.add(alias)
        model = getattr(queryset, "model", None)
        if model is None or model in cls._checked_models:
            return
        validation.check_expressions(cls.__name__, model, cls._declared_fields.items())
        cls._checked_models.add(model)

    # Serializer API --------------------------------------------------------------------

    @property
    def fields(self) -> Mapping[str, ff.Field]:  # shared per class: no per-request copies
        return self._fields_view

    def get_fields(self) -> dict[str, ff.Field]:
        return dict(self._declared_fields)

    @property
    def _writable_fields(self) -> Iterable[ff.Field]:
        return self._declared_fields.values()

    @property
    def _readable_fields(self) -> Iterable[ff.Field]:
        return self._declared_fields.values()

    def get_options(self) -> FilterOptions:
        return self._meta

    def _present_params(self, data: Mapping[str, Any]) -> list[str]:
        positions = self._positions
        present = set(self._always)
        for key in data:
            if not isinstance(key, str):
                continue
            if key in positions:
                present.add(key)
            elif "[" in key:
                prefix = key.split("[", 1)[0]
                if prefix in self._list_params:
                    present.add(prefix)
        return sorted(present, key=positions.__getitem__)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """Validate the params present in ``data`` (plus required/defaulted fields) only."""
        if not isinstance(data, Mapping):
            message = self.error_messages["invalid"].format(datatype=type(data).__name__)
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid")
        validated: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        fields = self._declared_fields
        for param in self._present_params(data):
            field = fields[param]
            validate_method = getattr(self, "validate_" + param, None)
            try:
                value = field.run_validation(field.get_value(data))
                if validate_method is not None:
                    value = validate_method(value)
            except ValidationError as exc:
                errors[param] = exc.detail
            except DjangoValidationError as exc:
                errors[param] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                validated[param] = value
        if errors:
            raise ValidationError(errors)
        return validated

    def run_validators(self, value: Any) -> None:
        serializers.Field.run_validators(self, value)

    def model_dump(self) -> dict[str, Any]:
        self.is_valid(raise_exception=True)
        return self.validated_data

    # Filtering -------------------------------------------------------------------------

    def filter_queryset(self, queryset: QuerySetT, ignore: list[str] | None = None) -> QuerySetT:
        return run_sync(self._pipeline(queryset, ignore))

    async def afilter_queryset(
        self, queryset: QuerySetT, ignore: list[str] | None = None
    ) -> QuerySetT:
        return await run_async(self._pipeline(queryset, ignore))

    def _pipeline(self, queryset: Any, ignore: list[str] | None) -> Pipeline:
        self._check_queryset(queryset)
        data = self.model_dump()
        meta = self._meta
        for processor in meta.preprocessors:
            queryset = _checked_queryset((yield Call(processor, self, queryset)), processor)
        skip = set(ignore or ())
        conditions: list[Q] = []
        fields = self._declared_fields
        for param, value in data.items():
            if param in skip:
                continue
            field = fields[param]
            lookup = self._postgres.get(param)
            if lookup is not None:
                yield Call(validation.check_postgres_extension, param, lookup, queryset.db)
            if type(field).apply_filter not in _BUILTIN_APPLY:
                result = yield Call(field.apply_filter, self, queryset, value)
            elif field.method is None:
                result = field.apply_filter(self, queryset, value)
            else:
                method = field.get_method(self)
                call = Call(field.call_method, self, queryset, value)
                call.is_async = is_async_callable(method)
                result = field.finish_method(queryset, (yield call))
            queryset, condition = _split_result(param, queryset, result)
            if condition is not None and condition:
                conditions.append(condition)
        if conditions:
            queryset = queryset.filter(functools.reduce(_OPERATORS[meta.operator], conditions))
        for processor in meta.postprocessors:
            queryset = _checked_queryset((yield Call(processor, self, queryset)), processor)
        return queryset


def _checked_queryset(result: Any, processor: Any) -> Any:
    if not isinstance(result, QuerySet):
        name = getattr(processor, "__qualname__", repr(processor))
        raise TypeError(
            f"FilterSet processor {name} returned {type(result).__name__}; processors must "
            "return a QuerySet."
        )
    return result


def _split_result(param: str, queryset: Any, result: Any) -> tuple[Any, Q | None]:
    if isinstance(result, tuple) and len(result) == 2:
        return result[0], result[1]
    if isinstance(result, Q):
        return queryset, result
    if isinstance(result, QuerySet):
        return result, None
    raise TypeError(
        f"apply_filter of `{param}` returned {type(result).__name__}; expected "
        "(queryset, Q | None), a Q or a QuerySet."
    )


# Factory --------------------------------------------------------------------------------


def InlineFilterSet(
    name: str | None = None,
    fields: Mapping[str, Any] | list[str] | tuple[str, ...] | str | None = None,
    extra_kwargs: dict[str, dict[str, Any]] | None = None,
    model: Any = None,
    order_param: str | None = "",
    order_fields: list[tuple[str, str]] | None = None,
    default_order_fields: list[str] | None = None,
    order_field_labels: list[tuple[str, str]] | None = None,
    override_order_direction: str | None = None,
    postprocessors: list[Any] | None = None,
    preprocessors: list[Any] | None = None,
    operator: str | None = "AND",
    allow_negate: bool = True,
) -> type[FilterSet]:
    """A new FilterSet subclass built from arguments instead of a class body (§6)."""
    if model is None and not fields:
        raise ValueError("Either `model` or `fields` must be provided.")
    attrs: dict[str, Any] = {"__module__": __name__}
    annotations: dict[str, Any] = {}
    meta_fields: Any
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            if type(value) is ff.Field:
                raise TypeError(
                    f"InlineFilterSet field `{key}` is a bare Field(): pass a concrete filter "
                    "field class instance or a type."
                )
            if isinstance(value, (serializers.Field, ff.RelatedField)):
                attrs[key] = value
            else:
                annotations[key] = value
        meta_fields = []
    elif fields:
        if model is None:
            raise ValueError(
                "InlineFilterSet: a list of field names requires `model`; pass `model=` or a "
                "dict of fields."
            )
        meta_fields = fields
    else:
        meta_fields = ALL_FIELDS
    attrs["__annotations__"] = annotations
    meta_attrs = {
        "model": model,
        "fields": meta_fields,
        "extra_kwargs": extra_kwargs or {},
        "order_param": order_param or "order_by",
        "order_fields": order_fields or [],
        "default_order_fields": default_order_fields or [],
        "order_field_labels": order_field_labels or [],
        "override_order_direction": override_order_direction or "asc",
        "postprocessors": postprocessors or [],
        "preprocessors": preprocessors or [],
        "operator": operator or "AND",
        "allow_negate": allow_negate,
    }
    attrs["Meta"] = type("Meta", (), meta_attrs)
    class_name = name or (f"{model.__name__}FilterSet" if model is not None else "_FilterSet")
    return FilterMetaClass(class_name, (FilterSet,), attrs)
