"""Django settings for the benchmarks: SQLite file by default, PostgreSQL with --db=postgres."""

from __future__ import annotations

import importlib.util
import os
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
DB = os.environ.get("RESTFLOW_BENCH_DB", "sqlite")
REDIS_URL = os.environ.get("RESTFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


SECRET_KEY = "benchmarks-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "benchmarks.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    *[app for app in ("restflow.caching", "restflow.authentication") if _installed(app + ".apps")],
    "benchmarks.app",
]
MIDDLEWARE: list[str] = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("RESTFLOW_BENCH_PG_NAME", "restflow_bench"),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HERE / "results" / "bench.sqlite3"),
        }
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}
if _installed("django_redis"):
    CACHES["django_redis"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
REST_FRAMEWORK = {"UNAUTHENTICATED_USER": None}
RESTFLOW_SETTINGS = {"JWT": {"SIGNING_KEY": "benchmarks-signing-key-of-decent-length-0123456789"}}
