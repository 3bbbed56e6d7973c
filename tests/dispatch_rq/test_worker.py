"""Round trip through a real ``rqworker`` on Redis (caching.md §12.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import CACHE_MISSING
from tests.dispatch_common.workers import scoped_module, wait_until, worker_log

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_worker_invalidates_after_save_and_delete(rq_worker):
    """C-RQ-002 (real worker): save → job on this run's queue → the rqworker imports
    ``restflow.caching.tasks.run_cache_rules`` and deletes the entry in the shared Redis
    cache; the same after a delete."""
    block = {"django_rq": {"QUEUE": rq_worker["queue"]}}
    process, log = rq_worker["process"], rq_worker["log"]
    with (
        override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": block}}),
        scoped_module("tests.dispatch_rq.worker_app.cached") as cached,
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
    output = worker_log(log)
    assert output.count("restflow.caching.tasks.run_cache_rules(") >= 2, output
    assert "Job OK" in output, output
