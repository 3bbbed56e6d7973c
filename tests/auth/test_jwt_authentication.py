"""``JWTAuthentication``: every step of §1.9 on both paths (A-JAUTH)."""

from __future__ import annotations

import logging
import time
import uuid

import jwt as pyjwt
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework.exceptions import AuthenticationFailed

from restflow.authentication.blacklist import arevoke_user_tokens, revoke_user_tokens
from restflow.authentication.jwt import (
    AccessToken,
    ATokenBlacklist,
    JWTAuthentication,
    RefreshToken,
)
from tests.auth.app.models import UUIDUser
from tests.auth.helpers import KEY, authenticate, bearer, jwt_settings, run, with_header

pytestmark = pytest.mark.django_db
MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def forged(payload: dict) -> str:
    base = {"token_type": "access", "iat": int(time.time()), "exp": int(time.time()) + 300}
    return pyjwt.encode({**base, **payload}, KEY, algorithm="HS256")


def failure(mode, request, auth=None) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(mode, auth or JWTAuthentication(), request)
    return info.value


@MODES
def test_valid_token(mode, user):
    """A-JAUTH-001"""
    found, token = authenticate(mode, JWTAuthentication(), bearer(AccessToken.for_user(user)))
    assert found == user
    assert isinstance(token, AccessToken) and token.payload["user_id"] == user.pk


@MODES
def test_no_header(mode):
    """A-JAUTH-002"""
    assert authenticate(mode, JWTAuthentication(), with_header("")) is None
    from tests.auth.helpers import factory

    assert authenticate(mode, JWTAuthentication(), factory().get("/")) is None


@MODES
def test_foreign_schemes(mode):
    """A-JAUTH-003"""
    for header in ("Basic dXNlcjpwYXNz", "OAuth x"):
        assert authenticate(mode, JWTAuthentication(), with_header(header)) is None


@MODES
def test_scheme_case_insensitive(mode, user):
    """A-JAUTH-004"""
    token = AccessToken.for_user(user)
    for scheme in ("bearer", "BEARER"):
        assert authenticate(mode, JWTAuthentication(), bearer(token, scheme))[0] == user


@MODES
def test_custom_header_types(mode, user):
    """A-JAUTH-005 A-JSET-005 (W-21)"""
    token = AccessToken.for_user(user)
    for types in (("JWT",), "JWT"):
        with jwt_settings(AUTH_HEADER_TYPES=types):
            assert authenticate(mode, JWTAuthentication(), bearer("x")) is None
            assert authenticate(mode, JWTAuthentication(), bearer(token, "JWT"))[0] == user


@MODES
def test_malformed_header(mode):
    """A-JAUTH-006"""
    for header in ("Bearer", "Bearer ", "Bearer a b"):
        exc = failure(mode, with_header(header))
        assert str(exc.detail) == "Authorization header must be 'Bearer <token>'."
        assert exc.get_codes() == "invalid_authorization_header"


@MODES
def test_invalid_characters(mode):
    """A-JAUTH-007"""
    exc = failure(mode, with_header("Bearer \xff\xfe"))
    assert str(exc.detail) == "Token contains invalid characters."
    assert exc.get_codes() == "invalid_token"


@MODES
def test_garbage(mode):
    """A-JAUTH-008"""
    exc = failure(mode, bearer("garbage"))
    assert str(exc.detail) == "Not enough segments" and exc.get_codes() == "invalid_token"


@MODES
def test_expired(mode, user):
    """A-JAUTH-009"""
    exc = failure(mode, bearer(forged({"user_id": user.pk, "exp": 1, "iat": 0})))
    assert "expired" in str(exc.detail)


@MODES
def test_refresh_as_access(mode, user):
    """A-JAUTH-010"""
    exc = failure(mode, bearer(RefreshToken.for_user(user)))
    assert str(exc.detail) == "Wrong token type, expected 'access'."


@MODES
@pytest.mark.parametrize("how", ["blacklist", "add"])
def test_blacklisted(mode, how, user):
    """A-JAUTH-011"""
    token = AccessToken.for_user(user)
    if how == "blacklist":
        ATokenBlacklist.blacklist(token.jti, expires_at=token.exp)
    else:
        run(ATokenBlacklist.add, token.jti, expires_at=token.exp)
    exc = failure(mode, bearer(token))
    assert str(exc.detail) == "Token has been blacklisted."
    assert exc.get_codes() == "token_blacklisted"


@MODES
def test_blacklist_disabled(mode, user):
    """A-JAUTH-012"""
    token = AccessToken.for_user(user)
    ATokenBlacklist.blacklist(token.jti, expires_at=token.exp)
    with jwt_settings(BLACKLIST_ENABLED=False):
        assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user


@MODES
def test_no_user_claim(mode):
    """A-JAUTH-013"""
    exc = failure(mode, bearer(forged({"jti": "j"})))
    assert str(exc.detail) == "Token contained no recognizable user identification."
    assert exc.get_codes() == "invalid_token"


@MODES
def test_no_user_claim_checked_after_blacklist(mode):
    """A-JAUTH-013: blacklist first, then the claim (§1.9 order)"""
    ATokenBlacklist.blacklist("j-first", expires_at=2**31 - 1)
    exc = failure(mode, bearer(forged({"jti": "j-first"})))
    assert exc.get_codes() == "token_blacklisted"


@MODES
def test_unknown_user(mode):
    """A-JAUTH-014"""
    exc = failure(mode, bearer(forged({"user_id": 999_999})))
    assert str(exc.detail) == "User not found." and exc.get_codes() == "user_not_found"


@MODES
def test_inactive_user(mode, user):
    """A-JAUTH-015"""
    user.is_active = False
    user.save()
    token = AccessToken.for_user(user)
    exc = failure(mode, bearer(token))
    assert str(exc.detail) == "User is inactive." and exc.get_codes() == "user_inactive"
    with jwt_settings(CHECK_USER_IS_ACTIVE=False):
        assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user


@MODES
def test_password_changed(mode, user):
    """A-JAUTH-016 (W-13: constant-time comparison of the fingerprint)"""
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = AccessToken.for_user(user)
        assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user
        user.set_password("new")
        user.save()
        exc = failure(mode, bearer(token))
    assert str(exc.detail) == "The user's password has been changed."
    assert exc.get_codes() == "password_changed"


@MODES
def test_revoke_check_without_claim(mode, user):
    """A-JAUTH-017"""
    token = AccessToken.for_user(user)
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        assert failure(mode, bearer(token)).get_codes() == "password_changed"


@MODES
@pytest.mark.parametrize("value", ["abc", 1.5, True, [1], {"id": 1}, None, ""])
def test_claim_of_wrong_type(mode, value, user):
    """A-JAUTH-018 (W-05): wrongly typed user claims are 401s, never 500s nor other users"""
    exc = failure(mode, bearer(forged({"user_id": value})))
    assert str(exc.detail) == "Token contained no recognizable user identification."
    assert exc.get_codes() == "invalid_token"


@MODES
def test_no_jti(mode, user):
    """A-JAUTH-019"""
    raw = forged({"user_id": user.pk})
    assert authenticate(mode, JWTAuthentication(), bearer(raw))[0] == user


def test_authenticate_header():
    """A-JAUTH-020"""
    assert JWTAuthentication().authenticate_header(None) == 'Bearer realm="api"'

    class Custom(JWTAuthentication):
        www_authenticate_realm = "x"

    assert Custom().authenticate_header(None) == 'Bearer realm="x"'


@MODES
def test_misconfiguration_is_not_a_401(mode, user):
    """A-JAUTH-021 (W-09)"""
    token = AccessToken.for_user(user)
    for overrides in ({"SIGNING_KEY": None}, {"ALGORITHM": "none"}, {"ALGORITHM": "HS999"}):
        with jwt_settings(**overrides), pytest.raises(ImproperlyConfigured) as info:
            authenticate(mode, JWTAuthentication(), bearer(token))
        assert not isinstance(info.value, AuthenticationFailed)


@MODES
def test_default_locmem_refused(mode, user):
    """A-JAUTH-022 (W-14)"""
    token = AccessToken.for_user(user)
    with override_settings(RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": KEY}}):
        with pytest.raises(ImproperlyConfigured, match="LocMemCache"):
            authenticate(mode, JWTAuthentication(), bearer(token))


@MODES
def test_uuid_user(mode):
    """A-JTOK-025 (W-07, W-05: UUID ids, a model whose manager is not ``objects``)"""
    user = UUIDUser.people.create(username="u1")
    with (
        override_settings(AUTH_USER_MODEL="auth_tests.UUIDUser"),
        jwt_settings(USER_ID_FIELD="uuid"),
    ):
        token = AccessToken.for_user(user)
        assert token.payload["user_id"] == str(user.uuid)
        assert authenticate(mode, JWTAuthentication(), bearer(token))[0] == user
        exc = failure(mode, bearer(forged({"user_id": "not-a-uuid"})))
        assert exc.get_codes() == "invalid_token"
        exc = failure(mode, bearer(forged({"user_id": str(uuid.uuid4())})))
        assert exc.get_codes() == "user_not_found"


@MODES
def test_non_unique_lookup_field(mode, django_user_model, caplog):
    """W-05: MultipleObjectsReturned is a logged 401"""
    django_user_model.objects.create_user(username="a", email="same@example.com")
    django_user_model.objects.create_user(username="b", email="same@example.com")
    with jwt_settings(USER_ID_FIELD="email"), caplog.at_level(logging.ERROR):
        exc = failure(mode, bearer(forged({"user_id": "same@example.com"})))
    assert exc.get_codes() == "user_not_found"
    assert any(
        r.levelno == logging.ERROR and "several users" in r.getMessage() for r in caplog.records
    )


@MODES
def test_deleted_user(mode, user):
    """deleted users: tokens minted before deletion fail"""
    token = AccessToken.for_user(user)
    get_user_model().objects.filter(pk=user.pk).delete()
    assert failure(mode, bearer(token)).get_codes() == "user_not_found"


@MODES
def test_revoke_all_sessions(mode, user, django_user_model):
    """per-user "log out everywhere": every token issued up to now is rejected"""
    other = django_user_model.objects.create_user(username="other", password="pw")
    old, refresh, others = (
        AccessToken.for_user(user),
        RefreshToken.for_user(user),
        AccessToken.for_user(other),
    )
    if mode == "sync":
        revoke_user_tokens(user)
    else:
        run(arevoke_user_tokens, user)
    assert failure(mode, bearer(old)).get_codes() == "token_blacklisted"
    assert failure(mode, bearer(refresh.access_token)).get_codes() == "token_blacklisted"
    assert authenticate(mode, JWTAuthentication(), bearer(others))[0] == other
    time.sleep(1.05)  # tokens minted in a later second are new sessions
    assert authenticate(mode, JWTAuthentication(), bearer(AccessToken.for_user(user)))[0] == user
