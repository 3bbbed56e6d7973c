"""restflow.responses: Response.arender() (B-RESP) and the streaming responses (B-STREAM)."""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import uuid
import warnings
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as DRFResponse

from restflow.responses import NDJSONResponse, Response, SSEResponse, StreamingJSONListResponse
from restflow.responses.streaming import format_sse


def _json_response(data, **kwargs):
    response = Response(data, **kwargs)
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    return response


def _collect_sync(response):
    return "".join(c.decode() if isinstance(c, bytes) else c for c in response)


async def _acollect(response):
    chunks = [c async for c in response.streaming_content]
    return "".join(c.decode() for c in chunks)


def collect(response):
    if response.is_async:
        return asyncio.run(_acollect(response))
    return _collect_sync(response)


async def agen(items):
    for item in items:
        yield item


# Response -----------------------------------------------------------------------------


async def test_arender_renders_json_inline():
    """V-RESP-001"""
    response = _json_response({"a": 1})
    assert isinstance(response, DRFResponse)
    result = await response.arender()
    assert result is response
    assert response.is_rendered
    assert json.loads(response.content) == {"a": 1}


async def test_callbacks_run_in_order_and_async_ones_are_awaited():
    """V-RESP-002 V-RESP-003"""
    calls = []
    response = _json_response({})

    def first(r):
        calls.append("sync")

    async def second(r):
        await asyncio.sleep(0)
        calls.append("async")

    response.add_post_render_callback(first)
    response.add_post_render_callback(second)
    await response.arender()
    assert calls == ["sync", "async"]


async def test_callback_replacement_is_returned():
    """V-RESP-004"""
    response = _json_response({})
    replacement = _json_response({"b": 2})
    response.add_post_render_callback(lambda r: replacement)
    assert await response.arender() is replacement


async def test_second_arender_does_not_rerun_callbacks():
    """V-RESP-005"""
    calls = []
    response = _json_response({})
    response.add_post_render_callback(lambda r: calls.append(1))
    await response.arender()
    assert await response.arender() is response
    assert calls == [1]


def test_sync_render_still_works():
    """V-RESP-006"""
    calls = []
    response = _json_response({"x": 1})
    response.add_post_render_callback(lambda r: calls.append(1))
    response.render()
    assert json.loads(response.content) == {"x": 1}
    assert calls == [1]


async def test_sync_callback_returning_awaitable_is_awaited():
    """V-RESP-007 W11"""
    calls = []

    async def record(tag, r):
        calls.append(tag)

    response = _json_response({})
    response.add_post_render_callback(functools.partial(record, "partial"))
    await response.arender()
    assert calls == ["partial"]


async def test_arender_without_renderer_asserts():
    """V-RESP-008"""
    with pytest.raises(AssertionError, match=r"\.accepted_renderer not set on Response"):
        await Response({"a": 1}).arender()


async def test_arender_runs_non_json_renderers_off_the_loop():
    """W11: a renderer that queries (browsable API forms) never runs on the event loop."""
    import threading

    seen = {}

    class Recording(JSONRenderer):
        pass

    class ThreadRenderer:
        media_type = "text/plain"
        format = "txt"
        charset = "utf-8"

        def render(self, data, media_type=None, renderer_context=None):
            seen["thread"] = threading.current_thread()
            return b"ok"

    response = Response({"a": 1})
    response.accepted_renderer = ThreadRenderer()
    response.accepted_media_type = "text/plain"
    response.renderer_context = {}
    await response.arender()
    assert response.content == b"ok"
    assert seen["thread"] is not threading.current_thread()


# Streaming ----------------------------------------------------------------------------


def test_json_list_round_trip():
    """V-STREAM-001"""
    items = [{"a": 1}, {"b": 2}, {"c": 3}]
    assert json.loads(collect(StreamingJSONListResponse(agen(items)))) == items
    assert collect(StreamingJSONListResponse(agen([]))) == "[]"
    assert json.loads(collect(StreamingJSONListResponse(agen([{"a": 1}])))) == [{"a": 1}]


def test_json_list_exact_text():
    """V-STREAM-002"""
    assert collect(StreamingJSONListResponse(agen([{"x": 1}, {"y": 2}]))) == '[{"x": 1},{"y": 2}]'


def test_default_content_types():
    """V-STREAM-003"""
    assert StreamingJSONListResponse([])["Content-Type"].startswith("application/json")
    assert NDJSONResponse([])["Content-Type"] == "application/x-ndjson"
    assert SSEResponse([])["Content-Type"] == "text/event-stream"
    assert NDJSONResponse([], content_type="text/plain")["Content-Type"] == "text/plain"


def test_default_encoder_handles_django_types():
    """V-STREAM-004"""
    ident = uuid.uuid4()
    item = {
        "d": Decimal("1.5"),
        "t": datetime.datetime(2024, 1, 1, 12),
        "u": ident,
        "nested": {"list": [1, {"x": [2]}]},
    }
    (parsed,) = json.loads(collect(StreamingJSONListResponse(agen([item]))))
    assert parsed["d"] == "1.5"
    assert parsed["t"].startswith("2024-01-01")
    assert parsed["u"] == str(ident)
    assert parsed["nested"] == {"list": [1, {"x": [2]}]}
    many = [{"i": i} for i in range(100)]
    assert json.loads(collect(StreamingJSONListResponse(agen(many)))) == many


def test_custom_encoder_is_used():
    """V-STREAM-005"""

    class FloatDecimals(DjangoJSONEncoder):
        def default(self, o):
            if isinstance(o, Decimal):
                return float(o)
            return super().default(o)

    body = collect(StreamingJSONListResponse(agen([{"d": Decimal("1.5")}]), encoder=FloatDecimals))
    assert json.loads(body) == [{"d": 1.5}]
    sse = collect(SSEResponse(agen([{"data": {"d": Decimal("2.5")}}]), encoder=FloatDecimals))
    assert sse == 'data: {"d": 2.5}\n\n'


def test_ndjson_lines():
    """V-STREAM-006"""
    body = collect(NDJSONResponse(agen([{"a": 1}, {"b": 2}])))
    assert body.endswith("\n")
    assert [json.loads(line) for line in body.splitlines()] == [{"a": 1}, {"b": 2}]
    assert collect(NDJSONResponse(agen([]))) == ""


def test_sse_string_items():
    """V-STREAM-007"""
    assert collect(SSEResponse(agen(["hello", "world"]))) == "data: hello\n\ndata: world\n\n"


def test_sse_dict_fields_in_order():
    """V-STREAM-008"""
    frame = collect(
        SSEResponse(agen([{"data": {"ok": True}, "retry": 5000, "event": "ping", "id": "42"}]))
    )
    assert frame == 'id: 42\nevent: ping\nretry: 5000\ndata: {"ok": true}\n\n'
    assert format_sse({"unknown": 1}) == "\n\n"
    assert format_sse({"data": None}) == "data: null\n\n"
    assert format_sse({"data": "a\n"}) == "data: a\ndata: \n\n"


def test_sse_multiline_data():
    """V-STREAM-009"""
    assert format_sse("a\nb\r\nc\rd") == "data: a\ndata: b\ndata: c\ndata: d\n\n"


@pytest.mark.parametrize("field", ["id", "event", "retry"])
@pytest.mark.parametrize("bad", ["a\nb", "a\rb"])
def test_sse_control_characters_rejected(field, bad):
    """V-STREAM-010"""
    response = SSEResponse(agen([{field: bad, "data": "x"}]))
    with pytest.raises(ValueError, match="must not contain"):
        collect(response)


def test_sse_bad_retry_and_event_type():
    """V-STREAM-011 W10"""
    with pytest.raises(ValueError):
        format_sse({"retry": "abc"})
    with pytest.raises(ValueError):
        format_sse({"retry": -1})
    assert format_sse({"retry": "10"}) == "retry: 10\n\n"
    with pytest.raises(TypeError, match="SSE event must be a str or a mapping, got int"):
        format_sse(5)


def test_sse_headers_defaults_and_caller_wins():
    """V-STREAM-012 W10"""
    response = SSEResponse([])
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    kept = SSEResponse([], headers={"Cache-Control": "private", "X-Accel-Buffering": "yes"})
    assert kept["Cache-Control"] == "private"
    assert kept["X-Accel-Buffering"] == "yes"


def test_error_closes_array_and_propagates(caplog):
    """V-STREAM-013 W9: the error is logged server-side and still propagates."""

    async def boom():
        yield {"a": 1}
        raise RuntimeError("boom")

    response = StreamingJSONListResponse(boom())
    chunks = []

    async def consume():
        async for chunk in response.streaming_content:
            chunks.append(chunk.decode())

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(consume())
    assert chunks == ["[", '{"a": 1}', "]"]
    assert "truncated" in caplog.text


def test_early_close_closes_source_without_warnings():
    """V-STREAM-014 W9"""
    closed = []

    class Source:
        def __init__(self):
            self.i = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            self.i += 1
            return {"i": self.i}

        async def aclose(self):
            closed.append(True)

    async def scenario():
        response = StreamingJSONListResponse(Source())
        stream = response.streaming_content
        got = [await stream.__anext__(), await stream.__anext__()]
        await stream.aclose()
        return got

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = asyncio.run(scenario())
    assert [c.decode() for c in got] == ["[", '{"i": 1}']
    assert closed == [True]


def test_early_close_of_async_generator_runs_its_finally():
    """W9: the source generator's ``finally`` runs at once on disconnect."""
    finished = []

    async def source():
        try:
            for i in range(1000):
                yield {"i": i}
        finally:
            finished.append(True)

    async def scenario():
        stream = NDJSONResponse(source()).streaming_content
        await stream.__anext__()
        await stream.aclose()

    asyncio.run(scenario())
    assert finished == [True]


@pytest.mark.parametrize("cls", [StreamingJSONListResponse, NDJSONResponse, SSEResponse])
def test_sync_iterables_stream_synchronously(cls):
    """V-STREAM-015 W10"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = cls([{"data": "a"}, {"data": "b"}])
        assert not response.is_async
        body = _collect_sync(response)
    assert "a" in body and "b" in body
    for bad in ("text", b"bytes", {"a": 1}):
        with pytest.raises(TypeError):
            cls(bad)


@pytest.mark.django_db  # response.close() sends request_finished (closes DB connections)
def test_sync_close_closes_generator():
    """W9 (sync path)"""
    finished = []

    def source():
        try:
            yield {"a": 1}
            yield {"a": 2}
        finally:
            finished.append(True)

    response = StreamingJSONListResponse(source())
    iterator = iter(response)
    assert [next(iterator), next(iterator)] == [b"[", b'{"a": 1}']
    response.close()  # what WSGI servers call when the client goes away
    assert finished == [True]


def test_status_and_headers_forwarded():
    """V-STREAM-016"""
    response = NDJSONResponse([], status=201, headers={"X-Total-Count": "3"})
    assert response.status_code == 201
    assert response["X-Total-Count"] == "3"


def test_responses_import_is_safe():
    """§1.2: importing restflow.responses leaves rest_framework.views and restflow.views out."""
    import subprocess
    import sys

    code = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=[]); django.setup(); "
        "import sys, restflow.responses; "
        "assert 'rest_framework.views' not in sys.modules; "
        "assert 'restflow.views' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _parse_sse(frame):
    """Minimal SSE client parsing (the WHATWG algorithm for one event)."""
    fields, data = {}, []
    for line in frame[:-2].split("\n") if frame != "\n\n" else []:
        name, _, value = line.partition(": ")
        if name == "data":
            data.append(value)
        else:
            fields[name] = value
    return fields, "\n".join(data) if data else None


_safe_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"])
)


@settings(max_examples=80, deadline=None)
@given(
    event_id=_safe_text,
    event=_safe_text,
    retry=st.integers(min_value=0, max_value=10**9),
    data=st.text(alphabet=st.characters(blacklist_categories=["Cs"])),
)
def test_sse_frames_round_trip(event_id, event, retry, data):
    """A client reading our frame gets back every field; CR/CRLF in data become LF."""
    frame = format_sse({"id": event_id, "event": event, "retry": retry, "data": data})
    assert frame.endswith("\n\n")
    fields, parsed = _parse_sse(frame)
    assert fields == {"id": event_id, "event": event, "retry": str(retry)}
    assert parsed == data.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=50, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
        max_size=10,
    )
)
def test_json_list_and_ndjson_round_trip(items):
    assert json.loads(collect(StreamingJSONListResponse(agen(items)))) == items
    body = collect(NDJSONResponse(items))
    assert [json.loads(line) for line in body.splitlines()] == items
