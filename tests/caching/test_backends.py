"""Prefix deletion and wipes on every backend, O(1), and Redis pattern deletes (§7, §4.6)."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    InvalidationRule,
    KeyConstructor,
    cache_result,
)
from tests.caching.app.models import SampleModel
from tests.caching.backends import use_cache


class UserKey(KeyConstructor):
    user = ArgsKeyField("user_id", partition=True)
    page = ArgsKeyField("page")


def make_functions(calls):
    @cache_result(
        UserKey, invalidates_on=[InvalidationRule(SampleModel, field_mapping={"user_id": "pk"})]
    )
    def first(user_id, page=1):
        calls.append(("first", user_id, page))
        return (user_id, page)

    @cache_result(UserKey)
    def second(user_id, page=1):
        calls.append(("second", user_id, page))
        return (user_id, page)

    return first, second


class OpCounter:
    """Counts calls of the backend's cache operations (to prove wipes are O(1))."""

    NAMES = (
        "get",
        "set",
        "add",
        "delete",
        "get_many",
        "set_many",
        "delete_many",
        "incr",
        "delete_pattern",
        "keys",
        "iter_keys",
        "_cull",
    )

    def __init__(self, cache, monkeypatch):
        self.count = 0
        for name in self.NAMES:
            original = getattr(cache, name, None)
            if original is None:
                continue
            monkeypatch.setattr(cache, name, self._wrap(original))

    def _wrap(self, original):
        def counted(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        return counted


@pytest.mark.parametrize(
    "kind", ["locmem", "db", "file", pytest.param("redis", marks=pytest.mark.redis)]
)
@pytest.mark.django_db(transaction=True)
def test_wipes_on_every_backend_are_targeted_and_constant_cost(kind, tmp_path, monkeypatch):
    """C-BE-012 C-BE-015"""
    with use_cache(kind, tmp_path) as cache:
        calls = []
        first, second = make_functions(calls)

        def warm(users, pages):
            for user in users:
                for page in pages:
                    first(user, page)
                    second(user, page)

        def recomputed(action, users=(1, 2), pages=(1, 2)):
            warm(users, pages)
            calls.clear()
            action()
            warm(users, pages)
            return sorted(set(calls))

        assert recomputed(lambda: first.delete_by_prefix(user_id=1)) == [
            ("first", 1, 1),
            ("first", 1, 2),
        ]
        assert recomputed(first.invalidate_all) == [("first", u, p) for u in (1, 2) for p in (1, 2)]
        assert recomputed(lambda: UserKey.wipe(user_id=2)) == sorted(
            [(f, 2, p) for f in ("first", "second") for p in (1, 2)]
        )
        obj = SampleModel.objects.create(name="x")
        assert recomputed(obj.save, users=(obj.pk,)) == [("first", obj.pk, 1), ("first", obj.pk, 2)]
        # exact keys stay byte-identical and delete_cache keeps working
        assert first.get_cache_key(1, 2).endswith("::user_id:1::page:2")
        first(1, 2)
        first.delete_cache(1, 2)
        assert first.get_cache_only(1, 2) is CACHE_MISSING

        costs = []
        for users in (range(3), range(40)):
            warm(users, (1,))
            counter = OpCounter(cache, monkeypatch)
            first.delete_by_prefix(user_id=1)
            first.invalidate_all()
            UserKey.wipe()
            costs.append(counter.count)
            monkeypatch.undo()
        assert costs[0] == costs[1] <= 20  # the same few operations for 3 or 40 users


@pytest.mark.redis
def test_redis_partition_deletes():
    """C-BE-006 C-BE-007 C-BE-008 C-BE-011 W-2"""
    with use_cache("django_redis") as cache:
        calls = []
        first, second = make_functions(calls)
        for user in (1, 2, 10, "*"):
            first(user)
            second(user)
        deleted = first.delete_by_prefix(user_id=1)
        assert deleted == 1
        assert first.get_cache_only(1) is CACHE_MISSING
        assert first.get_cache_only(2) == (2, 1) and first.get_cache_only(10) == (10, 1)
        assert first.delete_by_prefix(user_id="*") == 1  # the literal "*" partition only
        assert first.get_cache_only(2) == (2, 1)
        prefix = first.key_constructor.build_key_prefix(first.func, None, None)
        assert first.invalidate_all() == 2
        assert list(cache.iter_keys(prefix + "*")) == []
        other = second.key_constructor.build_key_prefix(second.func, None, None)
        assert len(list(cache.iter_keys(other + "*"))) == 4

        @cache_result()
        def plain():
            return 1

        plain()
        assert plain.delete_by_prefix() == 1
        assert plain.get_cache_only() is CACHE_MISSING


@pytest.mark.redis
def test_redis_versions_and_partitions():
    """C-BE-009 C-BE-010"""
    with use_cache("django_redis") as cache:

        class V3(KeyConstructor):
            c = ArgsKeyField("c", partition=True)
            rest = ArgsKeyField(["a", "b", "d"])

            class Meta:
                version = 3

        @cache_result(V3)
        def ax(a, b, c, d):
            return (a, b, c, d)

        for c in (3, 4):
            ax(1, 2, c, 5)
            ax(9, 9, c, 9)
        key = ax.get_cache_key(1, 2, 3, 5)
        assert cache.get(key, version=3) is not None
        assert ax.delete_by_prefix(c=3) == 2
        assert ax.get_cache_only(1, 2, 3, 5) is CACHE_MISSING
        assert ax.get_cache_only(1, 2, 4, 5) == (1, 2, 4, 5)
        assert ax.invalidate_all() == 2


@pytest.mark.redis
def test_redis_shared_constructor_wipe():
    """C-WIPE-004"""
    with use_cache("django_redis"):

        class SharedKC(KeyConstructor):
            user = ArgsKeyField("user_id", partition=True)

        @cache_result(SharedKC)
        def one(user_id):
            return ("one", user_id)

        @cache_result(SharedKC)
        def two(user_id):
            return ("two", user_id)

        for user in (1, 2):
            one(user)
            two(user)
        SharedKC.wipe(1)
        assert one.get_cache_only(1) is CACHE_MISSING and two.get_cache_only(1) is CACHE_MISSING
        assert one.get_cache_only(2) == ("one", 2) and two.get_cache_only(2) == ("two", 2)
        SharedKC.wipe()
        assert one.get_cache_only(2) is CACHE_MISSING and two.get_cache_only(2) is CACHE_MISSING


@pytest.mark.redis
async def test_redis_delete_previous_versions():
    """C-WIPE-007 W-17"""
    with use_cache("django_redis") as cache:

        class V3(KeyConstructor):
            class Meta:
                namespace = "ns"
                version = 3

        for version in (1, 2, 3):
            cache.set("ns::k", f"v{version}", version=version)
        cache.set("other::k", "keep", version=1)
        V3.delete_previous_versions()
        assert cache.get("ns::k", version=1) is None and cache.get("ns::k", version=2) is None
        assert cache.get("ns::k", version=3) == "v3"
        assert cache.get("other::k", version=1) == "keep"
        cache.set("ns::k", "again", version=2)
        await V3.adelete_previous_versions()
        assert cache.get("ns::k", version=2) is None


def test_version_glob_namespace_is_escaped(monkeypatch):
    """W-2 — the namespace in delete_previous_versions is escaped too."""
    cache = caches["default"]
    seen = []
    monkeypatch.setattr(
        cache, "delete_pattern", lambda p, version=None: seen.append(p), raising=False
    )

    class K(KeyConstructor):
        class Meta:
            namespace = "a*b"
            version = 2

    K.delete_previous_versions()
    assert seen == ["a\\*b::*"]
