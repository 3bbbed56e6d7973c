"""Management commands: wipe a namespace/constructor/function and list a function's entries."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from restflow.caching import CACHE_MISSING, ArgsKeyField, KeyConstructor, cache_result
from tests.caching.backends import use_cache


class CommandKey(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)

    class Meta:
        namespace = "commands"


@cache_result(CommandKey)
def command_target(user_id):
    return user_id


@cache_result()
def other_target(x):
    return x


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_wipe_namespace_constructor_and_function():
    for wipe in (
        ("restflow_cache_wipe", "--namespace", "commands"),
        ("restflow_cache_wipe", "--constructor", f"{__name__}.CommandKey"),
        ("restflow_cache_wipe", "--function", f"{__name__}.command_target"),
    ):
        command_target(1)
        other_target(1)
        assert "Invalidated" in run(*wipe)
        assert command_target.get_cache_only(1) is CACHE_MISSING
        assert other_target.get_cache_only(1) == 1
    with pytest.raises(CommandError):
        run("restflow_cache_wipe")
    with pytest.raises(CommandError):
        run("restflow_cache_wipe", "--function", f"{__name__}.run")


def test_list_describes_the_function():
    """W-26 — messages name the real backend class (LocMemCache), not the connection proxy."""
    info = json.loads(run("restflow_cache_list", f"{__name__}.command_target"))
    assert info["prefix"] == f"commands::{__name__}.command_target::"
    assert info["fields"] == {"user": {"type": "ArgsKeyField", "partition": True}}
    assert info["keys"] is None and "LocMemCache" in info["note"]


@pytest.mark.redis
def test_list_keys_on_django_redis():
    with use_cache("django_redis"):
        command_target(1)
        command_target(2)
        info = json.loads(run("restflow_cache_list", f"{__name__}.command_target"))
        assert len(info["keys"]) == 2
