"""Rendering JSON responses on the loop, before Django's handler sees them.

Django's async handler renders any response with a sync ``render()`` in a worker thread:
one more trip per request, which costs more than rendering JSON itself. An async view
renders JSON responses inline instead (``Response.arender()``), and Django then awaits the
rendered response's no-op ``render()`` without a trip.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as DRFResponse

from restflow.responses import Response


async def render_on_loop(response: Any) -> Any:
    """``response`` rendered when its renderer is JSON; any other response unchanged.

    A plain DRF ``Response`` becomes restflow's (a subclass with the same state) so it can
    be rendered here. Middleware with ``process_template_response`` must see responses
    unrendered, so nothing is rendered early when the project has any.
    """
    if type(response) is DRFResponse:
        response.__class__ = Response
    if (
        isinstance(response, Response)
        and not response.is_rendered
        and isinstance(getattr(response, "accepted_renderer", None), JSONRenderer)
        and not _template_response_middleware()
    ):
        return await response.arender()
    return response


@functools.cache
def _template_response_middleware() -> bool:
    return any(
        hasattr(import_string(path), "process_template_response") for path in settings.MIDDLEWARE
    )


def _middleware_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "MIDDLEWARE":
        _template_response_middleware.cache_clear()


setting_changed.connect(_middleware_changed)
