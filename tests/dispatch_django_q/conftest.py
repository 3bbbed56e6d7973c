"""django-q2 on this run's Redis keys, and a real ``qcluster``."""

from __future__ import annotations

import sys

import pytest
from django.test import override_settings

from tests.dispatch_common.workers import delete_keys, running, shared_redis_cache, worker_env
from tests.dispatch_django_q.cluster import q_cluster


@pytest.fixture
def cluster_name(run_id, redis_url):
    """The ``Q_CLUSTER`` name of this run (django-q reads ``Q_CLUSTER`` once per process,
    on first import of ``django_q.conf``, so the name is the same for every test)."""
    name = f"{run_id}-restflow"
    with override_settings(Q_CLUSTER=q_cluster(name, redis_url)):
        from django_q.conf import Conf

        if name != Conf.PREFIX or redis_url != Conf.REDIS:
            pytest.fail(f"django_q.conf was imported before Q_CLUSTER was set: {Conf.PREFIX}")
        try:
            yield name
        finally:
            delete_keys(redis_url, f"django_q:{name}*")


@pytest.fixture
def qcluster(cluster_name, redis_url, tmp_path):
    """A real ``manage.py qcluster`` sharing the test's Redis cache."""
    prefix = f"{cluster_name}-dispatch-django-q"
    command = [sys.executable, "-m", "django", "qcluster"]
    env = worker_env(
        "tests.dispatch_django_q.worker_settings",
        prefix,
        redis_url,
        RESTFLOW_WORKER_QUEUE=cluster_name,
    )
    log = tmp_path / "qcluster.log"
    with shared_redis_cache(redis_url, prefix), running(command, env, log, stop_timeout=10) as p:
        yield {"process": p, "log": log}
