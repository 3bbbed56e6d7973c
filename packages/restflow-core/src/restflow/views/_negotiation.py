"""Content negotiation, remembered per distinct question.

DRF's ``DefaultContentNegotiation`` parses the ``Accept`` header and ranks media types on
every request, which costs more than many handlers. Its answer depends only on the
renderers offered, the header, the format suffix and the format query parameter, so the
answer (which renderer of the list, which media type) is remembered for those inputs.
Refusals (406) are not remembered; a negotiator of any other class is always asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.signals import setting_changed
from rest_framework.negotiation import DefaultContentNegotiation

# Distinct (renderers, Accept, format) combinations remembered; clients choose the header.
_REMEMBERED = 512


def select_renderer(
    negotiator: Any, request: Any, renderers: Sequence[Any], format_suffix: str | None
) -> tuple[Any, str]:
    """``negotiator.select_renderer(...)``, answered from memory when it is DRF's default."""
    if type(negotiator) is not DefaultContentNegotiation:
        return negotiator.select_renderer(request, renderers, format_suffix)
    param = negotiator.settings.URL_FORMAT_OVERRIDE
    query_format = None
    if param and request.META.get("QUERY_STRING"):
        query_format = request.query_params.get(param)
    key = (
        tuple((type(r), r.media_type, r.format) for r in renderers),
        request.META.get("HTTP_ACCEPT", "*/*"),
        format_suffix,
        query_format,
    )
    answer = _answers.get(key)
    if answer is None:
        renderer, media_type = negotiator.select_renderer(request, renderers, format_suffix)
        index = next(i for i, offered in enumerate(renderers) if offered is renderer)
        answer = _remember(key, (index, media_type))
    index, media_type = answer
    return renderers[index], media_type


_answers: dict[tuple[Any, ...], tuple[int, str]] = {}


def _remember(key: tuple[Any, ...], answer: tuple[int, str]) -> tuple[int, str]:
    if len(_answers) >= _REMEMBERED:
        _answers.clear()  # a flood of distinct headers must not grow memory
    _answers[key] = answer
    return answer


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "REST_FRAMEWORK":
        _answers.clear()


setting_changed.connect(_forget)
