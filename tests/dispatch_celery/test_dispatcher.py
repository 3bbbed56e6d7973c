"""CeleryDispatcher: construction, settings, what it publishes on RabbitMQ (caching.md §12)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import CeleryDispatcher, InvalidationRule, cache_result
from restflow.caching.dispatchers import registered_dispatcher_names, resolve
from restflow.caching.registry import CacheRegister
from restflow.dispatch.celery import TASK_NAME, task_run_cache_rules
from tests.dispatch_common.workers import ROOT, isolated_rules, wait_until

PAYLOAD = {
    "model_label": "auth.User",
    "pk": 1,
    "rule_ids": [1, 2],
    "signal_type": CacheRegister.SignalTypes.POST_SAVE,
    "rule_kwargs": {"1": {"user_id": 1}},
}
WIRE = {**PAYLOAD, "signal_type": "POST_SAVE"}


def dispatcher_settings(**block):
    return override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": block}}}
    )


def test_plugin_is_registered_and_reexported():
    """C-DISP-001: the facades resolve to the plugin's objects."""
    import restflow.caching.dispatchers.celery as facade
    import restflow.caching.tasks as tasks
    import restflow.tasks

    assert {"asyncio", "inline", "threadpool", "celery"} <= set(registered_dispatcher_names())
    assert facade.CeleryDispatcher is CeleryDispatcher
    assert isinstance(resolve("celery"), CeleryDispatcher)
    assert tasks.task_run_cache_rules is task_run_cache_rules
    assert restflow.tasks.task_run_cache_rules is task_run_cache_rules
    assert restflow.tasks.__all__ == ["task_run_cache_rules"]
    assert task_run_cache_rules.name == TASK_NAME == "restflow.caching.tasks.task_run_cache_rules"


def test_construction_needs_celery(monkeypatch):
    """C-CEL-001"""
    assert CeleryDispatcher().config == {}
    monkeypatch.setitem(sys.modules, "celery", None)
    with pytest.raises(ImportError, match="celery is required"):
        CeleryDispatcher()


def test_settings_block():
    """S-SET-004"""
    assert CeleryDispatcher.settings()["TASK_NAME"] == "restflow.caching.tasks.task_run_cache_rules"
    assert CeleryDispatcher.settings()["QUEUE"] is None
    with dispatcher_settings(TASK_NAME="my.task", QUEUE="my.queue"):
        assert CeleryDispatcher.settings()["TASK_NAME"] == "my.task"
        assert CeleryDispatcher.settings()["QUEUE"] == "my.queue"
        assert CeleryDispatcher().task_name == "my.task"
        assert CeleryDispatcher().queue == "my.queue"
    assert CeleryDispatcher().task_name == TASK_NAME


def test_batch_key():
    """C-CEL-004"""
    assert CeleryDispatcher(task_name="t", queue="a").batch_key() == (
        CeleryDispatcher(queue="a", task_name="t").batch_key()
    )
    assert CeleryDispatcher(queue="a").batch_key() != CeleryDispatcher(queue="b").batch_key()
    with dispatcher_settings(QUEUE="from-settings"):
        assert CeleryDispatcher().batch_key() == CeleryDispatcher(queue="from-settings").batch_key()


def test_explicit_queue_none_beats_the_settings():
    """§12.2: the presence of ``queue`` in dispatcher_config wins, even as None."""
    with dispatcher_settings(QUEUE="settings.queue"):
        assert CeleryDispatcher(queue=None).queue is None
        assert CeleryDispatcher(queue="").queue == ""
        assert CeleryDispatcher().queue == "settings.queue"


@pytest.mark.rabbitmq
def test_unregistered_task_goes_through_send_task(broker):
    """C-CEL-002: a task only remote workers know is sent by name with the payload as
    keyword arguments (no positional args): without ``queue`` to the app's default queue,
    with ``queue="my.queue"`` to that queue."""
    default = broker.app.conf.task_default_queue
    CeleryDispatcher(task_name="test.task").dispatch(**PAYLOAD)
    assert broker.wait_for_messages(default) == [{"task": "test.task", "args": [], "kwargs": WIRE}]

    queue = broker.queue("my.queue")
    CeleryDispatcher(task_name="test.task", queue=queue).dispatch(**PAYLOAD)
    assert broker.wait_for_messages(queue) == [{"task": "test.task", "args": [], "kwargs": WIRE}]
    assert broker.messages(default) == []


@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_per_rule_config_beats_settings(broker):
    """C-CEL-003, S-SET-005: dispatcher_config task_name/queue win over the settings block."""
    per_rule_queue = broker.queue("per.rule.queue")
    settings_queue = broker.queue("settings.queue")
    with isolated_rules(), dispatcher_settings(TASK_NAME="settings.task", QUEUE=settings_queue):

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    dispatcher="celery",
                    dispatcher_config={"task_name": "per.rule.task", "queue": per_rule_queue},
                )
            ]
        )
        def per_rule(group_id):
            return group_id

        group = Group.objects.create(name="g")
        group.save()
        received = broker.wait_for_messages(per_rule_queue)
    assert [m["task"] for m in received] == ["per.rule.task"]
    assert received[0]["kwargs"]["rule_kwargs"] == {
        str(received[0]["kwargs"]["rule_ids"][0]): {"group_id": group.pk}
    }
    assert broker.messages(settings_queue) == []


@pytest.mark.django_db(transaction=True)
def test_eager_rewarm_after_save(eager_app):
    """C-CEL-005 (eager app): the registered task runs in-process and rewarms."""
    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group, field_mapping={"group_id": "id"}, rewarm=True, dispatcher="celery"
                )
            ]
        )
        def group_label(group_id):
            return Group.objects.get(pk=group_id).name

        group = Group.objects.create(name="before")
        assert group_label(group_id=group.pk) == "before"
        Group.objects.filter(pk=group.pk).update(name="after")  # no signal
        assert group_label(group_id=group.pk) == "before"
        group.refresh_from_db()
        group.save()
        assert group_label.get_cache_only(group_id=group.pk) == "after"


@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_unregistered_task_name_sends_by_name_once_per_update(broker):
    """C-CEL-005: a save with an unregistered task name is sent through send_task with the
    model label and pk; a create (no trigger_on_create) sends nothing, the update once."""
    queue = broker.queue("by-name")
    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    dispatcher="celery",
                    dispatcher_config={"task_name": "remote.only.task", "queue": queue},
                )
            ]
        )
        def remote(group_id):
            return group_id

        assert "remote.only.task" not in broker.app.tasks
        group = Group.objects.create(name="created")
        assert not wait_until(lambda: bool(broker.messages(queue)), timeout=1)
        group.name = "updated"
        group.save()
        received = broker.wait_for_messages(queue)
    assert len(received) == 1
    kwargs = received[0]["kwargs"]
    assert received[0]["task"] == "remote.only.task"
    assert kwargs["model_label"] == "auth.Group"
    assert kwargs["pk"] == group.pk
    assert kwargs["signal_type"] == "POST_SAVE"


def test_autodiscover_imports_restflow_tasks():
    """§12.5: ``app.autodiscover_tasks(["restflow"])`` imports ``restflow.tasks``, which
    declares the task on that app."""
    code = (
        "import django, sys; django.setup()\n"
        "from celery import Celery\n"
        "app = Celery('discover')\n"
        "app.autodiscover_tasks(['restflow'], force=True)\n"
        "print('restflow.tasks' in sys.modules, "
        "'restflow.caching.tasks.task_run_cache_rules' in app.tasks)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.dispatch_celery.worker_settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True"], result.stderr


@pytest.mark.django_db(transaction=True)
def test_task_error_reaches_celery_only_when_both_layers_say_raise(eager_app, caplog):
    """§11.2 through the task: a failing rewarm with ``raise_exception=True`` fails the
    Celery task (retries, dead-lettering) only with celery ``RAISE_EXCEPTION=True``;
    otherwise the task logs it and succeeds."""
    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    rewarm=True,
                    raise_exception=True,
                    dispatcher="celery",
                )
            ]
        )
        def broken(group_id):
            raise RuntimeError("cannot recompute")

        rule_id = next(r["id"] for r in CacheRegister.rules() if r["func"] is broken)
        kwargs = {
            "rule_ids": [rule_id],
            "rule_kwargs": {str(rule_id): {"group_id": 1}},
            "model_label": "auth.Group",
            "pk": 1,
            "signal_type": "POST_SAVE",
        }
        result = task_run_cache_rules.apply(kwargs=kwargs, throw=False)
        assert result.successful()
        assert "restflow.run_cache_rules failed" in caplog.text
        with dispatcher_settings(RAISE_EXCEPTION=True):
            result = task_run_cache_rules.apply(kwargs=kwargs, throw=False)
        assert result.failed()
        assert isinstance(result.result, RuntimeError)


@pytest.mark.django_db(transaction=True)
def test_unreachable_broker_does_not_fail_the_save(unreachable_app, caplog):
    """W-6 through the plugin: a broker that refuses connections is logged at ERROR after
    commit and ``save()`` returns; with celery ``RAISE_EXCEPTION=True`` it propagates."""
    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(model=Group, field_mapping={"group_id": "id"}, dispatcher="celery")
            ]
        )
        def group_label(group_id):
            return group_id

        group = Group.objects.create(name="g")
        group.save()
        assert Group.objects.filter(pk=group.pk).exists()
        assert "Cache rule dispatch failed" in caplog.text
        from kombu.exceptions import OperationalError

        with dispatcher_settings(RAISE_EXCEPTION=True), pytest.raises(OperationalError):
            group.save()
