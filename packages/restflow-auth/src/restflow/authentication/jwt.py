"""JWT authentication: ``JWTAuthentication`` plus the token and blacklist API (§1.1).

The sync ``authenticate`` and the async ``aauthenticate`` drive the same pure steps (header
parsing, verification, claim checks, user checks); only the two I/O steps differ: the
revocation lookup and the user query (sync ORM and cache, or their async APIs).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import (
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from rest_framework.exceptions import AuthenticationFailed

from restflow.authentication.authentication import BaseAuthentication
from restflow.authentication.blacklist import (
    BLACKLIST_CACHE_PREFIX,
    LOCAL_CACHE_BACKEND_PATHS,
    ATokenBlacklist,
    BlacklistBackend,
    CacheBlacklistBackend,
    ModelBlacklistBackend,
    arevoke_user_tokens,
    get_blacklisted_token_model,
    get_token_blacklist_backend,
    resolve_token_blacklist_backend,
    revoke_user_tokens,
    user_mark,
)
from restflow.authentication.tokens import (
    ACCESS_TOKEN_TYPE,
    ALLOWED_ALGORITHMS,
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    REFRESH_TOKEN_TYPE,
    AccessToken,
    RefreshToken,
    TokenConfigurationError,
    TokenError,
    build_jwt_payload,
    decode_token,
    default_user_authentication_rule,
    encode_token,
    get_jwt_settings,
    get_now_time,
    get_password_hash,
    get_user_authentication_rule,
    get_verifying_key,
    header_types,
    jwt_config,
    memoised,
    validate_algorithm,
    validate_signing_key_shape,
    validate_user_id_field,
)

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALLOWED_ALGORITHMS",
    "ASYMMETRIC_ALGORITHMS",
    "BLACKLIST_CACHE_PREFIX",
    "HMAC_ALGORITHMS",
    "LOCAL_CACHE_BACKEND_PATHS",
    "REFRESH_TOKEN_TYPE",
    "ATokenBlacklist",
    "AccessToken",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "JWTAuthentication",
    "ModelBlacklistBackend",
    "RefreshToken",
    "TokenConfigurationError",
    "TokenError",
    "arevoke_user_tokens",
    "build_jwt_payload",
    "decode_token",
    "default_user_authentication_rule",
    "encode_token",
    "get_blacklisted_token_model",
    "get_jwt_settings",
    "get_now_time",
    "get_password_hash",
    "get_token_blacklist_backend",
    "get_user_authentication_rule",
    "get_verifying_key",
    "resolve_token_blacklist_backend",
    "revoke_user_tokens",
    "validate_algorithm",
    "validate_signing_key_shape",
    "validate_user_id_field",
]

logger = logging.getLogger("restflow.authentication")

NO_USER_ID = "Token contained no recognizable user identification."


def invalid_token(message: str) -> AuthenticationFailed:
    return AuthenticationFailed(message, code="invalid_token")


def user_lookup(payload: dict[str, Any]) -> dict[str, Any]:
    """ORM lookup for the token's user claim (steps 7 and 7b)."""
    config = jwt_config()
    value = payload.get(config.USER_ID_CLAIM)
    # Only what build_jwt_payload writes: a 1.9 or True would otherwise match user 1.
    if not isinstance(value, (int, str)) or isinstance(value, bool) or value == "":
        raise invalid_token(NO_USER_ID)
    return {config.USER_ID_FIELD: value}


def revocation_query(
    payload: dict[str, Any], *extra_ids: str
) -> tuple[list[str], str | None] | None:
    """Blacklist ids (the ``jti``, plus ``extra_ids``) and user mark to look up for
    ``payload``; ``None`` when the blacklist is off or nothing could match."""
    config = jwt_config()
    if not config.BLACKLIST_ENABLED:
        return None
    ids = [i for i in (payload.get("jti"), *extra_ids) if i]
    value = payload.get(config.USER_ID_CLAIM)
    mark = user_mark(value) if isinstance(value, (int, str)) and value != "" else None
    if not ids and mark is None:
        return None
    return ids, mark


def blacklisted() -> AuthenticationFailed:
    return AuthenticationFailed("Token has been blacklisted.", code="token_blacklisted")


def check_user(user: Any, payload: dict[str, Any]) -> Any:
    """Steps 9 and 10: active flag, then the password fingerprint (constant time, W-13)."""
    config = jwt_config()
    if config.CHECK_USER_IS_ACTIVE and not user.is_active:
        raise AuthenticationFailed("User is inactive.", code="user_inactive")
    if config.CHECK_REVOKE_TOKEN:
        claim = payload.get(config.REVOKE_TOKEN_CLAIM)
        current = get_password_hash(user.password)
        if not isinstance(claim, str) or not hmac.compare_digest(claim, current):
            raise AuthenticationFailed(
                "The user's password has been changed.", code="password_changed"
            )
    return user


def _manager() -> Any:
    # _default_manager, not ``objects``: custom user models may not have one (W-05).
    return memoised("user_manager", lambda: get_user_model()._default_manager)


LOOKUP_ERRORS = (
    ObjectDoesNotExist,
    MultipleObjectsReturned,
    ValueError,
    TypeError,
    ValidationError,
)


def lookup_failure(exc: Exception, lookup: dict[str, Any]) -> AuthenticationFailed:
    """The 401 for an error of the user query, the same for both ORM APIs (W-05)."""
    if isinstance(exc, MultipleObjectsReturned):
        logger.error(
            "JWT user lookup %r matched several users: USER_ID_FIELD is not unique.", lookup
        )
    if isinstance(exc, (ObjectDoesNotExist, MultipleObjectsReturned)):
        return AuthenticationFailed("User not found.", code="user_not_found")
    return invalid_token(NO_USER_ID)


def load_user(payload: dict[str, Any]) -> Any:
    """Steps 7-10 on the sync ORM."""
    lookup = user_lookup(payload)
    try:
        user = _manager().get(**lookup)
    except LOOKUP_ERRORS as exc:
        raise lookup_failure(exc, lookup)
    return check_user(user, payload)


async def aload_user(payload: dict[str, Any]) -> Any:
    """Steps 7-10 on the async ORM."""
    lookup = user_lookup(payload)
    try:
        user = await _manager().aget(**lookup)
    except LOOKUP_ERRORS as exc:
        raise lookup_failure(exc, lookup)
    return check_user(user, payload)


class JWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <access token>``; the sync and async twins behave alike."""

    www_authenticate_realm = "api"

    def authenticate(self, request: Any) -> tuple[Any, AccessToken] | None:
        token = self.get_validated_token(request)
        if token is None:
            return None
        query = revocation_query(token.payload)
        if query is not None and get_token_blacklist_backend()._is_revoked_sync(
            *query, token.payload.get("iat")
        ):
            raise blacklisted()
        return self.get_user(token), token

    async def aauthenticate(self, request: Any) -> tuple[Any, AccessToken] | None:
        token = self.get_validated_token(request)
        if token is None:
            return None
        query = revocation_query(token.payload)
        if query is not None and await get_token_blacklist_backend().ais_revoked(
            *query, token.payload.get("iat")
        ):
            raise blacklisted()
        return await self.aget_user(token), token

    def authenticate_header(self, request: Any) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'

    def get_validated_token(self, request: Any) -> AccessToken | None:
        """Steps 1-5: the access token of the request, ``None`` when it carries none of ours."""
        header = request.META.get("HTTP_AUTHORIZATION", b"")
        if isinstance(header, str):
            try:
                header = header.encode("latin-1")
            except UnicodeEncodeError:  # only test clients can send these
                header = header.encode("utf-8")
        parts = header.split()
        if not parts or parts[0].lower() not in header_types():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Authorization header must be 'Bearer <token>'.",
                code="invalid_authorization_header",
            )
        try:
            raw = parts[1].decode("utf-8")
        except UnicodeDecodeError:
            raise invalid_token("Token contains invalid characters.")
        try:
            return AccessToken.verify(raw)
        except TokenConfigurationError:
            raise
        except TokenError as exc:
            raise invalid_token(str(exc))

    def get_user(self, token: AccessToken) -> Any:
        return load_user(token.payload)

    async def aget_user(self, token: AccessToken) -> Any:
        return await aload_user(token.payload)
