from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "benchmarks.app"
    label = "bench"
