"""Regression tests of the chapter's known weaknesses not covered elsewhere (caching.md §15)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    DrfSerializerKeyField,
    InvalidationRule,
    KeyConstructor,
    cache_result,
)
from restflow.caching.registry import CacheRegister
from tests.caching.app.models import SampleModel


def test_rewarm_drops_sibling_entries():
    """W-8 — a rewarm refreshes its entry and drops the other variants of the partition."""

    class K(KeyConstructor):
        user = ArgsKeyField("user_id", partition=True)
        lang = ArgsKeyField("lang")

    version = {"n": 1}

    @cache_result(K)
    def greeting(user_id, lang="en"):
        return f"{lang}-{version['n']}"

    greeting(1)
    greeting(1, "fr")
    greeting(2, "fr")
    version["n"] = 2
    entry = {
        "id": 1,
        "func": greeting,
        "invalidation_rule": InvalidationRule(SampleModel, rewarm=True),
    }
    CacheRegister.process_rule(entry, {"user_id": 1})
    assert greeting.get_cache_only(1) == "en-2"  # rewarmed
    assert greeting.get_cache_only(1, "fr") is CACHE_MISSING  # sibling dropped, not stale
    assert greeting.get_cache_only(2, "fr") == "fr-1"  # other partitions untouched


def test_hash_value_separates_colliding_separators():
    """W-10 — kept (keys stay byte-identical); ``hash_value=True`` tells such values apart."""

    class Plain(KeyConstructor):
        a = ArgsKeyField("a")
        b = ArgsKeyField("b")

    class Hashed(KeyConstructor):
        a = ArgsKeyField("a", hash_value=True)
        b = ArgsKeyField("b", hash_value=True)

    def f(a, b):
        return a

    first, second = (("1::b:2", "3"), ("1", "2::b:3"))
    assert Plain().generate_key(f, first, {}) == Plain().generate_key(f, second, {})
    assert Hashed().generate_key(f, first, {}) != Hashed().generate_key(f, second, {})


def test_structure_fields_are_memoised():
    """W-24 — the serializer is instantiated once per field, not on every key build."""
    created = []

    class S(serializers.Serializer):
        x = serializers.IntegerField()

        def __init__(self, *args, **kwargs):
            created.append(1)
            super().__init__(*args, **kwargs)

    field = DrfSerializerKeyField(S)
    first = field.get_cache_key_part(None, (), {})
    for _ in range(5):
        assert field.get_cache_key_part(None, (), {}) == first
    assert created == [1]


@pytest.mark.django_db(transaction=True)
def test_unknown_dispatcher_logged_at_discovery(caplog):
    """W-18 — an unknown dispatcher name is reported at discovery, not at the first save."""

    @cache_result(
        invalidates_on=[
            InvalidationRule(SampleModel, field_mapping={"x": "pk"}, dispatcher="nope_probe")
        ]
    )
    def f(x):
        return x

    with caplog.at_level(logging.ERROR, logger="restflow.caching.registry"):
        CacheRegister._check_rules()
    assert "unknown dispatcher 'nope_probe'" in caplog.text
    with caplog.at_level(logging.ERROR, logger="restflow.caching.registry"):
        SampleModel.objects.create().save()  # the save itself succeeds (W-6)


@pytest.mark.django_db(transaction=True)
def test_unsupported_broker_payload_is_reported(caplog):
    """W-32 — a value a broker cannot encode is reported naming the argument; save() works."""
    from restflow.caching import Dispatcher

    class Broker(Dispatcher):
        name = "payload_probe"
        calls: list = []

        def dispatch(self, **kwargs):
            Broker.calls.append(kwargs)

    @cache_result(
        invalidates_on=[
            InvalidationRule(SampleModel, field_mapping={"x": "blob"}, dispatcher=Broker)
        ]
    )
    def f(x):
        return x

    obj = SampleModel.objects.create()
    obj.blob = object()
    with caplog.at_level(logging.ERROR, logger="restflow.caching.registry"):
        obj.save()
    assert "argument 'x'" in caplog.text and Broker.calls == []


async def test_deferred_template_write_on_the_loop(monkeypatch):
    """W-13 — an async handler's unrendered response is stored with the native async
    accessor when it renders on the loop, never with a blocking cache.set."""
    from restflow.caching import storage
    from restflow.views import AsyncAPIView

    def refuse(*args, **kwargs):
        raise AssertionError("blocking cache.set on the event loop")

    class Key(KeyConstructor):
        page = ArgsKeyField("request", "query_params.page")

    calls = []

    class V(AsyncAPIView):
        @cache_result(Key)
        async def get(self, request):
            calls.append(1)
            return Response({"n": len(calls)})

    factory = APIRequestFactory()
    monkeypatch.setattr(storage, "set_value", refuse)  # the sync write path
    first = await V.as_view()(factory.get("/?page=1"))
    first.render()  # on the loop, like the ASGI handler: the write becomes a task
    await asyncio.sleep(0.05)
    monkeypatch.undo()
    second = await V.as_view()(factory.get("/?page=1"))
    if hasattr(second, "render") and not second.is_rendered:
        second.render()
    assert first.content == second.content == b'{"n":1}'
    assert calls == [1]
