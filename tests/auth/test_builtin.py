"""DRF-parity authenticators and their async twins (A-BUILTIN)."""

from __future__ import annotations

import base64
import subprocess
import sys
from types import SimpleNamespace
from unittest import mock

import pytest
import rest_framework
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request
from rest_framework.test import APIClient

import restflow.helpers
from restflow.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    RemoteUserAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow.authentication import authentication as module
from restflow.authentication.jwt import AccessToken
from tests.auth.app.models import ApiKey
from tests.auth.helpers import authenticate, factory, run, with_header
from tests.auth.views_app import ApiKeyAuthentication

MODES = pytest.mark.parametrize("mode", ["sync", "async"])

# DRF 3.15 made its sync Basic ``authenticate`` refuse a header that is not base64 of
# "user:password"; DRF 3.14 decoded leniently and split on ":" with ``partition``, handing a
# username and an empty password to the auth backends. restflow's sync ``authenticate`` is
# DRF's, unchanged (auth-and-schema.md §1.13), so only its async twin refuses them on DRF 3.14.
DRF_VERSION = tuple(int(part) for part in rest_framework.VERSION.split(".")[:2])
DRF_BASIC_REFUSES_MALFORMED = DRF_VERSION >= (3, 15)


def basic(credentials: bytes | str) -> str:
    raw = credentials.encode("latin-1") if isinstance(credentials, str) else credentials
    return "Basic " + base64.b64encode(raw).decode()


def fails(mode, auth, request) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(mode, auth, request)
    return str(info.value.detail)


def test_base_runs_sync_authenticate():
    """A-BUILTIN-001"""

    class Legacy(BaseAuthentication):
        def authenticate(self, request):
            return ("u", "t")

    assert run(Legacy().aauthenticate, None) == ("u", "t")
    with pytest.raises(NotImplementedError, match=r"\.authenticate\(\) must be overridden\."):
        run(BaseAuthentication().aauthenticate, None)


def test_mro():
    """A-BUILTIN-001: restflow base first, then the DRF class of the same name"""
    from rest_framework import authentication as drf

    for cls in (BasicAuthentication, SessionAuthentication, TokenAuthentication):
        assert cls.__mro__[1] is BaseAuthentication
        assert issubclass(cls, getattr(drf, cls.__name__))
        assert cls.authenticate is getattr(drf, cls.__name__).authenticate


@MODES
def test_basic_headers(mode):
    """A-BUILTIN-002"""
    auth = BasicAuthentication()
    assert authenticate(mode, auth, with_header("Token x")) is None
    assert authenticate(mode, auth, factory().get("/")) is None
    assert (
        fails(mode, auth, with_header("Basic")) == "Invalid basic header. No credentials provided."
    )
    assert "should not contain spaces" in fails(mode, auth, with_header("Basic a b"))
    if mode == "async" or DRF_BASIC_REFUSES_MALFORMED:
        assert "not correctly base64 encoded" in fails(mode, auth, with_header("Basic !!!"))
        assert "not correctly base64 encoded" in fails(mode, auth, with_header(basic("nocolon")))


@MODES
@pytest.mark.django_db
def test_basic_credentials(mode, user, django_user_model):
    """A-BUILTIN-003"""
    auth = BasicAuthentication()
    assert authenticate(mode, auth, with_header(basic("alice:pw"))) == (user, None)
    assert fails(mode, auth, with_header(basic("alice:bad"))) == "Invalid username/password."
    django_user_model.objects.create_user(username="off", password="pw", is_active=False)
    assert fails(mode, auth, with_header(basic("off:pw"))) == "Invalid username/password."
    inactive = SimpleNamespace(is_active=False)
    if mode == "async":
        with mock.patch.object(
            module, "django_aauthenticate", mock.AsyncMock(return_value=inactive)
        ):
            assert fails(mode, auth, with_header(basic("x:y"))) == "User inactive or deleted."
    else:
        with mock.patch("rest_framework.authentication.authenticate", return_value=inactive):
            assert fails(mode, auth, with_header(basic("x:y"))) == "User inactive or deleted."


def test_basic_latin1():
    """A-BUILTIN-004"""
    patched = mock.AsyncMock(return_value=SimpleNamespace(is_active=True))
    with mock.patch.object(module, "django_aauthenticate", patched):
        run(BasicAuthentication().aauthenticate, with_header(basic("us\xe9r:pw")))
    assert patched.await_args.kwargs["username"] == "us\xe9r"
    assert patched.await_args.kwargs["password"] == "pw"


def test_basic_uses_patched_seam():
    """A-BUILTIN-005"""
    user = SimpleNamespace(is_active=True)
    patched = mock.AsyncMock(return_value=user)
    with mock.patch("restflow.authentication.authentication.django_aauthenticate", patched):
        result = run(BasicAuthentication().aauthenticate_credentials, "u", "p")
    assert result == (user, None)
    patched.assert_awaited_once_with(request=None, username="u", password="p")


@MODES
@pytest.mark.django_db
def test_token_authentication(mode, user):
    """A-BUILTIN-006"""
    auth = ApiKeyAuthentication()
    key = ApiKey.objects.create(key="k" * 40, user=user)
    assert authenticate(mode, auth, with_header("Bearer x")) is None
    assert (
        fails(mode, auth, with_header("Token")) == "Invalid token header. No credentials provided."
    )
    assert "should not contain spaces" in fails(mode, auth, with_header("Token a b"))
    assert "invalid characters" in fails(mode, auth, with_header("Token \xff\xfe"))
    assert fails(mode, auth, with_header("Token unknown")) == "Invalid token."
    assert authenticate(mode, auth, with_header("token " + key.key)) == (user, key)
    user.is_active = False
    user.save()
    assert fails(mode, auth, with_header("Token " + key.key)) == "User inactive or deleted."


@pytest.mark.django_db
def test_token_model_attribute(user):
    """A-BUILTIN-007: select_related("user").aget(key=...) on ``model``"""
    ApiKey.objects.create(key="stub", user=user)

    class Stub(TokenAuthentication):
        model = ApiKey

    assert Stub().get_model() is ApiKey
    with mock.patch.object(
        ApiKey.objects, "select_related", wraps=ApiKey.objects.select_related
    ) as sr:
        found, token = run(Stub().aauthenticate, with_header("Token stub"))
    sr.assert_called_once_with("user")
    assert found == user and token.key == "stub"


def _drf_request(user):
    django_request = factory().get("/")
    django_request.user = user
    return Request(django_request)


def test_session_authentication(monkeypatch):
    """A-BUILTIN-008"""
    auth = SessionAuthentication()
    monkeypatch.setattr(auth, "enforce_csrf", lambda request: None)
    assert run(auth.aauthenticate, _drf_request(None)) is None
    assert run(auth.aauthenticate, _drf_request(AnonymousUser())) is None
    assert run(auth.aauthenticate, _drf_request(SimpleNamespace(is_active=False))) is None
    active = SimpleNamespace(is_active=True)
    assert run(auth.aauthenticate, _drf_request(active)) == (active, None)
    preferred = SimpleNamespace(is_active=True)
    request = _drf_request(SimpleNamespace(is_active=True))

    async def auser():
        return preferred

    request._request.auser = auser
    assert run(auth.aauthenticate, request) == (preferred, None)


@pytest.mark.django_db
@pytest.mark.urls("tests.auth.views_app")
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_session_csrf(kind, user):
    """A-BUILTIN-009"""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(f"/{kind}/session-only/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}


def test_session_csrf_failure_async():
    """A-BUILTIN-009: PermissionDenied from the async twin"""
    request = _drf_request(SimpleNamespace(is_active=True))
    request._request.method = "POST"
    request._request._dont_enforce_csrf_checks = False
    with pytest.raises(PermissionDenied, match=r"^CSRF Failed: CSRF cookie not set\.$"):
        run(SessionAuthentication().aauthenticate, request)


def test_remote_user():
    """A-BUILTIN-010"""
    request = factory().get("/", REMOTE_USER="remote")
    active = SimpleNamespace(is_active=True)
    for returned, expected in (
        (active, (active, None)),
        (SimpleNamespace(is_active=False), None),
        (None, None),
    ):
        patched = mock.AsyncMock(return_value=returned)
        with mock.patch.object(module, "django_aauthenticate", patched):
            assert run(RemoteUserAuthentication().aauthenticate, request) == expected
        patched.assert_awaited_once_with(request=request, remote_user="remote")


def test_authenticate_headers():
    """A-BUILTIN-011: challenges of §1.12"""
    assert BasicAuthentication().authenticate_header(None) == 'Basic realm="api"'
    assert TokenAuthentication().authenticate_header(None) == "Token"
    assert SessionAuthentication().authenticate_header(None) is None
    assert RemoteUserAuthentication().authenticate_header(None) is None


@pytest.mark.django_db
@pytest.mark.urls("tests.auth.views_app")
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_views_per_scheme(kind, user):
    """A-BUILTIN-011 A-BUILTIN-012 A-BUILTIN-013"""
    key = ApiKey.objects.create(key="views-key", user=user)
    jwt = f"Bearer {AccessToken.for_user(user)}"
    good = {"basic": basic("alice:pw"), "token": f"Token {key.key}", "jwt": jwt}
    bad = {"basic": basic("alice:nope"), "token": "Token wrong", "jwt": "Bearer bad.bad.bad"}
    challenge = {"basic": 'Basic realm="api"', "token": "Token", "jwt": 'Bearer realm="api"'}
    client = APIClient()
    for scheme in ("basic", "token", "jwt"):
        url = f"/{kind}/{scheme}/"
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == challenge[scheme]
        assert client.get(url, HTTP_AUTHORIZATION=good[scheme]).json() == {"username": "alice"}
        assert client.get(url, HTTP_AUTHORIZATION=bad[scheme]).status_code == 401
        # A-BUILTIN-012: one view accepting every scheme
        all_url = f"/{kind}/all/"
        assert client.get(all_url, HTTP_AUTHORIZATION=good[scheme]).status_code == 200
    response = client.get(f"/{kind}/all/", HTTP_AUTHORIZATION="OAuth x")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    # A-BUILTIN-013: the first authenticator has no challenge → 403
    assert client.get(f"/{kind}/session/").status_code == 403
    assert client.get(f"/{kind}/session/", HTTP_AUTHORIZATION=jwt).status_code == 200


def test_boot_with_subclass_then_generics():
    """A-BUILTIN-014: no import cycle with DEFAULT_AUTHENTICATION_CLASSES"""
    code = """
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [
        "restflow.authentication.JWTAuthentication", "tests.auth.boot_auth.Custom"]},
)
django.setup()
import rest_framework.generics
from rest_framework.views import APIView
assert [c.__name__ for c in APIView.authentication_classes] == ["JWTAuthentication", "Custom"]
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(_root()))


def _root():
    import pathlib

    return pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_django_42_shims(user, monkeypatch):
    """A-BUILTIN-015 W-24: the seams are restflow.helpers.aauthenticate; the 4.2 branch works"""
    import django

    from restflow.authentication import views

    assert module.django_aauthenticate is restflow.helpers.aauthenticate
    assert views.django_aauthenticate is restflow.helpers.aauthenticate
    monkeypatch.setattr(django, "VERSION", (4, 2, 0, "final", 0))
    assert run(BasicAuthentication().aauthenticate, with_header(basic("alice:pw"))) == (user, None)
    remote = factory().get("/", REMOTE_USER="alice")
    with mock.patch("django.contrib.auth.authenticate", return_value=user) as sync_authenticate:
        assert run(RemoteUserAuthentication().aauthenticate, remote) == (user, None)
    sync_authenticate.assert_called_once_with(remote, remote_user="alice")
    with override_settings(ROOT_URLCONF="tests.auth.views_app"):
        response = APIClient().post(
            "/token/", {"username": "alice", "password": "pw"}, format="json"
        )
    assert response.status_code == 200
    request = factory().get("/")
    request.user = user  # what AuthenticationMiddleware sets: resolved in a worker on 4.2
    drf_request = Request(request)
    auth = SessionAuthentication()
    monkeypatch.setattr(auth, "enforce_csrf", lambda r: None)
    assert run(auth.aauthenticate, drf_request) == (user, None)
