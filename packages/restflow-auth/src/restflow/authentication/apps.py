"""App config: migrations for ``BlacklistedToken`` and the startup checks of §1.15."""

from __future__ import annotations

from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "restflow.authentication"
    label = "restflow_authentication"
    verbose_name = "Restflow Authentication"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from restflow.authentication import checks

        checks.register()
