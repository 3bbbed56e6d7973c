"""Small dict and attribute utilities shared by the declarative classes."""

from __future__ import annotations

from typing import Any


def sort_dict(d: dict[Any, Any]) -> dict[Any, Any]:
    """A new dict ordered by key (non-comparable keys raise ``TypeError``)."""
    return {key: d[key] for key in sorted(d)}


def getattr_multi_source(obj_set: Any, attr_name: str, default: Any = None) -> Any:
    """The attribute from the first source that has it, even when its value is ``None``.

    Presence decides, not value: a child ``Meta`` that re-sets an option to its default
    must win over a parent that set something else.
    """
    if not obj_set:
        return default
    if not isinstance(obj_set, (list, tuple)):
        obj_set = [obj_set]
    for source in obj_set:
        if source and hasattr(source, attr_name):
            return getattr(source, attr_name)
    return default


def defining_module(cls: type, name: str) -> str | None:
    """The module of the nearest class in ``cls``'s MRO that defines ``name`` itself, or
    ``None`` when none does: whose code a method (or property) of ``cls`` is."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass.__module__ or ""
    return None
