"""Django settings shared by the worker processes of the dispatcher round trips.

Each ``tests/dispatch_<name>/worker_settings.py`` star-imports this and adds its app.
The cache is the Redis cache of the test process that started the worker.
"""

import os

# The same key as the test process: django-q signs its task packages with it.
SECRET_KEY = "restflow-tests-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "restflow.caching",
]
# The workers only delete cache entries: they need no table of the test database.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("RESTFLOW_WORKER_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "KEY_PREFIX": os.environ.get("RESTFLOW_WORKER_CACHE_PREFIX", "restflow-worker"),
    }
}
RESTFLOW_SETTINGS: dict = {}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"restflow": {"handlers": ["console"], "level": "INFO"}},
}
