"""Attack suite: every forged, stale or malformed credential is a 401 in the restflow envelope
with the ``Bearer`` challenge, on the async and the sync view."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from restflow.authentication.jwt import AccessToken, RefreshToken
from tests.auth.helpers import KEY, jwt_settings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.auth.views_app"),
]
ENVELOPE = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}
URLS = ("/me/", "/sync/jwt/")


@pytest.fixture(autouse=True)
def _restflow_handler():
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        yield


@pytest.fixture(scope="module")
def rsa_keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk = pyjwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())
    return private, public.decode(), jwk


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header: dict, payload: dict, secret: bytes | None) -> str:
    """A JWT built without PyJWT's key checks, as an attacker would."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b""
    if secret is not None:
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def claims(user, **extra):
    now = int(time.time())
    return {
        "token_type": "access",
        "iat": now,
        "exp": now + 300,
        "jti": "attack",
        "user_id": user.pk,
        **extra,
    }


def assert_rejected(header_value, message=None):
    client = APIClient()
    for url in URLS:
        response = client.get(url, HTTP_AUTHORIZATION=header_value)
        assert response.status_code == 401, (url, response.content)
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == "authentication_failed"
        assert body["error"]["details"] == {}
        if message is not None:
            assert body["error"]["message"] == message, url


def test_alg_none(user):
    token = hand_signed({"alg": "none", "typ": "JWT"}, claims(user), None)
    assert_rejected(f"Bearer {token}", "The specified alg value is not allowed")
    token = hand_signed({"alg": "None", "typ": "JWT"}, claims(user), None)
    assert_rejected(f"Bearer {token}")


def test_hs_rs_confusion(user, rsa_keys):
    """The public key used as an HMAC secret against an RS256 server."""
    private, public, _ = rsa_keys
    forged = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(user), public.encode())
    with jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private, VERIFYING_KEY=public):
        assert_rejected(f"Bearer {forged}", "The specified alg value is not allowed")
        genuine = AccessToken.for_user(user)
        assert APIClient().get("/me/", HTTP_AUTHORIZATION=f"Bearer {genuine}").status_code == 200


def test_jwk_document_as_secret(user, rsa_keys):
    """The server's public JWK document used as an HMAC secret."""
    private, _, jwk = rsa_keys
    forged = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(user), jwk.encode())
    with jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private):
        assert_rejected(f"Bearer {forged}", "The specified alg value is not allowed")
    # and an HMAC server never accepts a JWK document as its own secret (config error, not 401)
    from restflow.authentication.jwt import TokenConfigurationError

    with jwt_settings(SIGNING_KEY=jwk), pytest.raises(TokenConfigurationError):
        AccessToken.for_user(user)


def test_expired_beyond_leeway(user):
    now = int(time.time())
    token = pyjwt.encode(claims(user, exp=now - 60, iat=now - 400), KEY, algorithm="HS256")
    with jwt_settings(LEEWAY=10):
        assert_rejected(f"Bearer {token}", "Token has expired.")


@pytest.mark.parametrize(
    ("claim", "message"),
    [("nbf", "The token is not yet valid (nbf)"), ("iat", "The token is not yet valid (iat)")],
)
def test_not_yet_valid(user, claim, message):
    token = pyjwt.encode(claims(user, **{claim: int(time.time()) + 600}), KEY, algorithm="HS256")
    assert_rejected(f"Bearer {token}", message)


def test_tampered_payload_and_signature(user, django_user_model):
    admin = django_user_model.objects.create_user(username="admin", password="pw")
    head, body, sig = str(AccessToken.for_user(user)).split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["user_id"] = admin.pk
    assert_rejected(
        f"Bearer {head}.{b64(json.dumps(payload).encode())}.{sig}", "Signature verification failed"
    )
    flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    assert_rejected(f"Bearer {head}.{body}.{flipped}", "Signature verification failed")


def test_wrong_token_type(user):
    assert_rejected(f"Bearer {RefreshToken.for_user(user)}", "Wrong token type, expected 'access'.")


def test_wrong_audience_and_issuer(user):
    with jwt_settings(AUDIENCE="other-api"):
        foreign_aud = AccessToken.for_user(user)
    with jwt_settings(ISSUER="other-issuer"):
        foreign_iss = AccessToken.for_user(user)
    with jwt_settings(AUDIENCE="this-api"):
        assert_rejected(f"Bearer {foreign_aud}", "Audience doesn't match")
    with jwt_settings(ISSUER="this-issuer"):
        assert_rejected(f"Bearer {foreign_iss}", "Invalid issuer")
    with jwt_settings(AUDIENCE="this-api", ISSUER="this-issuer"):
        assert_rejected(f"Bearer {foreign_aud}")
        assert_rejected(f"Bearer {foreign_iss}")
    assert_rejected(f"Bearer {foreign_aud}", "Invalid audience")


def test_blacklisted(user):
    token = AccessToken.for_user(user)
    from restflow.authentication.jwt import ATokenBlacklist

    ATokenBlacklist.blacklist(token.jti, expires_at=token.exp)
    assert_rejected(f"Bearer {token}", "Token has been blacklisted.")


def test_revoked_by_password_change(user):
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = AccessToken.for_user(user)
        user.set_password("new-password")
        user.save()
        assert_rejected(f"Bearer {token}", "The user's password has been changed.")


def test_deleted_and_inactive_users(user, django_user_model):
    token = AccessToken.for_user(user)
    inactive = django_user_model.objects.create_user(username="off", is_active=False)
    assert_rejected(f"Bearer {AccessToken.for_user(inactive)}", "User is inactive.")
    get_user_model().objects.filter(pk=user.pk).delete()
    assert_rejected(f"Bearer {token}", "User not found.")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "Authorization header must be 'Bearer <token>'."),
        ("Bearer a b", "Authorization header must be 'Bearer <token>'."),
        ("Bearer \xff\xfe", "Token contains invalid characters."),
        ("Bearer garbage", "Not enough segments"),
        ("Bearer a.b.c", None),
        ("Bearer ...", None),
        ("Bearer " + "A" * 100_000, "Token is invalid."),
        ("Bearer " + ("eyJ" * 3000 + ".") * 3, "Token is invalid."),
        ("Bearer e30.e30.e30", None),
        ("Bearer \u20ac.\u20ac.\u20ac", None),
    ],
)
def test_malformed_headers_and_tokens(header, message):
    assert_rejected(header, message)


@pytest.mark.parametrize(
    "extra",
    [
        {"user_id": [1]},
        {"user_id": {"$gt": 0}},
        {"user_id": 1.0},
        {"user_id": True},
        {"token_type": ["access"]},
        {"exp": "never"},
        {"iat": None},
        {"jti": 12},
    ],
)
def test_claims_of_the_wrong_type(user, extra):
    assert_rejected(f"Bearer {pyjwt.encode(claims(user, **extra), KEY, algorithm='HS256')}")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    token=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=255), min_size=1, max_size=300
    )
)
def test_any_token_text_is_a_401(token):
    """Property: whatever follows ``Bearer``, the answer is a 401 envelope, never a 500."""
    with override_settings(REST_FRAMEWORK=ENVELOPE):
        assert_rejected(f"Bearer {token}")
