from django.apps import AppConfig


class DispatchDramatiqWorkerConfig(AppConfig):
    name = "tests.dispatch_dramatiq.worker_app"
    label = "restflow_test_dispatch_dramatiq"
