"""``ValidatedData``: the dict that ``.validated_data`` returns, readable by attribute."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["ValidatedData", "normalize_default", "transform_validated_data"]


class ValidatedData(dict):
    """A plain ``dict`` whose keys are also attributes (``vd.name == vd["name"]``).

    Real attributes (dict methods, ``to_json``) win on read; writes and deletes by
    attribute always go to the keys.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __repr__(self) -> str:
        return f"ValidatedData({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ValidatedData, (dict(self),))

    def __json__(self) -> dict[str, Any]:
        return dict(self)

    def to_json(self, **opts: Any) -> str:
        """``json.dumps`` of the data; dates, decimals, UUIDs and durations are encoded."""
        user_default: Callable[[Any], Any] | None = opts.pop("default", None)
        if user_default is None:
            return json.dumps(self, default=normalize_default, **opts)

        def default(obj: Any) -> Any:
            try:
                return user_default(obj)
            except TypeError:
                return normalize_default(obj)

        return json.dumps(self, default=default, **opts)


def normalize_default(obj: Any) -> Any:
    """JSON fallback for the values validated data holds that ``json`` cannot encode."""
    if isinstance(obj, decimal.Decimal):
        return str(obj)
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, ValidatedData):
        return dict(obj)
    if isinstance(obj, datetime.timedelta):
        return str(obj.total_seconds())
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _convertible(value: Any) -> bool:
    return isinstance(value, (dict, list)) and not isinstance(value, ValidatedData)


def _entries(value: dict[Any, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)


def transform_validated_data(value: Any, _seen: set[int] | None = None) -> Any:
    """Copy dicts to ``ValidatedData`` and lists to new lists, at every depth.

    Iterative, so any depth the JSON parser accepted converts without ``RecursionError``.
    Cycles are detected on the current path only: a back-reference stays the original
    object, while a container reachable twice without a cycle is converted both times.
    """
    if not _convertible(value):
        return value
    path = set(_seen or ())
    root: Any = ValidatedData() if isinstance(value, dict) else []
    path.add(id(value))
    stack = [(value, root, _entries(value))]
    while stack:
        source, target, entries = stack[-1]
        for key, item in entries:
            if not _convertible(item) or id(item) in path:
                converted = item
            else:
                converted = ValidatedData() if isinstance(item, dict) else []
            if isinstance(target, list):
                target.append(converted)
            else:
                target[key] = converted
            if converted is not item:
                path.add(id(item))
                stack.append((item, converted, _entries(item)))
                break
        else:
            stack.pop()
            path.discard(id(source))
    return root
