"""Key fields: each turns a call into one part of a cache key (caching.md §3)."""

from __future__ import annotations

import copy
import datetime
import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from restflow.caching.constants import MISSING_VALUE
from restflow.caching.hashing import hash_string

__all__ = [
    "ArgsKeyField",
    "CacheKeyField",
    "ConstantKeyField",
    "DjangoModelKeyField",
    "DrfSerializerKeyField",
    "QueryParamsKeyField",
    "RequestValueKeyField",
    "ViewKwargsKeyField",
    "signature_of",
]


@functools.lru_cache(maxsize=4096)
def _signature(func: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(func)


def signature_of(func: Callable[..., Any]) -> inspect.Signature:
    """``inspect.signature`` memoised per function (W-24)."""
    try:
        return _signature(func)
    except TypeError:  # unhashable callable
        return inspect.signature(func)


class _SimpleBinder:
    """Binds calls of plain signatures (positional-or-keyword parameters only) without
    ``inspect.BoundArguments``: the key of every call is built from it (W-24)."""

    __slots__ = ("defaults", "name_set", "names")

    def __init__(self, names: tuple[str, ...], defaults: dict[str, Any]) -> None:
        self.names = names
        self.name_set = frozenset(names)
        self.defaults = defaults

    def bind(self, args: tuple, kwargs: dict) -> dict[str, Any] | None:
        names = self.names
        if len(args) > len(names):
            return None
        bound = dict(zip(names, args))  # noqa: B905 - args may be shorter
        for name, value in kwargs.items():
            if name in bound or (name not in self.defaults and name not in names):
                return None
            bound[name] = value
        if len(bound) == len(names):
            return {name: bound[name] for name in names}
        result = {}
        for name in names:
            if name in bound:
                result[name] = bound[name]
            elif name in self.defaults:
                result[name] = self.defaults[name]
        return result


@functools.lru_cache(maxsize=4096)
def _binder(func: Callable[..., Any]) -> _SimpleBinder | None:
    params = inspect.signature(func).parameters.values()
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in params):
        return None
    names = tuple(p.name for p in params)
    defaults = {p.name: p.default for p in params if p.default is not p.empty}
    return _SimpleBinder(names, defaults)


def bind_arguments(func: Callable[..., Any], args: Any, kwargs: Any) -> dict[str, Any]:
    """Partial binding with defaults applied, in signature order (``bind_partial`` semantics)."""
    args = args or ()
    kwargs = kwargs or {}
    try:
        binder = _binder(func)
    except TypeError:  # unhashable callable
        binder = None
    if binder is not None:
        bound = binder.bind(args, kwargs)
        if bound is not None:
            return bound
    arguments = signature_of(func).bind_partial(*args, **kwargs)
    arguments.apply_defaults()
    return dict(arguments.arguments)


def _dict_sort_key(item: tuple[Any, Any]) -> Any:
    return item[0]


def _mixed_sort_key(item: tuple[Any, Any]) -> tuple[str, str]:
    return (type(item[0]).__name__, str(item[0]))


def _sorted_items(data: dict[Any, Any]) -> list[tuple[Any, Any]]:
    if len(data) == 1:
        return list(data.items())
    try:
        return sorted(data.items(), key=_dict_sort_key)
    except TypeError:  # keys of mixed types (W-22)
        return sorted(data.items(), key=_mixed_sort_key)


def walk_path(value: Any, path: str) -> Any:
    """Follow a dotted path: attribute first, then dict key; a missing segment → sentinel."""
    for part in path.split("."):
        try:
            value = getattr(value, part)
            continue
        except AttributeError:
            pass
        try:
            value = value[part]
        except (KeyError, TypeError, IndexError):
            return MISSING_VALUE
    return value


class CacheKeyField(ABC):
    """Base of every key field.

    ``partition`` puts the field's string into the key prefix (so entries sharing it can
    be dropped together); ``hash_value`` replaces every level of the string by its hash.
    """

    def __init__(
        self, partition: bool = False, hash_value: bool = False, *, sort_lists: bool = True
    ):
        self.partition = partition
        self.hash_value = hash_value
        self.sort_lists = sort_lists

    def __repr__(self) -> str:
        return f"<{type(self).__name__} partition={self.partition} hash_value={self.hash_value}>"

    @abstractmethod
    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> Any:
        """What this field contributes for a call (a dict, list or scalar)."""

    def get_cache_key_part(self, func: Any, args: Any, kwargs: Any) -> str:
        return self.stringify(self.get_key_payload(func, args, kwargs))

    def normalize(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: self.normalize(v) for k, v in _sorted_items(data)}
        if isinstance(data, (list, tuple)):
            items = [self.normalize(item) for item in data]
            if self.sort_lists:
                items.sort(key=str)
            return items
        if data is None:
            return "null"
        if isinstance(data, (datetime.date, datetime.datetime)):
            return data.isoformat()
        return str(data)

    def stringify(self, value: Any) -> str:
        """The exact rendering of §3.2 (keys must be byte-identical across versions)."""
        kind = type(value)
        if kind is str or kind is int:
            return hash_string(str(value)) if self.hash_value else str(value)
        if kind is dict:
            if not value:  # a field with nothing to say (no query string)
                return hash_string("") if self.hash_value else ""
            if len(value) == 1:  # one argument: nothing to sort or join
                for name, item in value.items():
                    text = f"{name}:{self.stringify(item)}"
                return hash_string(text) if self.hash_value else text
        if isinstance(value, dict):
            if not value:
                text = ""
            else:
                text = "||".join(f"{k}:{self.stringify(v)}" for k, v in _sorted_items(value))
        elif isinstance(value, (list, tuple)):
            items = [self.stringify(item) for item in value]
            if self.sort_lists:
                items.sort()
            text = ",".join(items)
        elif isinstance(value, (set, frozenset)):
            text = ",".join(sorted(self.stringify(item) for item in value))
        elif value is None:
            text = "null"
        elif isinstance(value, str):
            text = value
        elif isinstance(value, (datetime.date, datetime.datetime)):
            text = value.isoformat()
        else:
            text = str(value)
        return hash_string(text) if self.hash_value else text

    def extract_request_object(
        self,
        func: Any,
        args: Any,
        kwargs: Any,
        request_arg: str = "request",
        normalize: bool = False,
        view_self_request_fallback: bool = True,
    ) -> Any:
        request = _find_request(func, args, kwargs, request_arg, view_self_request_fallback)
        if normalize and request is not None and not hasattr(request, "query_params"):
            inner = getattr(request, "request", None)
            if inner is not None and hasattr(inner, "query_params"):
                return inner
        return request


@functools.lru_cache(maxsize=4096)
def _parameter_names(func: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(func).parameters)


def _find_request(func: Any, args: Any, kwargs: Any, name: str, view_fallback: bool) -> Any:
    if kwargs and name in kwargs:
        return kwargs[name]
    if args and func is not None:
        try:
            params = _parameter_names(func)
        except (TypeError, ValueError):
            params = ()
        if name in params:
            index = params.index(name)
            if index < len(args):
                return args[index]
    if view_fallback and args:
        first = args[0]
        if hasattr(first, "request"):
            return first.request
    return None


def query_source(request: Any) -> Any:
    """``extract_request_object(normalize=True)`` of a found request, without evaluating
    DRF's ``query_params`` property just to learn that it exists."""
    if not hasattr(type(request), "query_params") and not hasattr(request, "query_params"):
        inner = getattr(request, "request", None)
        if inner is not None and hasattr(inner, "query_params"):
            return inner
    return request


def query_of(request: Any) -> Any:
    """The query parameters of a (normalised) request, or ``None`` when there are none."""
    # No query string at all: skip building the QueryDict (most cached GETs).
    django_request = getattr(request, "_request", request)
    meta = getattr(django_request, "META", None)
    built = getattr(django_request, "__dict__", {})
    if isinstance(meta, dict) and not meta.get("QUERY_STRING") and "GET" not in built:
        return None
    query = getattr(request, "query_params", None)
    if query is None:
        query = getattr(request, "GET", None)  # a plain Django HttpRequest (W-25)
    return query or None


class ConstantKeyField(CacheKeyField):
    """The same ``{key: str(value)}`` on every call (e.g. a schema version)."""

    def __init__(
        self,
        key: str,
        value: Any,
        *,
        partition: bool = False,
        hash_value: bool = False,
        sort_lists: bool = False,
    ):
        super().__init__(partition, hash_value, sort_lists=sort_lists)
        self.key = key
        self.value = value

    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        return {self.key: str(self.value)}


class ArgsKeyField(CacheKeyField):
    """Arguments of the call, bound to the function's signature (defaults applied)."""

    SKIP: frozenset[str] = frozenset()

    def __init__(
        self,
        arguments: str | list[str] | tuple[str, ...] = "*",
        path: str | None = None,
        normalizer: Callable[[Any], Any] | None = None,
        *,
        partition: bool = False,
        hash_value: bool = False,
        sort_lists: bool = False,
    ):
        super().__init__(partition, hash_value, sort_lists=sort_lists)
        self.arguments = arguments
        self.path = path
        self.normalizer = normalizer
        if arguments == "*":
            self._names: frozenset[str] | None = None
        elif isinstance(arguments, str):
            self._names = frozenset([arguments])
        else:
            self._names = frozenset(arguments)
        self._single = arguments if isinstance(arguments, str) and arguments != "*" else None
        # (func, its binder, how many positionals bind only skipped parameters or -1)
        self._memo: tuple[Any, Any, int] = (None, None, -1)
        # One plain named argument rendered as "name:value" without the generic payload
        # and stringify steps (partition fields of rules and of most constructors).
        cls = type(self)
        self._direct = (
            self._single is not None
            and not path
            and normalizer is None
            and not hash_value
            and not self.SKIP
            and cls.get_key_payload is ArgsKeyField.get_key_payload
            and cls.stringify is CacheKeyField.stringify
            and cls.get_cache_key_part is ArgsKeyField.get_cache_key_part
        )

    def get_cache_key_part(self, func: Any, args: Any, kwargs: Any) -> str:
        if self._direct:
            bound = self._bind_single(func, args, kwargs)
            if bound is not None:
                if not bound:
                    return ""
                value = bound[self._single]  # type: ignore[index]
                kind = type(value)
                if kind is int or kind is str:
                    return f"{self._single}:{value}"
        return self.stringify(self.get_key_payload(func, args, kwargs))

    def _plan(self, func: Any) -> tuple[Any, Any, int]:
        memo = self._memo
        if memo[0] is not func:
            try:
                binder = _binder(func)
            except TypeError:
                binder = None
            skip_limit = -1
            if binder is not None and all(name in self.SKIP for name in binder.names):
                skip_limit = len(binder.names)
            memo = self._memo = (func, binder, skip_limit)
        return memo

    def _only_skipped(self, func: Any, args: Any) -> bool:
        """True when the call binds nothing but skipped parameters (``get(self, request)``)."""
        return len(args or ()) <= self._plan(func)[2]

    def _bind_single(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any] | None:
        """Fast path for one named argument of a plain signature; ``None`` = use the slow path."""
        binder = self._plan(func)[1]
        if binder is None:
            return None
        name: str = self._single  # type: ignore[assignment]  # checked by the caller
        positional = len(args) if args else 0
        if positional > len(binder.names) or (kwargs and not kwargs.keys() <= binder.name_set):
            return None
        if kwargs and name in kwargs:
            if positional and name in binder.names[:positional]:
                return None  # given twice: let inspect raise its TypeError
            return {name: kwargs[name]}
        try:
            index = binder.names.index(name)
        except ValueError:
            return {}
        if args and index < len(args):
            return {name: args[index]}
        if name in binder.defaults:
            return {name: binder.defaults[name]}
        return {}

    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        names, skip = self._names, self.SKIP
        if skip and not kwargs and self._only_skipped(func, args):
            return {}
        if self._single is not None and not self.path and self.normalizer is None:
            single = self._bind_single(func, args, kwargs)
            if single is not None:
                return single
        payload = {}
        for name, value in bind_arguments(func, args, kwargs).items():
            if name in skip or (names is not None and name not in names):
                continue
            if self.path:
                value = walk_path(value, self.path)
            if self.normalizer is not None:
                try:
                    value = self.normalizer(value)
                except Exception:
                    pass
            payload[name] = value
        return payload


class ViewKwargsKeyField(ArgsKeyField):
    """The handler's URL kwargs: its arguments without ``self``/``cls``/``request``."""

    SKIP = frozenset({"self", "cls", "request"})


class RequestValueKeyField(CacheKeyField):
    """A value read from the request along a dotted path (``"user.id"``)."""

    def __init__(
        self,
        path: str,
        request_arg: str = "request",
        *,
        partition: bool = False,
        hash_value: bool = False,
        sort_lists: bool = False,
        view_self_request_fallback: bool = True,
    ):
        super().__init__(partition, hash_value, sort_lists=sort_lists)
        self.path = path
        self.request_arg = request_arg
        self.view_self_request_fallback = view_self_request_fallback
        self._name = path.replace(".", "_")

    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        request = self.extract_request_object(
            func, args, kwargs, self.request_arg, False, self.view_self_request_fallback
        )
        if not request:
            return {}
        return {self._name: str(walk_path(request, self.path))}


class QueryParamsKeyField(CacheKeyField):
    """Selected query parameters; repeated parameters are sorted (order-insensitive)."""

    def __init__(
        self,
        params: str | list[str] | tuple[str, ...] = "*",
        request_arg: str = "request",
        *,
        partition: bool = False,
        hash_value: bool = False,
        sort_lists: bool = False,
        view_self_request_fallback: bool = True,
    ):
        super().__init__(partition, hash_value, sort_lists=sort_lists)
        self.params = params
        self.request_arg = request_arg
        self.view_self_request_fallback = view_self_request_fallback

    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        request = _find_request(
            func, args, kwargs, self.request_arg, self.view_self_request_fallback
        )
        if request is None:
            return {}
        query = query_of(query_source(request))
        if query is None:
            return {}
        if self.params == "*":
            names = list(query.keys())
        elif isinstance(self.params, str):
            names = [self.params]
        else:
            names = list(self.params)
        getlist = getattr(query, "getlist", None)
        payload: dict[str, Any] = {}
        for name in names:
            if name not in query:
                continue
            if getlist is not None:
                values = getlist(name)
                payload[name] = values[0] if len(values) == 1 else sorted(values)
            else:
                payload[name] = query[name]
        return payload


class _StructureKeyField(CacheKeyField):
    """Always hashed, never a partition; the structure is computed once (W-24)."""

    def __init__(self, target: Any):
        super().__init__(partition=False, hash_value=True, sort_lists=True)
        self._target = target
        self._payload: dict[str, Any] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> _StructureKeyField:
        clone = copy.copy(self)
        return clone

    @abstractmethod
    def build_payload(self) -> dict[str, Any]: ...

    def get_key_payload(self, func: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        if self._payload is None:
            self._payload = self.build_payload()
        return self._payload


def _serializer_structure(serializer_class: Any) -> dict[str, Any]:
    try:
        instance = serializer_class()
    except Exception as exc:
        raise ValueError(f"Failed to initialize serializer class: {serializer_class}") from exc
    from rest_framework import serializers

    fields: dict[str, Any] = {}
    for name, field in sorted(instance.get_fields().items()):
        info: dict[str, Any] = {
            "type": type(field).__name__,
            "module": type(field).__module__,
            "properties": {},
        }
        if isinstance(field, serializers.ListSerializer):
            if isinstance(field.child, serializers.Serializer):
                info["list_child_serializer"] = _serializer_structure(type(field.child))
        elif isinstance(field, serializers.Serializer):
            info["nested_serializer"] = _serializer_structure(type(field))
        fields[name] = info
    return {
        "name": serializer_class.__name__,
        "module": serializer_class.__module__,
        "fields": fields,
    }


class DrfSerializerKeyField(_StructureKeyField):
    """The shape of a DRF serializer: entries change when its fields change."""

    def __init__(self, serializer_class: Any):
        super().__init__(serializer_class)

    def build_payload(self) -> dict[str, Any]:
        if self._target is None:
            return {}
        return {"serializer_structure": _serializer_structure(self._target)}


class DjangoModelKeyField(_StructureKeyField):
    """The shape of a model: entries change when its forward fields change."""

    def __init__(self, model_class: Any):
        super().__init__(model_class)

    def build_payload(self) -> dict[str, Any]:
        model = self._target
        if model is None:
            return {}
        if not inspect.isclass(model) or not hasattr(model, "_meta"):
            raise ValueError(f"Invalid model class: {model}")
        from django.db import models

        fields = {
            field.name: {"type": type(field).__name__}
            for field in model._meta.get_fields()
            if isinstance(field, models.Field)
        }
        return {
            "model_structure": {
                "name": model.__name__,
                "module": model.__module__,
                "fields": dict(sorted(fields.items())),
            }
        }
