"""The dispatcher contract: where the work of invalidation rules runs (caching.md §12)."""

from __future__ import annotations

import abc
import importlib
from typing import Any

from restflow.settings import restflow_settings

__all__ = [
    "DEFAULT_FUNCTION_PATH",
    "PLUGINS",
    "Dispatcher",
    "get_dispatcher_settings",
    "import_dotted",
    "plugin_import_error",
    "tasks_module",
]

DEFAULT_FUNCTION_PATH = "restflow.caching.tasks.run_cache_rules"

#: Broker dispatchers shipped as separate distributions: name → (module, class, extra).
PLUGINS: dict[str, tuple[str, str, str]] = {
    "celery": ("restflow.dispatch.celery", "CeleryDispatcher", "celery"),
    "django_rq": ("restflow.dispatch.django_rq", "DjangoRqDispatcher", "django-rq"),
    "django_q": ("restflow.dispatch.django_q", "DjangoQDispatcher", "django-q"),
    "dramatiq": ("restflow.dispatch.dramatiq", "DramatiqDispatcher", "dramatiq"),
}
_DISTRIBUTIONS = {
    "celery": "restflow-dispatch-celery",
    "django_rq": "restflow-dispatch-rq",
    "django_q": "restflow-dispatch-django-q",
    "dramatiq": "restflow-dispatch-dramatiq",
}


def plugin_import_error(name: str, cause: str = "") -> ImportError:
    extra = PLUGINS[name][2]
    detail = f" ({cause})" if cause else ""
    return ImportError(
        f"The '{name}' cache dispatcher is not installed{detail}: install "
        f"{_DISTRIBUTIONS[name]} (or drf-restflow[{extra}])."
    )


def get_dispatcher_settings(name: str) -> dict[str, Any]:
    """Merged ``DISPATCHER_SETTINGS[name]``: defaults plus the user's block, ``{}`` if none."""
    from restflow.settings.defaults import DEFAULTS

    defaults = DEFAULTS["CACHE_SETTINGS"]["DISPATCHER_SETTINGS"].get(name, {})
    user = restflow_settings.CACHE_SETTINGS.user_settings.get("DISPATCHER_SETTINGS")
    user_block = user.get(name) if isinstance(user, dict) else None
    merged = dict(defaults)
    if isinstance(user_block, dict):
        merged.update(user_block)
    return merged


_tasks: Any = None


def tasks_module() -> Any:
    """``restflow.caching.tasks`` (imported on first use: it imports the registry, which
    imports the dispatchers). Looked up once, not with a ``from … import`` per dispatch;
    its functions are read from the module on each call, so patching them works."""
    global _tasks
    if _tasks is None:
        _tasks = importlib.import_module("restflow.caching.tasks")
    return _tasks


def import_dotted(path: str) -> Any:
    module_path, _, attr = path.rpartition(".")
    if not module_path:
        raise ImportError(f"Invalid dotted path: '{path}'")
    return getattr(importlib.import_module(module_path), attr)


class Dispatcher(abc.ABC):
    """Hands the work of fired rules to ``run_cache_rules`` somewhere.

    Subclasses set a unique ``name``, implement ``dispatch`` and are registered with
    ``register_dispatcher`` (or an entry point in group ``restflow.dispatchers``).
    """

    name: str
    supports_batching: bool = True

    def __init__(self, **config: Any) -> None:
        self.config = config
        self.validate_config()

    def validate_config(self) -> None:  # noqa: B027 - optional hook
        """Hook: check ``self.config`` (and optional libraries) at construction."""

    @abc.abstractmethod
    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> None:
        """Run (or enqueue) the rules; ``context`` holds model_label, pk and signal_type."""

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), tuple(sorted(self.config.items())))

    @classmethod
    def settings(cls) -> dict[str, Any]:
        return get_dispatcher_settings(getattr(cls, "name", ""))
