from django.apps import AppConfig


class AuthTestsConfig(AppConfig):
    name = "tests.auth.app"
    label = "auth_tests"
    default_auto_field = "django.db.models.BigAutoField"
