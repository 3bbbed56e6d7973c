"""restflow.authentication in the example: JWT login, refresh, logout and a protected view.

POST /api/auth/login/        {"username", "password"}  -> {"access", "refresh"}
POST /api/auth/refresh/      {"refresh"}               -> {"access", "refresh"} (rotated)
POST /api/auth/logout/       {"refresh"}               -> 204, the session's chain is revoked
POST /api/auth/logout-all/   Bearer access             -> 204, every token of the user revoked
GET  /api/auth/me/           Bearer access             -> {"id", "username"}

Create a user first: ``python manage.py createsuperuser``.
"""

from django.urls import path
from rest_framework import status
from rest_framework.response import Response

from restflow.authentication import JWTAuthentication
from restflow.authentication.jwt import arevoke_user_tokens
from restflow.authentication.views import TokenBlacklistView, TokenObtainView, TokenRefreshView
from restflow.permissions import IsAuthenticated
from restflow.views import AsyncAPIView


class Me(AsyncAPIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request):
        return Response({"id": request.user.pk, "username": request.user.username})


class LogoutEverywhere(AsyncAPIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    async def post(self, request):
        await arevoke_user_tokens(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("login/", TokenObtainView.as_view()),
    path("refresh/", TokenRefreshView.as_view()),
    path("logout/", TokenBlacklistView.as_view()),
    path("logout-all/", LogoutEverywhere.as_view()),
    path("me/", Me.as_view()),
]
