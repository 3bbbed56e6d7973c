"""Real HTTP: uvicorn on 127.0.0.1 serving async views, driven by httpx (marked slow)."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time

import django
import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

ROOT = pathlib.Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.core.views.server_settings",
        "RESTFLOW_VIEWS_HTTP_DB": str(log.parent / "db.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "uvicorn", "tests.core.views.asgi_server:application",
        "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off", "--log-level", "info",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/async/stream/status/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def assert_quiet(log):
    text = log.read_text()
    for alarming in (
        "Traceback",
        "Exception in ASGI application",
        "ignored GeneratorExit",
        "ERROR",
    ):
        assert alarming not in text, text


def test_crud_over_http(server):
    base, log = server
    with httpx.Client(base_url=base, timeout=10) as client:
        created = client.post("/async/items/", json={"integer_field": 1, "string_field": "a"})
        assert created.status_code == 201
        pk = created.json()["id"]
        assert client.get("/async/items/").json()["count"] >= 1
        assert client.get(f"/async/items/{pk}/").json()["string_field"] == "a"
        assert (
            client.patch(f"/async/items/{pk}/", json={"integer_field": 2}).json()["integer_field"]
            == 2
        )
        assert client.put(f"/async/items/{pk}/", json={"integer_field": 3}).status_code == 200
        assert client.delete(f"/async/items/{pk}/").status_code == 204
        missing = client.get(f"/async/items/{pk}/")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        # viewset routes
        vs = client.post("/async-items/", json={"integer_field": 5})
        assert vs.status_code == 201
        vpk = vs.json()["id"]
        assert client.get(f"/async-items/{vpk}/").status_code == 200
        assert client.post("/async-items/custom/", json={}).json()["action"] == "custom"
        assert client.delete(f"/async-items/{vpk}/").status_code == 204
        # bad input
        bad = client.post(
            "/async/items/", content=b"{oops", headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "parse_error"
        assert client.request("PROPFIND", "/async/items/").status_code == 405
    assert_quiet(log)


def test_streams_over_http(server):
    base, log = server
    with httpx.Client(base_url=base, timeout=10) as client:
        for i in range(5):
            client.post("/async/items/", json={"integer_field": 100 + i})
        rows = client.get("/async/stream/json/").json()
        assert [r["integer_field"] for r in rows][-5:] == [100, 101, 102, 103, 104]
        with client.stream("GET", "/async/stream/ndjson/") as response:
            assert response.headers["content-type"] == "application/x-ndjson"
            lines = [json.loads(line) for line in response.iter_lines() if line]
        assert len(lines) == len(rows)
        with client.stream("GET", "/async/stream/sse/") as response:
            assert response.headers["cache-control"] == "no-cache"
            body = response.read().decode()
        frames = [f for f in body.split("\n\n") if f]
        assert len(frames) == len(rows) and all("event: sample" in f for f in frames)
        protected = client.get("/async/stream/protected/")
        assert protected.status_code == 401
        assert client.get("/async/stream/status/").json()["protected_iterated"] == 0
    assert_quiet(log)


@pytest.mark.skipif(
    django.VERSION < (5, 0),
    reason="Django < 5.0's ASGI handler does not watch for disconnects while streaming",
)
def test_client_disconnect_frees_the_source(server):
    base, log = server
    with httpx.Client(base_url=base, timeout=10) as client:
        before = client.get("/async/stream/status/").json()
        with client.stream("GET", "/async/stream/slow/") as response:
            lines = response.iter_lines()
            assert json.loads(next(lines)) == {"i": 0}
            assert json.loads(next(lines)) == {"i": 1}
        # leaving the block closes the connection mid-stream
        deadline = time.monotonic() + 10
        while True:
            state = client.get("/async/stream/status/").json()
            if state["slow_finally"] > before["slow_finally"]:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.1)
        assert state["slow_started"] == before["slow_started"] + 1
    assert_quiet(log)
