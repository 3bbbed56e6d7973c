"""`restflow.permissions`: async-aware permissions and their algebra (stack.md §2)."""

from restflow.permissions.permissions import (
    AND,
    NOT,
    OR,
    SAFE_METHODS,
    AllowAny,
    BasePermission,
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
    DjangoObjectPermissions,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
    has_object_permission,
    has_permission,
)

__all__ = [
    "AND",
    "NOT",
    "OR",
    "SAFE_METHODS",
    "AllowAny",
    "BasePermission",
    "DjangoModelPermissions",
    "DjangoModelPermissionsOrAnonReadOnly",
    "DjangoObjectPermissions",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "has_object_permission",
    "has_permission",
]
