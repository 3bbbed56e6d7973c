"""restflow settings: ``RESTFLOW_SETTINGS`` merged over ``DEFAULTS``, read by attribute,
reloaded on ``setting_changed``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from restflow.settings.defaults import DEFAULTS

__all__ = ["DEFAULTS", "RestflowSettings", "reload_restflow_settings", "restflow_settings"]


class RestflowSettings:
    """Attribute access over the user's ``RESTFLOW_SETTINGS`` with defaults underneath.

    Sections (keys whose default is a dict) come back as nested ``RestflowSettings`` that
    look their user dict up through the parent on every cache miss, so a section object
    kept across ``override_settings`` still sees the current values.
    """

    def __init__(
        self,
        defaults: dict[str, Any],
        user_settings_loader: Callable[[], Any] | None = None,
    ) -> None:
        self._defaults = defaults
        self._loader = user_settings_loader or self._read_django_settings
        self._cache: dict[str, Any] = {}
        self._sections: dict[str, RestflowSettings] = {}

    @property
    def user_settings(self) -> dict[str, Any]:
        value = self._loader()
        return value if isinstance(value, dict) else {}

    @staticmethod
    def _read_django_settings() -> dict[str, Any]:
        try:
            value = getattr(django_settings, "RESTFLOW_SETTINGS", None)
        except ImproperlyConfigured:
            return {}
        return value if value and isinstance(value, dict) else {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._defaults:
            raise AttributeError(f"Invalid restflow setting: '{name}'")
        cache = self._cache
        if name in cache:
            return cache[name]
        default = self._defaults[name]
        if isinstance(default, dict):
            value: Any = self._section(name, default)
        else:
            user = self.user_settings
            value = user.get(name, default)
        cache[name] = value
        return value

    def _section(self, name: str, default: dict[str, Any]) -> RestflowSettings:
        section = self._sections.get(name)
        if section is None:

            def load(parent: RestflowSettings = self, key: str = name) -> Any:
                return parent.user_settings.get(key)

            section = RestflowSettings(default, load)
            self._sections[name] = section
        return section

    def reload(self) -> None:
        self._cache.clear()
        for section in self._sections.values():
            section.reload()

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, default in self._defaults.items():
            value = getattr(self, name)
            result[name] = value.to_dict() if isinstance(default, dict) else value
        for name, value in self.user_settings.items():
            if name not in self._defaults:
                result[name] = value
        return result

    def unknown_keys(self, path: str = "") -> list[str]:
        """Dotted paths of user keys that no default declares (dispatcher blocks excepted)."""
        found: list[str] = []
        for name in self.user_settings:
            dotted = f"{path}{name}"
            if name not in self._defaults:
                found.append(dotted)
            elif (
                isinstance(self._defaults[name], dict)
                and dotted != "CACHE_SETTINGS.DISPATCHER_SETTINGS"
            ):
                found.extend(getattr(self, name).unknown_keys(f"{dotted}."))
        return found


restflow_settings = RestflowSettings(DEFAULTS)


def reload_restflow_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "RESTFLOW_SETTINGS":
        restflow_settings.reload()


setting_changed.connect(reload_restflow_settings)


def _subscript(dotted: str) -> str:
    return "RESTFLOW_SETTINGS" + "".join(f"[{part!r}]" for part in dotted.split("."))


@checks.register(checks.Tags.compatibility)
def check_unknown_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """restflow.W001: a typo in RESTFLOW_SETTINGS would otherwise be ignored silently."""
    return [
        checks.Warning(
            f"Unknown restflow setting {_subscript(key)}.",
            hint="Check the spelling against the settings reference; unknown keys are ignored.",
            id="restflow.W001",
        )
        for key in restflow_settings.unknown_keys()
    ]
