"""Security schemes and token-view operations from the extensions (§2.8, W-25).

restflow-auth is optional: with it, its authenticators and token views are documented;
without it (split install), the extensions stay silent and generation still works.
"""

from __future__ import annotations

from django.test import override_settings
from django.urls import path
from rest_framework.permissions import IsAuthenticated

from restflow.spectacular import extensions
from restflow.views import AsyncAPIView
from tests.spectacular.helpers import (
    AUTH,
    WidgetSerializer,
    component,
    generate,
    operation,
    ref,
    request_schema,
    response_schema,
    spectacular_warnings,
)


def guarded(*authenticators, permission=IsAuthenticated):
    attrs = {
        "serializer_class": WidgetSerializer,
        "authentication_classes": list(authenticators),
        "permission_classes": [permission],
    }

    async def get(self, request):
        raise NotImplementedError

    attrs["get"] = get
    return type("Guarded", (AsyncAPIView,), attrs).as_view()


if AUTH:
    from restflow.authentication import (
        BasicAuthentication,
        JWTAuthentication,
        SessionAuthentication,
    )
    from restflow.authentication.views import (
        TokenBlacklistView,
        TokenObtainView,
        TokenRefreshView,
    )

    def test_jwt_session_and_basic_schemes():
        """A-SCHEMA-024 W-25"""
        with spectacular_warnings() as warnings:
            schema = generate(
                [
                    path("jwt/", guarded(JWTAuthentication)),
                    path("session/", guarded(SessionAuthentication)),
                    path("basic/", guarded(BasicAuthentication)),
                ]
            )
        assert not [w for w in warnings if "could not resolve authenticator" in w]
        assert operation(schema, "/jwt/")["security"] == [{"jwtAuth": []}]
        assert operation(schema, "/session/")["security"] == [{"cookieAuth": []}]
        assert operation(schema, "/basic/")["security"] == [{"basicAuth": []}]
        schemes = schema["components"]["securitySchemes"]
        assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
        assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}

    def test_jwt_subclass_and_other_prefix():
        """A-SCHEMA-024 W-21: subclasses match; a non-Bearer prefix is an apiKey header."""

        class Custom(JWTAuthentication):
            pass

        jwt = {"JWT": {"AUTH_HEADER_TYPES": "JWT"}}  # a bare string is one header type
        with override_settings(RESTFLOW_SETTINGS=jwt), spectacular_warnings() as warnings:
            schema = generate([path("custom/", guarded(Custom))])
        assert not warnings
        assert schema["components"]["securitySchemes"]["jwtAuth"] == {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "JWT"',
        }

    def test_jwt_several_header_types_warn():
        """A-SCHEMA-024: OpenAPI has one prefix per scheme; the first is documented."""
        jwt = {"JWT": {"AUTH_HEADER_TYPES": ("Bearer", "JWT")}}
        with override_settings(RESTFLOW_SETTINGS=jwt), spectacular_warnings() as warnings:
            schema = generate([path("jwt/", guarded(JWTAuthentication))])
        assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
        assert any("AUTH_HEADER_TYPES" in w for w in warnings)

    def test_token_views():
        """A-SCHEMA-023 W-25"""
        with spectacular_warnings() as warnings:
            schema = generate(
                [
                    path("token/", TokenObtainView.as_view()),
                    path("token/refresh/", TokenRefreshView.as_view()),
                    path("token/blacklist/", TokenBlacklistView.as_view()),
                ]
            )
        assert not warnings
        obtain = operation(schema, "/token/", "post")
        assert request_schema(schema, "/token/") == ref("TokenObtain")
        assert component(schema, "TokenObtain")["properties"]["password"]["writeOnly"] is True
        assert response_schema(schema, "/token/", "post") == ref("TokenPair")
        pair = component(schema, "TokenPair")
        assert set(pair["properties"]) == {"access", "refresh"}
        assert set(pair["required"]) == {"access", "refresh"}
        assert pair["properties"]["access"]["readOnly"] is True
        assert set(obtain["responses"]) == {"200", "401"}
        assert obtain["description"] == TokenObtainView.__doc__.strip()

        refresh = component(schema, "TokenRefreshResponse")
        assert refresh["required"] == ["access"]
        assert set(refresh["properties"]) == {"access", "refresh"}
        assert request_schema(schema, "/token/refresh/") == ref("TokenRefresh")

        blacklist = operation(schema, "/token/blacklist/", "post")
        assert blacklist["responses"]["204"] == {"description": "No response body"}
        assert "200" not in blacklist["responses"]
        for route in ("/token/", "/token/refresh/", "/token/blacklist/"):
            op = operation(schema, route, "post")
            assert "401" in op["responses"]
            assert "security" not in op  # the token views have no authenticators
        # The views themselves are untouched: the extension documents a subclass.
        assert TokenObtainView.post.__dict__.get("kwargs") is None

else:

    def test_extensions_silent_without_restflow_auth():
        """A-SCHEMA-030: without restflow-auth the targets resolve to nothing, silently."""
        from rest_framework.authentication import TokenAuthentication

        with spectacular_warnings() as warnings:
            schema = generate([path("token/", guarded(TokenAuthentication))])
        assert not warnings
        assert operation(schema, "/token/")["security"] == [{"tokenAuth": []}]
        for extension in (
            extensions.JWTScheme,
            extensions.SessionScheme,
            extensions.BasicScheme,
            extensions.TokenObtainViewSchema,
        ):
            assert extension._matches(TokenAuthentication) is False
            assert extension.target_class is None  # the dotted target resolved to nothing


def test_extensions_use_low_priority():
    """W-25: a project's own extensions (priority 0) win over restflow's."""
    for extension in (
        extensions.JWTScheme,
        extensions.SessionScheme,
        extensions.BasicScheme,
        extensions.TokenObtainViewSchema,
        extensions.TokenRefreshViewSchema,
        extensions.TokenBlacklistViewSchema,
    ):
        assert extension.priority == -1
        assert extension.match_subclasses is True
