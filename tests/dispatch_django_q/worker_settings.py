"""Django settings of the ``qcluster`` started by the round-trip test."""

import os

from tests.dispatch_common.worker_settings import *  # noqa: F403
from tests.dispatch_common.worker_settings import CACHES, INSTALLED_APPS
from tests.dispatch_django_q.cluster import q_cluster

INSTALLED_APPS = [*INSTALLED_APPS, "django_q", "tests.dispatch_django_q.worker_app"]
Q_CLUSTER = q_cluster(os.environ["RESTFLOW_WORKER_QUEUE"], CACHES["default"]["LOCATION"])
