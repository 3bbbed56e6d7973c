"""DjangoRqDispatcher: construction, configuration and the job it enqueues (caching.md §12)."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import DjangoRqDispatcher, InvalidationRule, cache_result
from restflow.caching.dispatchers import registered_dispatcher_names, resolve
from restflow.caching.registry import CacheRegister
from restflow.caching.tasks import run_cache_rules
from tests.dispatch_common.workers import isolated_rules


def dispatcher_settings(**block):
    return override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"django_rq": block}}}
    )


def test_plugin_is_registered_and_reexported():
    """C-DISP-001: the facade resolves to the plugin's class."""
    import restflow.caching.dispatchers.django_rq as facade

    assert {"asyncio", "inline", "threadpool", "django_rq"} <= set(registered_dispatcher_names())
    assert facade.DjangoRqDispatcher is DjangoRqDispatcher
    assert isinstance(resolve("django_rq"), DjangoRqDispatcher)


def test_construction_needs_django_rq(monkeypatch):
    """C-RQ-001"""
    assert DjangoRqDispatcher(queue="q").config == {"queue": "q"}
    monkeypatch.setitem(sys.modules, "django_rq", None)
    with pytest.raises(ImportError, match="django-rq"):
        DjangoRqDispatcher()


def test_batch_key_groups_by_queue_and_path():
    """C-RQ-001"""
    assert DjangoRqDispatcher(queue="a").batch_key() == DjangoRqDispatcher(queue="a").batch_key()
    assert DjangoRqDispatcher(queue="a").batch_key() != DjangoRqDispatcher(queue="b").batch_key()
    other_path = DjangoRqDispatcher(queue="a", function_path="x.y").batch_key()
    assert other_path != DjangoRqDispatcher(queue="a").batch_key()
    assert DjangoRqDispatcher().batch_key() == DjangoRqDispatcher(queue="default").batch_key()


def test_config_falls_back_to_settings():
    """§12.2: ``queue`` → QUEUE → "default"; ``function_path`` → FUNCTION_PATH → default."""
    assert DjangoRqDispatcher().queue == "default"
    assert DjangoRqDispatcher().function_path == "restflow.caching.tasks.run_cache_rules"
    with dispatcher_settings(QUEUE="from-settings", FUNCTION_PATH="a.b"):
        assert DjangoRqDispatcher().queue == "from-settings"
        assert DjangoRqDispatcher().function_path == "a.b"
        assert DjangoRqDispatcher(queue="", function_path="c.d").queue == "from-settings"
        assert DjangoRqDispatcher(queue="mine").function_path == "a.b"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_dispatch_enqueues_run_cache_rules_and_the_job_rewarms(rq_queue):
    """C-RQ-002: the job on the configured queue is the function object
    ``restflow.caching.tasks.run_cache_rules`` with ``(rule_ids, rule_kwargs)`` and
    ``dispatcher_name="django_rq"``; performing it rewarms."""
    import django_rq

    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    rewarm=True,
                    dispatcher="django_rq",
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

        DjangoRqDispatcher(queue=rq_queue).dispatch(
            rule_ids=[rule["id"]], rule_kwargs=rule_kwargs, model_label="auth.Group", pk=group.pk
        )
        (job,) = django_rq.get_queue(rq_queue).get_jobs()
        assert job.func is run_cache_rules
        assert job.func_name == "restflow.caching.tasks.run_cache_rules"
        assert job.args == ([rule["id"]], rule_kwargs)
        assert job.kwargs == {"dispatcher_name": "django_rq"}
        assert group_label.get_cache_only(group_id=group.pk) == "v1"
        job.perform()
        assert group_label.get_cache_only(group_id=group.pk) == "v2"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_save_enqueues_on_the_settings_queue(rq_queue):
    """§12.2: a save dispatches to the QUEUE of the settings block (read at dispatch time)."""
    import django_rq

    with isolated_rules(), dispatcher_settings(QUEUE=rq_queue):

        @cache_result(
            invalidates_on=[
                InvalidationRule(model=Group, field_mapping={"id": "id"}, dispatcher="django_rq")
            ]
        )
        def by_id(id):
            return id

        group = Group.objects.create(name="g")
        assert django_rq.get_queue(rq_queue).count == 0  # create: trigger_on_create=False
        group.save()
        (job,) = django_rq.get_queue(rq_queue).get_jobs()
    assert job.args[1] == {str(job.args[0][0]): {"id": group.pk}}


def test_queue_and_its_connection_are_reused_while_rq_queues_is_unchanged(redis_url):
    """django-rq opens a new Redis client per ``get_queue``; the dispatcher keeps one queue
    per ``RQ_QUEUES`` entry and picks up a changed entry."""
    from restflow.dispatch.django_rq import get_queue

    with override_settings(RQ_QUEUES={"reuse": {"URL": redis_url}}):
        first = get_queue("reuse")
        assert get_queue("reuse") is first
    with override_settings(RQ_QUEUES={"reuse": {"URL": redis_url}}):
        assert get_queue("reuse") is not first


@pytest.mark.django_db(transaction=True)
def test_unreachable_redis_does_not_fail_the_save(caplog):
    """W-6 through the plugin: a queue whose Redis refuses connections is logged at ERROR
    after commit and ``save()`` returns; with ``RAISE_EXCEPTION=True`` it propagates."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    down = {"down": {"URL": "redis://127.0.0.1:1/0"}}
    with isolated_rules(), override_settings(RQ_QUEUES=down), dispatcher_settings(QUEUE="down"):

        @cache_result(
            invalidates_on=[
                InvalidationRule(model=Group, field_mapping={"id": "id"}, dispatcher="django_rq")
            ]
        )
        def by_id(id):
            return id

        group = Group.objects.create(name="g")
        group.save()
        assert Group.objects.filter(pk=group.pk).exists()
        assert "Cache rule dispatch failed" in caplog.text
        with (
            dispatcher_settings(QUEUE="down", RAISE_EXCEPTION=True),
            pytest.raises(RedisConnectionError),
        ):
            group.save()
