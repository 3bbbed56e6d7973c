"""Token endpoints: obtain a pair, refresh (with rotation), blacklist (logout).

Only importable from here: ``import restflow.authentication`` never imports views (§0).
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response

from restflow.authentication.blacklist import (
    ATokenBlacklist,
    family_mark,
    get_token_blacklist_backend,
    revocation_window_end,
)
from restflow.authentication.jwt import aload_user, blacklisted, invalid_token, revocation_query
from restflow.authentication.serializers import (
    TokenBlacklistSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from restflow.authentication.tokens import (
    AccessToken,
    RefreshToken,
    TokenConfigurationError,
    TokenError,
    get_user_authentication_rule,
    jwt_config,
)

# Module attribute looked up at call time: tests patch it (documented seam).
from restflow.helpers import aauthenticate as django_aauthenticate
from restflow.views import AsyncAPIView

__all__ = ["TokenBlacklistView", "TokenObtainView", "TokenRefreshView", "django_aauthenticate"]


def verified_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken.verify(raw)
    except TokenConfigurationError:
        raise
    except TokenError as exc:
        raise invalid_token(str(exc))


async def revoke_family(refresh: RefreshToken) -> None:
    """End the refresh token's whole rotation chain (reuse detection, W-12)."""
    if not refresh.family:
        return
    await ATokenBlacklist.ablacklist(
        family_mark(refresh.family), expires_at=revocation_window_end()
    )


class TokenView(AsyncAPIView):
    """Shared setup: no authentication or permissions, a ``Bearer`` challenge on 401."""

    authentication_classes = ()
    permission_classes = ()
    serializer_class: Any = None

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenObtainView(TokenView):
    """``{"username", "password"}`` → ``{"access", "refresh"}``."""

    serializer_class = TokenObtainSerializer

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = (await self.avalidated_serializer()).validated_data
        user = await django_aauthenticate(
            request=request, username=data["username"], password=data["password"]
        )
        if not get_user_authentication_rule()(user):
            raise AuthenticationFailed(
                "No active account found with the given credentials.", code="no_active_account"
            )
        access, refresh = AccessToken.for_user(user), RefreshToken.for_user(user)
        return Response({"access": str(access), "refresh": str(refresh)})


class TokenRefreshView(TokenView):
    """``{"refresh"}`` → ``{"access"}`` (plus a new ``refresh`` when rotating)."""

    serializer_class = TokenRefreshSerializer

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = (await self.avalidated_serializer()).validated_data
        refresh = verified_refresh(data["refresh"])
        config = jwt_config()
        if config.BLACKLIST_ENABLED:
            await self.check_not_revoked(refresh)
        if config.REFRESH_CHECK_USER:
            await aload_user(refresh.payload)  # W-03: deleted, inactive, password changed
        try:
            body = {"access": str(refresh.access_token)}
            if config.ROTATE_REFRESH_TOKENS:
                body["refresh"] = str(refresh.rotate())
        except TokenConfigurationError:
            raise
        except TokenError as exc:
            raise invalid_token(str(exc))
        # Atomic: of two concurrent refreshes with one token exactly one wins (W-02).
        if (
            config.ROTATE_REFRESH_TOKENS
            and config.BLACKLIST_ENABLED
            and refresh.jti  # a token without jti cannot be tracked (as in authentication)
            and not await get_token_blacklist_backend().aclaim(refresh.jti, expires_at=refresh.exp)
        ):
            raise blacklisted()
        return Response(body)

    async def check_not_revoked(self, refresh: RefreshToken) -> None:
        chain = [family_mark(refresh.family)] if refresh.family else []
        query = revocation_query(refresh.payload, *chain)
        backend = get_token_blacklist_backend()
        if query is not None and await backend.ais_revoked(*query, refresh.payload.get("iat")):
            # A revoked refresh token presented again: whoever holds its descendants
            # (rotated by a thief, or by the victim) loses them too.
            await revoke_family(refresh)
            raise blacklisted()


class TokenBlacklistView(TokenView):
    """``{"refresh"}`` → 204: the token and its rotation chain are revoked (logout)."""

    serializer_class = TokenBlacklistSerializer

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = (await self.avalidated_serializer()).validated_data
        refresh = verified_refresh(data["refresh"])
        await refresh.ablacklist()
        await revoke_family(refresh)
        return Response(status=status.HTTP_204_NO_CONTENT)
