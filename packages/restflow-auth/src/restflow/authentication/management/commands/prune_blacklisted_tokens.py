"""``manage.py prune_blacklisted_tokens``: delete blacklist rows whose token expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from restflow.authentication.blacklist import get_blacklisted_token_model


class Command(BaseCommand):
    help = "Delete BlacklistedToken rows whose token can no longer be accepted (exp + LEEWAY)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = get_blacklisted_token_model().cleanup_expired()
        self.stdout.write(f"Deleted {deleted} expired blacklisted token(s).")
