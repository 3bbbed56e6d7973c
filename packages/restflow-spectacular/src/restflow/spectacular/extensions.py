"""drf-spectacular extensions for restflow-auth's authenticators and token views (W-25).

restflow-auth is not a dependency of restflow-spectacular: every target is a dotted string,
which drf-spectacular imports only when it meets a view. Without restflow-auth the targets
resolve to nothing and these extensions stay silent. They use ``priority = -1`` (like
drf-spectacular's own) so a project's extensions with the default priority win.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from restflow.settings import restflow_settings

__all__ = [
    "BasicScheme",
    "JWTScheme",
    "SessionScheme",
    "TokenBlacklistViewSchema",
    "TokenObtainViewSchema",
    "TokenPairSerializer",
    "TokenRefreshResponseSerializer",
    "TokenRefreshViewSchema",
]


def auth_header_types() -> tuple[str, ...]:
    """``JWT.AUTH_HEADER_TYPES`` as a tuple; a bare string is one type (W-21)."""
    configured = restflow_settings.JWT.AUTH_HEADER_TYPES
    if isinstance(configured, str):
        return (configured,)
    return tuple(configured)


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "restflow.authentication.jwt.JWTAuthentication"
    name = "jwtAuth"
    match_subclasses = True
    priority = -1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        header_types = auth_header_types() or ("Bearer",)
        if len(header_types) > 1:
            warn(
                f"OpenAPI allows one bearer prefix per scheme; RESTFLOW_SETTINGS['JWT']"
                f"['AUTH_HEADER_TYPES'] lists {header_types}. Documenting {header_types[0]!r}."
            )
        return build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION", token_prefix=header_types[0], bearer_format="JWT"
        )


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "restflow.authentication.SessionAuthentication"
    name = "cookieAuth"
    match_subclasses = True
    priority = -1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "restflow.authentication.BasicAuthentication"
    name = "basicAuth"
    match_subclasses = True
    priority = -1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "basic"}


# Token views -----------------------------------------------------------------------------
# The views validate their request serializer and answer with a different body; these
# serializers only describe those answers.


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class TokenRefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(required=False, help_text="Present when refresh tokens rotate.")


UNAUTHORIZED = OpenApiResponse(description="Invalid credentials or token.")


class TokenViewSchema(OpenApiViewExtension):
    """Documents ``post`` of a token view: its request serializer in, ``responses`` out."""

    match_subclasses = True
    priority = -1
    responses: dict[int, Any] = {}

    def view_replacement(self) -> type:
        view_class = self.target
        documented = type(view_class.__name__, (view_class,), {"__module__": view_class.__module__})
        decorate = extend_schema_view(
            post=extend_schema(request=view_class.serializer_class, responses=self.responses)
        )
        return decorate(documented)


class TokenObtainViewSchema(TokenViewSchema):
    target_class = "restflow.authentication.views.TokenObtainView"
    responses = {200: TokenPairSerializer, 401: UNAUTHORIZED}


class TokenRefreshViewSchema(TokenViewSchema):
    target_class = "restflow.authentication.views.TokenRefreshView"
    responses = {200: TokenRefreshResponseSerializer, 401: UNAUTHORIZED}


class TokenBlacklistViewSchema(TokenViewSchema):
    target_class = "restflow.authentication.views.TokenBlacklistView"
    responses = {204: None, 401: UNAUTHORIZED}
