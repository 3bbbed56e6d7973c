"""Real worker processes for the dispatcher round trips, and the Redis cache they share."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.test import override_settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: Upper bound for a worker to pick up and run one job (it is usually well under a second).
JOB_TIMEOUT = 45.0


def worker_env(settings_module: str, cache_prefix: str, redis_url: str, **extra: str) -> dict:
    """Environment of a worker: its own Django settings module, the test's Redis cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env["RESTFLOW_WORKER_CACHE_PREFIX"] = cache_prefix
    env["RESTFLOW_WORKER_REDIS_URL"] = redis_url
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def running(
    command: list[str],
    env: dict,
    log: pathlib.Path,
    stop_signal: int = signal.SIGTERM,
    stop_timeout: float = 15.0,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` in its own process group; stop it (and its children) on exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process, stop_signal, stop_timeout)


def stop(
    process: subprocess.Popen, stop_signal: int = signal.SIGTERM, timeout: float = 15.0
) -> None:
    """Ask the worker to stop, SIGKILL its process group if it does not exit in time; reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, stop_signal)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)
    # Children a worker forked (pool processes) share its group: make sure none survives.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_until(
    predicate: Callable[[], bool],
    timeout: float = JOB_TIMEOUT,
    process: subprocess.Popen | None = None,
    log: pathlib.Path | None = None,
) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes; fail early if the worker died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process is not None and process.poll() is not None:
            output = log.read_text(errors="replace")[-4000:] if log else ""
            raise AssertionError(f"worker exited with {process.returncode}:\n{output}")
        time.sleep(0.1)
    return predicate()


def worker_log(log: pathlib.Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


@contextlib.contextmanager
def shared_redis_cache(redis_url: str, prefix: str) -> Iterator[str]:
    """Make ``default`` a Redis cache under ``prefix`` (the worker uses the same one)."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        with override_settings(CACHES=caches):
            yield prefix
    finally:
        delete_keys(redis_url, f"{prefix}:*")


def delete_keys(redis_url: str, pattern: str) -> None:
    """Delete this run's keys only (other runs share the database: never FLUSHDB)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=pattern, count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextlib.contextmanager
def isolated_rules() -> Iterator[None]:
    """Rules registered inside are dropped on exit.

    Rule ids depend on how many times a (function, model) pair was registered in this
    process, so the registry state is restored: a worker computes the same ids.
    """
    import copy

    from restflow.caching.registry import CacheRegister

    names = ("_rules", "_order", "_pair_counts")
    state = {name: copy.copy(getattr(CacheRegister, name)) for name in names}
    by_model = {model: list(ids) for model, ids in CacheRegister._by_model.items()}
    try:
        yield
    finally:
        for name, value in state.items():
            setattr(CacheRegister, name, value)
        CacheRegister._by_model = by_model
        CacheRegister._lookup.clear()


@contextlib.contextmanager
def scoped_module(dotted: str) -> Iterator[Any]:
    """Import a module declaring cached functions and rules; drop both again on exit."""
    import importlib

    sys.modules.pop(dotted, None)
    with isolated_rules():
        try:
            yield importlib.import_module(dotted)
        finally:
            sys.modules.pop(dotted, None)
