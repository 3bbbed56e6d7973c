"""`restflow.spectacular`: OpenAPI schemas for restflow views through drf-spectacular.

Names resolve on first access. Those that need drf-spectacular raise an ImportError saying
so when it is missing (never a silent ``None``, W-31); the filter parameter helpers come
from restflow-filters and say so when that is missing. With drf-spectacular present, the
authentication and token-view extensions register on import.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__all__ = [
    "RestflowAutoSchema",
    "add_filterset_parameters",
    "build_filterset_parameters",
    "resolve_filterset_class",
]

_HOMES = {
    "RestflowAutoSchema": "restflow.spectacular.schema",
    "get_lib_doc_excludes": "restflow.spectacular.schema",
    "add_filterset_parameters": "restflow.spectacular.hooks",
    "build_filterset_parameters": "restflow.spectacular.parameters",
    "resolve_filterset_class": "restflow.spectacular.parameters",
}
_NEEDS_SPECTACULAR = {"RestflowAutoSchema", "get_lib_doc_excludes", "add_filterset_parameters"}

if TYPE_CHECKING:
    from restflow.spectacular.hooks import add_filterset_parameters
    from restflow.spectacular.schema import RestflowAutoSchema, get_lib_doc_excludes  # noqa: F401


def _spectacular_installed() -> bool:
    """Whether drf-spectacular can be imported (without importing it)."""
    return importlib.util.find_spec("drf_spectacular") is not None


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in _NEEDS_SPECTACULAR and not _spectacular_installed():
        raise ImportError(
            f"restflow.spectacular.{name} needs drf-spectacular, which is not installed: "
            "pip install drf-spectacular"
        )
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


def _register_extensions() -> None:
    # drf-spectacular's extension base reads DRF settings on import: before Django is
    # configured, the schema and hook modules register the extensions when first used.
    from django.conf import settings

    if _spectacular_installed() and settings.configured:
        importlib.import_module("restflow.spectacular.extensions")


_register_extensions()
