"""Producer-side cost of the broker dispatchers next to the library call they wrap.

Each scenario sends the same payload (one rule id, one argument) straight through the
library (baseline) and through the restflow dispatcher (settings lookup, payload, routing):
Celery publishing to RabbitMQ, django-rq enqueuing on Redis, Dramatiq on its in-memory
StubBroker (no network: the dispatcher's own overhead shows most there). Queues are named
per run and deleted at exit. Scenarios whose plugin or service is missing are left out.
"""

from __future__ import annotations

import atexit
import importlib.util
import socket
import uuid
from typing import Any

from benchmarks.harness import Scenario
from benchmarks.settings import REDIS_URL

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
RULE_IDS = [4425821194726453]
RULE_KWARGS = {"4425821194726453": {"group_id": 12}}
CONTEXT: dict[str, Any] = {"model_label": "auth.Group", "pk": 12, "signal_type": "POST_SAVE"}
RUN = uuid.uuid4().hex[:8]


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def celery_scenario() -> Scenario:
    from celery import Celery

    from restflow.dispatch.celery import CeleryDispatcher, task_run_cache_rules

    app = Celery("bench-dispatch", broker=AMQP_URL)
    app.set_current()
    queue = f"bench-dispatch-{RUN}-celery"
    dispatcher = CeleryDispatcher(queue=queue)
    task = app.tasks[task_run_cache_rules.name]
    payload = {**CONTEXT, "rule_ids": RULE_IDS, "rule_kwargs": RULE_KWARGS}

    def cleanup() -> None:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)

    atexit.register(cleanup)
    return Scenario(
        name="dispatch: celery publish (RabbitMQ)",
        baseline="celery apply_async",
        contenders={
            "celery apply_async": lambda: task.apply_async(kwargs=payload, queue=queue),
            "restflow CeleryDispatcher": lambda: dispatcher.dispatch(
                rule_ids=RULE_IDS, rule_kwargs=RULE_KWARGS, **CONTEXT
            ),
        },
        number=100,
    )


def rq_scenario() -> Scenario:
    from django.test import override_settings

    queue_name = f"bench-dispatch-{RUN}-rq"
    override_settings(RQ_QUEUES={queue_name: {"URL": REDIS_URL}}).enable()
    import django_rq

    from restflow.caching.tasks import run_cache_rules
    from restflow.dispatch.django_rq import DjangoRqDispatcher

    queue = django_rq.get_queue(queue_name)
    dispatcher = DjangoRqDispatcher(queue=queue_name)
    atexit.register(lambda: queue.delete(delete_jobs=True))
    return Scenario(
        name="dispatch: django-rq enqueue (Redis)",
        baseline="rq enqueue",
        contenders={
            "rq enqueue": lambda: queue.enqueue(
                run_cache_rules, RULE_IDS, RULE_KWARGS, dispatcher_name="django_rq"
            ),
            "restflow DjangoRqDispatcher": lambda: dispatcher.dispatch(
                rule_ids=RULE_IDS, rule_kwargs=RULE_KWARGS, **CONTEXT
            ),
        },
        number=100,
    )


def dramatiq_scenario() -> Scenario:
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    from restflow.dispatch.dramatiq import DramatiqDispatcher, register_actor

    broker = StubBroker()
    dramatiq.set_broker(broker)
    queue = "bench-dispatch"
    actor = register_actor(queue_name=queue)
    dispatcher = DramatiqDispatcher(queue=queue)

    def flush() -> None:
        broker.flush_all()

    return Scenario(
        name="dispatch: dramatiq send (StubBroker)",
        baseline="dramatiq actor.send",
        contenders={
            "dramatiq actor.send": lambda: actor.send(RULE_IDS, RULE_KWARGS),
            "restflow DramatiqDispatcher": lambda: dispatcher.dispatch(
                rule_ids=RULE_IDS, rule_kwargs=RULE_KWARGS, **CONTEXT
            ),
        },
        setup=flush,
        number=500,
    )


def scenarios() -> list[Scenario]:
    found = []
    if _installed("restflow.dispatch.celery") and _reachable(5672):
        found.append(celery_scenario())
    if _installed("restflow.dispatch.django_rq") and _reachable(6379):
        found.append(rq_scenario())
    if _installed("restflow.dispatch.dramatiq"):
        found.append(dramatiq_scenario())
    return found
