"""URLconf for tests: each test folder may add patterns in tests/<folder>/urls.py."""

from __future__ import annotations

import importlib

from django.urls import include, path

urlpatterns: list = []
for folder in ("core", "serializers", "filters", "caching", "auth", "spectacular", "integration"):
    try:
        module = importlib.import_module(f"tests.{folder}.urls")
    except ModuleNotFoundError as exc:
        # Only a missing tests/<folder>/urls.py (or its distribution) is expected here.
        if exc.name and (exc.name.startswith("tests.") or exc.name.startswith("restflow")):
            continue
        raise
    urlpatterns.append(path(f"{folder}/", include(module)))
