"""``manage.py restflow_cache_wipe``: invalidate a namespace, a key constructor or a function."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from restflow.caching.dispatchers.base import import_dotted
from restflow.caching.key_constructor import KeyConstructor


def all_constructors() -> list[type[KeyConstructor]]:
    found: list[type[KeyConstructor]] = []
    pending = list(KeyConstructor.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


class Command(BaseCommand):
    help = (
        "Invalidate cached entries: every constructor of a namespace (--namespace), one key "
        "constructor (--constructor path.to.KeyConstructor) or one cached function "
        "(--function path.to.function). O(1) per function on every backend."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--namespace", help="Meta.namespace of the constructors to wipe")
        parser.add_argument("--constructor", help="dotted path of a KeyConstructor class")
        parser.add_argument(
            "--function", help="dotted path of a @cache_result/@cache_response function"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [name for name in ("namespace", "constructor", "function") if options.get(name)]
        if len(chosen) != 1:
            raise CommandError("Pass exactly one of --namespace, --constructor or --function.")
        wiped = 0
        if options.get("namespace"):
            for cls in all_constructors():
                if cls._meta.namespace == options["namespace"] and cls._cache_wrappers:
                    cls.wipe()
                    wiped += len(cls._cache_wrappers)
        elif options.get("constructor"):
            cls = self._import(options["constructor"])
            if not (isinstance(cls, type) and issubclass(cls, KeyConstructor)):
                raise CommandError(f"{options['constructor']} is not a KeyConstructor subclass.")
            cls.wipe()
            wiped = len(cls._cache_wrappers)
        else:
            func = self._import(options["function"])
            if not getattr(func, "is_cached_function", False):
                raise CommandError(f"{options['function']} is not a cached function.")
            func._wipe((), {})
            wiped = 1
        self.stdout.write(f"Invalidated {wiped} cached function(s).")

    @staticmethod
    def _import(path: str) -> Any:
        try:
            return import_dotted(path)
        except (ImportError, AttributeError) as exc:
            raise CommandError(f"Cannot import {path!r}: {exc}") from exc
