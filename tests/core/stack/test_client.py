"""Async test client and request factory (stack.md §5): S-TEST-*, weakness 13."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from rest_framework import renderers

from restflow.test import (
    AsyncAPIClient,
    AsyncAPILiveServerTestCase,
    AsyncAPIRequestFactory,
    AsyncAPISimpleTestCase,
    AsyncAPITestCase,
    AsyncAPITransactionTestCase,
    force_authenticate,
)
from restflow.test import client as client_module
from restflow.test.client import _encode_data
from tests.core.stack.users import acreate_user

URLS = "tests.core.stack.urls"
urls = pytest.mark.urls(URLS)


def test_factory_post_json():
    """S-TEST-001"""
    request = AsyncAPIRequestFactory().post("/echo/", data={"name": "khan"})
    assert request.META["CONTENT_TYPE"].startswith("application/json")
    assert json.loads(request.body) == {"name": "khan"}


def test_factory_get():
    """S-TEST-002"""
    request = AsyncAPIRequestFactory().get("/echo/")
    assert (request.method, request.path) == ("GET", "/echo/")
    assert AsyncAPIRequestFactory().get("/echo/", {"q": "1"}).META["QUERY_STRING"] == "q=1"


def test_force_authenticate_sets_attributes():
    """S-TEST-003"""
    raw = AsyncAPIRequestFactory().get("/")
    user = object()
    force_authenticate(raw, user=user, token="abc")
    assert raw._force_auth_user is user
    assert raw._force_auth_token == "abc"


@urls
async def test_client_post_echo_and_invalid():
    """S-TEST-004"""
    client = AsyncAPIClient()
    response = await client.post("/echo/", data={"name": "bob"})
    assert response.status_code == 200
    assert response.json() == {"name": "bob"}
    assert response.data == {"name": "bob"}
    assert (await client.post("/echo/", data={"name": ""})).status_code == 400


@urls
async def test_client_private_view_and_force_auth():
    """S-TEST-005"""
    client = AsyncAPIClient()
    assert (await client.get("/echo/")).status_code == 200
    assert (await client.get("/private/")).status_code == 403
    user = User(username="frank")
    client.force_authenticate(user=user)
    response = await client.get("/private/")
    assert response.status_code == 200
    assert response.json() == {"user": str(user)}
    client.force_authenticate(None, None)
    assert (await client.get("/private/")).status_code == 403


@urls
async def test_credentials_reach_view():
    """S-TEST-006"""
    client = AsyncAPIClient()
    client.credentials(HTTP_X_API_TOKEN="secret-token")
    assert (await client.get("/headers/")).json()["HTTP_X_API_TOKEN"] == "secret-token"


def test_credentials_key_validation():
    """S-TEST-007"""
    client = AsyncAPIClient()
    with pytest.raises(ValueError, match="HTTP_") as error:
        client.credentials(X_CUSTOM="v")
    assert "X_CUSTOM" in str(error.value) and "CONTENT_" in str(error.value)
    client.credentials(CONTENT_LANGUAGE="en-US")
    assert client._credentials == {"content-language": "en-US"}
    client.credentials()
    assert client._credentials == {}


@urls
async def test_raw_json_with_content_type():
    """S-TEST-008"""
    response = await AsyncAPIClient().post(
        "/echo/", data='{"name": "carol"}', content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"name": "carol"}


def test_factory_request_through_sync_view():
    """S-TEST-009"""
    from rest_framework import serializers
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Named(serializers.Serializer):
        name = serializers.CharField()

    class View(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            serializer = Named(data=request.data)
            serializer.is_valid(raise_exception=True)
            return Response(serializer.validated_data)

    view = View()
    raw = AsyncAPIRequestFactory().post("/x/", {"name": "zed"})
    request = view.initialize_request(raw)
    view.request = request
    view.format_kwarg = None
    response = view.post(request)
    assert response.status_code == 200
    assert response.data == {"name": "zed"}
    assert View.as_view()(AsyncAPIRequestFactory().post("/x/", {"name": "zed"})).status_code == 200


def test_factory_post_without_data():
    """S-TEST-010"""
    request = AsyncAPIRequestFactory().post("/echo/", data=None)
    assert request.body == b""
    assert "CONTENT_TYPE" not in request.META or request.META["CONTENT_TYPE"] == ""


def test_factory_multipart():
    """S-TEST-011"""
    request = AsyncAPIRequestFactory().post("/echo/", {"a": "1"}, format="multipart")
    content_type = request.META["CONTENT_TYPE"]
    assert content_type.startswith("multipart/form-data") and "charset=utf-8" in content_type


def test_encode_with_monkeypatched_renderers(monkeypatch):
    """S-TEST-012"""

    class PlainRenderer(renderers.BaseRenderer):
        media_type = "text/plain"
        format = "plain"
        charset = "utf-8"

        def render(self, data, accepted_media_type=None, renderer_context=None):
            return str(data)

    monkeypatch.setattr(client_module, "_renderer_classes", lambda: {"plain": PlainRenderer})
    assert _encode_data("hello", format="plain") == (b"hello", "text/plain; charset=utf-8")


def test_factory_verbs():
    """S-TEST-013"""
    factory = AsyncAPIRequestFactory()
    for verb in ("put", "patch"):
        request = getattr(factory, verb)("/r/", {"a": 1})
        assert request.method == verb.upper()
        assert json.loads(request.body) == {"a": 1}
        assert request.META["CONTENT_TYPE"] == "application/json"
    assert factory.delete("/r/").method == "DELETE"
    assert factory.options("/r/").method == "OPTIONS"


@urls
async def test_logout_clears_everything():
    """S-TEST-014"""
    client = AsyncAPIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer x")
    client.force_authenticate(user=User(username="g"), token="t")
    assert (await client.get("/private/")).status_code == 200
    client.logout()
    assert client._credentials == {}
    assert client.handler._force_user is None and client.handler._force_token is None
    assert (await client.get("/private/")).status_code == 403


@urls
async def test_client_verbs_with_bodies():
    """S-TEST-015"""
    client = AsyncAPIClient()
    for verb in ("put", "patch"):
        response = await getattr(client, verb)("/any/", {"k": verb})
        assert response.status_code == 200
        assert response.json()["data"] == {"k": verb}
        assert response.json()["method"] == verb.upper()
    assert (await client.delete("/any/", data={"id": 1})).status_code == 200
    assert (await client.options("/any/", data={"x": 1})).status_code == 200
    assert (await client.head("/any/")).status_code == 200


@urls
@pytest.mark.parametrize("verb", ["delete", "post", "options"])
async def test_bodyless_requests(verb):
    """S-TEST-016"""
    response = await getattr(AsyncAPIClient(), verb)("/any/")
    assert response.status_code == 200
    assert response.json()["method"] == verb.upper()
    assert response.json()["data"] == {}


@urls
async def test_delete_with_json_body():
    """S-TEST-017"""
    response = await AsyncAPIClient().delete("/any/", {"reason": "cleanup"}, format="json")
    assert response.json()["data"] == {"reason": "cleanup"}


def test_encoding_errors():
    """S-TEST-018"""
    with pytest.raises(AssertionError, match="May not set both"):
        _encode_data({"a": 1}, format="json", content_type="application/json")
    with pytest.raises(AssertionError) as error:
        _encode_data({"a": 1}, format="xml")
    assert str(error.value) == "Invalid format 'xml'. Available formats are 'multipart', 'json'."
    assert _encode_data(None) == (b"", "application/octet-stream")


@urls
async def test_per_request_http_authorization():
    """S-TEST-019, W-13"""
    response = await AsyncAPIClient().get("/headers/", HTTP_AUTHORIZATION="Bearer x")
    meta = response.json()
    assert meta["HTTP_AUTHORIZATION"] == "Bearer x"
    assert "HTTP_HTTP_AUTHORIZATION" not in meta
    via_headers = await AsyncAPIClient().get("/headers/", headers={"Authorization": "Bearer y"})
    assert via_headers.json()["HTTP_AUTHORIZATION"] == "Bearer y"


@urls
async def test_credential_beats_per_request_header_once():
    """S-TEST-020, W-13"""
    client = AsyncAPIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer cred")
    for extra in ({"HTTP_AUTHORIZATION": "Bearer h"}, {"headers": {"Authorization": "Bearer h"}}):
        meta = (await client.get("/headers/", **extra)).json()
        assert meta["HTTP_AUTHORIZATION"] == "Bearer cred"


@urls
async def test_constructor_header_defaults_are_headers():
    """W-13: HTTP_* defaults become headers, not scope keys."""
    client = AsyncAPIClient(HTTP_X_TENANT="acme", HTTP_HOST="api.example.com")
    meta = (await client.get("/headers/")).json()
    assert meta["HTTP_X_TENANT"] == "acme"
    assert meta["HTTP_HOST"] == "api.example.com"
    client.credentials(HTTP_X_TENANT="other")
    assert (await client.get("/headers/")).json()["HTTP_X_TENANT"] == "other"


@urls
async def test_default_format_is_honoured():
    """W-13: a subclass's default_format changes the verbs' encoding."""

    class MultipartClient(AsyncAPIClient):
        default_format = "multipart"

    response = await MultipartClient().put("/any/", {"k": "v"})
    assert response.json()["content_type"].startswith("multipart/form-data")
    factory_request = type("F", (AsyncAPIRequestFactory,), {"default_format": "multipart"})().post(
        "/x/", {"k": "v"}
    )
    assert factory_request.META["CONTENT_TYPE"].startswith("multipart/form-data")


@urls
async def test_alogout_clears_credentials_and_force_auth():
    """S-TEST-021, W-13"""
    client = AsyncAPIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer x")
    client.force_authenticate(user=User(username="h"))
    await client.alogout()
    assert client._credentials == {}
    assert client.handler._force_user is None
    assert (await client.get("/private/")).status_code == 403


def test_test_case_client_classes():
    """S-TEST-022"""
    for case in (
        AsyncAPISimpleTestCase,
        AsyncAPITestCase,
        AsyncAPITransactionTestCase,
        AsyncAPILiveServerTestCase,
    ):
        assert case.client_class is AsyncAPIClient
    assert AsyncAPITestCase().client_class is AsyncAPIClient


def test_factory_csrf_flag():
    """S-TEST-023"""
    assert (
        AsyncAPIRequestFactory(enforce_csrf_checks=True).get("/")._dont_enforce_csrf_checks is False
    )
    assert AsyncAPIRequestFactory().get("/")._dont_enforce_csrf_checks is True


@urls
@pytest.mark.django_db(transaction=True)
async def test_session_login_and_logout():
    """S-TEST-024"""
    user = await acreate_user("ivy", password="pw")
    client = AsyncAPIClient()
    assert (await client.get("/whoami/")).status_code == 403
    await client.aforce_login(user)
    assert (await client.get("/whoami/")).json() == {"user": "ivy"}
    await client.alogout()
    assert (await client.get("/whoami/")).status_code == 403
    assert await client.alogin(username="ivy", password="pw") is True
    assert (await client.get("/whoami/")).json() == {"user": "ivy"}
    await client.alogout()
    assert (await client.get("/whoami/")).status_code == 403


@urls
@pytest.mark.django_db(transaction=True)
async def test_django_42_fallbacks_work():
    """S-TEST-024: the worker-thread alogin/aforce_login used on Django 4.2 behave the same."""
    from restflow.test.client import _aforce_login_in_worker, _alogin_in_worker

    user = await acreate_user("jay", password="pw")
    client = AsyncAPIClient()
    await _aforce_login_in_worker(client, user)
    assert (await client.get("/whoami/")).json() == {"user": "jay"}
    await client.alogout()
    assert await _alogin_in_worker(client, username="jay", password="pw") is True
    assert (await client.get("/whoami/")).json() == {"user": "jay"}
    assert await _alogin_in_worker(client, username="jay", password="bad") is False


@urls
@pytest.mark.django_db(transaction=True)
async def test_sync_logout_inside_loop_with_session_points_to_alogout():
    """S-TEST-025, W-13"""
    user = await acreate_user("kim", password="pw")
    client = AsyncAPIClient()
    await client.aforce_login(user)
    client.credentials(HTTP_X_A="1")
    client.force_authenticate(user=user)
    with pytest.raises(RuntimeError, match="alogout"):
        client.logout()
    assert client._credentials == {}
    assert client.handler._force_user is None
    await client.alogout()
    assert (await client.get("/whoami/")).status_code == 403


@urls
async def test_remote_addr_and_query_params():
    """REMOTE_ADDR reaches the view's META (throttle identification in tests)."""
    from rest_framework.response import Response

    from restflow.views import AsyncAPIView

    class View(AsyncAPIView):
        authentication_classes: list = []
        permission_classes: list = []

        async def get(self, request):
            return Response({"addr": request.META["REMOTE_ADDR"], "q": request.query_params.dict()})

    response = await View.as_view()(AsyncAPIRequestFactory().get("/?x=1", REMOTE_ADDR="5.6.7.8"))
    assert response.data == {"addr": "5.6.7.8", "q": {"x": "1"}}


@urls
async def test_constructor_headers_query_params_and_remote_addr():
    """W-13: constructor ``headers=``, ``query_params=`` and ``REMOTE_ADDR`` apply to requests."""
    client = AsyncAPIClient(
        headers={"X-Tenant": "acme"}, query_params={"q": "1"}, REMOTE_ADDR="7.7.7.7"
    )
    meta = (await client.get("/headers/")).json()
    assert meta["HTTP_X_TENANT"] == "acme"
    echo = (await client.get("/echo/")).json()
    assert echo["query"] == {"q": "1"}
    factory = AsyncAPIRequestFactory(REMOTE_ADDR="8.8.8.8", HTTP_X_TENANT="f")
    request = factory.get("/")
    assert request.META["REMOTE_ADDR"] == "8.8.8.8"
    assert request.META["HTTP_X_TENANT"] == "f"


def _to(status: int, location: str) -> str:
    return f"/redirect/{status}/?{urlencode({'to': location})}"


@urls
@pytest.mark.parametrize("method", ["get", "head", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("status", [301, 302, 303])
async def test_follow_redirects_with_a_get(method, status):
    """stack.md §5.5 ``follow=``: the same on Django 4.2 (whose AsyncClient cannot follow)
    and on Django >= 5.0; the new location's query string is kept."""
    client = AsyncAPIClient()
    response = await getattr(client, method)(_to(status, "/echo/?q=1"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/echo/?q=1", status)]
    if method != "head":
        assert response.json() == {"method": "GET", "query": {"q": "1"}}
    not_followed = await getattr(client, method)(_to(status, "/echo/"), follow=False)
    assert not_followed.status_code == status


@urls
@pytest.mark.parametrize("status", [307, 308])
async def test_follow_307_308_repeats_method_and_body(status):
    """stack.md §5.5 ``follow=``: 307/308 resend the request to the new location."""
    client = AsyncAPIClient()
    response = await client.put(_to(status, "/any/"), {"a": 1}, follow=True)
    assert response.redirect_chain == [("/any/", status)]
    assert response.json() == {
        "method": "PUT",
        "data": {"a": 1},
        "content_type": "application/json",
    }
    again = await client.get(_to(status, "/echo/?q=2"), follow=True)
    assert again.json() == {"method": "GET", "query": {"q": "2"}}


@urls
async def test_follow_relative_absolute_and_chained_locations():
    """stack.md §5.5 ``follow=``: relative locations resolve against the request path,
    absolute URLs set the host, and every hop is recorded."""
    client = AsyncAPIClient()
    relative = await client.get(_to(302, "../../echo/?r=1"), follow=True)
    assert relative.json() == {"method": "GET", "query": {"r": "1"}}
    absolute = await client.get(_to(302, "http://example.com/headers/"), follow=True)
    assert absolute.json()["HTTP_HOST"] == "example.com"
    chained = await client.get(_to(301, _to(302, "/echo/")), follow=True)
    assert chained.redirect_chain == [(_to(302, "/echo/"), 301), ("/echo/", 302)]


@urls
async def test_follow_stops_on_a_redirect_loop():
    """stack.md §5.5 ``follow=``: a loop raises RedirectCycleError instead of hanging."""
    from django.test.client import RedirectCycleError

    with pytest.raises(RedirectCycleError, match="loop"):
        await AsyncAPIClient().get("/redirect/302/", follow=True)
