"""Django settings of the Celery worker started by the round-trip test."""

from tests.dispatch_common.worker_settings import *  # noqa: F403
from tests.dispatch_common.worker_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.dispatch_celery.worker_app"]
CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
