"""The worker's Celery app, set up the way the installation guide tells users to."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.dispatch_celery.worker_settings")

app = Celery("restflow-dispatch-celery-tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["restflow"])
