"""The example bookstore: migrates, seeds and answers on its URL under uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.integration.example import EXAMPLE


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


def _error_code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


@pytest.mark.slow
def test_example_viewset_crud_and_stream(bookstore):
    api = httpx.Client(base_url=f"{bookstore}/api/views")
    books = api.get("/books/").json()
    assert len(books) == 200 and set(books[0]) == {"id", "title", "author", "price"}
    created = api.post(
        "/books/",
        json={
            "title": "Tour",
            "author": 1,
            "price": "9.50",
            "pages": 120,
            "published": "2020-01-02",
            "genre": "essay",
        },
    )
    assert created.status_code == 201, created.text
    pk = created.json()["id"]
    assert api.patch(f"/books/{pk}/", json={"in_stock": False}).json()["in_stock"] is False
    assert api.post(f"/books/{pk}/restock/").json()["in_stock"] is True
    assert api.delete(f"/books/{pk}/").status_code in (401, 403)  # staff only
    assert api.get("/books/not-a-number/").status_code == 404
    bad = api.post("/books/", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and _error_code(bad) == "parse_error"
    with api.stream("GET", "/catalogue.ndjson") as stream:
        assert stream.headers["content-type"].startswith("application/x-ndjson")
        lines = [line for line in stream.iter_lines() if line]
    assert len(lines) == 201


@pytest.mark.slow
def test_example_filters_and_pagination(bookstore):
    api = httpx.Client(base_url=f"{bookstore}/api")
    cheap = api.get("/filters/books/", params={"price__lte": "20", "order_by": "-price"}).json()
    prices = [float(row["price"]) for row in cheap["results"]]
    assert prices and max(prices) <= 20 and prices == sorted(prices, reverse=True)
    typo = api.get("/filters/books/", params={"pric": "10"})
    assert typo.status_code == 400 and "Did you mean 'price'?" in typo.text
    assert api.get("/filters/books/", params={"price__lte": "cheap"}).status_code == 400
    assert api.get("/stack/books/", params={"page": "abc"}).status_code == 404
    first = api.get("/stack/books/cursor/").json()
    second = api.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
    assert api.get("/stack/books/cursor/", params={"cursor": "garbage"}).status_code == 404


@pytest.mark.slow
def test_example_serializers_validate_and_create(bookstore):
    api = httpx.Client(base_url=f"{bookstore}/api/serializers")
    assert api.get("/books/").status_code == 200
    assert api.get("/authors/").status_code == 200
    bad = api.post("/books/", json={"title": 3, "price": "free"})
    assert bad.status_code == 400 and _error_code(bad) == "validation_error"


@pytest.mark.slow
def test_example_auth_flow(bookstore):
    api = httpx.Client(base_url=f"{bookstore}/api/auth")
    assert api.get("/me/").status_code == 401
    tokens = api.post("/login/", json={"username": "reader", "password": "reader-password"})
    assert tokens.status_code == 200, tokens.text
    access, refresh = tokens.json()["access"], tokens.json()["refresh"]
    me = api.get("/me/", headers={"Authorization": f"Bearer {access}"})
    assert me.json()["username"] == "reader"
    rotated = api.post("/refresh/", json={"refresh": refresh})
    assert rotated.status_code == 200
    assert api.post("/refresh/", json={"refresh": refresh}).status_code == 401  # reuse
    wrong = api.post("/login/", json={"username": "reader", "password": "nope"})
    assert wrong.status_code == 401


@pytest.mark.slow
def test_example_caching_hits_after_a_miss(bookstore):
    api = httpx.Client(base_url=f"{bookstore}/api/caching")
    statuses = [
        api.get("/books/", params={"genre": "poetry"}).headers.get("X-Cache-status")
        for _ in range(2)
    ]
    assert statuses == ["MISS", "HIT"]


@pytest.mark.slow
def test_example_throttle_answers_429_with_retry_after(bookstore):
    codes = [httpx.get(f"{bookstore}/api/stack/quota/") for _ in range(4)]
    assert [r.status_code for r in codes[:3]] == [200, 200, 200]
    assert codes[3].status_code == 429 and int(codes[3].headers["Retry-After"]) > 0
