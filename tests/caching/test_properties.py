"""Property-based checks of keys and prefix invalidation (hypothesis)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restflow.caching import CACHE_MISSING, ArgsKeyField, KeyConstructor, cache_result
from restflow.caching.key_constructor import glob_escape


class PartKey(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)


@cache_result(PartKey)
def owned(user_id):
    return f"value-of-{user_id}"


# Printable ASCII (what memcached-safe keys allow), glob and separator characters included.
values = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=values, other=values)
def test_prefix_invalidation_never_widens(target, other):
    """W-2 C-BE-011 — whatever the user value (globs, separators), only its own partition drops."""
    if target == other:
        return
    owned(target)
    owned(other)
    owned.delete_by_prefix(user_id=target)
    assert owned.get_cache_only(target) is CACHE_MISSING
    assert owned.get_cache_only(other) == f"value-of-{other}"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_glob_escape_round_trip(value):
    """W-2 — an escaped value matches itself literally under fnmatch-style globbing."""
    import re

    escaped = glob_escape(value)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert unescaped == value
    assert not re.search(r"(?<!\\)[*?\[\]]", escaped.replace("\\\\", ""))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_stringification_is_order_independent(payload):
    """W-22 — dict payloads render the same whatever their insertion order."""
    field = ArgsKeyField()
    reordered = dict(reversed(list(payload.items())))
    assert field.stringify(payload) == field.stringify(reordered)


def test_tokens_ignore_the_global_random_state():
    """A seeded ``random`` module (or a forked worker) never repeats generation tokens."""
    import random

    from restflow.caching.storage import new_token

    random.seed(7)
    first = new_token()
    random.seed(7)
    assert new_token() != first


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_tokens_differ_in_forked_children():
    """A forked worker reseeds its token source: it never repeats its parent's tokens."""
    from restflow.caching.storage import new_token

    new_token()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, str(new_token()).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = int(os.read(read, 64).decode())
    os.close(read)
    assert child != new_token()
