"""Viewsets, sync and async, with per-action configuration (``ActionConfig``).

``self.action`` is resolved before DRF builds the ``Request``, so per-action parsers and
authenticators apply; ``action_configs`` is validated when routes are built (``as_view``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import update_wrapper
from types import MappingProxyType
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.utils.decorators import classonlymethod
from django.views.decorators.csrf import csrf_exempt
from rest_framework.generics import GenericAPIView
from rest_framework.viewsets import ViewSetMixin as DRFViewSetMixin

from restflow.views import mixins
from restflow.views.generics import AsyncGenericAPIView
from restflow.views.views import (
    APIView,
    APIViewHelpersMixin,
    AsyncAPIView,
    DefaultPaginationClass,
    as_coroutine_function,
)

__all__ = [
    "ActionConfig",
    "ActionConfigResolutionMixin",
    "AsyncGenericViewSet",
    "AsyncModelViewSet",
    "AsyncReadOnlyModelViewSet",
    "AsyncViewSet",
    "AsyncViewSetMixin",
    "GenericViewSet",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "ViewSet",
    "ViewSetMixin",
]

_SEQUENCE_FIELDS = ("permission_classes", "throttle_classes", "parser_classes", "renderer_classes")


@dataclasses.dataclass(frozen=True)
class ActionConfig:
    """Per-action overrides for a viewset; ``None`` means "not set here, fall through"."""

    serializer_class: Any = None
    request_serializer_class: Any = None
    response_serializer_class: Any = None
    permission_classes: Any = None
    throttle_classes: Any = None
    parser_classes: Any = None
    renderer_classes: Any = None
    pagination_class: Any = None
    queryset: Any = None

    def __post_init__(self) -> None:
        # Frozen means frozen: lists become tuples, so nobody appends to a shared config.
        for name in _SEQUENCE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))


def _resolve_queryset(value: Any, view: Any) -> Any:
    if hasattr(value, "all"):
        return value.all()
    if callable(value):
        return value(view)
    return value


def validate_action_configs(cls: type) -> None:
    """Refuse misspelled actions and non-``ActionConfig`` values when the route is built."""
    for key, config in cls.action_configs.items():  # type: ignore[attr-defined]
        if not isinstance(config, ActionConfig):
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs['{key}'] must be an ActionConfig instance, "
                f"got {type(config).__name__}."
            )
        if key != "metadata" and not callable(getattr(cls, key, None)):
            raise ImproperlyConfigured(
                f"{cls.__name__}.action_configs key '{key}' does not match any action on "
                f"{cls.__name__}."
            )


def _resolve_action(view: Any, request: Any) -> None:
    method = request.method.lower()
    view.action = "metadata" if method == "options" else view.action_map.get(method)


class ActionConfigResolutionMixin:
    """Getters that consult ``action_configs[self.action]`` before the class attributes."""

    action_configs: Mapping[str, ActionConfig] = MappingProxyType({})
    name: str | None = None
    description: str | None = None
    suffix: str | None = None
    detail: bool | None = None
    basename: str | None = None

    def _action_config(self) -> ActionConfig | None:
        return self.action_configs.get(getattr(self, "action", None))  # type: ignore[arg-type]

    def _config_value(self, field: str) -> Any:
        config = self._action_config()
        return None if config is None else getattr(config, field)

    def get_serializer_class(self) -> Any:
        value = self._config_value("serializer_class")
        return value if value is not None else super().get_serializer_class()  # type: ignore[misc]

    def get_request_serializer_class(self) -> Any:
        value = self._config_value("request_serializer_class")
        return value if value is not None else super().get_request_serializer_class()  # type: ignore[misc]

    def get_response_serializer_class(self) -> Any:
        value = self._config_value("response_serializer_class")
        return value if value is not None else super().get_response_serializer_class()  # type: ignore[misc]

    def get_permissions(self) -> list[Any]:
        value = self._config_value("permission_classes")
        if value is None:
            return super().get_permissions()  # type: ignore[misc]
        return [permission() for permission in value]

    def get_throttles(self) -> list[Any]:
        value = self._config_value("throttle_classes")
        if value is None:
            return super().get_throttles()  # type: ignore[misc]
        return [throttle() for throttle in value]

    def get_parsers(self) -> list[Any]:
        value = self._config_value("parser_classes")
        if value is None:
            return super().get_parsers()  # type: ignore[misc]
        return [parser() for parser in value]

    def get_renderers(self) -> list[Any]:
        value = self._config_value("renderer_classes")
        if value is None:
            return super().get_renderers()  # type: ignore[misc]
        return [renderer() for renderer in value]

    def get_pagination_class(self) -> Any:
        value = self._config_value("pagination_class")
        return value if value is not None else self.pagination_class  # type: ignore[attr-defined]

    def get_queryset(self) -> Any:
        value = self._config_value("queryset")
        if value is not None:
            return _resolve_queryset(value, self)
        parent = getattr(super(), "get_queryset", None)
        if parent is not None:
            return parent()
        raise AssertionError(
            f"{type(self).__name__} has no `queryset` and no `get_queryset()` method. Set "
            "`queryset` on the class, set `queryset` on an `action_configs[...]` ActionConfig, "
            "or override `get_queryset()`."
        )

    def _queryset_needs_worker(self) -> bool:
        value = self._config_value("queryset")
        if value is not None and not hasattr(value, "all") and callable(value):
            # A user's callable may query; the async path runs it off the loop.
            return not iscoroutinefunction(value)
        parent = getattr(super(), "_queryset_needs_worker", None)
        return parent() if parent is not None else False

    @property
    def paginator(self) -> Any:
        if not hasattr(self, "_paginator"):
            pagination_class = self.get_pagination_class()
            self._paginator = pagination_class() if pagination_class is not None else None
        return self._paginator


class ViewSetMixin(ActionConfigResolutionMixin, DRFViewSetMixin):
    """DRF's sync ``ViewSetMixin`` + ``action_configs`` validation and early action resolution."""

    @classonlymethod
    def as_view(cls, actions: dict[str, str] | None = None, **initkwargs: Any) -> Any:
        view = super().as_view(actions, **initkwargs)
        validate_action_configs(cls)
        return view

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        _resolve_action(self, request)
        return super().initialize_request(request, *args, **kwargs)


class AsyncViewSetMixin(ActionConfigResolutionMixin, DRFViewSetMixin):
    """Viewset mixin whose ``as_view`` returns a coroutine view (on every Django version)."""

    @classonlymethod
    def as_view(cls, actions: dict[str, str] | None = None, **initkwargs: Any) -> Any:
        if not actions:
            raise TypeError(
                "The `actions` argument must be provided when calling `.as_view()` on a "
                "ViewSet. For example `.as_view({'get': 'list'})`"
            )
        for key in initkwargs:
            if key in cls.http_method_names:
                raise TypeError(
                    f"You tried to pass in the {key} method name as a keyword argument to "
                    f"{cls.__name__}(). Don't do that."
                )
            if not hasattr(cls, key):
                raise TypeError(f"{cls.__name__}() received an invalid keyword {key!r}")
        if "name" in initkwargs and "suffix" in initkwargs:
            raise TypeError(
                f"{cls.__name__}() received both `name` and `suffix`, which are mutually "
                "exclusive arguments."
            )
        validate_action_configs(cls)
        actions = dict(actions)
        if "get" in actions and "head" not in actions:
            actions["head"] = actions["get"]

        async def view(request: Any, *args: Any, **kwargs: Any) -> Any:
            self = cls(**initkwargs)
            self.action_map = actions
            for method, action in actions.items():
                setattr(self, method, getattr(self, action))
            self.request = request
            self.args = args
            self.kwargs = kwargs
            return await self.dispatch(request, *args, **kwargs)

        update_wrapper(view, cls, updated=())
        update_wrapper(view, cls.dispatch, assigned=())
        del view.__wrapped__  # type: ignore[attr-defined]
        view.cls = cls  # type: ignore[attr-defined]
        view.initkwargs = initkwargs  # type: ignore[attr-defined]
        view.actions = actions  # type: ignore[attr-defined]
        view.login_required = False  # type: ignore[attr-defined]
        return as_coroutine_function(csrf_exempt(view))

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        _resolve_action(self, request)
        return super().initialize_request(request, *args, **kwargs)


# Sync viewsets ---------------------------------------------------------------------------


class ViewSet(ViewSetMixin, APIView):
    """Sync viewset without models: define the actions yourself."""


class GenericViewSet(ViewSetMixin, APIViewHelpersMixin, GenericAPIView):
    """Sync generic viewset; pagination defaults to ``DEFAULT_PAGINATION_CLASS``."""

    pagination_class: Any = DefaultPaginationClass()


class ReadOnlyModelViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, GenericViewSet):
    pass


class ModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    pass


# Async viewsets --------------------------------------------------------------------------


class AsyncViewSet(AsyncViewSetMixin, AsyncAPIView):
    """Async viewset without models; actions may be ``async def`` or sync (run in a worker)."""


class AsyncGenericViewSet(AsyncViewSetMixin, AsyncGenericAPIView):
    """Async generic viewset; pagination defaults to ``DEFAULT_PAGINATION_CLASS``."""


class AsyncReadOnlyModelViewSet(
    mixins.AsyncRetrieveModelMixin, mixins.AsyncListModelMixin, AsyncGenericViewSet
):
    pass


class AsyncModelViewSet(
    mixins.AsyncCreateModelMixin,
    mixins.AsyncRetrieveModelMixin,
    mixins.AsyncUpdateModelMixin,
    mixins.AsyncDestroyModelMixin,
    mixins.AsyncListModelMixin,
    AsyncGenericViewSet,
):
    pass
