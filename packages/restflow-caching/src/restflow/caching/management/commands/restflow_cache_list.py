"""``manage.py restflow_cache_list``: show what a cached function stores."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from restflow.caching import storage
from restflow.caching.dispatchers.base import import_dotted
from restflow.caching.key_constructor import glob_escape
from restflow.caching.registry import CacheRegister


class Command(BaseCommand):
    help = (
        "Describe a cached function: key prefix, version, TTL, fields, invalidation rules and, "
        "on backends that can list keys (django-redis), the keys it currently stores."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "function", help="dotted path of a @cache_result/@cache_response function"
        )
        parser.add_argument("--limit", type=int, default=100, help="maximum number of keys listed")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            func = import_dotted(options["function"])
        except (ImportError, AttributeError) as exc:
            raise CommandError(f"Cannot import {options['function']!r}: {exc}") from exc
        if not getattr(func, "is_cached_function", False):
            raise CommandError(f"{options['function']} is not a cached function.")
        constructor = func.key_constructor
        prefix = constructor.build_key_prefix(func.func, None, None)
        rules = [
            {"id": entry["id"], "model": getattr(entry["invalidation_rule"].model, "__name__", "?")}
            for entry in CacheRegister.rules()
            if entry["func"] is func
        ]
        info = {
            "function": f"{func.__module__}.{func.__qualname__}",
            "constructor": type(constructor).__name__,
            "prefix": prefix,
            "version": func.get_key_version(),
            "ttl": func.ttl if not callable(func.ttl) else "callable",
            "fields": {
                name: {"type": type(field).__name__, "partition": field.partition}
                for name, field in sorted(constructor.fields.items())
            },
            "rules": rules,
        }
        backend = storage.backend()
        iter_keys = getattr(backend, "iter_keys", None)
        if iter_keys is not None:
            keys = []
            for key in iter_keys(glob_escape(prefix) + "*", version=func.get_key_version()):
                keys.append(str(key))
                if len(keys) >= options["limit"]:
                    break
            info["keys"] = keys
        else:
            info["keys"] = None
            info["note"] = (
                f"{type(backend).__name__} cannot list keys; use get_cache_only() for one entry."
            )
        self.stdout.write(json.dumps(info, indent=2, default=str))
