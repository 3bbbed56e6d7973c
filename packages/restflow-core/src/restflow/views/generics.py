"""Async generic views: DRF's ``GenericAPIView`` with awaited filtering, paging and lookups."""

from __future__ import annotations

from typing import Any

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.generics import GenericAPIView

from restflow.helpers import maybe_await
from restflow.views._bridge import bridged, in_worker, user_defined
from restflow.views.mixins import (
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncListModelMixin,
    AsyncRetrieveModelMixin,
    AsyncUpdateModelMixin,
)
from restflow.views.views import AsyncAPIView, DefaultPaginationClass, _apaginate

__all__ = [
    "AsyncCreateAPIView",
    "AsyncDestroyAPIView",
    "AsyncGenericAPIView",
    "AsyncListAPIView",
    "AsyncListCreateAPIView",
    "AsyncRetrieveAPIView",
    "AsyncRetrieveDestroyAPIView",
    "AsyncRetrieveUpdateAPIView",
    "AsyncRetrieveUpdateDestroyAPIView",
    "AsyncUpdateAPIView",
]


class AsyncGenericAPIView(AsyncAPIView, GenericAPIView):
    """Base of the async generic views; pagination defaults to ``DEFAULT_PAGINATION_CLASS``."""

    pagination_class: Any = DefaultPaginationClass()

    @property
    def paginator(self) -> Any:
        """One paginator per request, from ``get_pagination_class()`` like the helpers use."""
        if not hasattr(self, "_paginator"):
            pagination_class = self.get_pagination_class()
            self._paginator = pagination_class() if pagination_class is not None else None
        return self._paginator

    async def aget_queryset(self) -> Any:
        """``get_queryset()``, awaited when async; a user's sync override runs in the worker."""
        if self._queryset_needs_worker():
            return await in_worker(self.get_queryset)()
        return await maybe_await(self.get_queryset())

    def _queryset_needs_worker(self) -> bool:
        """A user's sync ``get_queryset`` may query (the user's groups ...): off the loop."""
        return user_defined(type(self), "get_queryset") and not iscoroutinefunction(
            self.get_queryset
        )

    async def afilter_queryset(self, queryset: Any) -> Any:
        """Chain ``filter_backends``: ``afilter_queryset`` awaited, sync ones in the worker."""
        if bridged(type(self), "filter_queryset", "afilter_queryset"):
            return await in_worker(self.filter_queryset)(queryset)
        for backend_class in list(self.filter_backends):
            backend = backend_class()
            if hasattr(backend, "afilter_queryset"):
                queryset = await maybe_await(backend.afilter_queryset(self.request, queryset, self))
            else:
                queryset = await in_worker(backend.filter_queryset)(self.request, queryset, self)
        return queryset

    async def apaginate_queryset(self, queryset: Any) -> Any:
        """A page of ``queryset`` from ``self.paginator``, or ``None`` when nothing paginates."""
        if bridged(type(self), "paginate_queryset", "apaginate_queryset"):
            return await in_worker(self.paginate_queryset)(queryset)
        if self.paginator is None:
            return None
        return await _apaginate(self.paginator, queryset, self.request, self)

    async def aget_object(self) -> Any:
        """DRF's ``get_object`` on the async ORM: bad or unknown lookup values are 404."""
        if bridged(type(self), "get_object", "aget_object"):
            return await in_worker(self.get_object)()
        queryset = await self.afilter_queryset(await self.aget_queryset())
        lookup = self._object_lookup()
        try:
            obj = await queryset.aget(**lookup)
        except (*_LOOKUP_MISSES, queryset.model.DoesNotExist):
            raise _not_found(queryset) from None
        await self.acheck_object_permissions(self.request, obj)
        return obj

    def _object_lookup(self) -> dict[str, Any]:
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        assert lookup_url_kwarg in self.kwargs, (
            f"Expected view {type(self).__name__} to be called with a URL keyword argument "
            f'named "{lookup_url_kwarg}". Fix your URL conf, or set the `.lookup_field` '
            "attribute on the view correctly."
        )
        return {self.lookup_field: self.kwargs[lookup_url_kwarg]}

    # One trip to the worker ---------------------------------------------------------------
    #
    # When every step of a lookup would leave the loop anyway (a user's sync ``get_queryset``,
    # sync filter backends and permissions), the async actions run them, and reading
    # ``.data``, in a single trip instead of one trip per step.

    def _queryset_steps_are_sync(self) -> bool:
        cls = type(self)
        if user_defined(cls, "aget_queryset") or user_defined(cls, "afilter_queryset"):
            return False
        if not self._queryset_needs_worker():
            return False
        return bridged(cls, "filter_queryset", "afilter_queryset") or not any(
            hasattr(backend, "afilter_queryset") for backend in self.filter_backends
        )

    def _object_steps_are_sync(self) -> bool:
        cls = type(self)
        if bridged(cls, "get_object", "aget_object"):
            return True
        if user_defined(cls, "aget_object") or user_defined(cls, "acheck_object_permissions"):
            return False
        if not self._queryset_steps_are_sync():
            return False
        return bridged(cls, "check_object_permissions", "acheck_object_permissions") or not any(
            hasattr(permission, "ahas_object_permission") for permission in self.get_permissions()
        )

    def _object_in_worker(self) -> Any:
        """``aget_object``'s steps, sync; called in the worker when they all are sync."""
        if bridged(type(self), "get_object", "aget_object"):
            return self.get_object()
        queryset = self.filter_queryset(self.get_queryset())
        lookup = self._object_lookup()
        try:
            obj = queryset.get(**lookup)
        except (*_LOOKUP_MISSES, queryset.model.DoesNotExist):
            raise _not_found(queryset) from None
        self.check_object_permissions(self.request, obj)
        return obj


# A lookup value of the wrong type or range is a miss (404), not a 500. OverflowError: an
# integer beyond 64 bits (SQLite on Django 4.2).
_LOOKUP_MISSES = (TypeError, ValueError, OverflowError, DjangoValidationError)


def _not_found(queryset: Any) -> Http404:
    return Http404(f"No {queryset.model._meta.object_name} matches the given query.")


class AsyncCreateAPIView(AsyncCreateModelMixin, AsyncGenericAPIView):
    async def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.create(request, *args, **kwargs)


class AsyncListAPIView(AsyncListModelMixin, AsyncGenericAPIView):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.list(request, *args, **kwargs)


class AsyncRetrieveAPIView(AsyncRetrieveModelMixin, AsyncGenericAPIView):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.retrieve(request, *args, **kwargs)


class AsyncDestroyAPIView(AsyncDestroyModelMixin, AsyncGenericAPIView):
    async def delete(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.destroy(request, *args, **kwargs)


class AsyncUpdateAPIView(AsyncUpdateModelMixin, AsyncGenericAPIView):
    async def put(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.update(request, *args, **kwargs)

    async def patch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.partial_update(request, *args, **kwargs)


class AsyncListCreateAPIView(AsyncListModelMixin, AsyncCreateModelMixin, AsyncGenericAPIView):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.list(request, *args, **kwargs)

    async def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.create(request, *args, **kwargs)


class AsyncRetrieveUpdateAPIView(
    AsyncRetrieveModelMixin, AsyncUpdateModelMixin, AsyncGenericAPIView
):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.retrieve(request, *args, **kwargs)

    async def put(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.update(request, *args, **kwargs)

    async def patch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.partial_update(request, *args, **kwargs)


class AsyncRetrieveDestroyAPIView(
    AsyncRetrieveModelMixin, AsyncDestroyModelMixin, AsyncGenericAPIView
):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.retrieve(request, *args, **kwargs)

    async def delete(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.destroy(request, *args, **kwargs)


class AsyncRetrieveUpdateDestroyAPIView(
    AsyncRetrieveModelMixin, AsyncUpdateModelMixin, AsyncDestroyModelMixin, AsyncGenericAPIView
):
    async def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.retrieve(request, *args, **kwargs)

    async def put(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.update(request, *args, **kwargs)

    async def patch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.partial_update(request, *args, **kwargs)

    async def delete(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.destroy(request, *args, **kwargs)
