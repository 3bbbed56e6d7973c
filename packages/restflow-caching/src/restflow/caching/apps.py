"""The ``restflow.caching`` Django app: loads dispatcher plugins and connects the rules."""

from __future__ import annotations

from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "restflow.caching"
    label = "restflow_caching"
    verbose_name = "Restflow Caching"
    default = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from restflow.caching.dispatchers import load_entry_points
        from restflow.caching.registry import CacheRegister

        load_entry_points()  # importing the celery plugin declares its task
        CacheRegister.auto_discover()
