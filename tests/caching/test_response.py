"""@cache_response on DRF and restflow views (caching.md §6)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import RequestFactory
from rest_framework.decorators import api_view
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from restflow.caching import (
    ArgsKeyField,
    InvalidationRule,
    RequestValueKeyField,
    ResponseCacheKeyConstructor,
    cache_response,
)
from restflow.caching.cache_response import extract_view_and_request
from tests.caching.app.models import SampleModel

factory = APIRequestFactory()


def render(response):
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


class SeenView(APIView):
    seen: list = []

    @cache_response(ttl=60)
    def get(self, request, pk=None):
        SeenView.seen.append((request.query_params.get("q"), pk))
        return Response({"q": request.query_params.get("q"), "pk": pk})


@pytest.fixture(autouse=True)
def _reset():
    SeenView.seen = []


def test_sync_view_is_cached():
    """C-RESP-001"""
    view = SeenView.as_view()
    first = render(view(factory.get("/?q=a")))
    second = render(view(factory.get("/?q=a")))
    assert SeenView.seen == [("a", None)]
    assert first.content == second.content
    assert isinstance(first, HttpResponse) and type(second) is HttpResponse
    assert second["Content-Type"].startswith("application/json")


def test_query_and_kwargs_split_entries():
    """C-RESP-002"""
    view = SeenView.as_view()
    for q in ("a", "a", "b"):
        render(view(factory.get(f"/?q={q}")))
    assert [q for q, _ in SeenView.seen] == ["a", "b"]
    SeenView.seen = []
    for pk in (1, 1, 2):
        render(view(factory.get("/"), pk=pk))
    assert [pk for _, pk in SeenView.seen] == [1, 2]


async def test_async_view_caches_and_uses_arender():
    """C-RESP-003"""
    from restflow.responses import Response as RestflowResponse
    from restflow.views import AsyncAPIView

    calls = []

    class V(AsyncAPIView):
        @cache_response()
        async def get(self, request):
            calls.append(1)
            return RestflowResponse({"v": 1})

    class D(AsyncAPIView):
        @cache_response()
        async def get(self, request):
            calls.append(2)
            return Response({"v": 2})

    first = await V.as_view()(factory.get("/"))
    second = await V.as_view()(factory.get("/"))
    assert first.content == b'{"v":1}' and second.content == b'{"v":1}'
    drf = await D.as_view()(factory.get("/"))
    assert drf.content == b'{"v":2}'
    await D.as_view()(factory.get("/"))
    assert calls == [1, 2]


def test_predicate_declines_errors_sync():
    """C-RESP-004"""
    calls = []

    class V(APIView):
        @cache_response(
            cache_if=lambda response, *a, **k: response.status_code < 400, cache_errors=True
        )
        def get(self, request):
            calls.append(1)
            return Response({"e": 1}, status=500)

    for _ in range(2):
        render(V.as_view()(factory.get("/")))
    assert calls == [1, 1]


async def test_predicate_declines_errors_async():
    """C-RESP-004"""
    from restflow.views import AsyncAPIView

    calls = []

    class V(AsyncAPIView):
        @cache_response(cache_if=lambda response, *a, **k: response.status_code < 400)
        async def get(self, request):
            calls.append(1)
            return Response({"e": 1}, status=500)

    for _ in range(2):
        await V.as_view()(factory.get("/"))
    assert calls == [1, 1]


def test_ttl_callable_receives_rendered_response():
    """C-RESP-005"""
    seen = []

    def ttl(response, *args, **kwargs):
        seen.append((response.status_code, response.content))
        return 500

    class V(APIView):
        @cache_response(ttl=ttl, set_cache_headers=True)
        def get(self, request):
            return Response({"ok": True})

    response = render(V.as_view()(factory.get("/")))
    assert seen == [(200, b'{"ok":true}')]
    assert "X-Cache-reset-at" in response


def test_bypass_and_delete_cache():
    """C-RESP-006 C-RESP-015"""
    view = SeenView.as_view()
    render(view(factory.get("/?q=z")))
    raw = RequestFactory().get("/?q=z")
    drf = factory.get("/?q=z")
    from rest_framework.request import Request

    live_key = SeenView.get.get_cache_key(SeenView(), Request(drf))
    assert SeenView.get.get_cache_key(SeenView(), raw) == live_key
    bypassed = SeenView.get.bypass_cache(SeenView(), Request(factory.get("/?q=z")))
    assert isinstance(bypassed, Response)
    assert len(SeenView.seen) == 2
    SeenView.get.delete_cache(SeenView(), raw)
    render(view(factory.get("/?q=z")))
    assert len(SeenView.seen) == 3


def test_user_partition_subclass():
    """C-RESP-007"""

    class PerUser(ResponseCacheKeyConstructor):
        user_id = ArgsKeyField("user_id", partition=True)

    calls = []

    class V(APIView):
        @cache_response(PerUser)
        def get(self, request, user_id=None):
            calls.append(user_id)
            return Response({"u": user_id})

    for user_id in (1, 1, 2):
        render(V.as_view()(factory.get("/"), user_id=user_id))
    assert calls == [1, 2]


def test_extract_view_and_request():
    """C-RESP-008"""
    view, req = object(), object()
    assert extract_view_and_request((view,), {"request": req}, ["self", "request"]) == (view, req)
    assert extract_view_and_request((view, req), {}, ["self", "request"]) == (view, req)


def test_api_view_functions():
    """C-RESP-009"""
    calls = []

    @api_view(["GET"])
    @cache_response(ttl=60)
    def fn(request):
        calls.append(request.query_params.get("q"))
        return Response({"q": request.query_params.get("q")})

    for q in ("a", "a", "b"):
        render(fn(factory.get(f"/?q={q}")))
    assert calls == ["a", "b"]


@pytest.mark.django_db(transaction=True)
async def test_rule_invalidation_for_every_view_kind():
    """C-RESP-010"""
    from asgiref.sync import sync_to_async

    from restflow.views import AsyncAPIView

    obj = await SampleModel.objects.acreate(name="one")
    rule = [InvalidationRule(model=SampleModel, field_mapping={"pk": "pk"})]

    class SyncV(APIView):
        @cache_response(invalidates_on=rule)
        def get(self, request, pk=None):
            return Response({"name": SampleModel.objects.get(pk=pk).name})

    class AsyncV(AsyncAPIView):
        @cache_response(invalidates_on=rule)
        async def get(self, request, pk=None):
            return Response({"name": (await SampleModel.objects.aget(pk=pk)).name})

    @api_view(["GET"])
    @cache_response(invalidates_on=rule)
    def fn(request, pk=None):
        return Response({"name": SampleModel.objects.get(pk=pk).name})

    async def fetch_all():
        sync_body = (
            await sync_to_async(lambda: render(SyncV.as_view()(factory.get("/"), pk=obj.pk)))()
        ).content
        async_body = (await AsyncV.as_view()(factory.get("/"), pk=obj.pk)).content
        fn_body = (await sync_to_async(lambda: render(fn(factory.get("/"), pk=obj.pk)))()).content
        return sync_body, async_body, fn_body

    assert await fetch_all() == (b'{"name":"one"}',) * 3
    obj.name = "two"
    await obj.asave()
    assert await fetch_all() == (b'{"name":"two"}',) * 3


@pytest.mark.django_db
def test_per_user_field_and_warning(caplog):
    """C-RESP-011 W-5"""
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")

    class PerUser(ResponseCacheKeyConstructor):
        user = RequestValueKeyField("user.pk")

    class V(APIView):
        @cache_response(PerUser)
        def get(self, request):
            return Response({"me": request.user.username})

    class Default(APIView):
        @cache_response()
        def get(self, request):
            return Response({"me": request.user.username})

    for user in (alice, bob):
        request = factory.get("/")
        force_authenticate(request, user)
        assert render(V.as_view()(request)).content == f'{{"me":"{user.username}"}}'.encode()
    with caplog.at_level(logging.WARNING, logger="restflow.caching.cache_response"):
        for user in (alice, bob, alice):
            request = factory.get("/")
            force_authenticate(request, user)
            render(Default.as_view()(request))
    warnings = [r for r in caplog.records if "per-user key" in r.getMessage()]
    assert len(warnings) == 1


def test_plain_and_streaming_responses():
    """C-RESP-012 W-7"""
    calls = []

    class Plain(APIView):
        @cache_response()
        def get(self, request):
            calls.append("plain")
            return JsonResponse({"plain": 1})

    class Stream(APIView):
        @cache_response()
        def get(self, request):
            calls.append("stream")
            return StreamingHttpResponse(iter([b"a", b"b"]))

    for _ in range(2):
        assert render(Plain.as_view()(factory.get("/"))).content == b'{"plain": 1}'
        response = Stream.as_view()(factory.get("/"))
        assert b"".join(response.streaming_content) == b"ab"
    assert calls == ["plain", "stream", "stream"]


def test_custom_headers_replayed_and_triple():
    """C-RESP-013"""

    class V(APIView):
        @cache_response()
        def get(self, request):
            return Response({"a": 1}, headers={"X-T": "1"})

    render(V.as_view()(factory.get("/")))
    hit = V.as_view()(factory.get("/"))
    assert hit["X-T"] == "1"
    from rest_framework.request import Request

    triple = V.get.get_cache_only(V(), Request(factory.get("/")))
    content, status, headers = triple
    assert isinstance(content, bytes) and status == 200 and headers["X-T"] == "1"


class HTMLRenderer(BaseRenderer):
    media_type = "text/html"
    format = "html"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return f"<p>{data}</p>".encode()


class TwoRenderers(APIView):
    renderer_classes = [JSONRenderer, HTMLRenderer]
    calls: list = []

    @cache_response()
    def get(self, request):
        TwoRenderers.calls.append(request.accepted_media_type)
        return Response({"a": 1})


def test_media_type_never_crosses():
    """C-RESP-014 C-RESP-017 W-5"""
    TwoRenderers.calls = []
    view = TwoRenderers.as_view()
    json_first = render(view(factory.get("/", HTTP_ACCEPT="application/json")))
    html = render(view(factory.get("/", HTTP_ACCEPT="text/html")))
    assert html["Content-Type"].startswith("text/html")
    json_again = render(view(factory.get("/", HTTP_ACCEPT="application/json")))
    assert json_again.content == json_first.content
    assert type(json_again) is HttpResponse
    html_again = render(view(factory.get("/", HTTP_ACCEPT="text/html")))
    assert html_again["Content-Type"].startswith("text/html")
    assert len(TwoRenderers.calls) == 2  # one entry per media type


def test_media_guard_refuses_a_foreign_entry():
    """C-RESP-014 — safeguard 1: a stored body of another type is not served nor replaced."""
    TwoRenderers.calls = []
    view = TwoRenderers.as_view()
    render(view(factory.get("/", HTTP_ACCEPT="application/json")))
    from rest_framework.request import Request

    json_key = TwoRenderers.get.get_cache_key(TwoRenderers(), Request(factory.get("/")))
    from django.core.cache import caches

    stored = caches["default"].get(json_key)
    content, status, headers = stored["value"]
    headers["Content-Type"] = "text/html; charset=utf-8"
    stored["value"] = (content, status, headers)
    caches["default"].set(json_key, stored)
    response = render(view(factory.get("/", HTTP_ACCEPT="application/json")))
    assert response["Content-Type"].startswith("application/json")
    assert caches["default"].get(json_key)["value"][2]["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_identity_safe_default():
    """C-RESP-016 W-5"""
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    calls = []

    class V(APIView):
        @cache_response()
        def get(self, request, pk=None):
            calls.append(request.user.username)
            return Response({"me": request.user.username, "pk": pk})

    def get(user, pk=1):
        request = factory.get("/")
        if user is not None:
            force_authenticate(request, user)
        return render(V.as_view()(request, pk=pk)).content

    assert b"alice" in get(alice)
    assert b"bob" in get(bob)
    assert b'"me":""' in get(None)
    assert b"alice" in get(alice) and b"bob" in get(bob) and b'"me":""' in get(None)
    assert calls == ["alice", "bob", ""]
    V.get.delete_by_prefix(None, None, pk=1)
    get(alice)
    get(bob)
    get(None)
    assert calls == ["alice", "bob", "", "alice", "bob", ""]


@pytest.mark.django_db
def test_shared_opt_out_and_errors():
    """C-RESP-018"""
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")

    class Shared(ResponseCacheKeyConstructor):
        class Meta:
            shared = True

    calls = []

    class V(APIView):
        @cache_response(Shared)
        def get(self, request):
            calls.append(request.user.username)
            return Response({"catalog": True})

    for user in (alice, bob):
        request = factory.get("/")
        force_authenticate(request, user)
        render(V.as_view()(request))
    assert calls == ["alice"]

    errors = []

    class Failing(APIView):
        @cache_response()
        def get(self, request):
            errors.append(1)
            return Response({"no": 1}, status=404)

    class Stored(APIView):
        @cache_response(cache_errors=True)
        def get(self, request):
            errors.append(2)
            return Response({"no": 1}, status=404)

    for _ in range(2):
        render(Failing.as_view()(factory.get("/")))
        render(Stored.as_view()(factory.get("/")))
    assert errors == [1, 2, 1]


@pytest.mark.django_db
def test_permissions_run_before_lookup():
    """C-RESP-018 — authentication/permissions are checked on hits too."""
    from rest_framework.permissions import IsAuthenticated

    class Shared(ResponseCacheKeyConstructor):
        class Meta:
            shared = True

    class V(APIView):
        permission_classes = [IsAuthenticated]

        @cache_response(Shared)
        def get(self, request):
            return Response({"secret": 1})

    user = User.objects.create(username="u")
    request = factory.get("/")
    force_authenticate(request, user)
    assert render(V.as_view()(request)).status_code == 200
    assert render(V.as_view()(factory.get("/"))).status_code in (401, 403)


def test_cache_headers_sync():
    """C-HDR-005 C-HDR-006 C-HDR-007"""

    class V(APIView):
        @cache_response(set_cache_headers=True)
        def get(self, request):
            return Response({"a": 1})

    class NoHeaders(APIView):
        @cache_response()
        def get(self, request):
            return Response({"a": 1})

    class Forever(APIView):
        @cache_response(set_cache_headers=True, ttl=None)
        def get(self, request):
            return Response({"a": 1})

    class Declined(APIView):
        @cache_response(set_cache_headers=True, cache_if=lambda r, *a, **k: False)
        def get(self, request):
            return Response({"a": 1})

    miss = render(V.as_view()(factory.get("/")))
    hit = render(V.as_view()(factory.get("/")))
    assert miss["X-Cache-status"] == "MISS" and hit["X-Cache-status"] == "HIT"
    assert miss["X-Cached-at"] == hit["X-Cached-at"]
    assert "X-Cache-status" not in render(NoHeaders.as_view()(factory.get("/")))
    forever = render(Forever.as_view()(factory.get("/")))
    assert "X-Cache-reset-at" not in forever and forever["X-Cache-status"] == "MISS"
    declined = render(Declined.as_view()(factory.get("/")))
    assert not [h for h in declined.headers if h.startswith("X-Cache")]
    from rest_framework.request import Request

    _, _, stored_headers = V.get.get_cache_only(V(), Request(factory.get("/")))
    assert "X-Cache-status" not in stored_headers


async def test_cache_headers_async():
    """C-HDR-005"""
    from restflow.views import AsyncAPIView

    class V(AsyncAPIView):
        @cache_response(set_cache_headers=True)
        async def get(self, request):
            return Response({"a": 1})

    miss = await V.as_view()(factory.get("/"))
    hit = await V.as_view()(factory.get("/"))
    assert (miss["X-Cache-status"], hit["X-Cache-status"]) == ("MISS", "HIT")
    assert miss["X-Cached-at"] == hit["X-Cached-at"]


def test_private_responses_are_not_stored():
    """W-5 W-6 — responses setting cookies or Cache-Control private/no-store stay uncached."""
    calls = []

    class Cookie(APIView):
        @cache_response()
        def get(self, request):
            calls.append("cookie")
            response = Response({"a": 1})
            response.set_cookie("session", "secret")
            return response

    class Private(APIView):
        @cache_response()
        def get(self, request):
            calls.append("private")
            return Response({"a": 1}, headers={"Cache-Control": "private, max-age=60"})

    for _ in range(2):
        render(Cookie.as_view()(factory.get("/")))
        render(Private.as_view()(factory.get("/")))
    assert calls == ["cookie", "private", "cookie", "private"]


def test_memoised_default_keys_follow_kwargs_queries_and_settings():
    """The default key of a call without query parameters is memoised per URL kwargs;
    the memo never serves another call's key and is dropped when settings change."""
    from django.test import override_settings

    from restflow.caching.hashing import hash_string

    view = SeenView()
    raw = RequestFactory()
    for pk in (None, 1, "1", 2):
        kwargs = {} if pk is None else {"pk": pk}
        for _ in range(2):  # computed, then from the memo
            key = SeenView.get.get_cache_key(view, raw.get("/"), **kwargs)
            expected = "null" if pk is None else str(pk)
            assert (
                key == f"ResponseCache::{__name__}.SeenView.get::pk:{expected}::{hash_string('')}"
            )
    with_query = SeenView.get.get_cache_key(view, raw.get("/?q=a"), pk=1)
    assert with_query != SeenView.get.get_cache_key(view, raw.get("/"), pk=1)
    settings = {"CACHE_SETTINGS": {"KEY_HASH_ALGORITHM": "md5"}}
    with override_settings(RESTFLOW_SETTINGS=settings):
        key = SeenView.get.get_cache_key(view, raw.get("/"), pk=1)
        assert key.endswith("::" + hash_string("")) and len(hash_string("")) == 32
    assert SeenView.get.get_cache_key(view, raw.get("/"), pk=1).endswith(hash_string(""))
    assert len(hash_string("")) == 64


def test_bound_wrapper_is_a_bound_method_of_the_view():
    view = SeenView()
    bound = view.get
    assert bound.__self__ is view and bound.__wrapper__ is SeenView.get
    assert bound.func is SeenView.get.func and bound.__name__ == "get"
    request = RequestFactory().get("/")
    assert bound.get_cache_key(request, pk=3) == SeenView.get.get_cache_key(view, request, pk=3)
