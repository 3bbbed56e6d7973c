from django.apps import AppConfig


class CachingTestsConfig(AppConfig):
    name = "tests.caching.app"
    label = "caching_tests"
    default_auto_field = "django.db.models.BigAutoField"
