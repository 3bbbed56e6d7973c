from django.apps import AppConfig


class DispatchCeleryWorkerConfig(AppConfig):
    name = "tests.dispatch_celery.worker_app"
    label = "restflow_test_dispatch_celery"
