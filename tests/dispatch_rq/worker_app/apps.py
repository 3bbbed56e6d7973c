from django.apps import AppConfig


class DispatchRqWorkerConfig(AppConfig):
    name = "tests.dispatch_rq.worker_app"
    label = "restflow_test_dispatch_rq"
