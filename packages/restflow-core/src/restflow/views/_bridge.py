"""Where a hook comes from, and how sync work leaves the event loop.

The async pipeline honours sync overrides a user wrote for DRF (``initial``, ``get_object``,
``perform_create`` ...): it needs to tell a user's method from the defaults shipped by DRF
and restflow, and to run such methods in a worker thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from restflow.helpers.attributes import defining_module

_FRAMEWORK_MODULES = ("rest_framework.", "restflow.views.", "django.views.")


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


# One wrapper for every call: building a SyncToAsync per call costs more than the call.
_run_in_worker = sync_to_async(_call, thread_sensitive=True)


def in_worker(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as a coroutine function running in the thread-sensitive worker (ORM-safe)."""
    return functools.partial(_run_in_worker, fn)


def user_defined(cls: type, name: str) -> bool:
    """True when the nearest definition of ``name`` in the MRO is not DRF's or restflow's."""
    return _user_defined(cls, name)


@functools.lru_cache(maxsize=4096)
def _user_defined(cls: type, name: str) -> bool:
    module = defining_module(cls, name)
    return module is not None and not module.startswith(_FRAMEWORK_MODULES)


def bridged(cls: type, sync_name: str, async_name: str) -> bool:
    """The user overrode the sync hook but not its async twin: the async default must call it."""
    return _user_defined(cls, sync_name) and not _user_defined(cls, async_name)
