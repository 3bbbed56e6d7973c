"""DRF's authenticators with a native ``aauthenticate`` for async views.

Each class inherits restflow's ``BaseAuthentication`` and the DRF class of the same name: the
sync ``authenticate`` is DRF's, the async twin parses the same header the same way and reaches
the database through the async ORM and ``restflow.helpers.aauthenticate`` (Django 4.2 too).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication as drf
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

# Module attribute looked up at call time: tests patch it (documented seam).
from restflow.helpers import aauthenticate as django_aauthenticate
from restflow.helpers import auser

__all__ = [
    "BaseAuthentication",
    "BasicAuthentication",
    "RemoteUserAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
    "django_aauthenticate",
    "get_authorization_header",
]


class BaseAuthentication(drf.BaseAuthentication):
    """DRF's base with an async entry point; a sync-only subclass runs in a worker thread."""

    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        if type(self).authenticate is drf.BaseAuthentication.authenticate:
            raise NotImplementedError(".authenticate() must be overridden.")
        return await sync_to_async(self.authenticate, thread_sensitive=True)(request)


def _scheme_parts(request: Any, scheme: bytes) -> list[bytes] | None:
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != scheme:
        return None
    return parts


class BasicAuthentication(BaseAuthentication, drf.BasicAuthentication):
    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = _scheme_parts(request, b"basic")
        if parts is None:
            return None
        if len(parts) == 1:
            raise AuthenticationFailed(_("Invalid basic header. No credentials provided."))
        if len(parts) > 2:
            raise AuthenticationFailed(
                _("Invalid basic header. Credentials string should not contain spaces.")
            )
        try:
            decoded = base64.b64decode(parts[1])
            try:
                text = decoded.decode("utf-8")
            except UnicodeDecodeError:
                text = decoded.decode("latin-1")
            userid, password = text.split(":", 1)
        except (TypeError, ValueError, UnicodeDecodeError, binascii.Error):
            raise AuthenticationFailed(
                _("Invalid basic header. Credentials not correctly base64 encoded.")
            )
        return await self.aauthenticate_credentials(userid, password, request)

    async def aauthenticate_credentials(
        self, userid: str, password: str, request: Any = None
    ) -> tuple[Any, None]:
        credentials = {get_user_model().USERNAME_FIELD: userid, "password": password}
        user = await django_aauthenticate(request=request, **credentials)
        if user is None:
            raise AuthenticationFailed(_("Invalid username/password."))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (user, None)


class SessionAuthentication(BaseAuthentication, drf.SessionAuthentication):
    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        user = await auser(request._request)
        if not user or not user.is_active:
            return None
        await sync_to_async(self.enforce_csrf, thread_sensitive=True)(request)
        return (user, None)


class TokenAuthentication(BaseAuthentication, drf.TokenAuthentication):
    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = _scheme_parts(request, self.keyword.lower().encode())
        if parts is None:
            return None
        if len(parts) == 1:
            raise AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(parts) > 2:
            raise AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            )
        return await self.aauthenticate_credentials(key)

    async def aauthenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = self.get_model()
        try:
            token = await model.objects.select_related("user").aget(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)


class RemoteUserAuthentication(BaseAuthentication, drf.RemoteUserAuthentication):
    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        remote_user = request.META.get(self.header)
        user = await django_aauthenticate(request=request, remote_user=remote_user)
        if user and user.is_active:
            return (user, None)
        return None
