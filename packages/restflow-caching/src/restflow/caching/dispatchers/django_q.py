"""Facade of ``restflow.dispatch.django_q`` (a separate distribution), resolved on access.

Importing this module never fails; accessing a name raises ``ImportError`` naming the
distribution to install while the plugin is absent.
"""

from __future__ import annotations

from typing import Any

from restflow.caching.dispatchers._facade import load_plugin_attr

__all__ = [  # noqa: F822 - provided by __getattr__
    "DjangoQDispatcher"
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return load_plugin_attr("django_q", name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
