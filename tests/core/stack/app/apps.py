from django.apps import AppConfig


class CoreStackTestsConfig(AppConfig):
    name = "tests.core.stack.app"
    label = "core_stack_tests"
    default_auto_field = "django.db.models.BigAutoField"
