from django.apps import AppConfig


class SpectacularTestsConfig(AppConfig):
    name = "tests.spectacular.app"
    label = "restflow_spectacular_tests"
    default_auto_field = "django.db.models.BigAutoField"
