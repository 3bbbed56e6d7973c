"""The async pipeline (filters.md §2.5)."""

from __future__ import annotations

import threading
import warnings

import pytest
from asgiref.sync import sync_to_async
from django.db.models import Q, QuerySet

from restflow.filters import FilterSet, IntegerField, OrderField, StringField
from tests.filters.app.models import Sample
from tests.filters.helpers import qd

pytestmark = pytest.mark.django_db(transaction=True)

ALL = Sample.objects.all


async def values(qs):
    return await sync_to_async(lambda: list(qs.values_list("integer_field", flat=True)))()


@pytest.fixture
def rows(transactional_db):
    for i, s in ((10, "test1"), (20, "test2"), (30, "test3")):
        Sample.objects.create(integer_field=i, string_field=s)


async def test_sync_parts_same_rows(rows):
    """F-ASYNC-001"""

    class F(FilterSet):
        integer_field = IntegerField(lookups=["gte"])
        s = StringField(method=lambda fs, qs, v: qs.filter(string_field__startswith=v))

    sync_rows = await sync_to_async(
        lambda: list(F(data=qd("integer_field__gte=15&s=test")).filter_queryset(ALL()))
    )()
    async_rows = await F(data=qd("integer_field__gte=15&s=test")).afilter_queryset(ALL())
    assert await sync_to_async(list)(async_rows) == sync_rows


async def test_async_methods(rows):
    """F-ASYNC-002"""

    async def as_q(fs, qs, value):
        return Q(integer_field=value)

    async def as_qs(fs, qs, value):
        return qs.filter(integer_field__gte=value)

    class F(FilterSet):
        a = IntegerField(method=as_q)
        b = IntegerField(method=as_qs)
        c = IntegerField(method="named")

        async def named(self, queryset, value):
            return queryset.exclude(integer_field=value)

    assert await values(await F(data=qd("a=20")).afilter_queryset(ALL())) == [20]
    assert await values(await F(data=qd("b=20")).afilter_queryset(ALL())) == [20, 30]
    assert await values(await F(data=qd("c=20")).afilter_queryset(ALL())) == [10, 30]


async def test_async_processors(rows):
    """F-ASYNC-003"""
    order = []

    async def first(fs, qs):
        order.append("first")
        return qs

    async def second(fs, qs):
        order.append("second")
        return qs.filter(integer_field__gte=20)

    def sync_one(fs, qs):
        order.append("sync1")
        return qs

    def sync_two(fs, qs):
        order.append("sync2")
        return qs

    async def post(fs, qs):
        order.append("post")
        return qs.filter(integer_field__lte=20)

    class F(FilterSet):
        class Meta:
            preprocessors = [first, second]
            postprocessors = [post]

    assert await values(await F(data=qd("")).afilter_queryset(ALL())) == [20]
    assert order == ["first", "second", "post"]

    class G(FilterSet):
        class Meta:
            preprocessors = [sync_one, first, sync_two]

    order.clear()
    await G(data=qd("")).afilter_queryset(ALL())
    assert order == ["sync1", "first", "sync2"]


async def test_mixed_methods(rows):
    """F-ASYNC-004"""

    async def async_q(fs, qs, value):
        return Q(integer_field=value)

    def sync_q(fs, qs, value):
        return Q(string_field=value)

    for operator, expected in (("AND", []), ("OR", [10, 20])):

        class F(FilterSet):
            a = IntegerField(method=async_q)
            b = StringField(method=sync_q)

            class Meta:
                pass

        F._meta.operator = operator
        assert await values(await F(data=qd("a=10&b=test2")).afilter_queryset(ALL())) == expected


async def test_async_order_method(rows):
    """F-ASYNC-005"""

    async def order(fs, qs, value):
        return qs.order_by("-integer_field")

    class F(FilterSet):
        o = OrderField(fields=[("i", "integer_field")], method=order)

    assert await values(await F(data=qd("o=i")).afilter_queryset(ALL())) == [30, 20, 10]


async def test_async_preprocessor_without_data(rows):
    """F-ASYNC-006"""
    called = []

    async def pre(fs, qs):
        called.append(True)
        return qs

    class F(FilterSet):
        x: int

        class Meta:
            preprocessors = [pre]

    await F(data=qd("")).afilter_queryset(ALL())
    assert called == [True]


def test_sync_path_rejects_async_without_leaking(rows):
    """F-ASYNC-007 W-23"""

    async def method(fs, qs, value):
        return qs

    async def proc(fs, qs):
        return qs

    class M(FilterSet):
        x = IntegerField(method=method)

    class Pre(FilterSet):
        class Meta:
            preprocessors = [proc]

    class Post(FilterSet):
        class Meta:
            postprocessors = [proc]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fs in (M(data=qd("x=1")), Pre(data=qd("")), Post(data=qd(""))):
            with pytest.raises(TypeError, match="afilter_queryset"):
                fs.filter_queryset(ALL())
        import gc

        gc.collect()


async def test_returns_lazy_queryset(rows):
    """F-ASYNC-008"""

    class F(FilterSet):
        integer_field: int

    result = await F(data=qd("integer_field=10")).afilter_queryset(ALL())
    assert isinstance(result, QuerySet)
    assert result._result_cache is None


async def test_sync_callables_run_off_the_loop(rows):
    """§2.5: sync user callables run in a worker thread, consecutive ones in one hop."""
    loop_thread = threading.get_ident()
    threads = []

    def pre(fs, qs):
        threads.append(threading.get_ident())
        list(qs)  # touching the ORM is fine off the loop
        return qs

    def method(fs, qs, value):
        threads.append(threading.get_ident())
        return Q(integer_field=value)

    class F(FilterSet):
        a = IntegerField(method=method)

        class Meta:
            preprocessors = [pre]
            postprocessors = [pre]

    await F(data=qd("a=10")).afilter_queryset(ALL())
    assert len(threads) == 3
    assert loop_thread not in threads
    assert len(set(threads)) == 1
