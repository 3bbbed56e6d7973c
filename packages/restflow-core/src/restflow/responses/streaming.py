"""Streaming JSON responses: a JSON array, NDJSON lines and server-sent events.

They bypass DRF rendering; chunks are ``str`` and Django encodes them with the charset.
A source that is async is iterated asynchronously (ASGI), a sync one synchronously (WSGI).
Closing the response early closes the source, so database cursors are released at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

logger = logging.getLogger("restflow.responses")

_SSE_FIELDS = ("id", "event", "retry")


def reject_control_chars(name: str, value: Any) -> str:
    """Return ``str(value)``, refusing CR/LF that would inject extra SSE fields."""
    text = str(value)
    if "\r" in text or "\n" in text:
        raise ValueError(
            f"SSE event field '{name}' must not contain CR or LF characters. "
            "Strip newlines before passing the value."
        )
    return text


def _retry_text(value: Any) -> str:
    text = reject_control_chars("retry", value)
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value >= 0)
        or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        raise ValueError(
            f"SSE event field 'retry' must be a non-negative integer (milliseconds), got {value!r}."
        )
    return text


def format_sse(
    event: Any, *, encoder: json.JSONEncoder | type[json.JSONEncoder] | None = None
) -> str:
    """Format one server-sent event frame from a ``str`` (the data) or a mapping."""
    if isinstance(event, str):
        event = {"data": event}
    elif not isinstance(event, Mapping):
        raise TypeError(f"SSE event must be a str or a mapping, got {type(event).__name__}")
    lines = []
    for name in _SSE_FIELDS:
        if name in event:
            value = event[name]
            text = _retry_text(value) if name == "retry" else reject_control_chars(name, value)
            lines.append(f"{name}: {text}")
    if "data" in event:
        data = event["data"]
        if not isinstance(data, str):
            data = _encoder_instance(encoder).encode(data)
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        lines.extend(f"data: {line}" for line in data.split("\n"))
    return "\n".join(lines) + "\n\n"


def _encoder_instance(encoder: Any) -> json.JSONEncoder:
    if encoder is None:
        return DjangoJSONEncoder()
    if isinstance(encoder, json.JSONEncoder):
        return encoder
    return encoder()


class _StreamingResponse(StreamingHttpResponse):
    """Common constructor: validates the source and wraps it in a chunk generator."""

    default_content_type = "application/json"

    def __init__(
        self,
        iterable: Iterable[Any] | Any,
        *,
        encoder: type[json.JSONEncoder] | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(iterable, (str, bytes, bytearray, Mapping)):
            raise TypeError(
                f"{type(self).__name__} needs an iterable of items, got {type(iterable).__name__}."
            )
        is_async = hasattr(iterable, "__aiter__")
        if not is_async and not hasattr(iterable, "__iter__"):
            raise TypeError(
                f"{type(self).__name__} needs a sync or async iterable, "
                f"got {type(iterable).__name__}."
            )
        kwargs.setdefault("content_type", self.default_content_type)
        self._encoder = _encoder_instance(encoder)
        source = self._astream(iterable) if is_async else self._stream(iterable)
        super().__init__(source, **kwargs)

    # Each subclass describes its framing with three hooks.
    opening = ""
    closing = ""

    def frame(self, item: Any, index: int) -> str:
        raise NotImplementedError

    def _stream(self, iterable: Iterable[Any]) -> Iterator[str]:
        iterator: Any = None
        try:
            if self.opening:
                yield self.opening
            iterator = iter(iterable)
            try:
                for index, item in enumerate(iterator):
                    yield self.frame(item, index)
            except Exception:
                logger.exception("%s source raised; the body is truncated.", type(self).__name__)
                if self.closing:
                    yield self.closing
                raise
            if self.closing:
                yield self.closing
        finally:
            close = getattr(iterable if iterator is None else iterator, "close", None)
            if close is not None:
                close()

    async def _astream(self, iterable: Any) -> AsyncIterator[str]:
        iterator = iterable.__aiter__()
        try:
            if self.opening:
                yield self.opening
            index = 0
            try:
                async for item in iterator:
                    yield self.frame(item, index)
                    index += 1
            except Exception:
                logger.exception("%s source raised; the body is truncated.", type(self).__name__)
                if self.closing:
                    yield self.closing
                raise
            if self.closing:
                yield self.closing
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()


class StreamingJSONListResponse(_StreamingResponse):
    """Stream a JSON array: ``[`` first, items separated by ``,``, then ``]``."""

    default_content_type = "application/json"
    opening = "["
    closing = "]"

    def frame(self, item: Any, index: int) -> str:
        text = self._encoder.encode(item)
        return text if index == 0 else "," + text


class NDJSONResponse(_StreamingResponse):
    """Stream newline-delimited JSON, one item per line."""

    default_content_type = "application/x-ndjson"

    def frame(self, item: Any, index: int) -> str:
        return self._encoder.encode(item) + "\n"


class SSEResponse(_StreamingResponse):
    """Stream server-sent events; items are ``str`` (the data) or mappings (``format_sse``)."""

    default_content_type = "text/event-stream"

    def __init__(
        self,
        iterable: Iterable[Any] | Any,
        *,
        encoder: type[json.JSONEncoder] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(iterable, encoder=encoder, **kwargs)
        # Proxies must not buffer or cache the stream, unless the caller said otherwise.
        if "Cache-Control" not in self.headers:
            self.headers["Cache-Control"] = "no-cache"
        if "X-Accel-Buffering" not in self.headers:
            self.headers["X-Accel-Buffering"] = "no"

    def frame(self, item: Any, index: int) -> str:
        return format_sse(item, encoder=self._encoder)
