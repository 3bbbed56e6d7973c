"""The module the Dramatiq worker imports, set up the way the installation guide says:
configure the broker, set up Django, then declare restflow's actor on the queue."""

import os

import django
import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.dispatch_dramatiq.worker_settings")
dramatiq.set_broker(RabbitmqBroker(url=os.environ["RESTFLOW_WORKER_BROKER_URL"]))
django.setup()

from restflow.caching.dispatchers.dramatiq import register_actor  # noqa: E402

register_actor(queue_name=os.environ["RESTFLOW_WORKER_QUEUE"])
