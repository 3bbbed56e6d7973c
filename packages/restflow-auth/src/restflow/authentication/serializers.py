"""Request bodies of the token views: plain DRF serializers (no restflow-serializers needed)."""

from __future__ import annotations

from rest_framework import serializers

__all__ = ["TokenBlacklistSerializer", "TokenObtainSerializer", "TokenRefreshSerializer"]


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    # Passwords are compared byte for byte: " pw " is not "pw" (W-11).
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenRefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class TokenBlacklistSerializer(serializers.Serializer):
    refresh = serializers.CharField()
