"""`restflow.authentication`: JWT authentication, token blacklist and DRF-parity authenticators.

Names resolve lazily, so importing the package needs neither the app registry nor DRF's
views; token views live in ``restflow.authentication.views`` only (§0).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "AccessToken",
    "BaseAuthentication",
    "BasicAuthentication",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "JWTAuthentication",
    "ModelBlacklistBackend",
    "RefreshToken",
    "RemoteUserAuthentication",
    "SessionAuthentication",
    "TokenAuthentication",
    "TokenBlacklistSerializer",
    "TokenConfigurationError",
    "TokenError",
    "TokenObtainSerializer",
    "TokenRefreshSerializer",
    "get_authorization_header",
]

_HOMES = {
    "AccessToken": "restflow.authentication.tokens",
    "RefreshToken": "restflow.authentication.tokens",
    "TokenError": "restflow.authentication.tokens",
    "TokenConfigurationError": "restflow.authentication.tokens",
    "JWTAuthentication": "restflow.authentication.jwt",
    "BlacklistBackend": "restflow.authentication.blacklist",
    "CacheBlacklistBackend": "restflow.authentication.blacklist",
    "ModelBlacklistBackend": "restflow.authentication.blacklist",
    "BaseAuthentication": "restflow.authentication.authentication",
    "BasicAuthentication": "restflow.authentication.authentication",
    "SessionAuthentication": "restflow.authentication.authentication",
    "TokenAuthentication": "restflow.authentication.authentication",
    "RemoteUserAuthentication": "restflow.authentication.authentication",
    "get_authorization_header": "restflow.authentication.authentication",
    "TokenObtainSerializer": "restflow.authentication.serializers",
    "TokenRefreshSerializer": "restflow.authentication.serializers",
    "TokenBlacklistSerializer": "restflow.authentication.serializers",
}

if TYPE_CHECKING:
    from restflow.authentication.authentication import (
        BaseAuthentication,
        BasicAuthentication,
        RemoteUserAuthentication,
        SessionAuthentication,
        TokenAuthentication,
        get_authorization_header,
    )
    from restflow.authentication.blacklist import (
        BlacklistBackend,
        CacheBlacklistBackend,
        ModelBlacklistBackend,
    )
    from restflow.authentication.jwt import JWTAuthentication
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
    )


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'restflow.authentication' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
