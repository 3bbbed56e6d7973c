"""Settings of the uvicorn server started by ``test_http.py`` (a separate process)."""

import os

SECRET_KEY = "restflow-views-http-test"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.core.views.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "tests.core.views.app",
]
MIDDLEWARE: list[str] = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["RESTFLOW_VIEWS_HTTP_DB"],
    }
}
REST_FRAMEWORK = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
