"""Dramatiq brokers (the in-memory StubBroker and RabbitMQ) and a real Dramatiq worker."""

from __future__ import annotations

import contextlib
import sys
import uuid

import pytest

from tests.dispatch_common.workers import running, shared_redis_cache, worker_env

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@contextlib.contextmanager
def _current(broker):
    import dramatiq
    import dramatiq.broker

    previous = dramatiq.broker.global_broker
    dramatiq.set_broker(broker)
    try:
        yield broker
    finally:
        broker.close()
        dramatiq.broker.global_broker = previous


@pytest.fixture
def stub_broker():
    """Dramatiq's in-memory broker, current for the test."""
    from dramatiq.brokers.stub import StubBroker

    broker = StubBroker()
    broker.emit_after("process_boot")
    with _current(broker):
        yield broker


@pytest.fixture
def stub_worker(stub_broker):
    from dramatiq import Worker

    worker = Worker(stub_broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def rabbitmq_queue(run_id):
    """A queue name of this run on RabbitMQ; the queue and its delay and dead-letter
    queues are deleted at teardown."""
    import pika

    name = f"{run_id}.{uuid.uuid4().hex[:8]}.invalidation"
    try:
        yield name
    finally:
        connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        try:
            channel = connection.channel()
            for queue in (name, f"{name}.DQ", f"{name}.XQ"):
                channel.queue_delete(queue)
        finally:
            connection.close()


@pytest.fixture
def rabbitmq_broker(rabbitmq_queue):
    """The producer's RabbitMQ broker, current for the test."""
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    with _current(RabbitmqBroker(url=AMQP_URL)) as broker:
        yield broker


@pytest.fixture
def dramatiq_worker(rabbitmq_broker, rabbitmq_queue, redis_url, tmp_path):
    """A real ``dramatiq`` worker consuming this run's queue, sharing the Redis cache."""
    prefix = f"{rabbitmq_queue}-dispatch-dramatiq"
    command = [
        *(sys.executable, "-m", "dramatiq", "tests.dispatch_dramatiq.worker_tasks"),
        *("--processes", "1", "--threads", "1", "--queues", rabbitmq_queue),
    ]
    env = worker_env(
        "tests.dispatch_dramatiq.worker_settings",
        prefix,
        redis_url,
        RESTFLOW_WORKER_QUEUE=rabbitmq_queue,
        RESTFLOW_WORKER_BROKER_URL=AMQP_URL,
    )
    log = tmp_path / "dramatiq-worker.log"
    with shared_redis_cache(redis_url, prefix), running(command, env, log, stop_timeout=10) as p:
        yield {"process": p, "queue": rabbitmq_queue, "log": log}
