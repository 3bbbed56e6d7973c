"""The example bookstore caches a list and a detail endpoint with invalidation rules."""

from __future__ import annotations

import pytest

from tests.integration.example import run_in_example

SCRIPT = r"""
import datetime, json, os, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "bookstore.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from store.models import Author, Book
author = Author.objects.create(name="Cache Author")
book = Book.objects.create(title="One", author=author, price=10, pages=1,
                           published=datetime.date(2020, 1, 1), genre="fiction")
c = Client()
def get(url):
    r = c.get(url)
    return r.status_code, r.headers.get("X-Cache-status"), r.json()
out = {}
out["list"] = [get("/api/caching/books/?genre=fiction") for _ in range(2)]
out["detail"] = [get(f"/api/caching/books/{book.pk}/") for _ in range(2)]
out["stats"] = [get(f"/api/caching/authors/{author.pk}/stats/") for _ in range(2)]
book.title = "Two"
book.save()
Book.objects.create(title="Three", author=author, price=20, pages=1,
                    published=datetime.date(2020, 1, 1), genre="fiction")
out["after"] = [get("/api/caching/books/?genre=fiction"), get(f"/api/caching/books/{book.pk}/"),
                get(f"/api/caching/authors/{author.pk}/stats/")]
print(json.dumps(out))
"""


@pytest.mark.slow
def test_example_caches_list_and_detail(tmp_path):
    import json

    out = json.loads(run_in_example(SCRIPT, tmp_path).strip().splitlines()[-1])
    assert [status for _, status, _ in out["list"]] == ["MISS", "HIT"]
    assert [status for _, status, _ in out["detail"]] == ["MISS", "HIT"]
    assert [status for _, status, _ in out["stats"]] == ["MISS", "HIT"]
    listing, detail, stats = out["after"]
    assert [b["title"] for b in listing[2]] == ["Two", "Three"] and listing[1] == "MISS"
    assert detail[2]["title"] == "Two" and detail[1] == "MISS"
    assert stats[2]["books"] == 2
