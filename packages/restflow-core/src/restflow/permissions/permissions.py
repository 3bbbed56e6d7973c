"""Async-aware permissions and the ``&`` ``|`` ``~`` algebra (stack.md §2).

Every restflow permission has both hooks. Whichever one a subclass implements is the truth:
an async-only permission is enforced on sync views (its sync hook runs the async one), a
sync-only permission runs off the event loop under async views, and the inherited ``True``
defaults answer without a thread hop.

Import-safe (stack.md §0): no ``rest_framework.views`` at module level.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from typing import Any

from asgiref.sync import sync_to_async
from rest_framework import permissions as drf

from restflow.helpers import run_sync

SAFE_METHODS = drf.SAFE_METHODS

# Sync hooks that do no I/O: evaluating them on the event loop costs less than a thread hop.
_INLINE_SYNC_HOOKS: frozenset[Any] = frozenset(
    {
        drf.BasePermission.has_permission,
        drf.BasePermission.has_object_permission,
        drf.AllowAny.has_permission,
        drf.IsAuthenticated.has_permission,
        drf.IsAdminUser.has_permission,
        drf.IsAuthenticatedOrReadOnly.has_permission,
    }
)


@functools.lru_cache(maxsize=1024)
def _own_hook(cls: type, name: str, skip: type | None = None) -> Any:
    """The function that implements ``name`` for ``cls``, ignoring ``skip``'s bridge."""
    for klass in cls.__mro__:
        if klass is skip:
            continue
        if name in vars(klass):
            return vars(klass)[name]
    return None


async def _run_sync_hook(hook: Any, *args: Any) -> bool:
    """Run a sync permission hook: inline when known to be I/O free, else off the loop."""
    function = getattr(hook, "__func__", None)
    if function in _INLINE_SYNC_HOOKS:
        return bool(hook(*args))
    return bool(await sync_to_async(hook, thread_sensitive=True)(*args))


async def aevaluate_permission(perm: Any, request: Any, view: Any) -> bool:
    """Request-level verdict of any permission object, never running sync I/O on the loop.

    This is what restflow's async views and combinators use; the public
    :func:`has_permission` keeps DRF-style direct calls for sync-only objects.
    """
    if hasattr(perm, "ahas_permission"):
        return bool(await perm.ahas_permission(request, view))
    return await _run_sync_hook(perm.has_permission, request, view)


async def aevaluate_object_permission(perm: Any, request: Any, view: Any, obj: Any) -> bool:
    """Object-level twin of :func:`aevaluate_permission`."""
    if hasattr(perm, "ahas_object_permission"):
        return bool(await perm.ahas_object_permission(request, view, obj))
    return await _run_sync_hook(perm.has_object_permission, request, view, obj)


def has_permission(perm: Any, request: Any, view: Any) -> bool | Awaitable[bool]:
    """The un-awaited ``ahas_permission`` coroutine when ``perm`` has one, else the sync verdict."""
    if hasattr(perm, "ahas_permission"):
        return perm.ahas_permission(request, view)
    return perm.has_permission(request, view)


def has_object_permission(perm: Any, request: Any, view: Any, obj: Any) -> bool | Awaitable[bool]:
    """Object-level twin of :func:`has_permission`."""
    if hasattr(perm, "ahas_object_permission"):
        return perm.ahas_object_permission(request, view, obj)
    return perm.has_object_permission(request, view, obj)


# --- the algebra -----------------------------------------------------------------------------


class AsyncOperationMixin:
    """``&``, ``|``, ``~`` on permission classes and holders, producing restflow holders.

    Also used as the reflected operators, so ``drf.IsAdminUser & restflow.IsAuthenticated``
    (restflow's metaclass subclasses DRF's) yields a restflow holder too.
    """

    def __and__(self, other: Any) -> AsyncOperand:
        return AsyncOperand(AND, self, other)

    def __or__(self, other: Any) -> AsyncOperand:
        return AsyncOperand(OR, self, other)

    def __rand__(self, other: Any) -> AsyncOperand:
        return AsyncOperand(AND, other, self)

    def __ror__(self, other: Any) -> AsyncOperand:
        return AsyncOperand(OR, other, self)

    def __invert__(self) -> AsyncSingleOperand:
        return AsyncSingleOperand(NOT, self)


class AsyncOperand(AsyncOperationMixin):
    """``A & B`` / ``A | B``: instantiates both operands with the same arguments."""

    def __init__(self, operator_class: type, op1_class: Any, op2_class: Any) -> None:
        self.operator_class = operator_class
        self.op1_class = op1_class
        self.op2_class = op2_class

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.operator_class(self.op1_class(*args, **kwargs), self.op2_class(*args, **kwargs))

    def _identity(self) -> tuple[Any, ...]:
        return (self.operator_class, self.op1_class, self.op2_class)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncOperand) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"{self.operator_class.__name__}({self.op1_class!r}, {self.op2_class!r})"


class AsyncSingleOperand(AsyncOperationMixin):
    """``~A``."""

    def __init__(self, operator_class: type, op1_class: Any) -> None:
        self.operator_class = operator_class
        self.op1_class = op1_class

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.operator_class(self.op1_class(*args, **kwargs))

    def _identity(self) -> tuple[Any, ...]:
        return (self.operator_class, self.op1_class)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncSingleOperand) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"{self.operator_class.__name__}({self.op1_class!r})"


class AND(drf.AND):
    """Both operands allow; the second is not evaluated when the first denies."""

    async def ahas_permission(self, request: Any, view: Any) -> bool:
        return await aevaluate_permission(self.op1, request, view) and await aevaluate_permission(
            self.op2, request, view
        )

    async def ahas_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return await aevaluate_object_permission(
            self.op1, request, view, obj
        ) and await aevaluate_object_permission(self.op2, request, view, obj)


class OR(drf.OR):
    """Either operand allows; an operand grants object access only with request access too."""

    async def ahas_permission(self, request: Any, view: Any) -> bool:
        return await aevaluate_permission(self.op1, request, view) or await aevaluate_permission(
            self.op2, request, view
        )

    async def ahas_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        for operand in (self.op1, self.op2):
            if await aevaluate_permission(
                operand, request, view
            ) and await aevaluate_object_permission(operand, request, view, obj):
                return True
        return False


class NOT(drf.NOT):
    """Inverts its operand (request and object level independently, as in DRF)."""

    async def ahas_permission(self, request: Any, view: Any) -> bool:
        return not await aevaluate_permission(self.op1, request, view)

    async def ahas_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return not await aevaluate_object_permission(self.op1, request, view, obj)


class BasePermissionMetaclass(AsyncOperationMixin, drf.BasePermissionMetaclass):
    """DRF's permission metaclass with operators that build restflow holders."""


# --- permissions -----------------------------------------------------------------------------

_DEFAULT_SYNC = {
    "has_permission": drf.BasePermission.has_permission,
    "has_object_permission": drf.BasePermission.has_object_permission,
}


class BasePermission(drf.BasePermission, metaclass=BasePermissionMetaclass):
    """Base class of restflow permissions: implement the sync hook, the async hook, or both."""

    def _sync_hook_is_default(self, name: str) -> bool:
        return _own_hook(type(self), name, skip=BasePermission) is _DEFAULT_SYNC[name]

    def _async_hook_is_overridden(self, name: str) -> bool:
        return _own_hook(type(self), name) is not vars(BasePermission)[name]

    def has_permission(self, request: Any, view: Any) -> bool:
        # An async-only permission must deny on sync views too, never fall back to "allow".
        if self._async_hook_is_overridden("ahas_permission") and self._sync_hook_is_default(
            "has_permission"
        ):
            return bool(run_sync(self.ahas_permission(request, view)))
        return super().has_permission(request, view)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if self._async_hook_is_overridden("ahas_object_permission") and self._sync_hook_is_default(
            "has_object_permission"
        ):
            return bool(run_sync(self.ahas_object_permission(request, view, obj)))
        return super().has_object_permission(request, view, obj)

    async def ahas_permission(self, request: Any, view: Any) -> bool:
        if self._sync_hook_is_default("has_permission"):
            return True
        return await _run_sync_hook(self._sync_hook("has_permission"), request, view)

    async def ahas_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if self._sync_hook_is_default("has_object_permission"):
            return True
        return await _run_sync_hook(self._sync_hook("has_object_permission"), request, view, obj)

    def _sync_hook(self, name: str) -> Any:
        # Bound to the implementing function directly so the inline allow-list can see it.
        return _own_hook(type(self), name, skip=BasePermission).__get__(self, type(self))


class AllowAny(BasePermission, drf.AllowAny):
    """Allow every request."""


class IsAuthenticated(BasePermission, drf.IsAuthenticated):
    """Allow authenticated users only."""


class IsAdminUser(BasePermission, drf.IsAdminUser):
    """Allow users whose ``is_staff`` flag is set."""


class IsAuthenticatedOrReadOnly(BasePermission, drf.IsAuthenticatedOrReadOnly):
    """Allow safe methods to anyone and everything to authenticated users."""


class DjangoModelPermissions(BasePermission, drf.DjangoModelPermissions):
    """Django model permissions; evaluated off the loop under async views (may query)."""


class DjangoModelPermissionsOrAnonReadOnly(
    BasePermission, drf.DjangoModelPermissionsOrAnonReadOnly
):
    """As :class:`DjangoModelPermissions`, plus read-only access for anonymous users."""


class DjangoObjectPermissions(BasePermission, drf.DjangoObjectPermissions):
    """Per-object Django permissions (needs an object-permission backend)."""
