"""DRF's ``Response`` with an async ``arender()``."""

from __future__ import annotations

import asyncio
import inspect
import types
from collections.abc import Generator
from typing import Any

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.http.response import HttpResponseBase
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as DRFResponse

from restflow.helpers import maybe_await, run_sync


class Response(DRFResponse):
    """A DRF ``Response`` that async code (views, ``cache_response``) renders without blocking.

    The constructor is DRF's; ``render()`` is Django's and still drives Django's handlers.
    Once ``arender()`` has run, ``render()`` is a no-op that Django's async handler awaits
    instead of sending it to a worker thread: a response rendered on the loop costs no trip.
    """

    async def arender(self) -> Any:
        """Render the body and run post-render callbacks, awaiting what they return.

        JSON rendering is pure CPU work and runs inline; any other renderer (the browsable
        API builds forms that may hit the database), or JSON data holding a queryset, runs in
        a worker thread.
        """
        if self.is_rendered:
            return self
        self.content = await self._arendered_content()
        # ``is_rendered`` is set by assigning ``content``; post-render callbacks follow.
        self.render = types.MethodType(_already_rendered, self)
        retval: Any = self
        for callback in self._post_render_callbacks:
            newretval = await maybe_await(callback(retval))
            if newretval is not None:
                retval = newretval
        return retval

    async def _arendered_content(self) -> Any:
        if isinstance(getattr(self, "accepted_renderer", None), JSONRenderer):
            try:
                return self.rendered_content
            except SynchronousOnlyOperation:
                pass  # DRF's encoder evaluates querysets: let the worker do it
        return await sync_to_async(lambda: self.rendered_content, thread_sensitive=True)()

    def __await__(self) -> Generator[Any, None, Response]:
        """Awaiting a response gives the response (see ``_already_rendered``)."""
        return _itself(self).__await__()

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("render", None)  # the per-instance no-op of a rendered response
        return state

    def add_post_render_callback(self, callback: Any) -> None:
        """Django's, except that an awaitable result of a late callback is awaited too.

        On an already rendered response Django calls the callback at once; an ``async``
        callback's coroutine would be dropped un-awaited. Inside a running loop it is
        scheduled on that loop; outside one it runs to completion.
        """
        if not self.is_rendered:
            super().add_post_render_callback(callback)
            return
        result = callback(self)
        if isinstance(result, HttpResponseBase) or not inspect.isawaitable(result):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            run_sync(result)
            return
        task = loop.create_task(_await(result))
        self._late_callbacks = [*getattr(self, "_late_callbacks", []), task]


@markcoroutinefunction
def _already_rendered(response: Response) -> Response:
    """``render()`` of a response ``arender()`` rendered: nothing is left to do.

    Marked as a coroutine function, Django's async handler awaits its result (the response,
    which is awaitable) rather than calling it in a worker; sync callers get the response
    back, as from Django's ``render()`` of a rendered response.
    """
    return response


async def _itself(response: Response) -> Response:
    return response


async def _await(awaitable: Any) -> Any:
    return await awaitable
