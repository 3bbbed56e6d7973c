"""Whether a serializer's ``.data`` can be read on the event loop.

Reading ``.data`` may run user code (properties, ``SerializerMethodField``, custom fields)
and the ORM (relations, deferred fields, querysets), so async views read it in a worker
thread. That trip is wasted when the serializer only formats plain values with built-in
scalar fields; this module recognises that case, conservatively.

Import-safe: DRF is imported lazily.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from typing import Any

from django.db.models.query_utils import DeferredAttribute

from restflow.helpers.attributes import defining_module

__all__ = ["holds_plain_values", "intercepted_names", "plain_source", "represents_without_io"]

# Modules whose ``to_representation`` / ``get_attribute`` restflow vouches for.
_LIBRARY_MODULES = ("rest_framework.", "restflow.")
_MISSING = object()


def represents_without_io(serializer: Any, instance: Any) -> bool:
    """True when ``serializer.to_representation(instance)`` reads plain values only.

    That is: the serializer's (or list child's) ``to_representation`` is DRF's or
    restflow's, every readable field is a built-in scalar field reading one attribute, and
    each instance is a ``dict`` or holds those attributes in its ``__dict__`` with no
    property or relation descriptor of that name. A queryset or manager is never plain.
    """
    from rest_framework.serializers import ListSerializer

    if isinstance(serializer, ListSerializer):
        if not _library_method(type(serializer), "to_representation"):
            return False
        if not isinstance(instance, (list, tuple)):
            return False
        names = _plain_sources(serializer.child)
        return names is not None and _all_hold_plain_values(instance, names)
    names = _plain_sources(serializer)
    return names is not None and holds_plain_values(instance, names)


def holds_plain_values(instance: Any, names: frozenset[str]) -> bool:
    """Whether reading ``names`` from ``instance`` runs no code: dict items, or instance
    attributes that no data descriptor (a property, a relation) intercepts."""
    if type(instance) is dict:
        return True
    values = getattr(instance, "__dict__", None)
    if values is None or not names <= values.keys() or intercepted_names(instance.__class__, names):
        return False
    return not any(map(callable, map(values.__getitem__, names)))  # DRF calls callables


def _all_hold_plain_values(items: Sequence[Any], names: frozenset[str]) -> bool:
    """``holds_plain_values`` of every item, with the class checks made once per class."""
    checked: type | None = None
    for item in items:
        cls = item.__class__
        if cls is dict:
            continue
        if cls is not checked:
            if intercepted_names(cls, names):
                return False
            checked = cls
        values = getattr(item, "__dict__", None)
        if values is None or not values.keys() >= names:
            return False
        if any(map(callable, map(values.__getitem__, names))):
            return False
    return True


def _plain_sources(serializer: Any) -> frozenset[str] | None:
    """The attributes ``serializer`` reads, or ``None`` when it may run code; per instance."""
    cached = serializer.__dict__.get("_restflow_plain_sources", _MISSING)
    if cached is not _MISSING:
        return cached
    names: frozenset[str] | None = None
    if _library_method(type(serializer), "to_representation") and hasattr(serializer, "fields"):
        sources = [plain_source(field) for field in serializer._readable_fields]
        if None not in sources:
            names = frozenset(sources)  # type: ignore[arg-type]
    serializer.__dict__["_restflow_plain_sources"] = names
    return names


def plain_source(field: Any) -> str | None:
    """The one attribute ``field`` reads, when it is a built-in scalar field whose reading
    and formatting are the library's own; ``None`` when either may run other code."""
    sources: list[str] = field.source_attrs
    if len(sources) != 1 or not _plain_field_class(field.__class__):
        return None
    return sources[0]


@functools.lru_cache(maxsize=256)
def _plain_field_class(cls: type) -> bool:
    """A built-in scalar field class whose reading and formatting are the library's own."""
    return (
        issubclass(cls, _scalar_fields())
        and _library_method(cls, "to_representation")
        and _library_method(cls, "get_attribute")
    )


def _library_method(cls: type, name: str) -> bool:
    return (defining_module(cls, name) or "").startswith(_LIBRARY_MODULES)


@functools.cache
def _scalar_fields() -> tuple[type, ...]:
    """Built-in fields whose ``to_representation`` only formats the value it is given."""
    from rest_framework import fields

    return (
        fields.BooleanField,
        fields.CharField,
        fields.UUIDField,
        fields.IntegerField,
        fields.FloatField,
        fields.DecimalField,
        fields.DateTimeField,
        fields.DateField,
        fields.TimeField,
        fields.DurationField,
        fields.ChoiceField,
        fields.JSONField,
    )


@functools.lru_cache(maxsize=1024)
def intercepted_names(cls: type, names: frozenset[str]) -> frozenset[str]:
    """The names among ``names`` whose reads on a ``cls`` instance run code: a data
    descriptor (a property, a relation) of that name, or the class's own
    ``__getattribute__``. Any other name is read straight from the instance ``__dict__``."""
    if cls.__getattribute__ is not object.__getattribute__:
        return names  # every read runs the class's own code
    found = set()
    for name in names:
        attribute = inspect.getattr_static(cls, name, None)
        # A deferred-field loader only runs when the value is missing from ``__dict__``.
        if isinstance(attribute, DeferredAttribute):
            continue
        if attribute is not None and hasattr(type(attribute), "__set__"):
            found.add(name)
    return frozenset(found)
