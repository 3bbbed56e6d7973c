"""Round trip through a real Dramatiq worker on RabbitMQ (caching.md §12.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import CACHE_MISSING
from tests.dispatch_common.workers import scoped_module, wait_until, worker_log

pytestmark = [pytest.mark.rabbitmq, pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_worker_invalidates_after_save_and_delete(dramatiq_worker):
    """C-DRM-005 (real worker), W-31: save → message on this run's queue (not "default")
    → the worker's register_actor(queue_name=...) actor deletes the entry in the shared
    Redis cache; the same after a delete."""
    block = {"dramatiq": {"QUEUE": dramatiq_worker["queue"]}}
    process, log = dramatiq_worker["process"], dramatiq_worker["log"]
    with (
        override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": block}}),
        scoped_module("tests.dispatch_dramatiq.worker_app.cached") as cached,
    ):
        group = Group.objects.create(name="before")
        assert cached.group_name(group_id=group.pk) == "before"
        group.name = "after"
        group.save()
        pk = group.pk

        def gone():
            return cached.group_name.get_cache_only(group_id=pk) is CACHE_MISSING

        assert wait_until(gone, process=process, log=log), worker_log(log)
        assert cached.group_name(group_id=pk) == "after"
        group.delete()
        assert wait_until(gone, process=process, log=log), worker_log(log)
