"""Django settings of the Dramatiq worker started by the round-trip test."""

from tests.dispatch_common.worker_settings import *  # noqa: F403
from tests.dispatch_common.worker_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.dispatch_dramatiq.worker_app"]
