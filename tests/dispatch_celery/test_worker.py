"""Round trip through a real Celery worker on RabbitMQ (caching.md §12.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import CACHE_MISSING
from tests.dispatch_common.workers import scoped_module, wait_until, worker_log

pytestmark = [pytest.mark.rabbitmq, pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_worker_invalidates_after_save_and_delete(celery_worker):
    """C-CEL-005 (real worker): save → task on this run's queue → the worker's
    run_cache_rules deletes the entry in the shared Redis cache; the same after a delete."""
    block = {"celery": {"QUEUE": celery_worker["queue"]}}
    with (
        override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": block}}),
        scoped_module("tests.dispatch_celery.worker_app.cached") as cached,
    ):
        group = Group.objects.create(name="before")
        assert cached.group_name(group_id=group.pk) == "before"
        group.name = "after"
        group.save()

        def gone():
            return cached.group_name.get_cache_only(group_id=group.pk) is CACHE_MISSING

        process, log = celery_worker["process"], celery_worker["log"]
        assert wait_until(gone, process=process, log=log), worker_log(log)
        assert cached.group_name(group_id=group.pk) == "after"
        pk = group.pk
        group.delete()
        assert wait_until(
            lambda: cached.group_name.get_cache_only(group_id=pk) is CACHE_MISSING,
            process=process,
            log=log,
        ), worker_log(log)

    # The worker logs a task after running it: give it a moment.
    def logged() -> bool:
        output = worker_log(log)
        return (
            output.count("Task restflow.caching.tasks.task_run_cache_rules[") == 4
            and output.count(" succeeded in ") == 2
        )

    assert wait_until(logged, timeout=10), worker_log(log)
