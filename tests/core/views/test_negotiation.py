"""Remembered content negotiation gives DRF's answers, and never remembers a refusal."""

from __future__ import annotations

import pytest
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer, StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from restflow.views import _negotiation
from restflow.views._negotiation import select_renderer

rf = APIRequestFactory()


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"


OFFERS = [
    [JSONRenderer, StaticHTMLRenderer, CSVRenderer],
    [CSVRenderer, JSONRenderer],
    [JSONRenderer],
]
media = st.sampled_from(
    ["application/json", "text/html", "text/csv", "text/*", "*/*", "application/xml", "foo"]
)
accept = st.lists(
    st.tuples(media, st.sampled_from(["", ";q=0.5", ";q=0", ";indent=2", ";version=1"])),
    max_size=3,
).map(lambda parts: ", ".join(m + p for m, p in parts))


def outcome(choose):
    try:
        renderer, media_type = choose()
    except NotAcceptable:
        return "406"
    except Http404:  # a format no renderer offers
        return "404"
    return type(renderer), media_type


@settings(max_examples=300, deadline=None)
@given(
    offer=st.sampled_from(OFFERS),
    header=accept,
    suffix=st.sampled_from([None, "json", "csv", "html"]),
    query=st.sampled_from(["", "format=csv", "format=json", "x=1"]),
)
def test_remembered_answers_are_drfs(offer, header, suffix, query):
    request = Request(rf.get(f"/?{query}", HTTP_ACCEPT=header) if header else rf.get(f"/?{query}"))
    fresh = [cls() for cls in offer]
    expected = outcome(lambda: DefaultContentNegotiation().select_renderer(request, fresh, suffix))
    for _ in range(2):  # asked, then remembered
        renderers = [cls() for cls in offer]
        got = outcome(
            lambda r=renderers: select_renderer(DefaultContentNegotiation(), request, r, suffix)
        )
        assert got == expected


def test_refusals_are_not_remembered_and_memory_is_bounded():
    request = Request(rf.get("/", HTTP_ACCEPT="application/xml"))
    with pytest.raises(NotAcceptable):
        select_renderer(DefaultContentNegotiation(), request, [JSONRenderer()], None)
    assert not any(key[1] == "application/xml" for key in _negotiation._answers)
    for i in range(_negotiation._REMEMBERED + 10):
        request = Request(rf.get("/", HTTP_ACCEPT=f"application/json;v={i}"))
        select_renderer(DefaultContentNegotiation(), request, [JSONRenderer()], None)
    assert len(_negotiation._answers) <= _negotiation._REMEMBERED


def test_other_negotiators_are_always_asked():
    class Always(BaseContentNegotiation):
        calls = 0

        def select_renderer(self, request, renderers, format_suffix=None):
            Always.calls += 1
            return renderers[-1], "text/csv"

    request = Request(rf.get("/", HTTP_ACCEPT="application/json"))
    renderers = [JSONRenderer(), CSVRenderer()]
    for _ in range(3):
        assert select_renderer(Always(), request, renderers, None) == (renderers[1], "text/csv")
    assert Always.calls == 3
