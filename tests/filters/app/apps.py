from django.apps import AppConfig


class FiltersTestsConfig(AppConfig):
    name = "tests.filters.app"
    label = "filters_tests"
    default_auto_field = "django.db.models.BigAutoField"
