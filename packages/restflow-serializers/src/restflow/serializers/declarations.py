"""Class creation: annotations and ``Field`` carriers become ``_declared_fields``.

The field set is built once per class here; instances clone it (see
``Serializer.get_fields``) instead of re-running every field constructor.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, ClassVar, get_origin

from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers

from restflow.helpers import RESERVED_SERIALIZER_ATTRS
from restflow.serializers.fields import Field, get_field_from_type
from restflow.serializers.validation import guard_field_validators

__all__ = ["ModelSerializerMetaclass", "SerializerMetaclass"]


def _raw_annotations(attrs: dict[str, Any]) -> dict[str, Any]:
    """The class body's own annotations, unevaluated strings included."""
    annotations = attrs.get("__annotations__")
    if isinstance(annotations, dict):
        return dict(annotations)
    try:  # Python 3.14+: annotations are deferred to an ``__annotate__`` function
        import annotationlib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return {}
    annotate = annotationlib.get_annotate_from_class_namespace(attrs)
    if annotate is None:
        return {}
    try:
        return dict(annotationlib.call_annotate_function(annotate, annotationlib.Format.VALUE))
    except NameError:  # a forward reference: evaluated later, with better context
        return dict(annotationlib.call_annotate_function(annotate, annotationlib.Format.STRING))


def _evaluate(name: str, annotation: Any, attrs: dict[str, Any]) -> Any:
    """``inspect.get_annotations(eval_str=True)`` for one class-body annotation (W-01)."""
    if not isinstance(annotation, str):
        return annotation
    module_name = attrs.get("__module__", "")
    module = sys.modules.get(module_name)
    namespace = dict(vars(module)) if module is not None else {}
    try:
        return eval(annotation, namespace, dict(attrs))
    except NameError:
        # A class defined inside a function: its annotations may name the function's locals.
        local_names = _defining_frame_locals(module_name)
        try:
            return eval(annotation, namespace, {**local_names, **attrs})
        except Exception as exc:
            failure = exc
    except Exception as exc:
        failure = exc
    raise AssertionError(
        f"annotation of field `{name}` cannot be evaluated: {annotation!r} ({failure}). "
        "Define the referenced name before the serializer or use an explicit field."
    ) from failure


def _defining_frame_locals(module_name: str) -> dict[str, Any]:
    """Locals of the function running the ``class`` statement, when there is one."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == module_name:
            return dict(frame.f_locals) if frame.f_code.co_name != "<module>" else {}
        frame = frame.f_back  # type: ignore[assignment]
    return {}


def _is_classvar(annotation: Any) -> bool:
    return annotation is ClassVar or get_origin(annotation) is ClassVar


class SerializerMetaclass(drf_serializers.SerializerMetaclass):
    """DRF's metaclass plus annotation-driven fields (serializers.md §2.1, §4)."""

    @classmethod
    def _get_declared_fields(
        cls, bases: tuple[type, ...], attrs: dict[str, Any]
    ) -> dict[str, drf_fields.Field]:
        explicit = [
            (name, attrs.pop(name))
            for name, value in list(attrs.items())
            if isinstance(value, drf_fields.Field)
        ]
        explicit.sort(key=lambda item: item[1]._creation_counter)
        explicit_names = {name for name, _ in explicit}
        carriers = {
            name: attrs.pop(name) for name, value in list(attrs.items()) if isinstance(value, Field)
        }
        raw = _raw_annotations(attrs)
        for name in carriers:
            if name not in raw:
                raise TypeError(
                    f"`{name} = Field(...)` has no annotation: write `{name}: <type> = Field(...)` "
                    "so restflow knows which field to build."
                )

        annotated: dict[str, drf_fields.Field] = {}
        for name, annotation in raw.items():
            if name in explicit_names:
                continue  # an explicit DRF field wins; its annotation is not looked at
            annotation = _evaluate(name, annotation, attrs)
            if _is_classvar(annotation):
                continue
            if name in RESERVED_SERIALIZER_ATTRS:
                raise ValueError(
                    f"`{name}` collides with a Serializer attribute. Choose a different name."
                )
            carrier = carriers.get(name)
            if carrier is None and name in attrs:
                warnings.warn(
                    f"`{name}: ... = {attrs[name]!r}` in {attrs.get('__qualname__')} is not a "
                    f"default: the field stays required. Use `Field(default=...)` instead.",
                    UserWarning,
                    stacklevel=3,
                )
            kwargs = carrier.field_kwargs if carrier is not None else {}
            annotated[name] = get_field_from_type(annotation, field_name=name, **kwargs)

        for field in (*annotated.values(), *(field for _, field in explicit)):
            guard_field_validators(field)

        # DRF's rule: any class attribute hides an inherited field of the same name (W-18).
        known = set(attrs) | set(annotated) | explicit_names
        inherited: dict[str, drf_fields.Field] = {}
        for base in bases:
            for name, field in getattr(base, "_declared_fields", {}).items():
                if name not in known and name not in inherited:
                    inherited[name] = field
        return {**inherited, **annotated, **dict(explicit)}

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        own_annotated = [
            key
            for key in _raw_annotations(attrs)
            if not isinstance(attrs.get(key), drf_fields.Field)
        ]
        cls = super().__new__(mcs, name, bases, attrs)
        cls._restflow_own_annotated = tuple(
            key for key in own_annotated if key in cls._declared_fields
        )
        return cls


def _merged_fields(fields: Any, names: tuple[str, ...]) -> Any:
    if not isinstance(fields, (list, tuple)):
        return fields
    missing = [name for name in names if name not in fields]
    if not missing:
        return fields
    return type(fields)([*fields, *missing])


class ModelSerializerMetaclass(SerializerMetaclass):
    """Also appends annotated names to ``Meta.fields`` without mutating shared ``Meta``s."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        cls = super().__new__(mcs, name, bases, attrs)
        names = cls._restflow_own_annotated
        meta = getattr(cls, "Meta", None)
        if not names or meta is None:
            return cls
        fields = getattr(meta, "fields", None)
        merged = _merged_fields(fields, names)
        if merged is fields:
            return cls
        own_meta = "Meta" in attrs and meta.__qualname__ == f"{cls.__qualname__}.Meta"
        if own_meta:
            meta.fields = merged
        else:
            # Inherited or shared Meta (W-10): derive, never mutate someone else's object.
            cls.Meta = type("Meta", (meta,), {"fields": merged, "__module__": cls.__module__})
        return cls
