"""Faults: Redis stopped and restarted during saves (on a private redis-server, never 6379)."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from restflow.caching import (
    CACHE_MISSING,
    ArgsKeyField,
    InvalidationRule,
    KeyConstructor,
    cache_response,
    cache_result,
)
from restflow.caching.storage import retry_queue
from tests.caching.app.models import SampleModel

PORT = 6390
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="redis-server is not installed"
    ),
]


def port_open() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for(condition, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


class PrivateRedis:
    def __init__(self, directory):
        self.directory = directory

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.directory),
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        wait_for(port_open)

    def stop(self):
        subprocess.run(["redis-cli", "-p", str(PORT), "shutdown"], capture_output=True)
        wait_for(lambda: not port_open())


@pytest.fixture
def private_redis(tmp_path):
    if port_open():
        pytest.skip(f"port {PORT} is busy")
    server = PrivateRedis(tmp_path)
    server.start()
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=settings):
        yield server
    if port_open():
        server.stop()


class RowKey(KeyConstructor):
    row = ArgsKeyField("row_id", partition=True)


@pytest.mark.django_db(transaction=True)
def test_redis_stop_and_restart_during_saves(private_redis, caplog):
    """W-27 — reads are misses while Redis is down, writes and deletes are logged, saves succeed,
    the failed invalidation is retried, and no stale value is read after the restart."""
    computed = []

    @cache_result(
        RowKey, invalidates_on=[InvalidationRule(SampleModel, field_mapping={"row_id": "pk"})]
    )
    def read(row_id):
        value = SampleModel.objects.get(pk=row_id).name
        computed.append(value)
        return value

    class View(APIView):
        @cache_response()
        def get(self, request):
            return Response({"ok": True})

    obj = SampleModel.objects.create(name="a")
    assert read(obj.pk) == "a" and read(obj.pk) == "a"
    assert computed == ["a"]

    private_redis.stop()
    with caplog.at_level(logging.WARNING):
        obj.name = "b"
        obj.save()  # the invalidation cannot reach Redis: logged and queued, save() succeeds
        assert read(obj.pk) == "b"  # a read is a miss: the function runs
        response = View.as_view()(APIRequestFactory().get("/"))
        response.render()
        assert response.status_code == 200
    assert "will retry" in caplog.text
    assert "write failed" in caplog.text or "read failed" in caplog.text
    assert retry_queue

    private_redis.start()  # the append-only file brings the old entry back
    assert read(obj.pk) == "b"  # the queued invalidation is applied before the read
    wait_for(lambda: not retry_queue)
    obj.name = "c"
    obj.save()
    assert read(obj.pk) == "c"
    caches["default"].close()


def test_pending_invalidation_blocks_reads(monkeypatch):
    """A prefix whose invalidation could not be written is not served until it is."""
    from django.core.cache import caches

    @cache_result(RowKey)
    def value(row_id):
        return "old"

    value(1)
    cache = caches["default"]
    original = type(cache).set

    def failing_set(self, key, *args, **kwargs):
        if key.startswith("restflow-gen::"):
            raise ConnectionError("write refused")
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(type(cache), "set", failing_set)
    value.delete_by_prefix(row_id=1)  # logged and queued: the read side still works
    assert value.get_cache_only(1) is CACHE_MISSING
    monkeypatch.undo()
    retry_queue.flush()
    assert not retry_queue
