"""Django settings of the ``rqworker`` started by the round-trip test."""

import os

from tests.dispatch_common.worker_settings import *  # noqa: F403
from tests.dispatch_common.worker_settings import CACHES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_rq", "tests.dispatch_rq.worker_app"]
RQ_QUEUES = {os.environ["RESTFLOW_WORKER_QUEUE"]: {"URL": CACHES["default"]["LOCATION"]}}
