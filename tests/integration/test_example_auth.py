"""The example bookstore's auth endpoints: login, protected view, refresh, logout."""

from __future__ import annotations

from tests.integration.example import run_in_example

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user(username="reader", password="s3cret")
c = Client()
r = c.post("/api/auth/login/", {"username": "reader", "password": "s3cret"},
           content_type="application/json")
assert r.status_code == 200, r.content
tokens = r.json()
auth = {"HTTP_AUTHORIZATION": "Bearer " + tokens["access"]}
assert c.get("/api/auth/me/", **auth).json()["username"] == "reader"
r = c.get("/api/auth/me/")
assert r.status_code == 401 and r["WWW-Authenticate"] == 'Bearer realm="api"', r.content
assert r.json()["error"]["code"] == "not_authenticated", r.content
r = c.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json")
assert r.status_code == 200 and set(r.json()) == {"access", "refresh"}
rotated = r.json()["refresh"]
r = c.post("/api/auth/logout/", {"refresh": rotated}, content_type="application/json")
assert r.status_code == 204
r = c.post("/api/auth/refresh/", {"refresh": rotated}, content_type="application/json")
assert r.status_code == 401
r = c.post("/api/auth/logout-all/", **auth)
assert r.status_code == 204
assert c.get("/api/auth/me/", **auth).status_code == 401
print("ok")
"""


def test_example_auth_endpoints(tmp_path):
    assert run_in_example(SCRIPT, tmp_path).strip().endswith("ok")
