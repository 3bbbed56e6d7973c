"""Lazy access to the broker plugins (ARCHITECTURE rules 2 and 4)."""

from __future__ import annotations

import importlib
from typing import Any

from restflow.caching.dispatchers.base import PLUGINS, plugin_import_error


def load_plugin_attr(plugin: str, attr: str) -> Any:
    """``restflow.dispatch.<plugin>.<attr>``, or an ImportError naming the distribution."""
    module_path = PLUGINS[plugin][0]
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        raise plugin_import_error(plugin, str(exc)) from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        # The distribution is present but does not provide the object yet: still absent.
        raise plugin_import_error(plugin, f"{module_path} has no {attr}") from None
