"""Model actions (create, list, retrieve, update, destroy), sync and async.

They are built on the helper surface, so the request/response serializer split applies, and
the async ones keep DRF's extension points: a sync ``perform_create`` (or ``get_object``,
``filter_queryset`` ...) written for DRF is honoured, run in the worker.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings

from restflow.helpers import maybe_await
from restflow.responses import Response
from restflow.views._bridge import bridged, in_worker, user_defined
from restflow.views.views import aserializer_data

__all__ = [
    "AsyncCreateModelMixin",
    "AsyncDestroyModelMixin",
    "AsyncListModelMixin",
    "AsyncRetrieveModelMixin",
    "AsyncUpdateModelMixin",
    "CreateModelMixin",
    "DestroyModelMixin",
    "ListModelMixin",
    "RetrieveModelMixin",
    "UpdateModelMixin",
    "asave_serializer",
]


async def asave_serializer(serializer: Any, **kwargs: Any) -> Any:
    """``await serializer.asave()`` when available, else ``serializer.save()`` in the worker."""
    if hasattr(serializer, "asave"):
        return await serializer.asave(**kwargs)
    return await in_worker(serializer.save)(**kwargs)


def _reset_prefetch_cache(instance: Any) -> None:
    # A prefetch made by get_queryset() would render stale relations after the update.
    if getattr(instance, "_prefetched_objects_cache", None):
        instance._prefetched_objects_cache = {}


def _echoes_request_data(view: Any, serializer: Any) -> bool:
    """The body is the request serializer's ``.data``: nothing was saved, or the response
    serializer is the same class and would render the same thing again."""
    return serializer.instance is None or type(serializer) is view.get_response_serializer_class()


class _SuccessHeadersMixin:
    def get_success_headers(self, data: Any) -> dict[str, str]:
        try:
            return {"Location": str(data[api_settings.URL_FIELD_NAME])}
        except (TypeError, KeyError):
            return {}


# Sync ------------------------------------------------------------------------------------


class CreateModelMixin(_SuccessHeadersMixin):
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        serializer = self.validated_serializer()  # type: ignore[attr-defined]
        self.perform_create(serializer)
        data = serializer.data
        headers = self.get_success_headers(data)
        if _echoes_request_data(self, serializer):
            return Response(data, status=201, headers=headers)
        return self.serialized_response(serializer.instance, status=201, headers=headers)  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
        serializer.save()


class ListModelMixin:
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        queryset = self.get_queryset()  # type: ignore[attr-defined]
        filter_queryset = getattr(self, "filter_queryset", None)
        if filter_queryset is not None:
            queryset = filter_queryset(queryset)
        paginate_queryset = getattr(self, "paginate_queryset", None)
        if paginate_queryset is None:
            return self.paginated_response(queryset)  # type: ignore[attr-defined]
        # Generic hosts: DRF's hooks, so paginate_queryset/get_paginated_response overrides apply.
        page = paginate_queryset(queryset)
        if page is None:
            return self.serialized_response(queryset, many=True)  # type: ignore[attr-defined]
        return self.get_paginated_response(self._response_data(page, True, None))  # type: ignore[attr-defined]


class RetrieveModelMixin:
    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.serialized_response(self.get_object())  # type: ignore[attr-defined]


class UpdateModelMixin:
    def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()  # type: ignore[attr-defined]
        serializer = self.validated_serializer(instance=instance, partial=partial)  # type: ignore[attr-defined]
        self.perform_update(serializer)
        _reset_prefetch_cache(instance)
        if _echoes_request_data(self, serializer):
            return Response(serializer.data, status=200)
        return self.serialized_response(serializer.instance)  # type: ignore[attr-defined]

    def perform_update(self, serializer: Any) -> None:
        serializer.save()

    def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)


class DestroyModelMixin:
    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.perform_destroy(self.get_object())  # type: ignore[attr-defined]
        return Response(status=204)

    def perform_destroy(self, instance: Any) -> None:
        instance.delete()


# Async -----------------------------------------------------------------------------------


class AsyncCreateModelMixin(_SuccessHeadersMixin):
    async def create(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        serializer = await self.avalidated_serializer()  # type: ignore[attr-defined]
        await self.aperform_create(serializer)
        data = await aserializer_data(serializer)
        headers = self.get_success_headers(data)
        if _echoes_request_data(self, serializer):
            return Response(data, status=201, headers=headers)
        return await self.aserialized_response(serializer.instance, status=201, headers=headers)  # type: ignore[attr-defined]

    async def aperform_create(self, serializer: Any) -> None:
        if bridged(type(self), "perform_create", "aperform_create"):
            await in_worker(self.perform_create)(serializer)  # type: ignore[attr-defined]
            return
        await asave_serializer(serializer)


# Async hooks that read ``.data``; a user override of one keeps the step-by-step path.
_RESPONSE_HOOKS = ("aserialized_response", "_aresponse_data")


def _serializes_in_worker(view: Any) -> bool:
    cls = type(view)
    return not any(user_defined(cls, name) for name in _RESPONSE_HOOKS)


def _lists_in_one_trip(view: Any) -> bool:
    """Every step of ``list`` would run in the worker (see ``AsyncGenericAPIView``)."""
    if not hasattr(view, "_queryset_steps_are_sync") or not _serializes_in_worker(view):
        return False
    cls = type(view)
    if user_defined(cls, "apaginate_queryset") or not view._queryset_steps_are_sync():
        return False
    if bridged(cls, "paginate_queryset", "apaginate_queryset"):
        return True
    return not hasattr(view.paginator, "apaginate_queryset")


def _retrieves_in_one_trip(view: Any) -> bool:
    """Every step of ``retrieve`` would run in the worker (see ``AsyncGenericAPIView``)."""
    return (
        hasattr(view, "_object_steps_are_sync")
        and _serializes_in_worker(view)
        and view._object_steps_are_sync()
    )


class AsyncListModelMixin:
    async def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if _lists_in_one_trip(self):
            return await maybe_await(await in_worker(self._list_in_worker)())
        queryset = await self.aget_queryset()  # type: ignore[attr-defined]
        if getattr(self, "afilter_queryset", None) is not None:
            queryset = await self.afilter_queryset(queryset)  # type: ignore[attr-defined]
        else:
            queryset = await in_worker(self.filter_queryset)(queryset)  # type: ignore[attr-defined]
        if getattr(self, "apaginate_queryset", None) is None:
            return await self.apaginated_response(queryset)  # type: ignore[attr-defined]
        page = await self.apaginate_queryset(queryset)  # type: ignore[attr-defined]
        if page is None:
            return await self.aserialized_response(queryset, many=True)  # type: ignore[attr-defined]
        data = await self._aresponse_data(page, True, None)  # type: ignore[attr-defined]
        return await maybe_await(self.get_paginated_response(data))  # type: ignore[attr-defined]

    def _list_in_worker(self) -> Any:
        """The steps of ``list`` in DRF's order, sync, for one trip to the worker."""
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        if page is None:
            return Response(self._response_data(queryset, True, None))  # type: ignore[attr-defined]
        return self.get_paginated_response(self._response_data(page, True, None))  # type: ignore[attr-defined]


class AsyncRetrieveModelMixin:
    async def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if _retrieves_in_one_trip(self):
            return await in_worker(self._retrieve_in_worker)()
        return await self.aserialized_response(await self.aget_object())  # type: ignore[attr-defined]

    def _retrieve_in_worker(self) -> Any:
        instance = self._object_in_worker()  # type: ignore[attr-defined]
        return Response(self._response_data(instance, False, None))  # type: ignore[attr-defined]


class AsyncUpdateModelMixin:
    async def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        partial = kwargs.pop("partial", False)
        instance = await self.aget_object()  # type: ignore[attr-defined]
        serializer = await self.avalidated_serializer(instance=instance, partial=partial)  # type: ignore[attr-defined]
        await self.aperform_update(serializer)
        _reset_prefetch_cache(instance)
        if _echoes_request_data(self, serializer):
            return Response(await aserializer_data(serializer), status=200)
        return await self.aserialized_response(serializer.instance)  # type: ignore[attr-defined]

    async def aperform_update(self, serializer: Any) -> None:
        if bridged(type(self), "perform_update", "aperform_update"):
            await in_worker(self.perform_update)(serializer)  # type: ignore[attr-defined]
            return
        await asave_serializer(serializer)

    async def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["partial"] = True
        return await self.update(request, *args, **kwargs)


class AsyncDestroyModelMixin:
    async def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        instance = await self.aget_object()  # type: ignore[attr-defined]
        await self.aperform_destroy(instance)
        return Response(status=204)

    async def aperform_destroy(self, instance: Any) -> None:
        if bridged(type(self), "perform_destroy", "aperform_destroy"):
            await in_worker(self.perform_destroy)(instance)  # type: ignore[attr-defined]
            return
        if hasattr(instance, "adelete"):
            await instance.adelete()
        else:
            await in_worker(instance.delete)()
