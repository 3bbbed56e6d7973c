"""DramatiqDispatcher and register_actor on Dramatiq's StubBroker (caching.md §12, W-31, W-32)."""

from __future__ import annotations

import sys
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from restflow.caching import DramatiqDispatcher, InvalidationRule, cache_result
from restflow.caching.dispatchers import registered_dispatcher_names, resolve
from restflow.caching.registry import CacheRegister
from restflow.dispatch.dramatiq import ACTOR_NAME, register_actor, task_run_cache_rules
from tests.dispatch_common.workers import isolated_rules


def dispatcher_settings(**block):
    return override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"dramatiq": block}}}
    )


def rule_of(wrapper) -> int:
    (rule,) = [r for r in CacheRegister.rules() if r["func"] is wrapper]
    return rule["id"]


def queued(broker, queue: str) -> list:
    """Messages waiting on a StubBroker queue (decoded)."""
    from dramatiq import Message

    return [Message.decode(data) for data in list(broker.queues[queue].queue)]


def test_plugin_is_registered_and_reexported():
    """C-DISP-001: the facade resolves to the plugin's objects."""
    import restflow.caching.dispatchers.dramatiq as facade

    assert {"asyncio", "inline", "threadpool", "dramatiq"} <= set(registered_dispatcher_names())
    assert facade.DramatiqDispatcher is DramatiqDispatcher
    assert facade.register_actor is register_actor
    assert isinstance(resolve("dramatiq"), DramatiqDispatcher)


def test_construction_needs_dramatiq(monkeypatch):
    """C-DRM-001"""
    assert DramatiqDispatcher(queue="q").config == {"queue": "q"}
    monkeypatch.setitem(sys.modules, "dramatiq", None)
    with pytest.raises(ImportError, match="dramatiq"):
        DramatiqDispatcher()


def test_batch_key_groups_by_queue_and_actor_name():
    """C-DRM-001"""
    key = DramatiqDispatcher(queue="a", actor_name="x").batch_key()
    assert key == DramatiqDispatcher(actor_name="x", queue="a").batch_key()
    assert key != DramatiqDispatcher(queue="b", actor_name="x").batch_key()
    assert key != DramatiqDispatcher(queue="a", actor_name="y").batch_key()
    assert DramatiqDispatcher().batch_key() == (DramatiqDispatcher, "default", ACTOR_NAME)
    with dispatcher_settings(QUEUE="s.queue", ACTOR_NAME="s.actor"):
        assert DramatiqDispatcher().batch_key() == (DramatiqDispatcher, "s.queue", "s.actor")


@pytest.mark.django_db(transaction=True)
def test_register_actor_runs_the_rules_and_is_idempotent(stub_broker):
    """C-DRM-002: the actor is declared on the current broker under its name; its function
    is run_cache_rules(rule_ids, rule_kwargs, dispatcher_name="dramatiq") (it rewarms);
    a second call returns it without raising and declares a new queue."""
    actor = register_actor(actor_name="test.restflow.actor")
    assert actor.actor_name == "test.restflow.actor"
    assert stub_broker.actors["test.restflow.actor"] is actor
    assert actor.queue_name == "default"
    assert actor.fn is task_run_cache_rules
    again = register_actor(actor_name="test.restflow.actor", queue_name="other")
    assert again is actor
    assert "other" in stub_broker.get_declared_queues()
    assert register_actor().actor_name == "restflow.task_run_cache_rules"

    with isolated_rules():

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group,
                    field_mapping={"group_id": "id"},
                    rewarm=True,
                    dispatcher="dramatiq",
                )
            ]
        )
        def group_label(group_id):
            return Group.objects.get(pk=group_id).name

        group = Group.objects.create(name="v1")
        assert group_label(group_id=group.pk) == "v1"
        Group.objects.filter(pk=group.pk).update(name="v2")  # no signal
        rule_id = rule_of(group_label)
        actor.fn([rule_id], {str(rule_id): {"group_id": group.pk}})
        assert group_label.get_cache_only(group_id=group.pk) == "v2"


def test_register_actor_refuses_to_take_over_a_foreign_actor(stub_broker):
    """An actor of the same name that restflow did not declare is not silently reused."""
    import dramatiq

    dramatiq.actor(actor_name="theirs", broker=stub_broker)(lambda: None)
    with pytest.raises(ValueError, match="already registered"):
        register_actor(actor_name="theirs")


def test_dispatch_routes_to_the_configured_queue(stub_broker):
    """C-DRM-003, W-31: the message lands on the broker queue ``invalidation`` with args
    ``[rule_ids, rule_kwargs]``, although the actor was declared on another queue."""
    register_actor()  # declared on "default", as a worker would with no queue_name
    DramatiqDispatcher(queue="invalidation").dispatch(
        rule_ids=[42], rule_kwargs={"42": {"user_id": 1}}, model_label="auth.User", pk=1
    )
    (message,) = queued(stub_broker, "invalidation")
    assert message.queue_name == "invalidation"
    assert message.actor_name == ACTOR_NAME
    assert message.args == ([42], {"42": {"user_id": 1}})
    assert message.kwargs == {}
    assert queued(stub_broker, "default") == []


def test_dispatch_uses_settings_queue(stub_broker):
    """§12.2: QUEUE / ACTOR_NAME of the settings block, read at dispatch time."""
    with dispatcher_settings(QUEUE="from.settings", ACTOR_NAME="settings.actor"):
        DramatiqDispatcher().dispatch(rule_ids=[1], rule_kwargs={"1": {}})
    (message,) = queued(stub_broker, "from.settings")
    assert message.actor_name == "settings.actor"


def test_each_actor_name_gets_its_own_actor(stub_broker):
    """C-DRM-004, W-31: two dispatchers with different actor names in one process."""
    DramatiqDispatcher(actor_name="restflow.first", queue="q").dispatch(
        rule_ids=[1], rule_kwargs={"1": {}}
    )
    DramatiqDispatcher(actor_name="restflow.second", queue="q").dispatch(
        rule_ids=[2], rule_kwargs={"2": {}}
    )
    assert [m.actor_name for m in queued(stub_broker, "q")] == ["restflow.first", "restflow.second"]
    assert {"restflow.first", "restflow.second"} <= set(stub_broker.actors)


def test_worker_declared_actor_is_reused_by_dispatch(stub_broker):
    """W-31: a process that called register_actor() (a worker that also saves models)
    dispatches without "An actor named ... is already registered"."""
    actor = register_actor(queue_name="work")
    DramatiqDispatcher(queue="work").dispatch(rule_ids=[1], rule_kwargs={"1": {}})
    DramatiqDispatcher(queue="work").dispatch(rule_ids=[2], rule_kwargs={"2": {}})
    assert stub_broker.actors[ACTOR_NAME] is actor
    assert len(queued(stub_broker, "work")) == 2


@pytest.mark.django_db(transaction=True)
def test_round_trip_through_a_worker(stub_broker, stub_worker):
    """C-DRM-005: save → message → Dramatiq worker runs the actor → the next call returns
    the recomputed value."""
    with isolated_rules(), dispatcher_settings(QUEUE="restflow-stub"):

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Group, field_mapping={"group_id": "id"}, dispatcher="dramatiq"
                )
            ]
        )
        def group_label(group_id):
            return Group.objects.get(pk=group_id).name

        group = Group.objects.create(name="v1")
        assert group_label(group_id=group.pk) == "v1"
        group.name = "v2"
        group.save()
        stub_broker.join("restflow-stub", fail_fast=True)
        stub_worker.join()
        assert group_label(group_id=group.pk) == "v2"


class Token:
    """A plain object standing for a row whose partition value is a UUID."""

    def __init__(self, value):
        self.pk = 1
        self.value = value


@pytest.mark.django_db(transaction=True)
def test_uuid_is_sent_as_its_string_and_other_types_are_refused(stub_broker):
    """C-DRM-006, W-32: a UUID argument is delivered as its string (JSON encoding does not
    fail); an unsupported type raises TypeError naming the argument."""
    token = uuid.uuid4()
    raise_block = {"RAISE_EXCEPTION": True, "QUEUE": "tokens"}
    with isolated_rules(), dispatcher_settings(**raise_block):

        @cache_result(
            invalidates_on=[
                InvalidationRule(
                    model=Token, field_mapping={"token": "value"}, dispatcher="dramatiq"
                )
            ]
        )
        def by_token(token):
            return str(token)

        CacheRegister.invalidate_for_instance(
            Token(token), False, CacheRegister.SignalTypes.POST_SAVE
        )
        (message,) = queued(stub_broker, "tokens")
        rule_id = str(rule_of(by_token))
        assert message.args[1] == {rule_id: {"token": str(token)}}

        with pytest.raises(TypeError, match=r"'token'.*object"):
            CacheRegister.invalidate_for_instance(
                Token(object()), False, CacheRegister.SignalTypes.POST_SAVE
            )
        assert len(queued(stub_broker, "tokens")) == 1
