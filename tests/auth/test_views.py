"""Token views end to end, through the test client (A-VIEW, A-BUILTIN-011..013)."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework.test import APIClient

from restflow.authentication.jwt import AccessToken, ATokenBlacklist, RefreshToken
from restflow.test import AsyncAPIClient
from tests.auth.helpers import jwt_settings, run

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.auth.views_app")]
CHALLENGE = 'Bearer realm="api"'


@pytest.fixture
def client():
    return APIClient()


def obtain(client, username="alice", password="pw", **kwargs):
    return client.post("/token/", {"username": username, "password": password}, **kwargs)


def refresh_call(client, token):
    return client.post("/token/refresh/", {"refresh": str(token)}, format="json")


def test_obtain_json(client, user):
    """A-VIEW-001"""
    response = obtain(client, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    access = AccessToken.verify(response.json()["access"])
    refresh = RefreshToken.verify(response.json()["refresh"])
    assert access.payload["user_id"] == user.id
    assert access.jti != refresh.jti
    user.refresh_from_db()
    assert user.last_login is None


def test_obtain_form(client, user):
    """A-VIEW-002"""
    response = client.post("/token/", {"username": "alice", "password": "pw"})  # multipart
    assert response.status_code == 200
    response = client.post(
        "/token/",
        "username=alice&password=pw",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


@pytest.mark.parametrize("credentials", [("alice", "wrong"), ("nobody", "pw"), ("inactive", "pw")])
def test_obtain_refused(client, user, django_user_model, credentials):
    """A-VIEW-003"""
    django_user_model.objects.create_user(username="inactive", password="pw", is_active=False)
    response = obtain(client, *credentials, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found with the given credentials."}
    assert response["WWW-Authenticate"] == CHALLENGE


def test_obtain_uses_patched_aauthenticate(client, user):
    """A-VIEW-004"""
    target = "restflow.authentication.views.django_aauthenticate"
    with mock.patch(target, new=mock.AsyncMock(return_value=user)) as patched:
        assert obtain(client, "x", "y", format="json").status_code == 200
    patched.assert_awaited_once()
    assert patched.await_args.kwargs["username"] == "x"
    assert patched.await_args.kwargs["password"] == "y"
    with mock.patch(target, new=mock.AsyncMock(return_value=None)):
        assert obtain(client, format="json").status_code == 401


def test_custom_rule(client, user):
    """A-VIEW-005"""
    with jwt_settings(USER_AUTHENTICATION_RULE=lambda u: False):
        assert obtain(client, format="json").status_code == 401


def test_obtain_validation(client):
    """A-VIEW-006"""
    response = client.post("/token/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    response = client.post("/token/", {"username": "", "password": ""}, format="json")
    assert response.json()["username"] == ["This field may not be blank."]
    response = client.post("/token/", {"username": None, "password": None}, format="json")
    assert response.json()["password"] == ["This field may not be null."]
    response = client.post("/token/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    response = client.post("/token/", {"username": ["a"], "password": {}}, format="json")
    assert response.json()["username"] == ["Not a valid string."]
    response = client.post("/token/", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")
    response = client.post("/token/", b"x", content_type="text/plain")
    assert response.status_code == 415


def test_password_whitespace_kept(client, django_user_model):
    """A-VIEW-007 (W-11)"""
    django_user_model.objects.create_user(username="spaced", password=" pw ")
    django_user_model.objects.create_user(username="plain", password="pw")
    assert obtain(client, "spaced", " pw ", format="json").status_code == 200
    assert obtain(client, "spaced", "pw", format="json").status_code == 401
    assert obtain(client, "plain", "  pw  ", format="json").status_code == 401
    assert obtain(client, "  plain  ", "pw", format="json").status_code == 200  # username trimmed


@pytest.mark.parametrize("url", ["/token/", "/token/refresh/", "/token/blacklist/"])
def test_get_not_allowed(client, url):
    """A-VIEW-008"""
    response = client.get(url)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}
    assert client.options(url).status_code == 200


def test_refresh_without_rotation(client, user):
    """A-VIEW-009"""
    refresh = RefreshToken.for_user(user)
    with jwt_settings(ROTATE_REFRESH_TOKENS=False):
        response = refresh_call(client, refresh)
    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    assert AccessToken.verify(response.json()["access"]).payload["user_id"] == user.id
    assert ATokenBlacklist._sync_is_blacklisted(refresh.jti) is False


def test_refresh_with_rotation(client, user):
    """A-VIEW-010"""
    refresh = RefreshToken.for_user(user)
    response = refresh_call(client, refresh)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    new = RefreshToken.verify(body["refresh"])
    assert new.jti != refresh.jti
    assert ATokenBlacklist._sync_is_blacklisted(refresh.jti) is True
    again = refresh_call(client, refresh)
    assert again.status_code == 401
    assert again.json() == {"detail": "Token has been blacklisted."}
    assert again["WWW-Authenticate"] == CHALLENGE


def test_rotation_without_blacklist(client, user):
    """A-VIEW-011"""
    refresh = RefreshToken.for_user(user)
    with jwt_settings(BLACKLIST_ENABLED=False):
        assert set(refresh_call(client, refresh).json()) == {"access", "refresh"}
        assert refresh_call(client, refresh).status_code == 200


def test_refresh_bad_input(client, user):
    """A-VIEW-012"""
    for raw in ("garbage", "not.a.token"):
        assert refresh_call(client, raw).status_code == 401
    response = refresh_call(client, AccessToken.for_user(user))
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong token type, expected 'refresh'."}
    response = client.post("/token/refresh/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"refresh": ["This field is required."]}
    assert client.post("/token/refresh/", {"refresh": ""}, format="json").status_code == 400


def test_refresh_blacklisted(client, user):
    """A-VIEW-013"""
    refresh = RefreshToken.for_user(user)
    refresh.blacklist()
    assert refresh_call(client, refresh).status_code == 401


def test_refresh_rechecks_user(client, user):
    """A-VIEW-014 (W-03)"""
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        tokens = [RefreshToken.for_user(user) for _ in range(6)]
    user.set_password("changed")
    user.save()
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        response = refresh_call(client, tokens[0])
        assert response.status_code == 401
        assert response.json() == {"detail": "The user's password has been changed."}
        with jwt_settings(CHECK_REVOKE_TOKEN=True, REFRESH_CHECK_USER=False):
            assert refresh_call(client, tokens[1]).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = refresh_call(client, tokens[2])
    assert response.json() == {"detail": "User is inactive."}
    with jwt_settings(REFRESH_CHECK_USER=False):
        assert refresh_call(client, tokens[3]).status_code == 200
    get_user_model().objects.filter(pk=user.pk).delete()
    response = refresh_call(client, tokens[4])
    assert response.status_code == 401 and response.json() == {"detail": "User not found."}
    with jwt_settings(REFRESH_CHECK_USER=False):
        assert refresh_call(client, tokens[5]).status_code == 200


def test_refresh_without_user_claim(client):
    """A-VIEW-015 (W-04)"""
    from restflow.authentication.jwt import encode_token

    payload = {"token_type": "refresh", "iat": 1, "exp": 2**31 - 1, "jti": "no-user"}
    raw = encode_token(payload)
    for check in (True, False):
        with jwt_settings(REFRESH_CHECK_USER=check):
            response = refresh_call(client, raw)
            assert response.status_code == 401
            assert response.json() == {
                "detail": "Token contained no recognizable user identification."
            }


def test_concurrent_rotation(user):
    """A-VIEW-016 (W-02): two interleaved refreshes with one token, exactly one wins"""
    refresh = str(RefreshToken.for_user(user))

    async def race():
        client = AsyncAPIClient()
        return await asyncio.gather(
            *(client.post("/token/refresh/", {"refresh": refresh}, format="json") for _ in "ab")
        )

    statuses = sorted(r.status_code for r in run(race))
    assert statuses == [200, 401]


def test_blacklist_view(client, user):
    """A-VIEW-017"""
    refresh = RefreshToken.for_user(user)
    response = client.post("/token/blacklist/", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert refresh_call(client, refresh).status_code == 401
    again = client.post("/token/blacklist/", {"refresh": str(refresh)}, format="json")
    assert again.status_code == 204
    with jwt_settings(BLACKLIST_ENABLED=False):
        other = RefreshToken.for_user(user)
        client.post("/token/blacklist/", {"refresh": str(other)}, format="json")
    assert ATokenBlacklist._sync_is_blacklisted(other.jti) is True


def test_blacklist_view_bad_tokens(client, user):
    """A-VIEW-018"""
    assert (
        client.post("/token/blacklist/", {"refresh": "garbage"}, format="json").status_code == 401
    )
    response = client.post(
        "/token/blacklist/", {"refresh": str(AccessToken.for_user(user))}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong token type, expected 'refresh'."}
    assert response["WWW-Authenticate"] == CHALLENGE
    assert client.post("/token/blacklist/", {}, format="json").status_code == 400


def test_full_flow(client, user):
    """A-VIEW-019"""
    tokens = obtain(client, format="json").json()
    response = client.get("/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert response.status_code == 200 and response.json() == {"username": "alice"}
    response = client.get("/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == CHALLENGE
    response = client.get("/me/", HTTP_AUTHORIZATION="Bearer garbage.token.value")
    assert response.status_code == 401


def test_full_flow_async_client(user):
    """A-VIEW-019 through the async client"""

    async def flow():
        client = AsyncAPIClient()
        tokens = (
            await client.post("/token/", {"username": "alice", "password": "pw"}, format="json")
        ).json()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        return await client.get("/me/")

    response = run(flow)
    assert response.status_code == 200 and response.json() == {"username": "alice"}


def test_reuse_of_rotated_token_revokes_family(client, user):
    """W-12: presenting a rotated refresh token again revokes the chain it spawned"""
    first = RefreshToken.for_user(user)
    second = refresh_call(client, first).json()["refresh"]  # the thief rotates first
    third = refresh_call(client, second).json()["refresh"]
    assert refresh_call(client, first).status_code == 401  # the victim comes back: reuse
    response = refresh_call(client, third)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token has been blacklisted."}


def test_logout_ends_the_chain(client, user):
    """W-12: logging out with any token of a chain revokes its other tokens"""
    first = RefreshToken.for_user(user)
    with jwt_settings(BLACKLIST_ENABLED=False):
        second = refresh_call(client, first).json()["refresh"]
    client.post("/token/blacklist/", {"refresh": str(first)}, format="json")
    assert refresh_call(client, second).status_code == 401
    unrelated = RefreshToken.for_user(user)
    assert refresh_call(client, unrelated).status_code == 200


def test_revoke_all_sessions_blocks_refresh(client, user):
    """per-user "log out everywhere" also ends refresh"""
    from restflow.authentication.jwt import revoke_user_tokens

    refresh = RefreshToken.for_user(user)
    revoke_user_tokens(user)
    assert refresh_call(client, refresh).json() == {"detail": "Token has been blacklisted."}


@override_settings(REST_FRAMEWORK={"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"})
def test_restflow_envelope(client, user):
    """A-VIEW-020 (W-10)"""
    response = client.get("/me/")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "details": {},
        }
    }
    assert response["WWW-Authenticate"] == CHALLENGE
    response = obtain(client, "alice", "wrong", format="json")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "No active account found with the given credentials.",
            "details": {},
        }
    }
    assert response["WWW-Authenticate"] == CHALLENGE


def test_obtain_throttled_by_subclass(user):
    """W-23: brute-force protection is a throttle on a TokenObtainView subclass"""
    from django.core.cache import cache
    from rest_framework.test import APIRequestFactory
    from rest_framework.throttling import ScopedRateThrottle

    from restflow.authentication.views import TokenObtainView

    class LoginThrottle(ScopedRateThrottle):
        THROTTLE_RATES = {"login": "2/min"}

    class ThrottledLogin(TokenObtainView):
        throttle_classes = [LoginThrottle]
        throttle_scope = "login"

    cache.clear()
    view = ThrottledLogin.as_view()
    factory = APIRequestFactory()
    statuses = [
        run(
            view, factory.post("/", {"username": "alice", "password": "x"}, format="json")
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_refresh_tokens_without_jti_do_not_share_an_entry(client, user):
    """claims of the wrong shape: jti-less refresh tokens are not tracked (like authentication)
    and never collide on one blacklist entry"""
    import time

    from restflow.authentication.jwt import encode_token

    def jti_less(extra):
        now = int(time.time())
        payload = {"token_type": "refresh", "iat": now, "exp": now + 600, "user_id": user.pk}
        return encode_token({**payload, **extra})

    first, second = jti_less({"n": 1}), jti_less({"n": 2})
    assert refresh_call(client, first).status_code == 200
    assert refresh_call(client, second).status_code == 200
    assert refresh_call(client, first).status_code == 200
    assert ATokenBlacklist._sync_is_blacklisted("fam:") is False
