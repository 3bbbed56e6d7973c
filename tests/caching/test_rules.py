"""Invalidation rules, registry, signals, app, worker entries and dispatchers (§8-§12)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import uuid

import pytest
from django.db import transaction
from django.test import override_settings

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    AsyncIODispatcher,
    Dispatcher,
    InlineDispatcher,
    InvalidationRule,
    KeyConstructor,
    ThreadPoolDispatcher,
    cache_result,
    register_dispatcher,
    registered_dispatcher_names,
)
from restflow.caching.dispatchers import resolve
from restflow.caching.dispatchers.base import import_dotted
from restflow.caching.registry import CacheRegister, CacheRegistry, rule_id_for
from tests.caching.app.models import SampleChild, SampleModel, SampleProxy, Team

POST_SAVE = CacheRegistry.SignalTypes.POST_SAVE
POST_DELETE = CacheRegistry.SignalTypes.POST_DELETE
db = pytest.mark.django_db(transaction=True)


class SampleKey(KeyConstructor):
    sample = ArgsKeyField("sample_id", partition=True)


def values_of(model=SampleModel, **rule_options):
    """A cached reader of ``model.name`` and the list of its computations."""
    computed = []
    rule = InvalidationRule(model=model, field_mapping={"sample_id": "pk"}, **rule_options)

    @cache_result(SampleKey, invalidates_on=[rule])
    def read(sample_id):
        value = SampleModel.objects.get(pk=sample_id).name
        computed.append(value)
        return value

    return read, computed, rule


# -- InvalidationRule -------------------------------------------------------------------------


def _invalidator(wrapper, instance):
    return None


def test_rule_validation():
    """C-RULE-001"""
    with pytest.raises(ValueError, match="mutually exclusive"):
        InvalidationRule(model=SampleModel, invalidator=_invalidator, field_mapping={"a": "b"})
    with pytest.raises(TypeError, match="callable or a dotted-path string"):
        InvalidationRule(model=SampleModel, invalidator=42)
    InvalidationRule(model=SampleModel, invalidator=_invalidator)
    InvalidationRule(model=SampleModel, invalidator="tests.caching.test_rules._invalidator")
    rule = InvalidationRule(SampleModel, True, {"a": "b"})
    assert rule.rewarm is True and rule.field_mapping == {"a": "b"}
    assert rule == InvalidationRule(SampleModel, True, {"a": "b"})
    with pytest.raises(TypeError):
        hash(rule)


def test_resolve_invalidator():
    """C-RULE-002"""
    rule = InvalidationRule(model=SampleModel, invalidator=_invalidator)
    assert rule.resolve_invalidator() is _invalidator
    dotted = InvalidationRule(
        model=SampleModel, invalidator="tests.caching.test_rules._invalidator"
    )
    assert dotted.resolve_invalidator() is _invalidator
    assert dotted.resolve_invalidator() is dotted.resolve_invalidator()
    with pytest.raises(ValueError, match="dotted import path"):
        InvalidationRule(model=SampleModel, invalidator="foo").resolve_invalidator()


@db
def test_invalidator_arguments():
    """C-RULE-003 C-RULE-004 C-RULE-005 C-RULE-006 W-1"""
    seen = []
    invocations = []

    def simple(wrapper, instance):
        seen.append(("simple", wrapper, instance.pk))

    def keywords(wrapper, instance, *, signal_type, instance_created, update_fields):
        seen.append(("kw", signal_type, instance_created, update_fields))

    def catch_all(wrapper, instance, **kwargs):
        seen.append(("all", sorted(kwargs)))

    class Opaque:
        __signature__ = property(lambda self: (_ for _ in ()).throw(ValueError("no")))

        def __call__(self, wrapper, instance):
            seen.append(("opaque",))

    rules = [
        InvalidationRule(model=SampleModel, invalidator=simple),
        InvalidationRule(model=SampleModel, invalidator=keywords),
        InvalidationRule(model=SampleModel, invalidator=catch_all),
        InvalidationRule(model=SampleModel, invalidator=Opaque(), dispatcher="inline"),
    ]

    @cache_result(SampleKey, invalidates_on=rules)
    def read(sample_id):
        invocations.append("function")
        return 1

    obj = SampleModel.objects.create(name="a")
    assert seen == []  # trigger_on_create=False
    obj.email = "x@y"
    obj.save(update_fields=["email"])
    assert seen[0] == ("simple", read, obj.pk)
    assert seen[1] == ("kw", POST_SAVE, False, frozenset({"email"}))
    assert seen[2] == ("all", ["instance_created", "signal_type", "update_fields"])
    assert seen[3] == ("opaque",)
    assert invocations == []
    pk = obj.pk
    with transaction.atomic():
        obj.delete()
    assert seen[4] == ("simple", read, pk)  # a copy taken at signal time keeps the pk


@db
def test_invalidator_does_not_dispatch(monkeypatch):
    """C-RULE-005"""
    invocations = []

    def invalidator(wrapper, instance):
        invocations.append("invalidator")

    def fail(*args, **kwargs):
        raise AssertionError("dispatcher must not be used")

    monkeypatch.setattr(InlineDispatcher, "dispatch", fail)

    @cache_result(
        SampleKey, invalidates_on=[InvalidationRule(model=SampleModel, invalidator=invalidator)]
    )
    def read(sample_id):
        invocations.append("function")
        return 1

    obj = SampleModel.objects.create()
    obj.save()
    assert invocations == ["invalidator"]


@db
def test_failing_invalidators(caplog):
    """C-RULE-007"""

    def boom(wrapper, instance):
        raise RuntimeError("boom")

    async def aboom(wrapper, instance):
        raise RuntimeError("aboom")

    @cache_result(
        SampleKey,
        invalidates_on=[
            InvalidationRule(model=SampleModel, invalidator=boom),
            InvalidationRule(model=SampleModel, invalidator=aboom),
        ],
    )
    def read(sample_id):
        return 1

    obj = SampleModel.objects.create()
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        obj.save()
    assert len([r for r in caplog.records if "Custom invalidator failed" in r.getMessage()]) == 2

    for invalidator in (boom, aboom):

        @cache_result(
            SampleKey,
            invalidates_on=[
                InvalidationRule(model=Team, invalidator=invalidator, raise_exception=True)
            ],
        )
        def strict(sample_id):
            return 1

        team = Team.objects.create()
        with pytest.raises(RuntimeError):
            team.save()
        CacheRegister._by_model.pop(Team)
        CacheRegister._lookup.clear()


@db
def test_async_invalidator_and_delete_from_invalidator():
    """C-RULE-008 C-RULE-009"""
    records = []

    async def record(wrapper, instance):
        records.append((wrapper.__name__, instance.pk))
        await asyncio.sleep(0)

    def drop(wrapper, instance):
        wrapper.delete_cache(sample_id=instance.pk)

    computed = []

    @cache_result(SampleKey, invalidates_on=[InvalidationRule(model=SampleModel, invalidator=drop)])
    def get_user_data(sample_id):
        computed.append(sample_id)
        return SampleModel.objects.get(pk=sample_id).name

    @cache_result(
        SampleKey, invalidates_on=[InvalidationRule(model=SampleModel, invalidator=record)]
    )
    def other(sample_id):
        return 1

    obj = SampleModel.objects.create(name="a")
    get_user_data(obj.pk)
    obj.name = "b"
    obj.save()
    assert get_user_data(obj.pk) == "b"
    assert records == [("other", obj.pk)]


def test_require_args_and_paths():
    """C-RULE-010 C-RULE-011"""
    kwargs = CacheRegistry._rule_kwargs
    obj = SampleModel(pk=None, name="a")
    obj.team = None
    assert kwargs(InvalidationRule(SampleModel, field_mapping={"user_id": "pk"}), obj) is None
    assert kwargs(
        InvalidationRule(SampleModel, field_mapping={"team_id": "team_id"}, require_args=False), obj
    ) == {"team_id": None}
    listed = InvalidationRule(
        SampleModel,
        field_mapping={"user_id": "name", "team_id": "team_id"},
        require_args=["user_id"],
    )
    assert kwargs(listed, obj) == {"user_id": "a", "team_id": None}
    listed_missing = InvalidationRule(
        SampleModel, field_mapping={"user_id": "pk"}, require_args=["user_id"]
    )
    assert kwargs(listed_missing, obj) is None
    assert kwargs(InvalidationRule(SampleModel), obj) == {}
    assert kwargs(InvalidationRule(SampleModel, field_mapping={"a": "pk"}), None) is None
    assert kwargs(InvalidationRule(SampleModel, field_mapping={"a": "nope"}), obj) is None
    assert kwargs(InvalidationRule(SampleModel, field_mapping={"a": "team.name"}), obj) is None


def _entry(func, rule):
    return {"id": 1, "func": func, "invalidation_rule": rule}


def test_rewarm_and_fallback(monkeypatch, caplog):
    """C-RULE-012 C-RULE-013"""

    @cache_result(SampleKey)
    def f(sample_id):
        return sample_id

    calls = []
    monkeypatch.setattr(f, "refresh", lambda **kw: calls.append(("refresh", kw)))
    monkeypatch.setattr(f, "delete_by_prefix", lambda **kw: calls.append(("delete", kw)))
    CacheRegister.process_rule(
        _entry(f, InvalidationRule(SampleModel, rewarm=True)), {"sample_id": 1}
    )
    assert calls == [("refresh", {"sample_id": 1})]

    def failing(**kw):
        calls.append(("refresh-failed", kw))
        raise RuntimeError("no")

    calls.clear()
    monkeypatch.setattr(f, "refresh", failing)
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        CacheRegister.process_rule(
            _entry(f, InvalidationRule(SampleModel, rewarm=True)), {"sample_id": 1}
        )
    assert calls == [("refresh-failed", {"sample_id": 1}), ("delete", {"sample_id": 1})]
    assert "Re-warm failed" in caplog.text
    with pytest.raises(RuntimeError):
        CacheRegister.process_rule(
            _entry(f, InvalidationRule(SampleModel, rewarm=True, raise_exception=True)),
            {"sample_id": 1},
        )

    def delete_fails(**kw):
        raise RuntimeError("down")

    monkeypatch.setattr(f, "delete_by_prefix", delete_fails)
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        CacheRegister.process_rule(_entry(f, InvalidationRule(SampleModel)), {"sample_id": 1})
    assert "Cache delete failed" in caplog.text
    with pytest.raises(RuntimeError):
        CacheRegister.process_rule(
            _entry(f, InvalidationRule(SampleModel, raise_exception=True)), {"sample_id": 1}
        )


async def test_rewarm_and_delete_failures_async(monkeypatch, caplog):
    """C-RULE-013"""

    @cache_result(SampleKey)
    async def f(sample_id):
        return sample_id

    async def boom(**kw):
        raise RuntimeError("down")

    monkeypatch.setattr(f, "arefresh", boom)
    monkeypatch.setattr(f, "adelete_by_prefix", boom)
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        await CacheRegister.process_rule(
            _entry(f, InvalidationRule(SampleModel, rewarm=True)), {"sample_id": 1}
        )
    assert "Re-warm failed" in caplog.text and "Cache delete failed" in caplog.text
    with pytest.raises(RuntimeError):
        await CacheRegister.process_rule(
            _entry(f, InvalidationRule(SampleModel, raise_exception=True)), {"sample_id": 1}
        )


def test_get_dispatcher():
    """C-RULE-014"""
    rule = InvalidationRule(SampleModel)
    assert rule.get_dispatcher() is rule.get_dispatcher()
    assert isinstance(rule.get_dispatcher(), InlineDispatcher)
    assert rule.batch is False
    with override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "threadpool"}}
    ):
        assert isinstance(InvalidationRule(SampleModel).get_dispatcher(), ThreadPoolDispatcher)

    class Custom(Dispatcher):
        name = "custom_rule_probe"

        def dispatch(self, **kw):
            return None

    custom = InvalidationRule(
        SampleModel, dispatcher=Custom, dispatcher_config={"setting": "value"}
    )
    assert isinstance(custom.get_dispatcher(), Custom)
    assert custom.get_dispatcher().config == {"setting": "value"}


def test_gates():
    """C-RULE-015 C-RULE-016 C-RULE-017 C-RULE-018 W-11 W-12"""
    gate = CacheRegistry._should_run_rule
    obj = SampleModel(username="user", email=None)
    when = InvalidationRule(SampleModel, invalidate_when={"username": "user"})
    assert gate(when, obj, False, POST_SAVE, None)
    assert gate(when, obj, False, POST_DELETE, None)
    assert not gate(when, SampleModel(username="x"), False, POST_DELETE, None)
    none_rule = InvalidationRule(SampleModel, invalidate_when={"email": None})
    assert gate(none_rule, obj, False, POST_SAVE, None)
    assert not gate(none_rule, SampleModel(email="e"), False, POST_SAVE, None)
    negated = InvalidationRule(SampleModel, invalidate_when={"!username": "admin"})
    assert gate(negated, obj, False, POST_SAVE, None)
    assert not gate(negated, SampleModel(username="admin"), False, POST_SAVE, None)
    not_none = InvalidationRule(SampleModel, invalidate_when={"!email": None})
    assert not gate(not_none, obj, False, POST_SAVE, None)
    assert gate(not_none, SampleModel(email="e"), False, POST_SAVE, None)
    missing = InvalidationRule(SampleModel, invalidate_when={"nope": 1, "!nope2": 1})
    assert not gate(missing, obj, False, POST_SAVE, None)
    assert gate(
        InvalidationRule(SampleModel, invalidate_when={"!nope": 1}), obj, False, POST_SAVE, None
    )
    # created rows
    assert not gate(InvalidationRule(SampleModel), obj, True, POST_SAVE, None)
    assert gate(InvalidationRule(SampleModel, trigger_on_create=True), obj, True, POST_SAVE, None)
    assert gate(InvalidationRule(SampleModel), obj, True, POST_DELETE, None)
    # watch_fields (a plain save does not run a watched rule: kept, W-12)
    watched = InvalidationRule(SampleModel, watch_fields=["email"])
    assert not gate(watched, obj, False, POST_SAVE, frozenset({"username"}))
    assert gate(watched, obj, False, POST_SAVE, frozenset({"email"}))
    assert not gate(watched, obj, False, POST_SAVE, None)
    for empty in ([], None):
        assert gate(InvalidationRule(SampleModel, watch_fields=empty), obj, False, POST_SAVE, None)
    both = InvalidationRule(
        SampleModel, watch_fields=["email"], invalidate_when={"username": "other"}
    )
    assert not gate(both, obj, False, POST_SAVE, frozenset({"email"}))


def test_plugin_dispatcher_missing():
    """C-RULE-019"""
    for name, dist in (
        ("celery", "restflow-dispatch-celery"),
        ("django_rq", "restflow-dispatch-rq"),
        ("django_q", "restflow-dispatch-django-q"),
        ("dramatiq", "restflow-dispatch-dramatiq"),
    ):
        if name in registered_dispatcher_names():
            continue
        with pytest.raises(ImportError, match=dist):
            InvalidationRule(SampleModel, dispatcher=name)


def test_facades_name_the_distribution():
    """ARCHITECTURE rule 4 — facades raise ImportError naming the distribution."""
    import restflow.caching
    import restflow.caching.dispatchers.celery as celery_facade
    import restflow.caching.dispatchers.dramatiq as dramatiq_facade

    if "celery" not in registered_dispatcher_names():
        with pytest.raises(ImportError, match=r"restflow-dispatch-celery.*drf-restflow\[celery\]"):
            _ = celery_facade.CeleryDispatcher
        with pytest.raises(ImportError, match="restflow-dispatch-celery"):
            _ = restflow.caching.CeleryDispatcher
    if "dramatiq" not in registered_dispatcher_names():
        with pytest.raises(ImportError, match="restflow-dispatch-dramatiq"):
            _ = dramatiq_facade.register_actor


# -- registry -------------------------------------------------------------------------------


def test_singleton_and_discovery():
    """C-REG-001 C-REG-002 C-REG-004 W-28"""
    assert CacheRegistry() is CacheRegister is CacheRegistry()
    assert CacheRegister.auto_discover() is CacheRegister
    assert CacheRegister.is_discovered and CacheRegister.get_status()["discovered"] is True
    assert CacheRegister.pending_count == 0

    @cache_result(SampleKey)
    def f(sample_id):
        return 1

    CacheRegister.add(
        SampleModel, f, InvalidationRule(SampleModel, field_mapping={"sample_id": "pk"})
    )
    CacheRegister.add(
        SampleModel, f, InvalidationRule(SampleModel, field_mapping={"sample_id": "pk"})
    )
    assert CacheRegister.get_status()["pending"] == 0


def test_fresh_registry_discovery_flow():
    """C-REG-002 C-APP-002 — a clean registry queues, then discovery connects."""
    registry = object.__new__(CacheRegistry)
    registry._setup()
    assert registry.pending_count == 0 and not registry.is_discovered

    @cache_result(SampleKey)
    def f(sample_id):
        return 1

    registry.add(Team, f, InvalidationRule(Team, field_mapping={"sample_id": "pk"}))
    assert registry.pending_count == 1
    registry.auto_discover()
    assert registry.pending_count == 0 and Team in registry.connected_models()


def test_add_requires_cached_function():
    """C-REG-003"""
    with pytest.raises(AttributeError, match="decorated function"):
        CacheRegister.add(SampleModel, lambda x: x, InvalidationRule(SampleModel))


@db
def test_save_and_delete_invalidate():
    """C-REG-005 C-REG-006 C-INL-002"""
    read, _computed, _ = values_of()
    obj = SampleModel.objects.create(name="val-1")
    assert read(obj.pk) == "val-1"
    obj.name = "val-2"
    obj.save()
    assert read(obj.pk) == "val-2"
    pk = obj.pk
    SampleModel.objects.filter(pk=pk).update(name="val-3")  # no signal: stays cached
    assert read(pk) == "val-2"
    obj.delete()
    assert read.get_cache_only(pk) is CACHE_MISSING


@db
def test_user_model_rules():
    """C-REG-005"""
    from django.contrib.auth.models import User

    class UserKey(KeyConstructor):
        user = ArgsKeyField("user_id", partition=True)

    @cache_result(UserKey, invalidates_on=[InvalidationRule(User, field_mapping={"user_id": "id"})])
    def get_user_value(user_id):
        return User.objects.get(pk=user_id).first_name

    user = User.objects.create(username="u", first_name="val-1")
    assert get_user_value(user.id) == "val-1"
    user.first_name = "val-2"
    user.save()
    assert get_user_value(user.id) == "val-2"
    user_id = user.id
    user.delete()
    assert get_user_value.get_cache_only(user_id) is CACHE_MISSING


@db
def test_trigger_on_create_and_rewarm(monkeypatch):
    """C-REG-007 C-INL-002"""
    calls = []
    original = CacheRegistry._process

    def spy(rule, func, kwargs):
        if "sample_id" in kwargs:  # rules of other modules (tests.caching.app.urls) also run
            calls.append(kwargs)
        return original(rule, func, kwargs)

    monkeypatch.setattr(CacheRegistry, "_process", staticmethod(spy))
    read, _computed, _ = values_of(rewarm=True)
    obj = SampleModel.objects.create(name="label-1")
    assert calls == []
    read(obj.pk)
    obj.name = "label-2"
    obj.save()
    assert calls == [{"sample_id": obj.pk}]
    assert read.get_cache_only(obj.pk) == "label-2"  # rewarmed, not just dropped
    _created, _created_computed, _ = values_of(trigger_on_create=True)
    calls.clear()
    SampleModel.objects.create(name="x")
    assert len(calls) == 1  # only the trigger_on_create rule runs on a create


def test_status_lists_functions():
    """C-REG-008"""
    read, _, _ = values_of()
    entries = CacheRegister.get_status()["models"]["SampleModel"]
    assert {"function": f"{read.__module__}.read", "id": entries[-1]["id"]} in entries


def test_run_cache_rules_by_id(monkeypatch):
    """C-REG-009 C-DISP-009 W-3"""
    read, _, _ = values_of()
    rule_id = next(i for i, e in CacheRegister._rules.items() if e["func"] is read)
    calls = []
    monkeypatch.setattr(CacheRegistry, "_process", staticmethod(lambda r, f, kw: calls.append(kw)))
    CacheRegister.run_cache_rules(rule_ids=[rule_id], rule_kwargs={str(rule_id): {"sample_id": 3}})
    assert calls == [{"sample_id": 3}]
    CacheRegister.run_cache_rules(rule_ids=[rule_id], rule_kwargs={})
    CacheRegister.run_cache_rules(rule_ids=[12345], rule_kwargs={"12345": {}})
    assert calls == [{"sample_id": 3}]


@db
def test_delete_inside_atomic_invalidates():
    """C-REG-010 W-1"""
    read, _, _ = values_of()
    obj = SampleModel.objects.create(name="a")
    read(obj.pk)
    pk = obj.pk
    with transaction.atomic():
        obj.delete()
    assert read.get_cache_only(pk) is CACHE_MISSING


@db
def test_proxy_and_child_models():
    """C-REG-011 W-4"""
    read, _, _ = values_of()
    obj = SampleModel.objects.create(name="a")
    read(obj.pk)
    proxy = SampleProxy.objects.get(pk=obj.pk)
    proxy.name = "b"
    proxy.save()
    assert read(obj.pk) == "b"
    child = SampleChild.objects.create(name="c")
    assert read(child.pk) == "c"
    child.name = "d"
    child.save()
    assert read(child.pk) == "d"


def test_rule_ids_are_stable_across_processes(tmp_path):
    """C-REG-012 W-3"""
    (tmp_path / "mod_a.py").write_text("def fa(): pass\n")
    (tmp_path / "mod_b.py").write_text("def fb(): pass\n")
    script = (
        "import sys; sys.path.insert(0, {path!r}); "
        "from restflow.caching.registry import rule_id_for; "
        "import {first}, {second}; "
        "print(rule_id_for('mod_a.fa|app.M|0'), rule_id_for('mod_b.fb|app.M|0'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script.format(path=str(tmp_path), first=a, second=b)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for a, b in (("mod_a", "mod_b"), ("mod_b", "mod_a"))
    }
    assert len(outputs) == 1
    assert rule_id_for("x") == rule_id_for("x") < 2**53


@db
def test_failing_dispatch_does_not_break_save(caplog):
    """C-REG-013 W-6"""

    class Broken(Dispatcher):
        name = "broken_probe"

        def dispatch(self, **kwargs):
            raise ConnectionError("broker down")

    _read, _, _ = values_of(dispatcher=Broken)
    obj = SampleModel.objects.create()
    with caplog.at_level(logging.ERROR, logger="restflow.caching.registry"):
        obj.save()
    assert "dispatch failed" in caplog.text
    block = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"broken_probe": {"RAISE_EXCEPTION": True}}}}
    with override_settings(RESTFLOW_SETTINGS=block):
        with pytest.raises(ConnectionError):
            obj.save()


@db
def test_rollback_does_not_invalidate():
    """C-REG-014"""
    read, _computed, _ = values_of()
    obj = SampleModel.objects.create(name="a")
    read(obj.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        obj.name = "b"
        obj.save()
        raise RuntimeError
    assert read.get_cache_only(obj.pk) == "a"


def test_auto_discover_import_walk(tmp_path, monkeypatch, caplog):
    """C-REG-015"""
    package = tmp_path / "walkapp"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ok.py").write_text("LOADED = True\n")
    (package / "broken.py").write_text("raise RuntimeError('nope')\n")
    (package / "missing.py").write_text("import not_a_real_module_xyz\n")
    (package / "migrations" / "__init__.py").write_text("")
    (package / "migrations" / "0001.py").write_text(
        "raise RuntimeError('migrations must be skipped')\n"
    )
    (tmp_path / "plainapp.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    walkapp = importlib.import_module("walkapp")
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        CacheRegistry._import_app("walkapp", walkapp)
        CacheRegistry._import_app("plainapp", importlib.import_module("plainapp"))
    assert "walkapp.ok" in sys.modules
    assert "failed to import walkapp.broken" in caplog.text
    assert "missing" not in caplog.text and "migrations" not in caplog.text


# -- app -------------------------------------------------------------------------------------


def test_app_config(monkeypatch):
    """C-APP-001 C-APP-002"""
    from django.apps import apps

    config = apps.get_app_config("restflow_caching")
    assert config.name == "restflow.caching" and config.label == "restflow_caching"
    assert type(config).default is True
    calls = []
    monkeypatch.setattr(CacheRegister, "auto_discover", lambda *a, **k: calls.append((a, k)))
    config.ready()
    assert calls == [((), {})]
    from tests.caching.app.cached import team_name

    assert team_name in [e["func"] for e in CacheRegister._rules.values()]
    assert Team in CacheRegister.connected_models()


def test_celery_task_facade():
    """C-APP-003"""
    code = "import restflow.caching.tasks, sys; print('restflow.dispatch.celery' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    import restflow.caching.tasks as tasks

    assert callable(tasks.run_cache_rules)
    try:
        import restflow.dispatch.celery as plugin
    except ImportError:
        plugin = None
    if plugin is None or not hasattr(plugin, "task_run_cache_rules"):
        with pytest.raises(ImportError, match="restflow-dispatch-celery"):
            _ = tasks.task_run_cache_rules
    else:
        assert tasks.task_run_cache_rules is plugin.task_run_cache_rules


def test_system_check_without_app(monkeypatch):
    """W-18"""
    from django.apps import apps

    from restflow.caching.checks import check_app_installed

    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    monkeypatch.setattr(CacheRegister, "_pending", [object()])
    messages = check_app_installed()
    assert [m.id for m in messages] == ["restflow_caching.W001"]


# -- worker entries -----------------------------------------------------------------------------


def _raising_registry(monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("registry down")

    monkeypatch.setattr(CacheRegister, "run_cache_rules", boom)


def test_run_cache_rules_error_layers(monkeypatch, caplog):
    """C-TASK-001 C-TASK-002 W-33"""
    from restflow.caching.tasks import run_cache_rules

    _raising_registry(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="restflow.caching.tasks"):
        run_cache_rules([1], {}, dispatcher_name="inline")
        run_cache_rules([1], {}, dispatcher_name=None)
    assert "run_cache_rules failed" in caplog.text
    with override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_RAISE_EXCEPTION": True}}
    ):
        with pytest.raises(RuntimeError):
            run_cache_rules([1], {}, dispatcher_name="inline")
        with pytest.raises(RuntimeError):
            run_cache_rules([1], {}, dispatcher_name=None)
    celery_true = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": {"RAISE_EXCEPTION": True}}}}
    with override_settings(RESTFLOW_SETTINGS=celery_true):
        with pytest.raises(RuntimeError):
            run_cache_rules([1], {}, dispatcher_name="celery")
    celery_false = {
        "CACHE_SETTINGS": {
            "DISPATCHER_RAISE_EXCEPTION": True,
            "DISPATCHER_SETTINGS": {"celery": {"RAISE_EXCEPTION": False}},
        }
    }
    with override_settings(RESTFLOW_SETTINGS=celery_false):
        run_cache_rules([1], {}, dispatcher_name="celery")


async def test_arun_cache_rules_error_layers(monkeypatch, caplog):
    """C-TASK-003"""
    from restflow.caching.tasks import arun_cache_rules

    _raising_registry(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="restflow.caching.tasks"):
        await arun_cache_rules([1], {})
    assert "arun_cache_rules failed" in caplog.text
    with override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_RAISE_EXCEPTION": True}}
    ):
        with pytest.raises(RuntimeError):
            await arun_cache_rules([1], {})


@db
def test_run_cache_rules_rewarms():
    """C-TASK-004"""
    from restflow.caching.tasks import run_cache_rules

    read, _computed, _ = values_of(rewarm=True)
    obj = SampleModel.objects.create(name="v1")
    read(obj.pk)
    SampleModel.objects.filter(pk=obj.pk).update(name="v2")
    rule_id = next(i for i, e in CacheRegister._rules.items() if e["func"] is read)
    run_cache_rules([rule_id], {}, dispatcher_name="inline")
    assert read(obj.pk) == "v1"
    run_cache_rules([rule_id], {str(rule_id): {"sample_id": obj.pk}}, dispatcher_name="inline")
    assert read.get_cache_only(obj.pk) == "v2"


@db
async def test_async_wrapper_rewarm_from_both_entries():
    """C-TASK-005 C-AIO-002"""
    from asgiref.sync import sync_to_async

    from restflow.caching.tasks import arun_cache_rules, run_cache_rules

    computed = []

    @cache_result(
        SampleKey,
        invalidates_on=[
            InvalidationRule(SampleModel, rewarm=True, field_mapping={"sample_id": "pk"})
        ],
    )
    async def read(sample_id):
        value = (await SampleModel.objects.aget(pk=sample_id)).name
        computed.append(value)
        return value

    obj = await SampleModel.objects.acreate(name="v1")
    await read(obj.pk)
    rule_id = next(i for i, e in CacheRegister._rules.items() if e["func"] is read)
    await SampleModel.objects.filter(pk=obj.pk).aupdate(name="v2")
    await sync_to_async(run_cache_rules, thread_sensitive=False)(
        [rule_id], {str(rule_id): {"sample_id": obj.pk}}
    )
    assert await read.aget_cache_only(obj.pk) == "v2"
    await SampleModel.objects.filter(pk=obj.pk).aupdate(name="v3")
    await arun_cache_rules(
        [rule_id], {str(rule_id): {"sample_id": obj.pk}}, dispatcher_name="asyncio"
    )
    assert await read.aget_cache_only(obj.pk) == "v3"
    await SampleModel.objects.filter(pk=obj.pk).aupdate(name="v4")
    AsyncIODispatcher().dispatch(
        rule_ids=[rule_id], rule_kwargs={str(rule_id): {"sample_id": obj.pk}}
    )
    await asyncio.gather(*AsyncIODispatcher._pending_tasks)
    assert await read.aget_cache_only(obj.pk) == "v4"


@db
def test_rule_raise_exception_layers(monkeypatch, caplog):
    """C-TASK-006"""
    read, _, _ = values_of(raise_exception=True)

    def boom(**kw):
        raise RuntimeError("cache down")

    monkeypatch.setattr(read, "delete_by_prefix", boom)
    obj = SampleModel.objects.create()
    with caplog.at_level(logging.ERROR, logger="restflow.caching.tasks"):
        obj.save()
    assert "run_cache_rules failed" in caplog.text
    with override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_RAISE_EXCEPTION": True}}
    ):
        with pytest.raises(RuntimeError):
            obj.save()


# -- dispatchers -----------------------------------------------------------------------------


def test_dispatcher_registry():
    """C-DISP-001 C-DISP-002 C-DISP-003 C-DISP-004 C-DISP-005 C-DISP-006"""
    names = registered_dispatcher_names()
    assert {"inline", "threadpool", "asyncio"} <= set(names) and names == sorted(names)
    assert isinstance(resolve("inline"), InlineDispatcher)

    class Custom(Dispatcher):
        name = "custom_registry_probe"

        def dispatch(self, **kw):
            return None

    assert resolve(Custom, {"foo": 1, "bar": "x"}).config == {"foo": 1, "bar": "x"}
    assert (
        Custom(b=2, a=1).batch_key() == Custom(a=1, b=2).batch_key() != Custom(a=1, b=3).batch_key()
    )
    with pytest.raises(ImportError, match="Invalid dotted path"):
        import_dotted("nodot")
    assert import_dotted("restflow.caching.tasks.run_cache_rules").__name__ == "run_cache_rules"
    with pytest.raises(KeyError) as info:
        resolve("nope_not_real")
    assert "nope_not_real" in str(info.value) and "inline" in str(info.value)
    with pytest.raises(TypeError):
        resolve(123)
    assert register_dispatcher(Custom) is Custom
    assert isinstance(resolve("custom_registry_probe"), Custom)
    with pytest.raises(TypeError, match="Dispatcher subclass"):
        register_dispatcher(object)

    class Nameless(Dispatcher):
        def dispatch(self, **kw):
            return None

    with pytest.raises(ValueError, match="name"):
        register_dispatcher(Nameless)


class Recorder(Dispatcher):
    name = "recorder_probe"
    calls: list = []

    def dispatch(self, **kwargs):
        Recorder.calls.append(kwargs)


@db
def test_dispatch_context_and_batching():
    """C-DISP-007 C-DISP-008"""
    Recorder.calls = []
    obj = SampleModel.objects.create()

    @cache_result(
        SampleKey,
        invalidates_on=[
            InvalidationRule(SampleModel, field_mapping={"sample_id": "pk"}, dispatcher=Recorder),
            InvalidationRule(SampleModel, field_mapping={"sample_id": "pk"}, dispatcher=Recorder),
        ],
    )
    def read(sample_id):
        return 1

    obj.save()
    assert len(Recorder.calls) == 2 and all(len(c["rule_ids"]) == 1 for c in Recorder.calls)
    first = Recorder.calls[0]
    assert first["pk"] == obj.pk and first["model_label"] == "caching_tests.SampleModel"
    assert first["signal_type"] is POST_SAVE
    assert first["rule_kwargs"] == {str(first["rule_ids"][0]): {"sample_id": obj.pk}}
    CacheRegister._by_model[SampleModel] = [
        i
        for i in CacheRegister._by_model[SampleModel]
        if CacheRegister._rules[i]["func"] is not read
    ]
    CacheRegister._lookup.clear()
    Recorder.calls = []

    @cache_result(
        SampleKey,
        invalidates_on=[
            InvalidationRule(
                SampleModel, field_mapping={"sample_id": "pk"}, dispatcher=Recorder, batch=True
            ),
            InvalidationRule(
                SampleModel, field_mapping={"sample_id": "pk"}, dispatcher=Recorder, batch=True
            ),
        ],
    )
    def batched(sample_id):
        return 1

    obj.save()
    assert len(Recorder.calls) == 1
    assert len(Recorder.calls[0]["rule_ids"]) == 2 and len(Recorder.calls[0]["rule_kwargs"]) == 2


@db
def test_broker_payloads_are_json_safe():
    """W-32"""
    Recorder.calls = []

    class BrokerRecorder(Recorder):
        name = "broker_recorder_probe"

    token = uuid.uuid4()

    @cache_result(
        SampleKey,
        invalidates_on=[
            InvalidationRule(
                SampleModel, field_mapping={"sample_id": "token"}, dispatcher=BrokerRecorder
            )
        ],
    )
    def read(sample_id):
        return 1

    obj = SampleModel.objects.create()
    obj.token = token
    obj.save()
    kwargs = next(iter(Recorder.calls[0]["rule_kwargs"].values()))
    assert kwargs == {"sample_id": str(token)}


def test_inline_dispatcher(monkeypatch):
    """C-INL-001"""
    calls = []
    import restflow.caching.tasks as tasks

    monkeypatch.setattr(tasks, "run_cache_rules", lambda **kw: calls.append(kw))
    InlineDispatcher().dispatch(rule_ids=[42], rule_kwargs={"42": {"a": 1}}, pk=1)
    assert calls == [
        {"rule_ids": [42], "rule_kwargs": {"42": {"a": 1}}, "dispatcher_name": "inline"}
    ]
    assert InlineDispatcher.supports_batching is False


def test_threadpool_dispatcher(monkeypatch, caplog):
    """C-TP-001 C-TP-002 W-29"""
    for bad in (0, -1, "four"):
        with pytest.raises(ValueError, match="positive int"):
            ThreadPoolDispatcher(max_workers=bad)
    assert ThreadPoolDispatcher.supports_batching is True
    import restflow.caching.tasks as tasks

    calls = []
    monkeypatch.setattr(tasks, "run_cache_rules", lambda **kw: calls.append(kw))
    ThreadPoolDispatcher().dispatch(rule_ids=[42], rule_kwargs={"42": {}}).result()
    assert calls == [{"rule_ids": [42], "rule_kwargs": {"42": {}}, "dispatcher_name": "threadpool"}]

    def boom(**kw):
        raise RuntimeError("job failed")

    monkeypatch.setattr(tasks, "run_cache_rules", boom)
    with caplog.at_level(logging.WARNING, logger="restflow.caching.dispatchers.threadpool"):
        ThreadPoolDispatcher().dispatch(rule_ids=[42], rule_kwargs={}).result()
    assert "worker raised" in caplog.text


@db
def test_threadpool_rewarm_and_failure(monkeypatch, caplog):
    """C-TP-003"""
    read, _computed, _ = values_of(rewarm=True, dispatcher="threadpool")
    obj = SampleModel.objects.create(name="a")
    read(obj.pk)
    obj.name = "b"
    obj.save()
    ThreadPoolDispatcher.shutdown()
    assert read.get_cache_only(obj.pk) == "b"
    plain, _, _ = values_of(dispatcher="threadpool")

    def boom(**kw):
        raise RuntimeError("delete failed")

    monkeypatch.setattr(plain, "delete_by_prefix", boom)
    with caplog.at_level(logging.WARNING, logger="restflow.caching.registry"):
        obj.save()
        ThreadPoolDispatcher.shutdown()
    assert "Cache delete failed" in caplog.text


def test_asyncio_dispatcher(monkeypatch):
    """C-AIO-001 W-30"""
    import restflow.caching.tasks as tasks

    calls = []
    monkeypatch.setattr(tasks, "run_cache_rules", lambda **kw: calls.append(("sync", kw)))

    async def arun(rule_ids, rule_kwargs, **kw):
        calls.append(("async", (rule_ids, rule_kwargs), kw))

    monkeypatch.setattr(tasks, "arun_cache_rules", arun)
    AsyncIODispatcher().dispatch(rule_ids=[42], rule_kwargs={"42": {"a": 1}})
    assert calls[0] == (
        "sync",
        {"rule_ids": [42], "rule_kwargs": {"42": {"a": 1}}, "dispatcher_name": "asyncio"},
    )

    async def main():
        AsyncIODispatcher().dispatch(rule_ids=[42], rule_kwargs={"42": {"a": 1}})
        assert AsyncIODispatcher._pending_tasks
        await asyncio.gather(*AsyncIODispatcher._pending_tasks)

    asyncio.run(main())
    assert calls[1] == ("async", ([42], {"42": {"a": 1}}), {"dispatcher_name": "asyncio"})
