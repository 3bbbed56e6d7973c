"""System check: rules declared while the app that connects them is not installed (W-18)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks


@checks.register(checks.Tags.caches)
def check_app_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from restflow.caching.registry import CacheRegister

    if apps.is_installed("restflow.caching") or not CacheRegister.pending_count:
        return []
    return [
        checks.Warning(
            f"{CacheRegister.pending_count} cache invalidation rule(s) are declared but "
            "'restflow.caching' is not in INSTALLED_APPS, so they never fire.",
            hint="Add 'restflow.caching' to INSTALLED_APPS.",
            id="restflow_caching.W001",
        )
    ]
