from django.apps import AppConfig


class DispatchDjangoQWorkerConfig(AppConfig):
    name = "tests.dispatch_django_q.worker_app"
    label = "restflow_test_dispatch_django_q"
