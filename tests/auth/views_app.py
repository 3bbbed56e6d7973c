"""Views and URLs the auth tests drive through a test client."""

from __future__ import annotations

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from restflow.authentication import (
    BasicAuthentication,
    JWTAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from restflow.authentication.views import TokenBlacklistView, TokenObtainView, TokenRefreshView
from restflow.permissions import IsAuthenticated
from restflow.views import AsyncAPIView
from tests.auth.app.models import ApiKey


class ApiKeyAuthentication(TokenAuthentication):
    model = ApiKey


class Me(AsyncAPIView):
    authentication_classes = (JWTAuthentication,)
    permission_classes = (IsAuthenticated,)

    async def get(self, request):
        return Response({"username": request.user.username})

    async def post(self, request):
        return Response({"username": request.user.username})


class SyncMe(APIView):
    authentication_classes = (JWTAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request):
        return Response({"username": request.user.username})


def pair(name, classes):
    """A sync DRF view and an async restflow view with the same authenticators."""
    sync = type(f"Sync{name}", (SyncMe,), {"authentication_classes": classes})
    async_ = type(f"Async{name}", (Me,), {"authentication_classes": classes})
    return [
        path(f"sync/{name}/", sync.as_view()),
        path(f"async/{name}/", async_.as_view()),
    ]


urlpatterns = [
    path("token/", TokenObtainView.as_view()),
    path("token/refresh/", TokenRefreshView.as_view()),
    path("token/blacklist/", TokenBlacklistView.as_view()),
    path("me/", Me.as_view()),
    *pair("jwt", (JWTAuthentication,)),
    *pair("basic", (BasicAuthentication,)),
    *pair("token", (ApiKeyAuthentication,)),
    *pair("all", (BasicAuthentication, ApiKeyAuthentication, JWTAuthentication)),
    *pair("session", (SessionAuthentication, JWTAuthentication)),
    *pair("session-only", (SessionAuthentication,)),
]
