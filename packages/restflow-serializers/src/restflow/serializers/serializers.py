"""The serializer classes users subclass, and ``InlineSerializer``."""

from __future__ import annotations

import copy
import sys
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

from django.utils.functional import cached_property
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.serializers import BaseSerializer
from rest_framework.utils.serializer_helpers import BindingDict

from restflow.serializers.core import ListSerializer, ModelSerializerMixin, SerializerMixin
from restflow.serializers.declarations import ModelSerializerMetaclass, SerializerMetaclass
from restflow.serializers.fields import get_field_from_type
from restflow.serializers.validation import PROTOTYPE_ATTR

if TYPE_CHECKING:
    from typing import Literal

    from typing_extensions import Self

__all__ = [
    "HyperlinkedModelSerializer",
    "InlineSerializer",
    "ListSerializer",
    "ModelSerializer",
    "Serializer",
]

_FAST_CLONE_MODULES = ("rest_framework.", "restflow.")


def _clone_field(field: drf_fields.Field) -> drf_fields.Field:
    """A fresh, unbound copy of a class-level field without re-running its constructor.

    DRF deep-copies every declared field for every serializer instance, which re-runs each
    ``__init__``. Fields of DRF and restflow hold no per-instance state before ``bind``,
    so copying their attributes is equivalent; serializers and third-party field classes
    still go through ``deepcopy``.
    """
    field_class = type(field)
    if isinstance(field, BaseSerializer) or not field_class.__module__.startswith(
        _FAST_CLONE_MODULES
    ):
        clone = copy.deepcopy(field)
        clone.__dict__[PROTOTYPE_ATTR] = field
        return clone
    state = field.__dict__.copy()
    state[PROTOTYPE_ATTR] = field
    return _with_state(field_class, state)


def _bound_copy(template: dict[str, Any], field_class: type, parent: Any) -> drf_fields.Field:
    state = template.copy()
    state["parent"] = parent
    return _with_state(field_class, state)


def _with_state(field_class: type, state: dict[str, Any]) -> drf_fields.Field:
    """A field object with ``state`` (a dict it now owns); mutable parts are copied."""
    field: drf_fields.Field = object.__new__(field_class)
    if "_validators" in state:
        state["_validators"] = list(state["_validators"])
    for attr in ("child", "child_relation"):
        child = state.get(attr)
        if isinstance(child, drf_fields.Field):
            child_copy = _clone_field(child)
            child_copy.parent = field  # already bound once, with field_name ""
            state[attr] = child_copy
    field.__dict__ = state
    return field


# ``bind`` implementations that only derive names from the field name, never from the parent:
# binding once per class and copying the result is then equivalent to binding every copy.
_NAME_ONLY_BINDS = (drf_fields.Field.bind, drf_fields.SerializerMethodField.bind)


class Serializer(SerializerMixin, drf_serializers.Serializer, metaclass=SerializerMetaclass):
    """DRF ``Serializer`` + fields from annotations + the async API + ``ValidatedData``."""

    if TYPE_CHECKING:

        @overload
        def __new__(cls, *args: Any, many: Literal[True], **kwargs: Any) -> ListSerializer: ...
        @overload
        def __new__(cls, *args: Any, many: Literal[False] = ..., **kwargs: Any) -> Self: ...
        def __new__(cls, *args: Any, **kwargs: Any) -> Any: ...
        def __init__(
            self,
            instance: Any = ...,
            data: Any = ...,
            *,
            partial: bool = ...,
            many: bool = ...,
            context: dict[str, Any] = ...,
            **kwargs: Any,
        ) -> None: ...
        @property
        def validated_data(self) -> Self: ...

    def get_fields(self) -> dict[str, drf_fields.Field]:
        return {name: _clone_field(field) for name, field in self._declared_fields.items()}

    @cached_property
    def fields(self) -> Any:
        """DRF's bound field dict, built from a per-class plan of pre-bound field copies."""
        if type(self).get_fields is not Serializer.get_fields:
            return super().fields  # a custom get_fields decides; DRF binds what it returns
        fields = BindingDict(self)
        for name, prototype, template in self._field_plan():
            if template is None:
                fields[name] = _clone_field(prototype)
            else:
                fields.fields[name] = _bound_copy(template, type(prototype), self)
        return fields

    @classmethod
    def _restflow_fields_from_class(cls) -> bool:
        """Whether every instance builds equal fields (the class's templates, no hook of
        the user's in between); ``restflow.helpers.read_plan`` then shares one plan."""
        return (
            cls.get_fields is Serializer.get_fields
            and cls.fields is Serializer.__dict__["fields"]
            and cls._readable_fields is drf_serializers.Serializer._readable_fields
        )

    def _field_plan(self) -> list[tuple[str, drf_fields.Field, dict[str, Any] | None]]:
        cls = type(self)
        declared = self._declared_fields
        cached = cls.__dict__.get("_restflow_field_plan")
        if cached is not None and cached[0] is declared and len(cached[1]) == len(declared):
            return cached[1]
        plan: list[tuple[str, drf_fields.Field, dict[str, Any] | None]] = []
        for name, prototype in declared.items():
            template = None
            if (
                not isinstance(prototype, BaseSerializer)
                and type(prototype).__module__.startswith(_FAST_CLONE_MODULES)
                and type(prototype).bind in _NAME_ONLY_BINDS
            ):
                probe = _clone_field(prototype)
                probe.bind(field_name=name, parent=self)
                template = dict(probe.__dict__)
                del template["parent"]
            plan.append((name, prototype, template))
        cls._restflow_field_plan = (declared, plan)
        return plan


class ModelSerializer(
    ModelSerializerMixin, drf_serializers.ModelSerializer, metaclass=ModelSerializerMetaclass
):
    """DRF ``ModelSerializer`` + annotations, ``Meta.fields`` merging and async ORM saves."""

    if TYPE_CHECKING:

        @property
        def validated_data(self) -> Self: ...


class HyperlinkedModelSerializer(
    ModelSerializerMixin,
    drf_serializers.HyperlinkedModelSerializer,
    metaclass=ModelSerializerMetaclass,
):
    """DRF ``HyperlinkedModelSerializer`` + everything ``ModelSerializer`` adds."""

    if TYPE_CHECKING:

        @property
        def validated_data(self) -> Self: ...


def _caller_module() -> str:
    frame = sys._getframe(2)
    return str(frame.f_globals.get("__name__", __name__))


def _extra_kwargs(
    extra_kwargs: Mapping[str, Mapping[str, Any]] | None,
    read_only_fields: list[str] | tuple[str, ...] | None,
    write_only_fields: list[str] | tuple[str, ...] | None,
) -> dict[str, dict[str, Any]]:
    merged = {name: dict(options) for name, options in (extra_kwargs or {}).items()}
    for names, flag in ((read_only_fields, "read_only"), (write_only_fields, "write_only")):
        for name in names or ():
            merged.setdefault(name, {})[flag] = True
    return merged


def _meta_fields(
    model_fields: list[str] | tuple[str, ...] | str | None, field_names: list[str]
) -> Any:
    if model_fields is None:
        return field_names or drf_serializers.ALL_FIELDS
    if isinstance(model_fields, str):
        if model_fields != drf_serializers.ALL_FIELDS:
            raise TypeError(
                f'InlineSerializer(model_fields=...) takes a list of names or "__all__", '
                f"not the string {model_fields!r}."
            )
        return model_fields
    names = list(model_fields)
    return names + [name for name in field_names if name not in names]


def InlineSerializer(
    name: str | None = None,
    fields: Mapping[str, drf_fields.Field | Any] | None = None,
    extra_kwargs: dict[str, dict[str, Any]] | None = None,
    read_only_fields: list[str] | tuple[str, ...] | None = None,
    write_only_fields: list[str] | tuple[str, ...] | None = None,
    model: Any = None,
    model_fields: list[str] | tuple[str, ...] | str | None = None,
) -> Any:
    """Build a ``Serializer`` (or, with ``model``, a ``ModelSerializer``) class at runtime."""
    if not model and not fields:
        raise ValueError("Either `model` or `fields` must be provided.")
    if fields is not None and not isinstance(fields, Mapping):
        raise TypeError(
            f"InlineSerializer(fields=...) must be a mapping of name to type or field, "
            f"not {type(fields).__name__}."
        )
    attrs: dict[str, Any] = {
        "__module__": _caller_module(),
        "inline_anonymous": name is None,
    }
    for field_name, value in (fields or {}).items():
        if isinstance(value, drf_fields.Field):
            attrs[field_name] = value
        else:
            attrs[field_name] = get_field_from_type(value, field_name=field_name)

    if not model:
        ignored = [
            arg
            for arg, value in (
                ("extra_kwargs", extra_kwargs),
                ("read_only_fields", read_only_fields),
                ("write_only_fields", write_only_fields),
            )
            if value
        ]
        if ignored:
            warnings.warn(
                f"InlineSerializer ignores {', '.join(ignored)} without `model`: "
                "configure the fields themselves instead.",
                UserWarning,
                stacklevel=2,
            )
        class_name = name or "_Serializer"
        base: type = Serializer
    else:
        class_name = name or f"{model.__name__}Serializer"
        meta_attrs: dict[str, Any] = {
            "model": model,
            "fields": _meta_fields(model_fields, list(fields or {})),
        }
        merged = _extra_kwargs(extra_kwargs, read_only_fields, write_only_fields)
        if merged:
            meta_attrs["extra_kwargs"] = merged
        attrs["Meta"] = type("Meta", (), meta_attrs)
        base = ModelSerializer
    attrs["__qualname__"] = class_name
    return type(base)(class_name, (base,), attrs)
