"""``RestflowAutoSchema``: drf-spectacular's AutoSchema reading restflow's view hooks.

The document must describe what the view does at runtime: the request serializer the view
validates with, the response serializer it renders with, the paginator it resolves, the
filterset it applies. Everything else is drf-spectacular's behaviour.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ComponentIdentity,
    build_serializer_context,
    get_override,
    is_basic_type,
    is_list_serializer,
)
from drf_spectacular.plumbing import (
    get_lib_doc_excludes as spectacular_lib_doc_excludes,
)
from drf_spectacular.settings import spectacular_settings
from rest_framework.mixins import ListModelMixin as DRFListModelMixin
from rest_framework.serializers import BaseSerializer

from restflow.spectacular import extensions  # noqa: F401  (registers them)
from restflow.views import (
    AsyncCreateModelMixin,
    AsyncListModelMixin,
    CreateModelMixin,
    ListModelMixin,
)

__all__ = ["RestflowAutoSchema", "get_lib_doc_excludes"]

logger = logging.getLogger("restflow.spectacular.schema")

# A view hook failing with one of these during generation is a view that cannot answer
# without a request; the schema logs it and uses the next fallback. Anything else is a bug
# in the view and propagates.
_SCHEMA_FAILURE_TYPES = (AttributeError, ImproperlyConfigured, TypeError)

# Modules whose classes are restflow's bases: their docstrings describe restflow, not the
# user's API (W-29). restflow-serializers is optional, so its modules count only when present.
_CORE_BASE_MODULES = (
    "restflow.views.views",
    "restflow.views.generics",
    "restflow.views.mixins",
    "restflow.views.viewsets",
    "restflow.pagination.pagination",
)
_SERIALIZERS_BASE_MODULES = ("restflow.serializers.core", "restflow.serializers.serializers")

_MISSING = object()


def _classes_of(module_name: str) -> list[type]:
    module = importlib.import_module(module_name)
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and value.__module__ == module_name
    ]


def get_lib_doc_excludes() -> list[Any]:
    """drf-spectacular's default exclusions plus every restflow base class.

    Usable as ``SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]``; ``RestflowAutoSchema``
    applies it whether or not the project sets it.
    """
    modules = list(_CORE_BASE_MODULES)
    if importlib.util.find_spec("restflow.serializers") is not None:
        modules.extend(_SERIALIZERS_BASE_MODULES)
    restflow_classes = [cls for name in modules for cls in _classes_of(name)]
    return [*spectacular_lib_doc_excludes(), *restflow_classes]


@functools.lru_cache(maxsize=8)
def _doc_excludes(configured: Any) -> frozenset[Any]:
    """The configured ``GET_LIB_DOC_EXCLUDES`` plus restflow's, computed once per setting."""
    return frozenset([*configured(), *get_lib_doc_excludes()])


def _doc_barrier(cls: type) -> list[type]:
    """The part of ``cls``'s MRO that belongs to the user: up to the first library class."""
    excludes = _doc_excludes(spectacular_settings.GET_LIB_DOC_EXCLUDES)
    mro = cls.__mro__
    for index, base in enumerate(mro):
        if base in excludes:
            return list(mro[:index])
    return list(mro)


def _clean(doc: str) -> str:
    return "\n".join(line.rstrip() for line in inspect.cleandoc(doc).rstrip().split("\n"))


def class_doc(cls: type) -> str:
    """The first docstring of a user class in ``cls``'s MRO; ``""`` if none."""
    if spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return ""
    for base in _doc_barrier(cls):
        if base.__dict__.get("__doc__"):
            return _clean(base.__doc__ or "")
    return ""


def method_doc(cls: type, name: str) -> str:
    """The docstring of method ``name`` as defined by a user class of ``cls``; ``""`` if none."""
    if spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return ""
    for base in _doc_barrier(cls):
        attribute = base.__dict__.get(name)
        if attribute is None:
            continue
        doc = getattr(getattr(attribute, "__func__", attribute), "__doc__", None)
        if doc:
            return _clean(doc)
    return ""


@functools.lru_cache(maxsize=512)
def anonymous_inline_name(serializer_class: Any) -> str:
    """``<Model>Inline<h>`` / ``Inline<h>``: a component name from the serializer's shape (W-33)."""
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    prefix = model.__name__ if model is not None else ""
    label = model._meta.label if model is not None else ""
    shape = label + repr(serializer_class())
    digest = hashlib.sha256(shape.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}Inline{digest}"


def is_anonymous_inline(serializer: Any) -> bool:
    return getattr(type(serializer), "inline_anonymous", False) is True


def _instantiate(serializer: Any, *, many: bool, context: dict[str, Any]) -> Any:
    if isinstance(serializer, BaseSerializer):
        return serializer
    if many:
        return serializer(many=True, context=context)
    return serializer(context=context)


class RestflowAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` following restflow's view hooks (auth-and-schema §2.2)."""

    # Hooks of the view -----------------------------------------------------------------

    def _call_view_hook(self, name: str) -> Any:
        """``view.<name>()``; ``_MISSING`` when the view has no such hook; ``None`` on failure."""
        hook = getattr(self.view, name, None)
        if not callable(hook):
            return _MISSING
        try:
            return hook()
        except _SCHEMA_FAILURE_TYPES as exc:
            logger.warning("RestflowAutoSchema: %s on %r failed: %s", name, self.view, exc)
            return None

    def restflow_action_config(self) -> Any:
        action = getattr(self.view, "action", None)
        configs = getattr(self.view, "action_configs", None)
        if action is None or not configs:
            return None
        return configs.get(action)

    def _config_value(self, field: str) -> Any:
        config = self.restflow_action_config()
        return None if config is None else getattr(config, field, None)

    def restflow_serializer_class(self) -> Any:
        found = self._call_view_hook("get_serializer_class")
        if found is _MISSING:
            return getattr(self.view, "serializer_class", None)
        return found

    def resolved_pagination_class(self) -> Any:
        configured = self._config_value("pagination_class")
        if configured is not None:
            return configured
        found = self._call_view_hook("get_pagination_class")
        if found is _MISSING:
            return getattr(self.view, "pagination_class", None)
        return found

    def lookup_in_path(self) -> bool:
        """Whether the view's lookup kwarg is a variable of this path (W-27: exact match)."""
        kwarg = getattr(self.view, "lookup_url_kwarg", None) or getattr(
            self.view, "lookup_field", None
        )
        if not kwarg:
            return False
        path = getattr(self, "path", "") or ""
        path_regex = getattr(self, "path_regex", "") or ""
        return f"{{{kwarg}}}" in path or f"(?P<{kwarg}>" in path_regex

    def should_paginate(self) -> bool:
        if self.method != "GET" or self.lookup_in_path():
            return False
        return self.resolved_pagination_class() is not None

    # Serializers -----------------------------------------------------------------------

    def _view_level(self, hook: str, attribute: str) -> Any:
        found = self._call_view_hook(hook)
        if found is _MISSING:
            return getattr(self.view, attribute, None)
        return found

    def _default_serializer(self, direction: str) -> Any:
        """drf-spectacular's default, unless the view's ``get_serializer_class`` fails."""
        hook = getattr(self.view, "get_serializer_class", None)
        if callable(hook):
            try:
                found = hook()
            except _SCHEMA_FAILURE_TYPES as exc:
                logger.warning(
                    "RestflowAutoSchema: get_serializer_class on %r failed: %s", self.view, exc
                )
                found = None
            except Exception:  # drf-spectacular's default below reports it as an error
                found = _MISSING
            if found is None:
                fallback = getattr(self.view, "serializer_class", None)
                if fallback is None:
                    return None
                return _instantiate(fallback, many=False, context=self._context())
        if direction == "request":
            return super().get_request_serializer()
        return super().get_response_serializers()

    def _context(self) -> dict[str, Any]:
        return build_serializer_context(self.view)

    def get_request_serializer(self) -> Any:
        """What the view validates: ActionConfig, then the view's request serializer (W-26)."""
        for candidate in (
            self._config_value("request_serializer_class"),
            self._view_level("get_request_serializer_class", "request_serializer_class"),
            self._config_value("serializer_class"),
        ):
            if candidate is not None:
                return _instantiate(candidate, many=False, context=self._context())
        return self._default_serializer("request")

    def get_response_serializers(self) -> Any:
        """What the view renders, with ``many=True`` when the view paginates."""
        many = self.should_paginate()
        candidates = [
            self._config_value("response_serializer_class"),
            self._view_level("get_response_serializer_class", "response_serializer_class"),
            self._config_value("serializer_class"),
        ]
        if many:
            candidates.append(self.restflow_serializer_class())
        for candidate in candidates:
            if candidate is not None:
                return _instantiate(candidate, many=many, context=self._context())
        return self._default_serializer("response")

    # Lists and pagination --------------------------------------------------------------

    def _get_paginator(self) -> Any:
        """The paginator the view resolves at runtime, not just ``pagination_class`` (W-28)."""
        pagination_class = self.resolved_pagination_class()
        return pagination_class() if pagination_class else None

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:
            by_code = {str(code): value for code, value in serializer.items()}
            serializer = by_code[min(by_code)]
        if is_list_serializer(serializer):
            return True
        if is_basic_type(serializer):
            return False
        if hasattr(self.view, "action"):
            return bool(self.view.action == "list")
        if self.method != "GET":
            return False
        if isinstance(self.view, DRFListModelMixin):
            return True
        # restflow's generic views are not DRF ListModelMixins.
        if isinstance(self.view, (ListModelMixin, AsyncListModelMixin)):
            return not self.lookup_in_path()
        return False

    def _is_create_operation(self) -> bool:
        if super()._is_create_operation():
            return True
        # restflow's generic create views are not DRF CreateModelMixins: POST creates.
        return (
            self.method == "POST"
            and not hasattr(self.view, "action")
            and isinstance(self.view, (CreateModelMixin, AsyncCreateModelMixin))
        )

    # Filtersets ------------------------------------------------------------------------

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        """Backend parameters (list views), then the filterset's, never twice (§2.6)."""
        parameters = list(super()._get_filter_parameters())
        seen = {(parameter.get("name"), parameter.get("in")) for parameter in parameters}
        for parameter in self._filterset_parameters():
            key = (parameter.get("name"), parameter.get("in"))
            if key not in seen:
                seen.add(key)
                parameters.append(parameter)
        return parameters

    def _filterset_parameters(self) -> list[dict[str, Any]]:
        try:
            from restflow.spectacular import parameters

            resolve = parameters.resolve_filterset_class
            applies = parameters.filterset_schema_applies
            build = parameters.build_filterset_parameters
        except ImportError:  # restflow-filters absent: no view can carry its FilterSet
            return []
        filterset_class = resolve(self.view)
        if filterset_class is None or not applies(self.view, self.method):
            return []
        try:
            return list(build(filterset_class))
        except Exception as exc:
            logger.warning(
                "RestflowAutoSchema: failed to build filterset params for %r: %s", self.view, exc
            )
            return []

    # Names and descriptions ------------------------------------------------------------

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        if is_anonymous_inline(serializer):
            return anonymous_inline_name(serializer.__class__)
        return str(super().get_serializer_name(serializer, direction))

    def get_serializer_identity(self, serializer: Any, direction: Any) -> Any:
        # Two InlineSerializer classes of one shape are one component, not a collision.
        if is_anonymous_inline(serializer):
            return ComponentIdentity(
                ("restflow-inline", anonymous_inline_name(serializer.__class__))
            )
        return super().get_serializer_identity(serializer, direction)

    def get_description(self) -> str:
        """The user's method or class docstring; never a restflow base class's (W-29)."""
        view_class = type(self.view)
        name = getattr(self.view, "action", None) or self.method.lower()
        return method_doc(view_class, name) or class_doc(view_class)

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        instance = serializer if not inspect.isclass(serializer) else serializer()
        description = get_override(instance, "description", class_doc(type(instance)))
        if description:
            schema["description"] = description
        else:
            schema.pop("description", None)
        return schema
