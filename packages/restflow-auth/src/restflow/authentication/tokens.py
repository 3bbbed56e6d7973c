"""Signed JWTs: settings, keys, encoding, decoding and the access/refresh token classes.

Everything here is pure CPU (no I/O), so it is safe to call on the event loop. Settings are
read from ``restflow_settings.JWT``; what is expensive to derive from them (loaded keys,
imported rules) is memoised until the next ``setting_changed``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, TypeVar

import jwt
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from restflow.settings import restflow_settings

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALLOWED_ALGORITHMS",
    "ASYMMETRIC_ALGORITHMS",
    "FAMILY_CLAIM",
    "HMAC_ALGORITHMS",
    "MAX_TOKEN_LENGTH",
    "REFRESH_TOKEN_TYPE",
    "AccessToken",
    "RefreshToken",
    "TokenConfigurationError",
    "TokenError",
    "build_jwt_payload",
    "decode_token",
    "default_user_authentication_rule",
    "encode_token",
    "get_jwt_settings",
    "get_now_time",
    "get_password_hash",
    "get_user_authentication_rule",
    "get_verifying_key",
    "jwt_config",
    "leeway_seconds",
    "user_id_claim_value",
    "validate_algorithm",
    "validate_signing_key_shape",
    "validate_user_id_field",
]

ACCESS_TOKEN_TYPE = "access"
REFRESH_TOKEN_TYPE = "refresh"
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES256K",
    "ES384",
    "ES512",
    "EdDSA",
)
ALLOWED_ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS
# Rotated refresh tokens carry the jti of the first token of their chain, so presenting a
# rotated (blacklisted) token again can revoke the whole chain (W-12).
FAMILY_CLAIM = "fam"
# A compact JWT of ours is a few hundred bytes; anything far larger is refused before parsing.
MAX_TOKEN_LENGTH = 8192
MAX_JTI_LENGTH = 128

_SETTING = "RESTFLOW_SETTINGS['JWT']"


class TokenError(Exception):
    """A token could not be issued, decoded or verified; ``str(exc)`` is the message."""


class TokenConfigurationError(TokenError, ImproperlyConfigured):
    """The server's JWT settings are wrong: a 500 for the operator, never a 401 (W-09)."""


# -- settings -------------------------------------------------------------------------------

_memo: dict[str, Any] = {}


def _clear_memo(**kwargs: Any) -> None:
    _memo.clear()


setting_changed.connect(_clear_memo, dispatch_uid="restflow.authentication.tokens")


def memoised(name: str, build: Callable[[], Any]) -> Any:
    """``build()`` once per settings generation (cleared on every ``setting_changed``)."""
    try:
        return _memo[name]
    except KeyError:
        value = _memo[name] = build()
        return value


def get_jwt_settings() -> Any:
    return restflow_settings.JWT


def jwt_config() -> Any:
    """The JWT settings as plain attributes, snapshotted once per settings generation: the
    request path reads a dozen keys, and each read of the settings object costs a lookup."""
    return memoised("config", lambda: SimpleNamespace(**get_jwt_settings().to_dict()))


def get_now_time() -> datetime:
    return datetime.now(tz=timezone.utc)


def leeway_seconds() -> float:
    leeway = jwt_config().LEEWAY
    if isinstance(leeway, timedelta):
        return leeway.total_seconds()
    return float(leeway or 0)


def leeway_ceil() -> int:
    return math.ceil(leeway_seconds())


def header_types() -> frozenset[bytes]:
    """Lower-cased accepted schemes; a bare string is one scheme (W-21)."""

    def build() -> frozenset[bytes]:
        types = jwt_config().AUTH_HEADER_TYPES
        if isinstance(types, (str, bytes)):
            types = (types,)
        return frozenset(
            (t if isinstance(t, bytes) else t.encode("latin-1")).lower() for t in types
        )

    return memoised("header_types", build)


# -- validation ------------------------------------------------------------------------------


def validate_algorithm(algorithm: str) -> None:
    if algorithm == "none":
        raise TokenConfigurationError(
            f"{_SETTING}['ALGORITHM'] is 'none'. The 'none' algorithm disables signature "
            "verification and is unsafe."
        )
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenConfigurationError(
            f"{_SETTING}['ALGORITHM']={algorithm!r} is not supported. Choose one of "
            f"{', '.join(ALLOWED_ALGORITHMS)}."
        )


def _looks_like_pem(key: str | bytes) -> bool:
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    return "-----BEGIN " in text


def validate_signing_key_shape(algorithm: str, key: Any) -> None:
    """Refuse key material of the wrong family for ``algorithm`` (W-08)."""
    if key is None:
        return
    if algorithm in HMAC_ALGORITHMS:
        if isinstance(key, (str, bytes)) and _looks_like_pem(key):
            raise TokenConfigurationError(
                f"{_SETTING}['ALGORITHM']={algorithm!r} expects an HMAC secret but SIGNING_KEY "
                "looks like a PEM-encoded asymmetric key. Use a random secret (e.g. "
                "secrets.token_urlsafe(64)) or switch to an asymmetric algorithm."
            )
        return
    _load_asymmetric_key(algorithm, key, setting="SIGNING_KEY", private=False)


def validate_user_id_field(user_id_field: str, allowlist: Iterable[str]) -> None:
    allowlist = tuple(allowlist)
    if user_id_field not in allowlist:
        raise TokenConfigurationError(
            f"{_SETTING}['USER_ID_FIELD']={user_id_field!r} is not in "
            f"USER_ID_FIELD_ALLOWLIST={allowlist!r}. Token claims must reference a stable, "
            "non-sensitive identifier (such as id, pk, uuid, username, email)."
        )


# -- keys ------------------------------------------------------------------------------------


def _missing_signing_key() -> TokenConfigurationError:
    return TokenConfigurationError(
        f"{_SETTING}['SIGNING_KEY'] is not set. Configure a signing key before issuing or "
        "verifying tokens."
    )


def _load_asymmetric_key(algorithm: str, key: Any, *, setting: str, private: bool) -> Any:
    """Load PEM/JWK/key-object material for an asymmetric algorithm, or explain why not."""
    if not jwt.algorithms.has_crypto:
        raise TokenConfigurationError(
            f"{_SETTING}['ALGORITHM']={algorithm!r} needs the 'cryptography' package. "
            'Install it (pip install "pyjwt[crypto]") or use an HMAC algorithm.'
        )
    try:
        loaded = jwt.get_algorithm_by_name(algorithm).prepare_key(key)
    except Exception as exc:  # PyJWT and cryptography raise many kinds here (W-08)
        raise TokenConfigurationError(
            f"{_SETTING}['{setting}'] cannot be used with ALGORITHM={algorithm!r}: "
            f"expected a PEM-encoded {'private' if private else 'private or public'} key "
            f"of that algorithm's family ({type(exc).__name__}: {exc})."
        ) from exc
    if private and not hasattr(loaded, "public_key"):
        raise TokenConfigurationError(
            f"{_SETTING}['{setting}'] is a public key; ALGORITHM={algorithm!r} signs with "
            "the private key. Put the private key in SIGNING_KEY and the public key in "
            "VERIFYING_KEY."
        )
    return loaded


def _signing_key() -> Any:
    def build() -> Any:
        config = jwt_config()
        key, algorithm = config.SIGNING_KEY, config.ALGORITHM
        if key is None:
            raise _missing_signing_key()
        validate_algorithm(algorithm)
        validate_signing_key_shape(algorithm, key)
        if algorithm in HMAC_ALGORITHMS:
            return _checked_hmac_key(algorithm, key, "SIGNING_KEY")
        return _load_asymmetric_key(algorithm, key, setting="SIGNING_KEY", private=True)

    return memoised("signing_key", build)


def _checked_hmac_key(algorithm: str, key: Any, setting: str) -> bytes:
    try:
        return jwt.get_algorithm_by_name(algorithm).prepare_key(key)
    except Exception as exc:
        raise TokenConfigurationError(
            f"{_SETTING}['{setting}'] is not a usable HMAC secret for ALGORITHM={algorithm!r} "
            f"({exc}). Use a random secret (e.g. secrets.token_urlsafe(64))."
        ) from exc


def get_verifying_key() -> Any:
    """``VERIFYING_KEY or SIGNING_KEY``, as configured; when an asymmetric algorithm falls back
    to a private ``SIGNING_KEY``, its public key (a ``cryptography`` key object, W-08)."""
    config = jwt_config()
    if config.VERIFYING_KEY or config.ALGORITHM in HMAC_ALGORITHMS:
        return config.VERIFYING_KEY or config.SIGNING_KEY
    return loaded_verifying_key()


def loaded_verifying_key() -> Any:
    """The verifying key, checked and loaded for the configured algorithm."""

    def build() -> Any:
        config = jwt_config()
        algorithm = config.ALGORITHM
        setting = "VERIFYING_KEY" if config.VERIFYING_KEY else "SIGNING_KEY"
        key = config.VERIFYING_KEY or config.SIGNING_KEY
        if key is None:
            raise _missing_signing_key()
        validate_algorithm(algorithm)
        if algorithm in HMAC_ALGORITHMS:
            validate_signing_key_shape(algorithm, key)
            return _checked_hmac_key(algorithm, key, setting)
        loaded = _load_asymmetric_key(algorithm, key, setting=setting, private=False)
        return loaded.public_key() if hasattr(loaded, "public_key") else loaded

    return memoised("verifying_key", build)


# -- codec -----------------------------------------------------------------------------------


class _ValidatedKey(jwt.algorithms.Algorithm):
    """The configured algorithm, skipping PyJWT's per-call key parsing for the one key that
    was loaded and checked when the settings were read (about a quarter of a decode)."""

    def __init__(self, inner: Any, *keys: Any) -> None:
        self.inner, self.keys = inner, keys

    def prepare_key(self, key: Any) -> Any:
        return key if any(key is k for k in self.keys) else self.inner.prepare_key(key)

    def sign(self, msg: bytes, key: Any) -> bytes:
        return self.inner.sign(msg, key)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        return self.inner.verify(msg, key, sig)

    def check_key_length(self, key: Any) -> str | None:
        return self.inner.check_key_length(key)

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Any) -> Any:
        raise NotImplementedError


def _codec() -> jwt.PyJWT:
    """A PyJWT instance that knows only the configured algorithm: the token header can
    never select another one, and the checked keys are not re-parsed on every call."""

    def build() -> jwt.PyJWT:
        algorithm = jwt_config().ALGORITHM
        validate_algorithm(algorithm)
        keys = []
        for load in (_signing_key, loaded_verifying_key):
            try:
                keys.append(load())
            except TokenError:  # e.g. a verify-only service has no signing key
                pass
        jws = jwt.PyJWS(algorithms=[])
        jws.register_algorithm(
            algorithm, _ValidatedKey(jwt.get_algorithm_by_name(algorithm), *keys)
        )
        codec = jwt.PyJWT()
        codec._jws = jws  # PyJWT's own module wires its global object the same way
        return codec

    return memoised("codec", build)


# -- encoding --------------------------------------------------------------------------------


def encode_token(payload: dict[str, Any]) -> str:
    """Sign ``payload`` verbatim with the configured algorithm and signing key."""
    key = _signing_key()
    algorithm = jwt_config().ALGORITHM
    try:
        return _codec().encode(payload, key, algorithm=algorithm)
    except (TypeError, ValueError) as exc:
        raise TokenError(f"Token could not be encoded: {exc}") from exc
    except Exception as exc:
        raise TokenConfigurationError(
            f"{_SETTING}['SIGNING_KEY'] could not sign with ALGORITHM={algorithm!r}: {exc}"
        ) from exc


def _decode_options() -> tuple[dict[str, Any], dict[str, Any]]:
    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        config = jwt_config()
        kwargs: dict[str, Any] = {
            "algorithms": [config.ALGORITHM],  # never the algorithm of the token header
            "leeway": leeway_seconds(),
            "audience": config.AUDIENCE,
            "issuer": config.ISSUER,
        }
        options: dict[str, Any] = {"require": ["exp", "iat"], "verify_aud": True}
        return kwargs, options

    return memoised("decode_options", build)


def decode_token(raw: str) -> dict[str, Any]:
    """Verify signature and registered claims; return the claims. ``token_type`` is not checked."""
    algorithm = jwt_config().ALGORITHM
    validate_algorithm(algorithm)
    key = loaded_verifying_key()
    if not isinstance(raw, (str, bytes)) or len(raw) > MAX_TOKEN_LENGTH:
        raise TokenError("Token is invalid.")
    kwargs, options = _decode_options()
    try:
        payload = _codec().decode(raw, key, options=options, **kwargs)  # type: ignore[arg-type]
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("Token has expired.") from exc
    except jwt.InvalidKeyError as exc:
        raise TokenConfigurationError(
            f"{_SETTING}: the verifying key cannot verify ALGORITHM={algorithm!r}: {exc}"
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError(str(exc) or "Token is invalid.") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise TokenError("Token is invalid.") from exc
    if not isinstance(payload, dict):
        raise TokenError("Token is invalid.")
    return payload


# -- claims ----------------------------------------------------------------------------------


def get_password_hash(password: str) -> str:
    """Fingerprint of the stored password hash (md5 kept for wire compatibility, W-13)."""
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def user_id_claim_value(value: Any) -> int | str:
    """``int`` and ``str`` go as they are; anything else (``UUID``...) as ``str`` (W-07)."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    return str(value)


def build_jwt_payload(user: Any, *, token_type: str, lifetime: timedelta) -> dict[str, Any]:
    config = jwt_config()
    validate_user_id_field(config.USER_ID_FIELD, config.USER_ID_FIELD_ALLOWLIST)
    now = get_now_time()
    payload: dict[str, Any] = {
        "token_type": token_type,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_urlsafe(16),
        config.USER_ID_CLAIM: user_id_claim_value(getattr(user, config.USER_ID_FIELD)),
    }
    _add_registered_claims(payload)
    if config.CHECK_REVOKE_TOKEN:
        payload[config.REVOKE_TOKEN_CLAIM] = get_password_hash(user.password)
    return payload


def _add_registered_claims(payload: dict[str, Any]) -> None:
    config = jwt_config()
    if config.ISSUER is not None:
        payload["iss"] = config.ISSUER
    if config.AUDIENCE is not None:
        payload["aud"] = config.AUDIENCE


def default_user_authentication_rule(user: Any) -> bool:
    return user is not None and user.is_active


def get_user_authentication_rule() -> Callable[[Any], bool]:
    def build() -> Callable[[Any], bool]:
        rule = jwt_config().USER_AUTHENTICATION_RULE
        return import_string(rule) if isinstance(rule, str) else rule

    return memoised("user_authentication_rule", build)


# -- token classes ---------------------------------------------------------------------------

TokenT = TypeVar("TokenT", bound="_Token")


@dataclasses.dataclass(frozen=True, eq=True, repr=False)
class _Token:
    payload: dict[str, Any] = dataclasses.field(default_factory=dict)
    raw: str = ""
    token_type: str = ""

    lifetime_setting = ""

    def __str__(self) -> str:
        return self.raw

    def __repr__(self) -> str:
        # Never the signed token or the claims: reprs end up in logs and tracebacks (W-15).
        return (
            f"<{type(self).__name__} token_type={self.token_type!r} jti={self.jti!r} "
            f"exp={self.exp}>"
        )

    @property
    def jti(self) -> str:
        return self.payload.get("jti", "")

    @property
    def exp(self) -> int:
        return int(self.payload.get("exp", 0))

    @classmethod
    def for_user(cls: type[TokenT], user: Any) -> TokenT:
        lifetime = getattr(jwt_config(), cls.lifetime_setting)
        payload = build_jwt_payload(user, token_type=cls._type(), lifetime=lifetime)
        return cls(payload=payload, raw=encode_token(payload), token_type=cls._type())

    @classmethod
    def verify(cls: type[TokenT], raw: str) -> TokenT:
        payload = decode_token(raw)
        expected = cls._type()
        if payload.get("token_type") != expected:
            raise TokenError(f"Wrong token type, expected '{expected}'.")
        jti = payload.get("jti", "")
        if not isinstance(jti, str) or len(jti) > MAX_JTI_LENGTH:
            raise TokenError("Token has an invalid 'jti' claim.")
        raw = raw if isinstance(raw, str) else raw.decode()
        return cls(payload=payload, raw=raw, token_type=expected)

    @classmethod
    def _type(cls) -> str:
        raise NotImplementedError


class AccessToken(_Token):
    lifetime_setting = "ACCESS_TOKEN_LIFETIME"

    @classmethod
    def _type(cls) -> str:
        return ACCESS_TOKEN_TYPE


class RefreshToken(_Token):
    lifetime_setting = "REFRESH_TOKEN_LIFETIME"

    @classmethod
    def _type(cls) -> str:
        return REFRESH_TOKEN_TYPE

    @property
    def family(self) -> str:
        """jti of the first refresh token of this rotation chain."""
        family = self.payload.get(FAMILY_CLAIM)
        return family if isinstance(family, str) and family else self.jti

    def _mint(self, token_type: str, lifetime: timedelta) -> dict[str, Any]:
        config = jwt_config()
        claim = config.USER_ID_CLAIM
        if claim not in self.payload:
            raise TokenError("Token contained no recognizable user identification.")
        now = get_now_time()
        payload: dict[str, Any] = {
            "token_type": token_type,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": secrets.token_urlsafe(16),
            claim: self.payload[claim],
        }
        _add_registered_claims(payload)
        revoke_claim = config.REVOKE_TOKEN_CLAIM
        if config.CHECK_REVOKE_TOKEN and revoke_claim in self.payload:
            payload[revoke_claim] = self.payload[revoke_claim]
        return payload

    @property
    def access_token(self) -> AccessToken:
        payload = self._mint(ACCESS_TOKEN_TYPE, jwt_config().ACCESS_TOKEN_LIFETIME)
        return AccessToken(payload=payload, raw=encode_token(payload), token_type=ACCESS_TOKEN_TYPE)

    def rotate(self) -> RefreshToken:
        payload = self._mint(REFRESH_TOKEN_TYPE, jwt_config().REFRESH_TOKEN_LIFETIME)
        payload[FAMILY_CLAIM] = self.family
        return RefreshToken(
            payload=payload, raw=encode_token(payload), token_type=REFRESH_TOKEN_TYPE
        )

    def blacklist(self) -> None:
        from restflow.authentication.blacklist import ATokenBlacklist

        ATokenBlacklist.blacklist(self.jti, expires_at=self.exp)

    async def ablacklist(self) -> None:
        from restflow.authentication.blacklist import ATokenBlacklist

        await ATokenBlacklist.ablacklist(self.jti, expires_at=self.exp)
