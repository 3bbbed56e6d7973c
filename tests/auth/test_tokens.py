"""Settings, token minting/verification and the helper functions (A-JSET, A-JTOK)."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
import uuid
from datetime import timedelta
from types import SimpleNamespace

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from restflow.authentication.jwt import (
    AccessToken,
    RefreshToken,
    TokenConfigurationError,
    TokenError,
    build_jwt_payload,
    decode_token,
    encode_token,
    get_jwt_settings,
    get_password_hash,
    get_user_authentication_rule,
    validate_algorithm,
    validate_signing_key_shape,
    validate_user_id_field,
)
from restflow.authentication.tokens import default_user_authentication_rule, get_now_time
from tests.auth.helpers import KEY, jwt_settings

USER = SimpleNamespace(id=7, pk=7, password="md5$salt$hash", is_active=True)


def now() -> int:
    return int(get_now_time().timestamp())


def signed(payload: dict, key: str = KEY, algorithm: str = "HS256") -> str:
    return pyjwt.encode(payload, key, algorithm=algorithm)


def pem_pair(kind: str) -> tuple[str, str]:
    private = {
        "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ed": ed25519.Ed25519PrivateKey.generate,
    }[kind]()
    priv = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    pub = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return priv, pub


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[str, str]]:
    return {kind: pem_pair(kind) for kind in ("rsa", "ec", "ed")}


# -- settings --------------------------------------------------------------------------------


def test_defaults_without_restflow_settings():
    """A-JSET-001"""
    with override_settings(RESTFLOW_SETTINGS=None):
        config = get_jwt_settings()
        assert config.ALGORITHM == "HS256"
        assert config.ACCESS_TOKEN_LIFETIME.total_seconds() == 300
        assert config.REFRESH_TOKEN_LIFETIME.total_seconds() == 86400
        assert config.USER_ID_CLAIM == "user_id"
        assert config.BLACKLIST_ENABLED is True
        assert config.ROTATE_REFRESH_TOKENS is True
        assert config.LEEWAY == 0
        assert config.CHECK_REVOKE_TOKEN is False
        assert config.REVOKE_TOKEN_CLAIM == "hash_password"
        assert config.REFRESH_CHECK_USER is True


def test_one_key_keeps_other_defaults():
    """A-JSET-002"""
    with override_settings(RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": "x" * 40}}):
        config = get_jwt_settings()
        assert config.SIGNING_KEY == "x" * 40
        assert config.ALGORITHM == "HS256"
        assert config.ACCESS_TOKEN_LIFETIME.total_seconds() == 300


def test_override_settings_applies_and_reverts():
    """A-JSET-003"""
    with jwt_settings(ACCESS_TOKEN_LIFETIME=timedelta(seconds=90)):
        token = AccessToken.for_user(USER)
        assert token.payload["exp"] - token.payload["iat"] == 90
    token = AccessToken.for_user(USER)
    assert token.payload["exp"] - token.payload["iat"] == 300


def test_unknown_key_attribute_error():
    """A-JSET-004"""
    with pytest.raises(AttributeError, match=r"Invalid restflow setting: 'BOGUS'"):
        _ = get_jwt_settings().BOGUS


def test_typo_reported_by_check_and_ignored():
    """A-JSET-006"""
    from django.core import checks

    with override_settings(
        RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": KEY, "ACCES_TOKEN_LIFETIME": timedelta(hours=1)}}
    ):
        # databases=[]: Django 6.0 made run_checks() default to every database, whose checks
        # would connect (this test has no database access); W001 is not a database check.
        messages = checks.run_checks(databases=[])
        assert any(m.id == "restflow.W001" and "ACCES_TOKEN_LIFETIME" in m.msg for m in messages)
        token = AccessToken.for_user(USER)
        assert token.payload["exp"] - token.payload["iat"] == 300


# -- minting and verification -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "kind", "lifetime"), [(AccessToken, "access", 300), (RefreshToken, "refresh", 86400)]
)
def test_round_trip(cls, kind, lifetime):
    """A-JTOK-001 A-JTOK-002 A-JTOK-004"""
    token = cls.for_user(USER)
    again = cls.verify(str(token))
    assert again.payload["user_id"] == 7
    assert again.payload["token_type"] == kind == again.token_type
    assert again.payload["exp"] - again.payload["iat"] == lifetime
    assert again == token


def test_custom_lifetimes():
    """A-JTOK-004"""
    with jwt_settings(
        ACCESS_TOKEN_LIFETIME=timedelta(seconds=90), REFRESH_TOKEN_LIFETIME=timedelta(hours=2)
    ):
        access, refresh = AccessToken.for_user(USER), RefreshToken.for_user(USER)
    assert access.payload["exp"] - access.payload["iat"] == 90
    assert refresh.payload["exp"] - refresh.payload["iat"] == 7200


def test_str_is_raw_and_header():
    """A-JTOK-003"""
    token = AccessToken.for_user(USER)
    assert str(token) == token.raw
    header = json.loads(base64.urlsafe_b64decode(token.raw.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}


def test_exact_claims():
    """A-JTOK-001: no claim beyond §1.3"""
    assert set(AccessToken.for_user(USER).payload) == {"token_type", "iat", "exp", "jti", "user_id"}


def test_jti_shape_and_uniqueness():
    """A-JTOK-005"""
    jtis = {AccessToken.for_user(USER).jti for _ in range(50)}
    assert len(jtis) == 50
    for jti in jtis:
        assert len(jti) == 22
        assert set(jti) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_wrong_token_type():
    """A-JTOK-006"""
    with pytest.raises(TokenError, match=r"^Wrong token type, expected 'access'\.$"):
        AccessToken.verify(str(RefreshToken.for_user(USER)))
    with pytest.raises(TokenError, match=r"^Wrong token type, expected 'refresh'\.$"):
        RefreshToken.verify(str(AccessToken.for_user(USER)))


def test_missing_token_type():
    """A-JTOK-007"""
    raw = signed({"iat": now(), "exp": now() + 60, "user_id": 1})
    with pytest.raises(TokenError, match=r"Wrong token type, expected 'access'."):
        AccessToken.verify(raw)


def test_access_from_refresh():
    """A-JTOK-008"""
    refresh = RefreshToken.for_user(USER)
    first, second = refresh.access_token, refresh.access_token
    assert type(first) is AccessToken
    assert first.payload["user_id"] == 7 and first.token_type == "access"
    assert AccessToken.verify(str(first)) == first
    assert first.jti != second.jti


def test_rotate():
    """A-JTOK-009"""
    refresh = RefreshToken.for_user(USER)
    rotated = refresh.rotate()
    assert rotated.jti != refresh.jti
    assert rotated.payload["user_id"] == 7
    assert rotated.payload["exp"] - rotated.payload["iat"] == 86400
    # The chain remembers its first token (reuse detection, W-12).
    assert rotated.family == refresh.jti == rotated.rotate().family


def test_issuer_and_audience_written():
    """A-JTOK-010"""
    with jwt_settings(ISSUER="restflow", AUDIENCE="restflow-clients"):
        refresh = RefreshToken.for_user(USER)
        for token in (AccessToken.for_user(USER), refresh, refresh.access_token):
            assert token.payload["iss"] == "restflow"
            assert token.payload["aud"] == "restflow-clients"
            decode_token(str(token))


def test_audience_rules():
    """A-JTOK-011"""
    with jwt_settings(AUDIENCE="a"):
        raw = str(AccessToken.for_user(USER))
    plain = str(AccessToken.for_user(USER))
    with jwt_settings(AUDIENCE="b"):
        with pytest.raises(TokenError, match=r"^Audience doesn't match$"):
            decode_token(raw)
        with pytest.raises(TokenError, match=r'^Token is missing the "aud" claim$'):
            decode_token(plain)
    with pytest.raises(TokenError, match=r"^Invalid audience$"):
        decode_token(raw)
    with jwt_settings(AUDIENCE=["x", "a"]):
        decode_token(raw)


def test_issuer_rules():
    """A-JTOK-012"""
    with jwt_settings(ISSUER="a"):
        raw = str(AccessToken.for_user(USER))
    plain = str(AccessToken.for_user(USER))
    with jwt_settings(ISSUER="b"):
        with pytest.raises(TokenError, match=r"^Invalid issuer$"):
            decode_token(raw)
        with pytest.raises(TokenError, match=r'missing the "iss" claim'):
            decode_token(plain)
    assert decode_token(raw)["iss"] == "a"


def test_expired():
    """A-JTOK-013"""
    with pytest.raises(TokenError) as info:
        decode_token(signed({"exp": 1, "iat": 0}))
    assert str(info.value) == "Token has expired."


def test_leeway_accepts_recently_expired():
    """A-JTOK-014"""
    raw = signed({"exp": now() - 5, "iat": now() - 60})
    with pytest.raises(TokenError):
        decode_token(raw)
    with jwt_settings(LEEWAY=60):
        decode_token(raw)
    with jwt_settings(LEEWAY=timedelta(seconds=60)):
        decode_token(raw)


def test_required_claims():
    """A-JTOK-015"""
    with pytest.raises(TokenError, match=r'^Token is missing the "exp" claim$'):
        decode_token(signed({"iat": now()}))
    with pytest.raises(TokenError, match=r'^Token is missing the "iat" claim$'):
        decode_token(signed({"exp": now() + 60}))


def test_tampered_signature():
    """A-JTOK-016"""
    raw = str(AccessToken.for_user(USER))
    head, body, sig = raw.split(".")
    forged = f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(TokenError, match=r"^Signature verification failed$"):
        decode_token(forged)


def test_algorithm_comes_from_settings():
    """A-JTOK-017"""
    raw = str(AccessToken.for_user(USER))
    with (
        jwt_settings(ALGORITHM="HS512"),
        pytest.raises(TokenError, match=r"alg value is not allowed"),
    ):
        decode_token(raw)
    unsigned = pyjwt.encode({"exp": now() + 60, "iat": now()}, None, algorithm="none")
    with pytest.raises(TokenError, match=r"^The specified alg value is not allowed$"):
        decode_token(unsigned)


def test_missing_signing_key():
    """A-JTOK-018 A-JTOK-022 (W-08)"""
    raw = str(AccessToken.for_user(USER))
    with jwt_settings(SIGNING_KEY=None):
        with pytest.raises(TokenConfigurationError, match=r"SIGNING_KEY") as info:
            AccessToken.for_user(USER)
        assert str(info.value) == (
            "RESTFLOW_SETTINGS['JWT']['SIGNING_KEY'] is not set. Configure a signing key "
            "before issuing or verifying tokens."
        )
        with pytest.raises(TokenError):
            decode_token(raw)
        with pytest.raises(ImproperlyConfigured):
            decode_token(raw)


def test_none_algorithm():
    """A-JTOK-019 A-JTOK-022"""
    with jwt_settings(ALGORITHM="none"):
        for call in (lambda: encode_token({}), lambda: decode_token("a.b.c")):
            with pytest.raises(TokenConfigurationError) as info:
                call()
            assert str(info.value) == (
                "RESTFLOW_SETTINGS['JWT']['ALGORITHM'] is 'none'. The 'none' algorithm disables "
                "signature verification and is unsafe."
            )


def test_unsupported_algorithm():
    """A-JTOK-020 A-JTOK-022"""
    with jwt_settings(ALGORITHM="HS999"), pytest.raises(TokenConfigurationError) as info:
        encode_token({})
    assert str(info.value) == (
        "RESTFLOW_SETTINGS['JWT']['ALGORITHM']='HS999' is not supported. Choose one of HS256, "
        "HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES256K, ES384, ES512, "
        "EdDSA."
    )
    with pytest.raises(TokenError, match=r"not supported"):
        validate_algorithm("XYZ123")
    with pytest.raises(TokenError, match=r"not supported"):
        validate_algorithm("hs256")  # exact, case-sensitive
    assert validate_algorithm("HS256") is None
    assert validate_algorithm("RS256") is None


def test_pem_under_hmac(keys):
    """A-JTOK-021 A-JTOK-022"""
    private, public = keys["rsa"]
    with (
        jwt_settings(SIGNING_KEY=private),
        pytest.raises(ImproperlyConfigured, match=r"PEM-encoded"),
    ):
        AccessToken.for_user(USER)
    raw = str(AccessToken.for_user(USER))
    with (
        jwt_settings(VERIFYING_KEY=public),
        pytest.raises(TokenConfigurationError, match=r"PEM-encoded"),
    ):
        decode_token(raw)
    with pytest.raises(TokenError, match=r"HMAC") as info:
        validate_signing_key_shape("HS256", public)
    assert str(info.value) == (
        "RESTFLOW_SETTINGS['JWT']['ALGORITHM']='HS256' expects an HMAC secret but SIGNING_KEY "
        "looks like a PEM-encoded asymmetric key. Use a random secret (e.g. "
        "secrets.token_urlsafe(64)) or switch to an asymmetric algorithm."
    )
    with pytest.raises(TokenError, match=r"HMAC"):
        validate_signing_key_shape("HS256", public.encode())
    assert validate_signing_key_shape("HS256", "x" * 32) is None
    assert validate_signing_key_shape("HS256", None) is None


def test_user_id_field_allowlist():
    """A-JTOK-023 A-JTOK-022 (W-16)"""
    with jwt_settings(USER_ID_FIELD="password"), pytest.raises(TokenConfigurationError) as info:
        AccessToken.for_user(USER)
    assert str(info.value) == (
        "RESTFLOW_SETTINGS['JWT']['USER_ID_FIELD']='password' is not in "
        "USER_ID_FIELD_ALLOWLIST=('id', 'pk', 'uuid', 'username', 'email'). Token claims must "
        "reference a stable, non-sensitive identifier (such as id, pk, uuid, username, email)."
    )
    user = SimpleNamespace(custom_id="abc-1")
    with jwt_settings(USER_ID_FIELD="custom_id", USER_ID_FIELD_ALLOWLIST=("id", "custom_id")):
        assert AccessToken.for_user(user).payload["user_id"] == "abc-1"
    with pytest.raises(TokenError, match=r"USER_ID_FIELD"):
        validate_user_id_field("password", ("id",))


def test_custom_claim_name():
    """A-JTOK-024"""
    with jwt_settings(USER_ID_CLAIM="uid", USER_ID_FIELD="pk"):
        payload = AccessToken.for_user(USER).payload
    assert payload["uid"] == 7 and "user_id" not in payload


def test_uuid_user_id_is_stringified():
    """A-JTOK-025 (W-07; authentication of UUID users: test_jwt_authentication)"""
    value = uuid.uuid4()
    with jwt_settings(USER_ID_FIELD="uuid"):
        token = AccessToken.for_user(SimpleNamespace(uuid=value))
        assert AccessToken.verify(str(token)).payload["user_id"] == str(value)


def test_revoke_claim():
    """A-JTOK-026"""
    fingerprint = get_password_hash(USER.password)
    assert len(fingerprint) == 32 and fingerprint == fingerprint.lower()
    int(fingerprint, 16)
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        refresh = RefreshToken.for_user(USER)
        for token in (AccessToken.for_user(USER), refresh, refresh.access_token, refresh.rotate()):
            assert token.payload["hash_password"] == fingerprint
    assert "hash_password" not in refresh.access_token.payload


def test_password_hash_deterministic():
    """A-JTOK-027 (W-13: md5 computed with usedforsecurity=False)"""
    assert get_password_hash("a") == get_password_hash("a") != get_password_hash("b")


def test_user_authentication_rule_resolution():
    """A-JTOK-028"""
    assert get_user_authentication_rule() is default_user_authentication_rule

    def rule(user):
        return True

    with jwt_settings(USER_AUTHENTICATION_RULE=rule):
        assert get_user_authentication_rule() is rule
    assert default_user_authentication_rule(None) is False
    assert default_user_authentication_rule(SimpleNamespace(is_active=False)) is False


@pytest.mark.parametrize(
    ("algorithm", "kind"), [("RS256", "rsa"), ("PS256", "rsa"), ("ES256", "ec"), ("EdDSA", "ed")]
)
def test_asymmetric_round_trip(keys, algorithm, kind):
    """A-JTOK-029 (W-08: a private key alone verifies through its public key)"""
    private, public = keys[kind]
    with jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=private, VERIFYING_KEY=public):
        token = AccessToken.for_user(USER)
        assert AccessToken.verify(str(token)) == token
    with jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=private):
        token = RefreshToken.for_user(USER)
        assert RefreshToken.verify(str(token)) == token
    with (
        jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=public),
        pytest.raises(TokenConfigurationError, match=r"public key"),
    ):
        AccessToken.for_user(USER)


def test_asymmetric_with_hmac_secret(keys):
    """A-JTOK-030 (W-08)"""
    with jwt_settings(ALGORITHM="RS256", SIGNING_KEY="x" * 64):
        with pytest.raises(TokenConfigurationError, match=r"RS256"):
            AccessToken.for_user(USER)
        with pytest.raises(TokenConfigurationError, match=r"SIGNING_KEY"):
            decode_token("a.b.c")
    ec_private, _ = keys["ec"]
    with (
        jwt_settings(ALGORITHM="RS256", SIGNING_KEY=ec_private),
        pytest.raises(TokenConfigurationError),
    ):
        AccessToken.for_user(USER)


def test_bytes_hmac_key():
    """A-JTOK-031"""
    with jwt_settings(SIGNING_KEY=KEY.encode()):
        token = AccessToken.for_user(USER)
        assert AccessToken.verify(str(token)) == token


def test_repr_redacted():
    """A-JTOK-032 (W-15)"""
    token = AccessToken.for_user(USER)
    text = repr(token)
    assert token.raw not in text and token.raw.split(".")[2] not in text
    assert "token_type='access'" in text and token.jti in text and str(token.exp) in text


def test_frozen():
    """A-JTOK-033"""
    token = AccessToken.for_user(USER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.payload = {}  # type: ignore[misc]
    assert AccessToken(payload={"jti": "j", "exp": "5"}).exp == 5
    assert AccessToken().jti == "" and AccessToken().exp == 0


def test_refresh_without_user_claim():
    """A-JTOK-034 (W-04)"""
    refresh = RefreshToken.verify(
        signed({"token_type": "refresh", "exp": now() + 60, "iat": now(), "jti": "j"})
    )
    for call in (lambda: refresh.access_token, refresh.rotate):
        with pytest.raises(TokenError, match=r"^Token contained no recognizable user"):
            call()


def test_without_cryptography(monkeypatch):
    """A-JTOK-035"""
    monkeypatch.setattr(pyjwt.algorithms, "has_crypto", False)
    with (
        jwt_settings(ALGORITHM="RS256"),
        pytest.raises(TokenConfigurationError, match=r"cryptography"),
    ):
        AccessToken.for_user(USER)


def test_build_jwt_payload_reads_password_only_when_revoking():
    """A-JTOK-026: user.password untouched unless CHECK_REVOKE_TOKEN"""
    payload = build_jwt_payload(SimpleNamespace(id=1), token_type="access", lifetime=timedelta(1))
    assert payload["user_id"] == 1


def test_nbf_and_future_iat():
    """A-JTOK-015: nbf honoured, future iat rejected (beyond leeway)"""
    with pytest.raises(TokenError, match=r"^The token is not yet valid \(nbf\)$"):
        decode_token(signed({"exp": now() + 600, "iat": now(), "nbf": now() + 300}))
    future = signed({"exp": now() + 600, "iat": now() + 300})
    with pytest.raises(TokenError, match=r"^The token is not yet valid \(iat\)$"):
        decode_token(future)
    with jwt_settings(LEEWAY=600):
        decode_token(future)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": "soon", "iat": 1}, "Expiration Time claim (exp) must be an integer."),
        ({"exp": 2**40, "iat": "then"}, "Issued At claim (iat) must be an integer."),
    ],
)
def test_claims_of_wrong_type(claims, message):
    """A-JTOK-015: wrongly typed registered claims are TokenErrors"""
    with pytest.raises(TokenError) as info:
        decode_token(signed(claims))
    assert str(info.value) == message


def test_wrongly_typed_jti_rejected():
    """claims of the wrong type: a non-string or oversized jti never reaches a blacklist key"""
    for jti in (5, ["x"], "j" * 129):
        raw = signed({"token_type": "access", "exp": now() + 60, "iat": now(), "jti": jti})
        with pytest.raises(TokenError, match=r"jti|JWT ID"):
            AccessToken.verify(raw)


def test_oversized_and_garbage_tokens():
    """A-JTOK-016: nothing but TokenError escapes decode_token"""
    for raw in ("", "garbage", "a.b", "a.b.c", "x" * 10_000, "..", "e30.e30.e30"):
        with pytest.raises(TokenError):
            decode_token(raw)
    with pytest.raises(TokenError, match=r"^Not enough segments$"):
        decode_token("garbage")


def test_import_before_setup_and_without_app():
    """A-MODEL-008: the package imports without django.setup() and without the app"""
    code = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['django.contrib.auth','django.contrib.contenttypes']);"
        "import restflow.authentication as a, restflow.authentication.jwt, "
        "restflow.authentication.authentication, sys;"
        "assert 'restflow.authentication.views' not in sys.modules;"
        "assert 'rest_framework.views' not in sys.modules;"
        "assert 'restflow.authentication.models' not in sys.modules;"
        "django.setup(); from restflow.authentication import JWTAuthentication, AccessToken"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_codec_knows_only_the_configured_algorithm():
    """A-JTOK-017: the PyJWT instance in use cannot be steered to another algorithm"""
    from restflow.authentication.tokens import _codec

    assert set(_codec()._jws._algorithms) == {"HS256"}
    with jwt_settings(ALGORITHM="HS512"):
        assert set(_codec()._jws._algorithms) == {"HS512"}
        token = AccessToken.for_user(USER)
        assert AccessToken.verify(str(token)) == token


def test_pyjwt_range_is_pinned_and_tested():
    """W-06: the client-visible messages come from PyJWT, so its range is pinned (>=2.13,<3)
    and the §1.4 messages are asserted verbatim by the tests of this module"""
    import pathlib
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # tomllib is 3.11+; the test group installs tomli on 3.10
        import tomli as tomllib

    pyproject = (
        pathlib.Path(__file__).resolve().parents[2] / "packages/restflow-auth/pyproject.toml"
    )
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert "pyjwt>=2.13,<3" in dependencies
    major, minor = (int(part) for part in pyjwt.__version__.split(".")[:2])
    assert (2, 13) <= (major, minor) < (3, 0)


def test_fingerprint_not_for_security(monkeypatch):
    """W-13: md5 is computed with usedforsecurity=False (FIPS builds refuse it otherwise)"""
    import hashlib

    real = hashlib.md5
    calls = []

    def strict_md5(data=b"", **kwargs):
        calls.append(kwargs)
        if kwargs.get("usedforsecurity") is not False:
            raise ValueError("[digital envelope routines] unsupported")
        return real(data, **kwargs)

    monkeypatch.setattr(hashlib, "md5", strict_md5)
    assert get_password_hash("pw") == real(b"pw").hexdigest()
    assert calls == [{"usedforsecurity": False}]


def test_django_floor():
    """W-24: no Django >= 5.0 API at import; restflow-core's Django >= 4.2 floor applies"""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "packages/restflow-auth"
    assert '"django>' not in (root / "pyproject.toml").read_text().lower()
    for module in (root / "src/restflow/authentication").rglob("*.py"):
        text = module.read_text()
        assert "from django.contrib.auth import aauthenticate" not in text, module
        assert "auth.aauthenticate" not in text, module


def test_get_verifying_key(keys):
    """A-JTOK-029 (W-08): the configured key, or the public key derived from a private one"""
    from restflow.authentication.jwt import get_verifying_key

    assert get_verifying_key() == KEY
    with jwt_settings(VERIFYING_KEY="other-secret"):
        assert get_verifying_key() == "other-secret"
    with jwt_settings(VERIFYING_KEY=""):
        assert get_verifying_key() == KEY
    private, public = keys["rsa"]
    with jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private, VERIFYING_KEY=public):
        assert get_verifying_key() == public
    with jwt_settings(ALGORITHM="RS256", SIGNING_KEY=private):
        derived = get_verifying_key()
        assert not hasattr(derived, "private_bytes")
        pem = derived.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        assert pem == public
