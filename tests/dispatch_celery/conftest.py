"""Celery apps for the producer side and a real Celery worker on RabbitMQ."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import uuid

import pytest

from tests.dispatch_common.workers import running, shared_redis_cache, wait_until, worker_env

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"


@contextlib.contextmanager
def _current(app):
    from celery._state import _set_current_app, get_current_app

    previous = get_current_app()
    app.set_current()
    try:
        yield app
    finally:
        app.close()
        _set_current_app(previous)


@pytest.fixture
def eager_app(run_id):
    """A current Celery app that runs tasks in-process (``task_always_eager``)."""
    from celery import Celery

    app = Celery(f"{run_id}-eager")
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    with _current(app):
        yield app


@pytest.fixture
def unreachable_app(run_id):
    """A current Celery app whose broker refuses connections, failing fast."""
    from celery import Celery

    app = Celery(f"{run_id}-down", broker="amqp://guest:guest@127.0.0.1:1//")
    app.conf.task_publish_retry = False
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.broker_transport_options = {"max_retries": 0}
    with _current(app):
        yield app


class Broker:
    """The producer's Celery app on RabbitMQ, plus a look at what landed on a queue."""

    def __init__(self, app, prefix: str):
        self.app = app
        self.prefix = prefix
        self.queues: set[str] = set()
        app.conf.task_default_queue = self.queue("celery-default")

    def queue(self, name: str) -> str:
        """A queue name of this run and test, deleted at teardown (kombu remembers the
        queues it declared per connection, so a deleted name is never reused)."""
        queue = f"{self.prefix}.{name}"
        self.queues.add(queue)
        return queue

    def messages(self, queue: str) -> list[dict]:
        """Take every message waiting on ``queue``: task name, args and kwargs."""
        from amqp.exceptions import NotFound

        taken = []
        with self.app.connection_for_read() as conn:
            channel = conn.default_channel
            try:
                while (message := channel.basic_get(queue, no_ack=True)) is not None:
                    args, kwargs, _embed = json.loads(message.body)
                    headers = message.headers or {}
                    taken.append({"task": headers.get("task"), "args": args, "kwargs": kwargs})
            except NotFound:  # nothing was ever published there
                pass
        return taken

    def wait_for_messages(self, queue: str, timeout: float = 10.0) -> list[dict]:
        """Take the messages of ``queue`` once at least one arrived (``[]`` on timeout)."""
        taken: list[dict] = []
        wait_until(lambda: bool(taken.extend(self.messages(queue)) or taken), timeout)
        return taken

    def delete_queues(self) -> None:
        with self.app.connection_for_write() as conn:
            channel = conn.default_channel
            for queue in self.queues:
                with contextlib.suppress(Exception):
                    channel.queue_delete(queue)


@pytest.fixture
def broker(run_id):
    """A current Celery app publishing to RabbitMQ, default queue named after the run."""
    from celery import Celery

    app = Celery(f"{run_id}-producer", broker=AMQP_URL)
    app.conf.broker_connection_timeout = 5
    app.conf.broker_connection_max_retries = 3
    broker = Broker(app, f"{run_id}.{uuid.uuid4().hex[:8]}")
    with _current(app):
        try:
            yield broker
        finally:
            broker.delete_queues()


@pytest.fixture
def celery_worker(broker, redis_url, tmp_path):
    """A real ``celery worker`` consuming this run's queue, sharing the Redis cache.

    Stopped with SIGQUIT (cold shutdown; its work is done when the test ends), killed
    when it takes longer than three seconds (the solo pool can sit in a broker read)."""
    queue = broker.queue("invalidation")
    prefix = f"{broker.prefix}-dispatch-celery"
    command = [
        sys.executable,
        *("-m", "celery", "-A", "tests.dispatch_celery.celery_app", "worker"),
        *("-Q", queue, "--pool=solo", "--without-gossip", "--without-mingle"),
        *("--without-heartbeat", "-l", "INFO", "-n", f"{queue}@%h"),
    ]
    env = worker_env("tests.dispatch_celery.worker_settings", prefix, redis_url)
    log = tmp_path / "celery-worker.log"
    with (
        shared_redis_cache(redis_url, prefix),
        running(command, env, log, signal.SIGQUIT, stop_timeout=3) as process,
    ):
        yield {"process": process, "queue": queue, "log": log}
