"""DRF's ``Response`` with an async ``arender()``."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from asgiref.sync import sync_to_async
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as DRFResponse

from restflow.helpers import maybe_await, run_sync


class Response(DRFResponse):
    """A DRF ``Response`` that async code (e.g. ``cache_response``) can render without blocking.

    The constructor is DRF's; ``render()`` is Django's and still drives Django's handlers.
    """

    async def arender(self) -> Any:
        """Render the body and run post-render callbacks, awaiting what they return.

        JSON rendering is pure CPU work and runs inline; any other renderer (the browsable
        API builds forms that may hit the database) runs in a worker thread.
        """
        if self.is_rendered:
            return self
        if isinstance(getattr(self, "accepted_renderer", None), JSONRenderer):
            content = self.rendered_content
        else:
            content = await sync_to_async(lambda: self.rendered_content, thread_sensitive=True)()
        self.content = content
        # ``is_rendered`` is set by assigning ``content``; post-render callbacks follow.
        retval: Any = self
        for callback in self._post_render_callbacks:
            newretval = await maybe_await(callback(retval))
            if newretval is not None:
                retval = newretval
        return retval

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
        if not inspect.isawaitable(result):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            run_sync(result)
            return
        task = loop.create_task(_await(result))
        self._late_callbacks = [*getattr(self, "_late_callbacks", []), task]


async def _await(awaitable: Any) -> Any:
    return await awaitable
