"""DjangoQDispatcher: construction, configuration and the task it queues (caching.md §12)."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import DjangoQDispatcher, InvalidationRule, cache_result
from restflow.caching.dispatchers import registered_dispatcher_names, resolve
from restflow.caching.dispatchers.base import import_dotted
from restflow.caching.registry import CacheRegister
from tests.dispatch_common.workers import isolated_rules


def dispatcher_settings(**block):
    return override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"django_q": block}}}
    )


def queued(list_key: str) -> list[dict]:
    """Take the tasks waiting on a django-q Redis list (decoded)."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker(list_key)
    tasks = []
    while (item := broker.connection.lpop(broker.list_key)) is not None:
        tasks.append(SignedPackage.loads(item))
    return tasks


def test_plugin_is_registered_and_reexported():
    """C-DISP-001: the facade resolves to the plugin's class."""
    import restflow.caching.dispatchers.django_q as facade

    assert {"asyncio", "inline", "threadpool", "django_q"} <= set(registered_dispatcher_names())
    assert facade.DjangoQDispatcher is DjangoQDispatcher
    assert isinstance(resolve("django_q"), DjangoQDispatcher)


def test_construction_needs_django_q(monkeypatch):
    """C-DQ-001"""
    assert DjangoQDispatcher(group="g").config == {"group": "g"}
    monkeypatch.setitem(sys.modules, "django_q", None)
    with pytest.raises(ImportError, match="django-q2"):
        DjangoQDispatcher()


def test_batch_key_groups_by_cluster_group_and_path():
    """C-DQ-001"""
    key = DjangoQDispatcher(cluster="c", group="g").batch_key()
    assert key == DjangoQDispatcher(group="g", cluster="c").batch_key()
    assert key != DjangoQDispatcher(cluster="other", group="g").batch_key()
    assert key != DjangoQDispatcher(cluster="c", group="other").batch_key()
    assert key != DjangoQDispatcher(cluster="c", group="g", function_path="x.y").batch_key()


def test_config_falls_back_to_settings():
    """§12.2: ``cluster`` → CLUSTER, ``group`` → GROUP, ``function_path`` → FUNCTION_PATH."""
    assert DjangoQDispatcher().function_path == "restflow.caching.tasks.run_cache_rules"
    with dispatcher_settings(CLUSTER="c", GROUP="g", FUNCTION_PATH="a.b"):
        dispatcher = DjangoQDispatcher()
        assert dispatcher.batch_key() == (DjangoQDispatcher, "c", "g", "a.b")
        assert DjangoQDispatcher(group="mine").batch_key() == (
            DjangoQDispatcher,
            "c",
            "mine",
            "a.b",
        )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_dispatch_queues_the_dotted_path_and_running_it_rewarms(cluster_name):
    """C-DQ-002: ``async_task("restflow.caching.tasks.run_cache_rules", rule_ids,
    rule_kwargs, dispatcher_name="django_q", group=...)``, ``cluster`` forwarded (it picks
    the Redis list); running the dotted path rewarms."""
    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    rewarm=True,
                    dispatcher="django_q",
                )
            ]
        )
        def group_label(group_id):
            return Group.objects.get(pk=group_id).name

        group = Group.objects.create(name="v1")
        assert group_label(group_id=group.pk) == "v1"
        Group.objects.filter(pk=group.pk).update(name="v2")  # no signal
        (rule,) = [r for r in CacheRegister.rules() if r["func"] is group_label]
        rule_kwargs = {str(rule["id"]): {"group_id": group.pk}}

        hot = f"{cluster_name}-hot"
        DjangoQDispatcher(group="cache", cluster=hot).dispatch(
            rule_ids=[rule["id"]], rule_kwargs=rule_kwargs, model_label="auth.Group", pk=group.pk
        )
        assert queued(cluster_name) == []
        (task,) = queued(hot)
        assert task["func"] == "restflow.caching.tasks.run_cache_rules"
        assert task["args"] == ([rule["id"]], rule_kwargs)
        assert task["kwargs"] == {"dispatcher_name": "django_q"}
        assert task["group"] == "cache"
        assert task["cluster"] == hot

        DjangoQDispatcher().dispatch(rule_ids=[rule["id"]], rule_kwargs=rule_kwargs)
        (plain,) = queued(cluster_name)
        assert "group" not in plain and "cluster" not in plain

        assert group_label.get_cache_only(group_id=group.pk) == "v1"
        import_dotted(task["func"])(*task["args"], **task["kwargs"])
        assert group_label.get_cache_only(group_id=group.pk) == "v2"
