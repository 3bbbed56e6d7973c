"""``BlacklistedToken``: the revocation store of ``ModelBlacklistBackend``.

Only the token id is stored, never the token itself. Rows are useless once the token they
revoke can no longer be accepted; ``manage.py prune_blacklisted_tokens`` deletes them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models

from restflow.authentication.tokens import get_now_time, leeway_ceil


class BlacklistedToken(models.Model):
    # id: AutoField from AuthenticationConfig.default_auto_field (see 0001_initial).
    jti = models.CharField(max_length=128, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "restflow_authentication"
        indexes = [models.Index(fields=["expires_at"], name="restflow_au_expires_idx")]

    def __str__(self) -> str:
        return f"BlacklistedToken(jti={self.jti}, expires_at={self.expires_at})"

    @classmethod
    def _expired(cls) -> models.QuerySet[BlacklistedToken]:
        # A token is accepted until exp + LEEWAY, so its row must live that long (W-01).
        cutoff = get_now_time() - timedelta(seconds=leeway_ceil())
        return cls.objects.filter(expires_at__lt=cutoff)

    @classmethod
    def cleanup_expired(cls) -> int:
        deleted, _ = cls._expired().delete()
        return deleted

    @classmethod
    async def acleanup_expired(cls) -> int:
        deleted, _ = await cls._expired().adelete()
        return deleted
