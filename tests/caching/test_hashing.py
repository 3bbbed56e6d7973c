"""hash_string and CACHE_SETTINGS.KEY_HASH_ALGORITHM (stack.md §6.6)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from restflow.caching.hashing import hash_string


def _algorithm(value):
    return {"CACHE_SETTINGS": {"KEY_HASH_ALGORITHM": value}}


def test_hash_string_follows_the_algorithm_setting():
    """S-SET-011"""
    assert hash_string("hello") == hashlib.sha256(b"hello").hexdigest()
    with override_settings(RESTFLOW_SETTINGS=_algorithm("blake2b")):
        assert hash_string("hello") == hashlib.blake2b(b"hello").hexdigest()
    with override_settings(RESTFLOW_SETTINGS=_algorithm(lambda s: f"H:{s}")):
        assert hash_string("hello") == "H:hello"
    assert hash_string("hello") == hashlib.sha256(b"hello").hexdigest()


@pytest.mark.parametrize("bad", ["not-a-hash", 42])
def test_unknown_algorithm_names_the_setting(bad):
    with override_settings(RESTFLOW_SETTINGS=_algorithm(bad)):
        with pytest.raises(ImproperlyConfigured, match="KEY_HASH_ALGORITHM") as info:
            hash_string("hello")
    assert isinstance(info.value, ValueError)  # caching.md §3.4: a ValueError, like hashlib's
