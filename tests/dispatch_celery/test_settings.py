"""The other ``DISPATCHER_SETTINGS`` blocks a plugin author relies on (stack.md §6)."""

from __future__ import annotations

from django.test import override_settings

from restflow.caching import Dispatcher, ThreadPoolDispatcher


def dispatcher_settings(name, **block):
    return override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {name: block}}}
    )


def test_threadpool_block():
    """S-SET-007"""
    assert ThreadPoolDispatcher.settings()["MAX_WORKERS"] == 4
    with dispatcher_settings("threadpool", MAX_WORKERS=16):
        assert ThreadPoolDispatcher.settings()["MAX_WORKERS"] == 16
        assert ThreadPoolDispatcher.settings()["RAISE_EXCEPTION"] is None
    assert ThreadPoolDispatcher.settings()["MAX_WORKERS"] == 4


def test_custom_dispatcher_block():
    """S-SET-008: a name without defaults reads exactly the user's block."""

    class UserBlock(Dispatcher):
        name = "test_user_settings_block"

        def dispatch(self, *, rule_ids, rule_kwargs, **context):
            raise AssertionError("never dispatched")

    assert UserBlock.settings() == {}
    with dispatcher_settings("test_user_settings_block", FOO="bar"):
        assert UserBlock.settings() == {"FOO": "bar"}
    assert UserBlock.settings() == {}
