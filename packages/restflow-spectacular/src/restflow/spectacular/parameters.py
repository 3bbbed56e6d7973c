"""The filterset parameter builder, re-exported from restflow-filters.

restflow-filters owns the builder so its backend never needs drf-spectacular; this module
resolves each name on first access and hands back the very same object. Without
restflow-filters, access raises an ImportError that says what to install.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCE = "restflow.filters.parameters"


def _filters_parameters() -> Any:
    try:
        return importlib.import_module(_SOURCE)
    except ImportError as exc:
        raise ImportError(
            "The filterset parameter builder lives in restflow-filters: "
            "pip install restflow-filters"
        ) from exc


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    module = _filters_parameters()
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    try:
        return sorted(_filters_parameters().__all__)
    except ImportError:
        return []
