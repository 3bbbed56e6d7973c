from django.apps import AppConfig


class SerializersTestsConfig(AppConfig):
    name = "tests.serializers.app"
    label = "serializers_tests"
    default_auto_field = "django.db.models.BigAutoField"
