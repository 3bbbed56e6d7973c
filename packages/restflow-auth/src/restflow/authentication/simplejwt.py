"""``SimpleJWTAuthentication``: djangorestframework-simplejwt tokens under async views.

The sync path is simplejwt's own. The async path validates in a worker (token classes may
query their blacklist tables) and loads the user with the async ORM. Settings come from
``SIMPLE_JWT``, read at call time because simplejwt replaces its settings object on
``setting_changed`` (W-22).
"""

from __future__ import annotations

import hmac
from typing import Any

try:
    from rest_framework_simplejwt import settings as simplejwt_settings
    from rest_framework_simplejwt.authentication import JWTAuthentication as _SimpleJWT
    from rest_framework_simplejwt.utils import get_md5_hash_password
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "djangorestframework-simplejwt is not installed. Install it with "
        'pip install "restflow-auth[simplejwt]" (or "drf-restflow[simplejwt]") to use '
        "restflow.authentication.simplejwt.SimpleJWTAuthentication."
    ) from exc

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed

from restflow.authentication.authentication import BaseAuthentication

__all__ = ["SimpleJWTAuthentication"]


def _setting(name: str, default: Any = None) -> Any:
    return getattr(simplejwt_settings.api_settings, name, default)


class SimpleJWTAuthentication(BaseAuthentication, _SimpleJWT):
    www_authenticate_realm = "api"

    def authenticate_header(self, request: Any) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'

    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        if header is None:
            return None
        raw = self.get_raw_token(header)
        if raw is None:
            return None
        # simplejwt's InvalidToken keeps its structured detail (W-22 b).
        validated = await sync_to_async(self.get_validated_token, thread_sensitive=True)(raw)
        return await self.aget_user(validated), validated

    async def aget_user(self, validated_token: Any) -> Any:
        claim = _setting("USER_ID_CLAIM", "user_id")
        try:
            user_id = validated_token[claim]
        except KeyError:
            raise AuthenticationFailed(
                "Token contained no recognizable user identification.", code="invalid_token"
            )
        model = get_user_model()
        try:
            user = await model._default_manager.aget(**{_setting("USER_ID_FIELD", "id"): user_id})
        except model.DoesNotExist:
            raise AuthenticationFailed("User not found.", code="user_not_found")
        if _setting("CHECK_USER_IS_ACTIVE", True) and not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        if _setting("CHECK_REVOKE_TOKEN", False):
            stored = validated_token.get(_setting("REVOKE_TOKEN_CLAIM", "hash_password"))
            current = get_md5_hash_password(user.password)
            if not isinstance(stored, str) or not hmac.compare_digest(stored, current):
                raise AuthenticationFailed(
                    "The user's password has been changed.", code="password_changed"
                )
        return user
