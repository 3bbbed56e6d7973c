"""restflow.settings (stack.md §6)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from restflow.settings import DEFAULTS, RestflowSettings, restflow_settings


def test_cache_defaults():
    """S-SET-001"""
    section = restflow_settings.CACHE_SETTINGS
    assert (
        section.DEFAULT_DISPATCHER == DEFAULTS["CACHE_SETTINGS"]["DEFAULT_DISPATCHER"] == "inline"
    )
    assert section.MAX_KEY_SUFFIX_LENGTH == 250
    assert section.HASH_SUFFIX_ON_OVERFLOW is False


def test_override_settings_merges_and_restores():
    """S-SET-002"""
    user = {"CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "celery", "MAX_KEY_SUFFIX_LENGTH": 500}}
    with override_settings(RESTFLOW_SETTINGS=user):
        assert restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER == "celery"
        assert restflow_settings.CACHE_SETTINGS.MAX_KEY_SUFFIX_LENGTH == 500
        assert restflow_settings.CACHE_SETTINGS.HASH_SUFFIX_ON_OVERFLOW is False
    assert restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER == "inline"
    assert restflow_settings.CACHE_SETTINGS.MAX_KEY_SUFFIX_LENGTH == 250


def test_unknown_names_raise_attribute_error():
    """S-SET-003"""
    with pytest.raises(AttributeError, match="Invalid restflow setting"):
        _ = restflow_settings.NOT_A_REAL_SETTING
    with pytest.raises(AttributeError, match="Invalid restflow setting"):
        _ = restflow_settings.CACHE_SETTINGS.NOT_A_REAL_KEY
    assert not hasattr(restflow_settings, "NOT_A_REAL_SETTING")
    with pytest.raises(AttributeError):
        _ = restflow_settings._private


def test_nested_dispatcher_blocks_merge_key_by_key():
    """S-SET-004 (settings side): a user QUEUE keeps the default TASK_NAME."""
    celery = restflow_settings.CACHE_SETTINGS.DISPATCHER_SETTINGS.celery
    assert celery.TASK_NAME == "restflow.caching.tasks.task_run_cache_rules"
    assert celery.QUEUE is None
    user = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": {"QUEUE": "q"}}}}
    with override_settings(RESTFLOW_SETTINGS=user):
        assert celery.QUEUE == "q"
        assert celery.TASK_NAME == "restflow.caching.tasks.task_run_cache_rules"


def test_custom_defaults_are_independent():
    """S-SET-006"""
    custom = RestflowSettings(defaults={"CACHE_SETTINGS": {"FOO": "bar"}})
    assert custom.CACHE_SETTINGS.FOO == "bar"
    with pytest.raises(AttributeError):
        _ = custom.JWT


@pytest.mark.parametrize("value", ["not a dict", None, {}, 42])
def test_malformed_user_settings_fall_back_to_defaults(value):
    """S-SET-009"""
    with override_settings(RESTFLOW_SETTINGS=value):
        assert restflow_settings.CACHE_SETTINGS.DEFAULT_DISPATCHER == "inline"


def test_malformed_section_falls_back_to_section_defaults():
    """S-SET-009"""
    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": "oops", "JWT": {"LEEWAY": 5}}):
        assert restflow_settings.CACHE_SETTINGS.MAX_KEY_SUFFIX_LENGTH == 250
        assert restflow_settings.JWT.LEEWAY == 5


def test_unconfigured_django_settings_read_as_empty():
    """S-SET-010"""

    class Unconfigured:
        def __getattr__(self, name):
            raise ImproperlyConfigured("settings are not configured")

    with mock.patch("restflow.settings.django_settings", Unconfigured()):
        assert RestflowSettings._read_django_settings() == {}


def _flatten(prefix, table):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten([*prefix, key], value)
        else:
            yield [*prefix, key], value


def test_every_default_is_readable():
    """S-SET-012"""
    for path, expected in _flatten([], DEFAULTS):
        node = restflow_settings
        for part in path:
            node = getattr(node, part)
        assert node == expected, path
    assert restflow_settings.SCHEMA.FILTER_METHODS is None
    assert restflow_settings.JWT.ALGORITHM == "HS256"
    assert timedelta(minutes=5) == restflow_settings.JWT.ACCESS_TOKEN_LIFETIME
    assert timedelta(days=1) == restflow_settings.JWT.REFRESH_TOKEN_LIFETIME
    assert restflow_settings.JWT.USER_ID_FIELD_ALLOWLIST == (
        "id",
        "pk",
        "uuid",
        "username",
        "email",
    )


def test_to_dict_is_plain_and_keeps_unknown_keys():
    """S-SET-013"""
    with override_settings(RESTFLOW_SETTINGS={"EXTRA": {"a": 1}, "JWT": {"LEEWAY": 3}}):
        data = restflow_settings.to_dict()
    assert isinstance(data["CACHE_SETTINGS"]["DISPATCHER_SETTINGS"]["celery"], dict)
    assert data["EXTRA"] == {"a": 1}
    assert data["JWT"]["LEEWAY"] == 3
    assert set(DEFAULTS) <= set(data)


def test_user_none_replaces_a_scalar_default():
    """S-SET-014"""
    with override_settings(RESTFLOW_SETTINGS={"JWT": {"ALGORITHM": None}}):
        assert restflow_settings.JWT.ALGORITHM is None


def test_reload_only_for_restflow_settings():
    """S-SET-015"""
    with mock.patch.object(restflow_settings, "reload") as reload:
        with override_settings(SOMETHING_ELSE=1):
            pass
        reload.assert_not_called()
        with override_settings(RESTFLOW_SETTINGS={}):
            pass
        assert reload.call_count == 2  # on enter and on exit


def test_section_fetched_before_override_sees_it():
    """S-SET-016"""
    section = restflow_settings.CACHE_SETTINGS
    dispatchers = section.DISPATCHER_SETTINGS.threadpool
    assert section.DEFAULT_DISPATCHER == "inline"
    user = {
        "CACHE_SETTINGS": {
            "DEFAULT_DISPATCHER": "threadpool",
            "DISPATCHER_SETTINGS": {"threadpool": {"MAX_WORKERS": 16}},
        }
    }
    with override_settings(RESTFLOW_SETTINGS=user):
        assert section.DEFAULT_DISPATCHER == "threadpool"
        assert dispatchers.MAX_WORKERS == 16
    assert section.DEFAULT_DISPATCHER == "inline"
    assert dispatchers.MAX_WORKERS == 4


def test_unknown_key_warns_w001():
    """S-SET-017"""
    user = {
        "JWT": {"SIGNING_KEYY": "x"},
        "CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"custom": {"FOO": 1}}},
    }
    # databases=[]: Django 6.0 made run_checks() default to every database, whose model
    # checks open a connection (not allowed here); before 6.0 no database was the default.
    with override_settings(RESTFLOW_SETTINGS=user):
        messages = [m for m in run_checks(databases=[]) if m.id == "restflow.W001"]
    assert len(messages) == 1
    assert "SIGNING_KEYY" in messages[0].msg
    with override_settings(RESTFLOW_SETTINGS={"JWT": {"SIGNING_KEY": "x"}}):
        assert not [m for m in run_checks(databases=[]) if m.id == "restflow.W001"]


def test_sections_of_other_distributions_resolve_in_core():
    """S-SET-018"""
    assert restflow_settings.JWT.REFRESH_CHECK_USER is True
    assert restflow_settings.FILTERS.MAX_LIST_ITEMS == 1000
    assert restflow_settings.SCHEMA.FILTER_METHODS is None
    with override_settings(RESTFLOW_SETTINGS={"FILTERS": {"MAX_LIST_ITEMS": None}}):
        assert restflow_settings.FILTERS.MAX_LIST_ITEMS is None


def test_settings_reference_documents_every_key():
    """The docs' settings reference names every key of DEFAULTS."""
    import pathlib

    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "settings.md"
    if not page.exists():  # an installed-wheel run without the repository's docs
        pytest.skip("docs/settings.md is not part of this checkout")
    text = page.read_text()
    for path, _ in _flatten([], DEFAULTS):
        assert f"`{path[-1]}`" in text or f"{path[-1]}=" in text, path
