"""RQ queues of this run on Redis db 15, and a real ``rqworker``."""

from __future__ import annotations

import sys
import uuid

import pytest
from django.test import override_settings

from tests.dispatch_common.workers import running, shared_redis_cache, worker_env


@pytest.fixture
def rq_queue(run_id, redis_url):
    """Name of an RQ queue of this run (configured in ``RQ_QUEUES``), emptied and
    deleted with its jobs at teardown."""
    import django_rq

    name = f"{run_id}.{uuid.uuid4().hex[:8]}.invalidation"
    with override_settings(RQ_QUEUES={name: {"URL": redis_url}}):
        try:
            yield name
        finally:
            _delete_queue(django_rq.get_queue(name))


def _delete_queue(queue) -> None:
    """Delete the queue, its registries and every job it saw (results included)."""
    registries = (
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.started_job_registry,
    )
    job_ids = set(queue.get_job_ids())
    for registry in registries:
        job_ids.update(registry.get_job_ids())
    connection = queue.connection
    keys = [f"rq:{kind}:{job_id}" for job_id in job_ids for kind in ("job", "results")]
    keys += list(connection.scan_iter(match=f"rq:*:{queue.name}*"))
    queue.delete(delete_jobs=True)
    if keys:
        connection.delete(*keys)


@pytest.fixture
def rq_worker(rq_queue, redis_url, tmp_path):
    """A real ``manage.py rqworker <queue>`` sharing the test's Redis cache."""
    prefix = f"{rq_queue}-dispatch-rq"
    command = [
        *(sys.executable, "-m", "django", "rqworker", rq_queue),
        *("--name", f"{rq_queue}.worker"),
    ]
    env = worker_env(
        "tests.dispatch_rq.worker_settings", prefix, redis_url, RESTFLOW_WORKER_QUEUE=rq_queue
    )
    log = tmp_path / "rq-worker.log"
    with shared_redis_cache(redis_url, prefix), running(command, env, log) as process:
        yield {"process": process, "queue": rq_queue, "log": log}
