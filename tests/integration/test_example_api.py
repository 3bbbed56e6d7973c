"""The example bookstore: migrates, seeds and answers on its URL under uvicorn."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time

import httpx
import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "bookstore"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bookstore(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "BOOKSTORE_DB": str(tmp_path_factory.mktemp("bookstore") / "db.sqlite3")}
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE / "serve.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve.py exited early:\n{process.stdout.read()}")
        try:
            httpx.get(f"{base}/api/health/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError("the bookstore never answered")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.slow
def test_example_serves_index_and_health(bookstore):
    assert httpx.get(f"{bookstore}/api/health/").json() == {"status": "ok"}
    index = httpx.get(f"{bookstore}/").json()
    assert index["versions"]["restflow-core"]
