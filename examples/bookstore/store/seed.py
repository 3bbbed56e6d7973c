"""Deterministic sample data, so every run of the example shows the same catalogue."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from store.models import Author, Book

AUTHORS = ["Ursula K. Le Guin", "Octavia Butler", "Italo Calvino", "Stanisław Lem", "Ted Chiang"]
ARTICLES = ["The", "A", "Another"]
NOUNS = ["Dispossessed", "Kindred", "City", "Solaris", "Story"]
GENRES = ["fiction", "science-fiction", "fantasy", "essay", "poetry"]


@transaction.atomic
def seed(books: int = 200) -> None:
    if Book.objects.exists():
        return
    rng = random.Random(42)
    authors = [
        Author.objects.create(name=name, born=1920 + i * 9) for i, name in enumerate(AUTHORS)
    ]
    Book.objects.bulk_create(
        Book(
            title=f"{rng.choice(ARTICLES)} {rng.choice(NOUNS)} {n}",
            author=rng.choice(authors),
            price=Decimal(rng.randint(500, 4500)) / 100,
            pages=rng.randint(80, 900),
            published=datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 23000)),
            in_stock=rng.random() > 0.2,
            genre=rng.choice(GENRES),
        )
        for n in range(1, books + 1)
    )
    user_model = get_user_model()
    if not user_model.objects.filter(username="reader").exists():
        user_model.objects.create_user("reader", password="reader-password")
