"""Turning a type annotation into a DRF field, shared by serializers and filtersets."""

from __future__ import annotations

import types as _types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from restflow.helpers.markers import NotRequired

_UNION_ORIGINS: tuple[Any, ...] = (Union, _types.UnionType)


def _unsupported(error_message: str | None, default: str, data_type: Any) -> AssertionError:
    return AssertionError(f"{error_message or default}, not {data_type}")


def _strip_annotated(data_type: Any) -> Any:
    while get_origin(data_type) is Annotated:
        data_type = get_args(data_type)[0]
    return data_type


def resolve_field_from_type(
    data_type: Any,
    *,
    type_map: Mapping[Any, Callable[..., Any]],
    field_name: str | None = None,
    list_field_class: Callable[..., Any] | None = None,
    list_field_hook: Callable[[dict[str, Any], str | None, Any], None] | None = None,
    choice_field_class: Callable[..., Any] | None = None,
    nested_predicate: Callable[[Any], bool] | None = None,
    nested_factory: Callable[[Any, dict[str, Any]], Any] | None = None,
    error_message: str | None = None,
    allow_null_on_optional: bool = False,
    **field_kwargs: Any,
) -> Any:
    """Build a field for ``data_type``; see views.md §14 for the order of the checks."""
    options: dict[str, Any] = {
        "type_map": type_map,
        "field_name": field_name,
        "list_field_class": list_field_class,
        "list_field_hook": list_field_hook,
        "choice_field_class": choice_field_class,
        "nested_predicate": nested_predicate,
        "nested_factory": nested_factory,
        "error_message": error_message,
        "allow_null_on_optional": allow_null_on_optional,
    }
    if nested_predicate is not None and nested_factory is not None and nested_predicate(data_type):
        return nested_factory(data_type, field_kwargs)

    origin = get_origin(data_type)
    args = get_args(data_type)

    if origin is NotRequired:
        field_kwargs.setdefault("required", False)
        return resolve_field_from_type(args[0], **options, **field_kwargs)

    if origin is Annotated:
        return resolve_field_from_type(args[0], **options, **field_kwargs)

    if origin is Literal:
        if choice_field_class is None:
            raise _unsupported(error_message, "unsupported type", data_type)
        field_kwargs.setdefault("choices", tuple((value, value) for value in args))
        return choice_field_class(**field_kwargs)

    if origin in _UNION_ORIGINS:
        members = [arg for arg in args if arg is not type(None)]
        if len(members) > 1:
            raise AssertionError(
                f"{error_message or 'unsupported type'}: union with multiple non-None members "
                f"is ambiguous, got {data_type}. Pick a single type or use a custom field."
            )
        if allow_null_on_optional and len(members) < len(args):
            field_kwargs.setdefault("allow_null", True)
            field_kwargs.setdefault("required", False)
        return resolve_field_from_type(members[0], **options, **field_kwargs)

    if data_type is list or origin is list:
        if list_field_class is None:
            raise _unsupported(error_message, "unsupported list type", data_type)
        inner = _strip_annotated(args[0]) if args else str
        if nested_predicate is not None and nested_factory is not None and nested_predicate(inner):
            return nested_factory(inner, {**field_kwargs, "many": True})
        if "child" not in field_kwargs:
            field_kwargs["child"] = resolve_field_from_type(inner, **options)
        if list_field_hook is not None:
            list_field_hook(field_kwargs, field_name, inner)
        return list_field_class(**field_kwargs)

    try:
        factory = type_map[data_type]
    except (KeyError, TypeError):
        raise _unsupported(error_message, "unsupported type", data_type) from None
    return factory(**field_kwargs)
