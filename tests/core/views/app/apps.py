from django.apps import AppConfig


class CoreViewsTestsConfig(AppConfig):
    name = "tests.core.views.app"
    label = "core_views_tests"
    default_auto_field = "django.db.models.BigAutoField"
