"""Settings of the example bookstore: the embedded default (SQLite, local-memory cache,
inline invalidation), so it runs with nothing but Python installed."""

from __future__ import annotations

import importlib.util
import os
import pathlib

BASE_DIR = pathlib.Path(__file__).resolve().parent.parent


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


SECRET_KEY = os.environ.get("BOOKSTORE_SECRET_KEY", "bookstore-example-not-for-production")
DEBUG = os.environ.get("BOOKSTORE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
USE_TZ = True
ROOT_URLCONF = "bookstore.urls"
ASGI_APPLICATION = "bookstore.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework",
    *[app for app in ("restflow.caching", "restflow.authentication") if _installed(f"{app}.apps")],
    *(["drf_spectacular"] if _installed("drf_spectacular") else []),
    "store",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BOOKSTORE_DB", str(BASE_DIR / "db.sqlite3")),
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
if _installed("restflow.exceptions.handler") or _installed("restflow.exceptions"):
    REST_FRAMEWORK["EXCEPTION_HANDLER"] = "restflow.exceptions.exception_handler"
if _installed("restflow.spectacular"):
    REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "restflow.spectacular.RestflowAutoSchema"
    SPECTACULAR_SETTINGS = {"TITLE": "Bookstore API", "VERSION": "1.0.0"}

RESTFLOW_SETTINGS = {
    "JWT": {
        "SIGNING_KEY": os.environ.get("BOOKSTORE_JWT_KEY", SECRET_KEY),
        "BLACKLIST_ALLOW_LOCMEM": True,
    },
    "CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "inline"},
}
