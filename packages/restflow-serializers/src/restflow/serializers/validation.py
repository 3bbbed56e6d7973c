"""What the async validation path needs to know about fields and validators.

* Validators written by users may be ``async def``. DRF would call them and drop the
  coroutine, accepting any input (W-03). :class:`AwaitableValidator` wraps them: on the
  sync path an awaitable result is refused with a ``TypeError`` naming ``ais_valid``; on
  the async path it is handed to the collector installed by :func:`collect_awaitables`
  and awaited by the serializer, its errors reported like a sync validator's.
* :func:`is_db_bound` tells which fields may query the database, so the async path runs
  exactly those in a worker thread (serializers.md §7.4).
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields as drf_fields
from rest_framework.exceptions import ValidationError
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.serializers import BaseSerializer, ListSerializer

from restflow.helpers import require_sync

__all__ = [
    "PROTOTYPE_ATTR",
    "AwaitableValidator",
    "await_collected",
    "call_validators",
    "close_pending",
    "collect_awaitables",
    "guard_field_validators",
    "has_async_validators",
    "is_async_callable",
    "is_async_validator",
    "is_db_bound",
    "is_user_validator",
    "needs_thread",
    "runs_user_code",
]

_collector: contextvars.ContextVar[list[Awaitable[Any]] | None] = contextvars.ContextVar(
    "restflow_serializers_awaitables", default=None
)
_LIBRARY_PREFIXES = ("django.", "rest_framework.")
_FIELD_LIBRARY_PREFIXES = ("rest_framework.", "restflow.serializers.")
# Attribute of a per-instance field copy pointing at the class-level field it came from.
PROTOTYPE_ATTR = "_restflow_prototype"


def is_async_callable(obj: Any) -> bool:
    """``async def`` functions, methods, partials and objects with an async ``__call__``."""
    while hasattr(obj, "func") and not inspect.isroutine(obj):  # functools.partial
        obj = obj.func
    if inspect.iscoroutinefunction(obj):
        return True
    call = getattr(type(obj), "__call__", None)  # noqa: B004 - the class attribute, not callable()
    return call is not None and inspect.iscoroutinefunction(call)


class AwaitableValidator:
    """A user validator that may return an awaitable (see the module docstring)."""

    def __init__(self, validator: Callable[..., Any]):
        self.validator = validator
        self.requires_context = getattr(validator, "requires_context", False)

    @property
    def queryset(self) -> Any:
        # The documented opt-in for DB-bound user validators (serializers.md §7.4).
        return getattr(self.validator, "queryset", None)

    def __call__(self, *args: Any) -> Any:
        result = self.validator(*args)
        if inspect.isawaitable(result):
            pending = _collector.get()
            if pending is None:
                require_sync(result, "ais_valid")
            else:
                pending.append(result)
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AwaitableValidator):
            return self.validator == other.validator
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.validator)

    def __repr__(self) -> str:
        return repr(self.validator)


def is_user_validator(validator: Any) -> bool:
    """Anything but an instance of a Django or DRF validator class (functions included)."""
    if isinstance(validator, AwaitableValidator):
        return True
    if inspect.isroutine(validator) or hasattr(validator, "func"):
        return True
    module = getattr(type(validator), "__module__", "") or ""
    return not module.startswith(_LIBRARY_PREFIXES)


def is_async_validator(validator: Any) -> bool:
    if isinstance(validator, AwaitableValidator):
        validator = validator.validator
    return is_async_callable(validator)


def guard_field_validators(field: drf_fields.Field) -> None:
    """Wrap the user validators of a declared field (and of its children) in place.

    The wrapped list is also written back into the kwargs DRF uses to re-create the
    field on ``deepcopy``, so copies keep the guard.
    """
    if isinstance(field, BaseSerializer) and not isinstance(field, ListSerializer):
        return  # a serializer's own validators run through its run_validators
    for attr in ("child", "child_relation"):
        child = getattr(field, attr, None)
        if isinstance(child, drf_fields.Field):
            guard_field_validators(child)
    if isinstance(field, ListSerializer):
        return
    user = getattr(field, "_kwargs", {}).get("validators")
    if not user:
        return
    wrapped = {
        id(v): AwaitableValidator(v)
        for v in user
        if is_user_validator(v) and not isinstance(v, AwaitableValidator)
    }
    if not wrapped:
        return
    field._kwargs = {**field._kwargs, "validators": [wrapped.get(id(v), v) for v in user]}
    field.validators = [wrapped.get(id(v), v) for v in field.validators]


def _is_restflow_serializer(field: Any) -> bool:
    return hasattr(field, "_validation_mode")


def _children(field: Any) -> Iterator[Any]:
    if isinstance(field, ListSerializer):
        yield field.child
    elif isinstance(field, BaseSerializer):
        yield from field.fields.values()
    else:
        for attr in ("child", "child_relation"):
            child = getattr(field, attr, None)
            if child is not None:
                yield child


def _any_in_tree(field: Any, predicate: Callable[[Any], bool | None], attr: str) -> bool:
    # Cached per field object; a per-instance copy asks the class-level field it was
    # cloned from (see ``Serializer.get_fields``), so the walk happens once per class.
    state = field.__dict__
    cached = state.get(attr)
    if cached is None:
        prototype = state.get(PROTOTYPE_ATTR)
        if prototype is not None:
            cached = _any_in_tree(prototype, predicate, attr)
        else:
            cached = _search(field, predicate, set())
        state[attr] = cached
    return bool(cached)


def _search(field: Any, predicate: Callable[[Any], bool | None], seen: set[int]) -> bool:
    """Depth-first, with a cycle guard; a predicate returning ``None`` prunes the subtree."""
    if id(field) in seen:
        return False
    seen.add(id(field))
    found = predicate(field)
    if found is None:
        return False
    if found:
        return True
    return any(_search(child, predicate, seen) for child in _children(field))


def _validators_of(field: Any) -> list[Any]:
    if isinstance(field, ListSerializer):
        return []
    return list(field.validators)


def _db_bound_here(field: Any) -> bool:
    if isinstance(field, (RelatedField, ManyRelatedField)):
        return True
    return any(getattr(v, "queryset", None) is not None for v in _validators_of(field))


def is_db_bound(field: drf_fields.Field) -> bool:
    """True when validating ``field`` may query the database (serializers.md §7.4)."""
    return _any_in_tree(field, _db_bound_here, "_restflow_db_bound")


def _async_validators_here(field: Any) -> bool | None:
    if _is_restflow_serializer(field):
        return None  # its own async API handles them (or refuses them when nested in a ListField)
    return any(is_async_validator(v) for v in _validators_of(field))


def has_async_validators(field: drf_fields.Field) -> bool:
    """True when ``field`` (or a child) carries an ``async def`` validator."""
    return _any_in_tree(field, _async_validators_here, "_restflow_async_validators")


def _user_code_here(field: Any) -> bool | None:
    if _is_restflow_serializer(field):
        return bool(field._validation_mode() != "inline")
    if isinstance(field, BaseSerializer):
        return True  # a plain DRF serializer: its validate_<name>/validate are user code
    if not type(field).__module__.startswith(_FIELD_LIBRARY_PREFIXES):
        return True  # a project's own field class
    default = getattr(field, "default", drf_fields.empty)
    if callable(default) and not isinstance(default, type):
        return True  # e.g. CurrentUserDefault reads request.user
    return any(is_user_validator(v) and not is_async_validator(v) for v in _validators_of(field))


def runs_user_code(field: drf_fields.Field) -> bool:
    """True when validating ``field`` calls code restflow cannot vouch for: custom field
    classes, callable defaults, sync user validators, plain DRF serializers."""
    return _any_in_tree(field, _user_code_here, "_restflow_user_code")


def needs_thread(field: drf_fields.Field) -> bool:
    """Whether the async path validates ``field`` in a worker thread."""
    return is_db_bound(field) or runs_user_code(field)


@contextmanager
def collect_awaitables() -> Iterator[list[Awaitable[Any]]]:
    """Let guarded validators hand their awaitables to the caller instead of failing."""
    pending: list[Awaitable[Any]] = []
    token = _collector.set(pending)
    try:
        yield pending
    finally:
        _collector.reset(token)


def close_pending(pending: Iterable[Awaitable[Any]]) -> None:
    """Close awaitables that will not be awaited (no "never awaited" warning)."""
    for awaitable in pending:
        close = getattr(awaitable, "close", None)
        if callable(close):
            close()


async def await_collected(pending: list[Awaitable[Any]], errors: list[Any] | None = None) -> None:
    """Await collected validator results; raise their errors (with ``errors`` first)."""
    collected = list(errors or [])
    for index, awaitable in enumerate(pending):
        try:
            await awaitable
        except ValidationError as exc:
            if isinstance(exc.detail, dict):
                close_pending(pending[index + 1 :])
                raise
            collected.extend(exc.detail)
        except DjangoValidationError as exc:
            collected.extend(drf_fields.get_error_detail(exc))
    if collected:
        raise ValidationError(collected)


def call_validators(validators: Iterable[Any], value: Any, context_field: Any) -> list[Any]:
    """DRF's validator loop: every validator runs, errors are gathered, then raised.

    Awaitable results are refused (sync path) or collected (async path, see above).
    """
    errors: list[Any] = []
    for validator in validators:
        try:
            if getattr(validator, "requires_context", False):
                result = validator(value, context_field)
            else:
                result = validator(value)
            if inspect.isawaitable(result):
                pending = _collector.get()
                if pending is None:
                    require_sync(result, "ais_valid")
                else:
                    pending.append(result)
        except ValidationError as exc:
            if isinstance(exc.detail, dict):
                raise
            errors.extend(exc.detail)
        except DjangoValidationError as exc:
            errors.extend(drf_fields.get_error_detail(exc))
    return errors
