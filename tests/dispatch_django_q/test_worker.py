"""Round trip through a real django-q2 cluster on Redis (caching.md §12.5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from restflow.caching import CACHE_MISSING
from tests.dispatch_common.workers import scoped_module, wait_until, worker_log

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_cluster_invalidates_after_save_and_delete(qcluster):
    """C-DQ-002 (real cluster): save → task on this run's Redis list → ``qcluster`` imports
    ``restflow.caching.tasks.run_cache_rules`` and deletes the entry in the shared Redis
    cache; the same after a delete."""
    process, log = qcluster["process"], qcluster["log"]
    with scoped_module("tests.dispatch_django_q.worker_app.cached") as cached:
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
    # The monitor logs a task after the worker ran it: give it a moment.
    processed = "Processed 'restflow.caching.tasks.run_cache_rules'"
    assert wait_until(lambda: worker_log(log).count(processed) == 2, timeout=10), worker_log(log)
