"""``APIView`` and ``AsyncAPIView``: DRF's APIView plus serializer/pagination helpers.

``AsyncAPIView`` runs DRF's request pipeline natively on the event loop: async hooks of
authenticators, permissions, throttles and paginators are awaited, and everything sync that
may do I/O (sync handlers, sync authenticators, user overrides of DRF's sync hooks, reading
``serializer.data``) runs in the thread-sensitive worker, so the ORM never runs on the loop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.utils.decorators import classonlymethod
from django.utils.functional import classproperty
from rest_framework import exceptions
from rest_framework import permissions as drf_permissions
from rest_framework.request import Request, wrap_attributeerrors
from rest_framework.settings import api_settings
from rest_framework.views import APIView as DRFAPIView

from restflow.helpers import maybe_await, run_sync
from restflow.helpers.read_plan import NOT_PLAIN, class_plain_representation, plain_data
from restflow.responses import Response
from restflow.views._bridge import bridged, in_worker, user_defined
from restflow.views._negotiation import select_renderer
from restflow.views._rendering import render_on_loop
from restflow.views._unbuilt import unbuilt_data

__all__ = [
    "APIView",
    "APIViewHelpersMixin",
    "AsyncAPIView",
    "aperform_post_fetches",
    "aserializer_data",
    "perform_post_fetches",
]

# DRF permissions that only read ``request.user``/``request.method``: safe on the loop.
_PURE_PERMISSIONS = frozenset(
    {
        drf_permissions.AllowAny,
        drf_permissions.IsAuthenticated,
        drf_permissions.IsAdminUser,
        drf_permissions.IsAuthenticatedOrReadOnly,
    }
)

# Hooks that decide which serializer is built and with which context; user overrides of
# them may do I/O, so async helpers then build the serializer in the worker.
_SERIALIZER_HOOKS = (
    "get_serializer",
    "get_serializer_class",
    "get_request_serializer_class",
    "get_response_serializer_class",
    "get_serializer_context",
    "get_context",
)


class DefaultPaginationClass:
    """``DEFAULT_PAGINATION_CLASS`` read on access, the default of DRF's generic views.

    Reading the setting lazily (instead of once at import) keeps ``override_settings`` working.
    """

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return api_settings.DEFAULT_PAGINATION_CLASS


def perform_post_fetches(items: Any, post_fetches: Iterable[Any] | None, *, many: bool) -> Any:
    """Run each fetcher's ``fetch`` over the items once; return what should be serialized.

    With ``many`` the items are materialized first, so a generator or lazy queryset is
    consumed exactly once and the serializer sees the enriched objects.
    """
    if not post_fetches:
        return items
    target = list(items) if many else [items]
    for fetcher in post_fetches:
        fetcher.fetch(target)
    return target if many else target[0]


async def aperform_post_fetches(
    items: Any, post_fetches: Iterable[Any] | None, *, many: bool
) -> Any:
    """Async twin of ``perform_post_fetches``: ``afetch`` awaited, sync ``fetch`` in a worker."""
    if not post_fetches:
        return items
    if not many:
        target = [items]
    elif hasattr(items, "__aiter__"):
        target = [item async for item in items]
    else:
        target = list(items)
    for fetcher in post_fetches:
        if hasattr(fetcher, "afetch"):
            await fetcher.afetch(target)
        else:
            await in_worker(fetcher.fetch)(target)
    return target if many else target[0]


async def aserializer_data(serializer: Any) -> Any:
    """``serializer.data``, read in the worker: representation may follow relations lazily.

    A serializer that only formats plain values with built-in fields (see
    ``restflow.helpers.read_plan.plain_data``) is read on the loop instead: the trip
    would cost more.
    """
    data = plain_data(serializer)
    if data is not NOT_PLAIN:
        return data
    return await in_worker(lambda: serializer.data)()


def _apply_headers(response: Any, headers: Mapping[str, str] | None) -> Any:
    for key, value in (headers or {}).items():
        response[key] = value
    return response


class _WithoutSerializer:
    """A view stand-in with no ``get_serializer``: metadata then omits the ``actions`` key."""

    def __init__(self, view: Any) -> None:
        self._view = view

    def __getattr__(self, name: str) -> Any:
        if name == "get_serializer":
            raise AttributeError(name)
        return getattr(self._view, name)


class APIViewHelpersMixin:
    """Serializer, pagination and OPTIONS helpers shared by every restflow view."""

    def perform_content_negotiation(self, request: Any, force: bool = False) -> Any:
        """DRF's, with the default negotiator's answers remembered (see ``_negotiation``)."""
        renderers = self.get_renderers()  # type: ignore[attr-defined]
        negotiator = self.get_content_negotiator()  # type: ignore[attr-defined]
        try:
            return select_renderer(negotiator, request, renderers, self.format_kwarg)  # type: ignore[attr-defined]
        except Exception:
            if force:
                return (renderers[0], renderers[0].media_type)
            raise

    serializer_class: Any = None
    request_serializer_class: Any = None
    response_serializer_class: Any = None
    pagination_class: Any = None

    # Getters -------------------------------------------------------------------------

    def get_serializer_context(self) -> dict[str, Any]:
        """DRF's serializer context; tolerates views whose ``initial`` has not run yet."""
        return {
            "request": getattr(self, "request", None),
            "format": getattr(self, "format_kwarg", None),
            "view": self,
        }

    def get_context(self) -> dict[str, Any]:
        """Context of serializers built by ``get_serializer``; delegates to DRF's hook."""
        return self.get_serializer_context()

    def get_serializer_class(self) -> Any:
        return self.serializer_class

    def get_request_serializer_class(self) -> Any:
        return self.request_serializer_class or self.get_serializer_class()

    def get_response_serializer_class(self) -> Any:
        return self.response_serializer_class or self.get_serializer_class()

    def get_pagination_class(self) -> Any:
        return self.pagination_class

    def get_serializer(
        self,
        *args: Any,
        serializer_class: Any = None,
        direction: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Build a serializer for ``direction`` ("request", "response" or neither)."""
        if serializer_class is None:
            if direction == "request":
                serializer_class = self.get_request_serializer_class()
            elif direction == "response":
                serializer_class = self.get_response_serializer_class()
            else:
                serializer_class = self.get_serializer_class()
        if serializer_class is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} requires `serializer_class` or a "
                "`serializer_class=` keyword argument."
            )
        kwargs.setdefault("context", self.get_context())
        return serializer_class(*args, **kwargs)

    # Sync helpers ----------------------------------------------------------------------

    def _request_serializer(self, data: Any, serializer_class: Any, kwargs: dict[str, Any]) -> Any:
        if data is None:
            data = self.request.data  # type: ignore[attr-defined]
        return self.get_serializer(
            data=data, serializer_class=serializer_class, direction="request", **kwargs
        )

    def _response_serializer(self, instance: Any, many: bool, serializer_class: Any) -> Any:
        return self.get_serializer(
            instance, many=many, serializer_class=serializer_class, direction="response"
        )

    def _response_data(self, instance: Any, many: bool, serializer_class: Any) -> Any:
        serializer = self._response_serializer(instance, many, serializer_class)
        data = plain_data(serializer, evaluate=True)  # sync: a queryset may be fetched here
        return serializer.data if data is NOT_PLAIN else data

    def validated_serializer(
        self, *, data: Any = None, serializer_class: Any = None, **kwargs: Any
    ) -> Any:
        """Validate ``data`` (default ``request.data``) with the request serializer (400)."""
        serializer = self._request_serializer(data, serializer_class, kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer

    def serialized_response(
        self,
        instance: Any,
        *,
        many: bool = False,
        status: int = 200,
        serializer_class: Any = None,
        post_fetches: Iterable[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Serialize ``instance`` with the response serializer into a ``Response``."""
        instance = perform_post_fetches(instance, post_fetches, many=many)
        data = self._response_data(instance, many, serializer_class)
        return Response(data, status=status, headers=headers)

    def paginated_response(
        self,
        queryset: Any,
        *,
        serializer_class: Any = None,
        pagination_class: Any = None,
        post_fetches: Iterable[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One page of ``queryset`` serialized, or the whole list when nothing paginates."""
        paginator_cls = pagination_class or self.get_pagination_class()
        paginator = paginator_cls() if paginator_cls is not None else None
        page = None
        if paginator is not None:
            page = paginator.paginate_queryset(queryset, self.request, view=self)  # type: ignore[attr-defined]
        if page is None:
            return self.serialized_response(
                queryset,
                many=True,
                serializer_class=serializer_class,
                post_fetches=post_fetches,
                headers=headers,
            )
        page = perform_post_fetches(page, post_fetches, many=True)
        data = self._response_data(page, True, serializer_class)
        return _apply_headers(paginator.get_paginated_response(data), headers)  # type: ignore[union-attr]

    # Sync permission checks ------------------------------------------------------------

    def check_permissions(self, request: Any) -> None:
        """DRF's check; a permission whose logic lives only in ``ahas_permission`` is enforced."""
        for permission in self.get_permissions():  # type: ignore[attr-defined]
            if not _sync_ask(permission, "ahas_permission", "has_permission", request, self):
                self.permission_denied(  # type: ignore[attr-defined]
                    request,
                    message=getattr(permission, "message", None),
                    code=getattr(permission, "code", None),
                )

    def check_object_permissions(self, request: Any, obj: Any) -> None:
        for permission in self.get_permissions():  # type: ignore[attr-defined]
            allowed = _sync_ask(
                permission, "ahas_object_permission", "has_object_permission", request, self, obj
            )
            if not allowed:
                self.permission_denied(  # type: ignore[attr-defined]
                    request,
                    message=getattr(permission, "message", None),
                    code=getattr(permission, "code", None),
                )

    # OPTIONS ---------------------------------------------------------------------------

    def build_options_metadata(self, request: Any) -> Any:
        """DRF metadata for OPTIONS; without a serializer: no ``actions`` key (not a 500)."""
        metadata = self.metadata_class()  # type: ignore[attr-defined]
        try:
            return metadata.determine_metadata(request, self)
        except ImproperlyConfigured:
            return self.metadata_class().determine_metadata(request, _WithoutSerializer(self))  # type: ignore[attr-defined]

    def options(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.metadata_class is None:  # type: ignore[attr-defined]
            return self.http_method_not_allowed(request, *args, **kwargs)  # type: ignore[attr-defined]
        return Response(self.build_options_metadata(request), status=200)


class APIView(APIViewHelpersMixin, DRFAPIView):
    """DRF's sync ``APIView`` with the restflow helper surface."""

    @classonlymethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Django's own check (mixed sync/async handlers) runs inside ``view_is_async``.
        if cls.view_is_async:
            handlers = [
                name
                for name in cls.http_method_names
                if name != "options" and iscoroutinefunction(getattr(cls, name, None))
            ]
            raise ImproperlyConfigured(
                f"{cls.__qualname__} has async handlers ({', '.join(handlers)}) but "
                "restflow.views.APIView dispatches synchronously. Subclass "
                "restflow.views.AsyncAPIView for async handlers."
            )
        return super().as_view(**initkwargs)


def as_coroutine_function(view: Any) -> Any:
    """Make sure ``view`` is an ``async def`` for every checker and Django version.

    Before Django 5.0 ``csrf_exempt`` wraps a coroutine view in a sync function, and Python
    < 3.12 ignores coroutine markers in ``inspect.iscoroutinefunction``.
    """
    if inspect.iscoroutinefunction(view):
        return view
    inner = view

    async def coroutine_view(request: Any, *args: Any, **kwargs: Any) -> Any:
        return await inner(request, *args, **kwargs)

    functools.update_wrapper(coroutine_view, inner)
    del coroutine_view.__wrapped__  # type: ignore[attr-defined]
    return markcoroutinefunction(coroutine_view)


class AsyncAPIView(APIViewHelpersMixin, DRFAPIView):
    """An ``APIView`` whose ``dispatch`` is a coroutine; handlers may be sync or async."""

    @classproperty
    def view_is_async(cls) -> bool:
        return True

    @classonlymethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return as_coroutine_function(super().as_view(**initkwargs))

    # Dispatch ----------------------------------------------------------------------------

    async def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            await self.ainitial(request, *args, **kwargs)
            method = request.method.lower()
            if method in self.http_method_names:
                handler = getattr(self, method, self.http_method_not_allowed)
            else:
                handler = self.http_method_not_allowed
            response = await self._run_handler(handler, request, *args, **kwargs)
        except Exception as exc:
            response = await self.ahandle_exception(exc)
        response = await self.afinalize_response(request, response, *args, **kwargs)
        self.response = await render_on_loop(response)
        return self.response

    async def _run_handler(self, handler: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if iscoroutinefunction(handler):
            return await handler(request, *args, **kwargs)
        if handler == self.http_method_not_allowed:
            return handler(request, *args, **kwargs)
        # A sync handler may use the ORM: worker; it may return a coroutine (aserialized_response).
        return await maybe_await(await in_worker(handler)(request, *args, **kwargs))

    async def ainitial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """DRF's ``initial`` with awaited authentication, permission and throttle checks."""
        if bridged(type(self), "initial", "ainitial"):
            await in_worker(self.initial)(request, *args, **kwargs)
            return
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        await self.aperform_authentication(request)
        await self.acheck_permissions(request)
        await self.acheck_throttles(request)

    async def aperform_authentication(self, request: Request) -> None:
        """Authenticate once; later reads of ``request.user`` never authenticate again."""
        if bridged(type(self), "perform_authentication", "aperform_authentication"):
            await in_worker(self.perform_authentication)(request)
            return
        authenticators = request.authenticators
        if not authenticators:
            request._not_authenticated()
            return
        with wrap_attributeerrors():
            if not any(hasattr(a, "aauthenticate") for a in authenticators):
                # All sync: DRF's own loop, in one trip to the worker.
                await in_worker(request._authenticate)()
                return
            for authenticator in authenticators:
                try:
                    if hasattr(authenticator, "aauthenticate"):
                        user_auth = await maybe_await(authenticator.aauthenticate(request))
                    else:
                        user_auth = await in_worker(authenticator.authenticate)(request)
                except exceptions.APIException:
                    request._not_authenticated()
                    raise
                if user_auth is not None:
                    request._authenticator = authenticator
                    request.user, request.auth = user_auth
                    return
        request._not_authenticated()

    async def acheck_permissions(self, request: Request) -> None:
        if bridged(type(self), "check_permissions", "acheck_permissions"):
            await in_worker(self.check_permissions)(request)
            return
        for permission in self.get_permissions():
            if not await _ask(permission, "ahas_permission", "has_permission", request, self):
                self.permission_denied(
                    request,
                    message=getattr(permission, "message", None),
                    code=getattr(permission, "code", None),
                )

    async def acheck_object_permissions(self, request: Request, obj: Any) -> None:
        if bridged(type(self), "check_object_permissions", "acheck_object_permissions"):
            await in_worker(self.check_object_permissions)(request, obj)
            return
        for permission in self.get_permissions():
            allowed = await _ask(
                permission, "ahas_object_permission", "has_object_permission", request, self, obj
            )
            if not allowed:
                self.permission_denied(
                    request,
                    message=getattr(permission, "message", None),
                    code=getattr(permission, "code", None),
                )

    async def acheck_throttles(self, request: Request) -> None:
        """Evaluate every throttle (each counts the request); refuse with the longest wait."""
        if bridged(type(self), "check_throttles", "acheck_throttles"):
            await in_worker(self.check_throttles)(request)
            return
        waits = []
        for throttle in self.get_throttles():
            if hasattr(throttle, "aallow_request"):
                allowed = await maybe_await(throttle.aallow_request(request, self))
            else:
                allowed = await in_worker(throttle.allow_request)(request, self)
            if not allowed:
                waits.append(throttle.wait())
        if waits:
            duration = max((w for w in waits if w is not None), default=None)
            self.throttled(request, duration)

    async def ahandle_exception(self, exc: Exception) -> Any:
        """DRF's ``handle_exception``; an ``async def`` exception handler is awaited."""
        if bridged(type(self), "handle_exception", "ahandle_exception"):
            return await in_worker(self.handle_exception)(exc)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            auth_header = self.get_authenticate_header(self.request)
            if auth_header:
                exc.auth_header = auth_header
            else:
                exc.status_code = 403
        handler = self.get_exception_handler()
        response = await maybe_await(handler(exc, self.get_exception_handler_context()))
        if response is None:
            self.raise_uncaught_exception(exc)
        response.exception = True
        return response

    async def afinalize_response(
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        return self.finalize_response(request, response, *args, **kwargs)

    async def options(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.metadata_class is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        # SimpleMetadata runs sync permission checks, get_object() and get_serializer().
        return Response(await in_worker(self.build_options_metadata)(request), status=200)

    # Async helpers -----------------------------------------------------------------------

    async def _arequest_data(self) -> Any:
        """``request.data``; multipart bodies are parsed in the worker (uploads spill to disk)."""
        content_type = self.request.content_type or ""
        if content_type.startswith("multipart/"):
            return await in_worker(lambda: self.request.data)()
        return self.request.data

    def _serializer_hooks_overridden(self) -> bool:
        cls = type(self)
        return any(user_defined(cls, name) for name in _SERIALIZER_HOOKS)

    async def avalidated_serializer(
        self, *, data: Any = None, serializer_class: Any = None, **kwargs: Any
    ) -> Any:
        """Validate with ``ais_valid`` when the serializer has it, else ``is_valid`` in a worker."""
        if data is None:
            data = await self._arequest_data()
        if self._serializer_hooks_overridden():

            def build_and_validate() -> Any:
                serializer = self._request_serializer(data, serializer_class, kwargs)
                if not hasattr(serializer, "ais_valid"):
                    serializer.is_valid(raise_exception=True)
                return serializer

            serializer = await in_worker(build_and_validate)()
            if hasattr(serializer, "ais_valid"):
                await serializer.ais_valid(raise_exception=True)
            return serializer
        serializer = self._request_serializer(data, serializer_class, kwargs)
        if hasattr(serializer, "ais_valid"):
            await serializer.ais_valid(raise_exception=True)
        else:
            await in_worker(serializer.is_valid)(raise_exception=True)
        return serializer

    async def _aresponse_data(self, instance: Any, many: bool, serializer_class: Any) -> Any:
        if self._serializer_hooks_overridden():
            # A user's hooks may do I/O: building the serializer and ``.data`` share one trip.
            return await in_worker(self._response_data)(instance, many, serializer_class)
        serializer_class = serializer_class or self.get_response_serializer_class()
        build = functools.partial(self._response_serializer, instance, many, serializer_class)
        raw = class_plain_representation(serializer_class, instance, many=many)
        if raw is not NOT_PLAIN:
            return unbuilt_data(raw, many=many, build=build)  # the serializer would change nothing
        return await aserializer_data(build())

    async def aserialized_response(
        self,
        instance: Any,
        *,
        many: bool = False,
        status: int = 200,
        serializer_class: Any = None,
        post_fetches: Iterable[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        instance = await aperform_post_fetches(instance, post_fetches, many=many)
        data = await self._aresponse_data(instance, many, serializer_class)
        return Response(data, status=status, headers=headers)

    async def apaginated_response(
        self,
        queryset: Any,
        *,
        serializer_class: Any = None,
        pagination_class: Any = None,
        post_fetches: Iterable[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        paginator_cls = pagination_class or self.get_pagination_class()
        paginator = paginator_cls() if paginator_cls is not None else None
        page = None
        if paginator is not None:
            page = await _apaginate(paginator, queryset, self.request, self)
        if page is None:
            return await self.aserialized_response(
                queryset,
                many=True,
                serializer_class=serializer_class,
                post_fetches=post_fetches,
                headers=headers,
            )
        page = await aperform_post_fetches(page, post_fetches, many=True)
        data = await self._aresponse_data(page, True, serializer_class)
        return _apply_headers(paginator.get_paginated_response(data), headers)  # type: ignore[union-attr]


async def _apaginate(paginator: Any, queryset: Any, request: Any, view: Any) -> Any:
    if hasattr(paginator, "apaginate_queryset"):
        return await maybe_await(paginator.apaginate_queryset(queryset, request, view=view))
    return await in_worker(paginator.paginate_queryset)(queryset, request, view=view)


def _sync_ask(obj: Any, async_name: str, sync_name: str, *args: Any) -> Any:
    """Sync permission hook; DRF's inherited ``True`` default defers to an ``a*`` override.

    Without this, OPTIONS metadata and sync views would skip async-only permissions (W12).
    """
    sync_hook = getattr(obj, sync_name)
    inherited = getattr(type(obj), sync_name, None) is getattr(
        drf_permissions.BasePermission, sync_name
    )
    if inherited and hasattr(obj, async_name):
        return run_sync(getattr(obj, async_name)(*args))
    return sync_hook(*args)


async def _ask(obj: Any, async_name: str, sync_name: str, *args: Any) -> Any:
    """Evaluate a permission hook: async twin awaited, pure DRF built-ins inline, else worker."""
    async_hook = getattr(obj, async_name, None)
    if async_hook is not None:
        return await maybe_await(async_hook(*args))
    sync_hook = getattr(obj, sync_name)
    # Inline only once the user is known: with lazy authentication (a ``perform_authentication``
    # that does nothing) reading ``request.user`` would authenticate, maybe querying.
    if type(obj) in _PURE_PERMISSIONS and "_user" in vars(args[0]):
        return sync_hook(*args)
    return await in_worker(sync_hook)(*args)
