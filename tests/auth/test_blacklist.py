"""Blacklist backends, facade, model and migration (A-BL, A-MODEL)."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from restflow.authentication.apps import AuthenticationConfig
from restflow.authentication.jwt import (
    ATokenBlacklist,
    BlacklistBackend,
    CacheBlacklistBackend,
    ModelBlacklistBackend,
    RefreshToken,
    TokenConfigurationError,
    get_token_blacklist_backend,
    resolve_token_blacklist_backend,
)
from restflow.authentication.models import BlacklistedToken
from tests.auth.helpers import jwt_settings, run

FAR = 2**31 - 1
MODEL = "restflow.authentication.jwt.ModelBlacklistBackend"
USER = SimpleNamespace(id=7, password="x", is_active=True)


def test_resolution():
    """A-BL-001 (W-35)"""
    assert isinstance(
        resolve_token_blacklist_backend("restflow.authentication.jwt.CacheBlacklistBackend"),
        CacheBlacklistBackend,
    )
    first = resolve_token_blacklist_backend(CacheBlacklistBackend)
    assert isinstance(first, CacheBlacklistBackend)
    assert resolve_token_blacklist_backend(CacheBlacklistBackend) is not first
    assert resolve_token_blacklist_backend(first) is first
    assert isinstance(resolve_token_blacklist_backend(None), CacheBlacklistBackend)
    for wrong in (12345, dict, "collections.OrderedDict"):
        with pytest.raises(TokenConfigurationError, match=r"BLACKLIST_BACKEND"):
            resolve_token_blacklist_backend(wrong)
    with pytest.raises(ImportError):
        resolve_token_blacklist_backend("no.such.Backend")


def test_resolution_model():
    """A-BL-002"""
    assert isinstance(resolve_token_blacklist_backend(MODEL), ModelBlacklistBackend)
    assert isinstance(resolve_token_blacklist_backend(ModelBlacklistBackend), ModelBlacklistBackend)
    backend = ModelBlacklistBackend()
    assert resolve_token_blacklist_backend(backend) is backend


def test_backend_memoised_per_settings_generation():
    """W-18: one backend per settings generation, refreshed on setting_changed"""
    first = get_token_blacklist_backend()
    assert get_token_blacklist_backend() is first
    with jwt_settings(BLACKLIST_BACKEND=MODEL):
        assert isinstance(get_token_blacklist_backend(), ModelBlacklistBackend)
    assert isinstance(get_token_blacklist_backend(), CacheBlacklistBackend)


# -- cache backend ---------------------------------------------------------------------------


def test_cache_async_round_trip():
    """A-BL-003"""
    backend = CacheBlacklistBackend()

    async def scenario():
        await backend.add("j-async", expires_at=FAR)
        return (
            await backend.is_blacklisted("j-async"),
            await backend.ais_blacklisted("j-async"),
            await backend.is_blacklisted("unknown"),
            await backend.ais_blacklisted("unknown"),
        )

    assert run(scenario) == (True, True, False, False)


def test_cache_sync_round_trip():
    """A-BL-004"""
    backend = CacheBlacklistBackend()
    backend.blacklist("j-sync", expires_at=FAR)
    assert backend._is_blacklisted_sync("j-sync") is True
    assert backend._is_blacklisted_sync("other") is False


def test_cache_key():
    """A-BL-005"""
    CacheBlacklistBackend().blacklist("j-key", expires_at=FAR)
    assert caches["default"].get("restflow:jwt:bl:j-key") is True


def _ttl(key: str) -> float:
    cache = caches["default"]
    return cache._expire_info[cache.make_key(key)] - time.time()


def test_cache_ttl():
    """A-BL-006"""
    backend = CacheBlacklistBackend()
    backend.blacklist("j-ttl", expires_at=int(time.time()) + 120)
    assert 118 <= _ttl("restflow:jwt:bl:j-ttl") <= 121
    backend.blacklist("j-old", expires_at=int(time.time()) - 50)
    assert 0 < _ttl("restflow:jwt:bl:j-old") <= 1.01


def test_cache_ttl_includes_leeway():
    """A-BL-007 (W-01): a revoked token stays revoked while LEEWAY still accepts it"""
    with jwt_settings(LEEWAY=60):
        backend = CacheBlacklistBackend()
        backend.blacklist("j-leeway", expires_at=int(time.time()) - 5)
        assert 53 <= _ttl("restflow:jwt:bl:j-leeway") <= 56
        time.sleep(2)
        assert backend._is_blacklisted_sync("j-leeway") is True


@pytest.mark.parametrize(
    "backend_path",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_local_cache_refused_unless_opted_in(backend_path):
    """A-BL-008 A-JAUTH-022 (W-14)"""
    caches_setting = {"default": {"BACKEND": backend_path}}
    with override_settings(CACHES=caches_setting), jwt_settings(BLACKLIST_ALLOW_LOCMEM=False):
        backend = CacheBlacklistBackend()
        name = backend_path.rsplit(".", 1)[1]
        calls = [
            lambda: backend.blacklist("j", expires_at=FAR),
            lambda: backend._is_blacklisted_sync("j"),
            lambda: run(backend.add, "j", expires_at=FAR),
            lambda: run(backend.ablacklist, "j", expires_at=FAR),
            lambda: run(backend.is_blacklisted, "j"),
        ]
        for call in calls:
            with pytest.raises(ImproperlyConfigured, match=name) as info:
                call()
        assert str(info.value) == (
            f"CacheBlacklistBackend cannot use '{backend_path}' because the cache is "
            "per-process. Tokens revoked on one worker will still be valid on other workers. "
            "Use Redis, Memcached, or another cross-process cache, or set "
            "RESTFLOW_SETTINGS['JWT']['BLACKLIST_ALLOW_LOCMEM']=True to opt in."
        )
    with override_settings(CACHES=caches_setting), jwt_settings(BLACKLIST_ALLOW_LOCMEM=True):
        CacheBlacklistBackend().blacklist("j", expires_at=FAR)


# -- model backend ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_add_creates_row():
    """A-BL-009"""
    run(ModelBlacklistBackend().add, "j-row", expires_at=FAR)
    row = BlacklistedToken.objects.get(jti="j-row")
    assert row.expires_at == datetime.fromtimestamp(FAR, tz=timezone.utc)


@pytest.mark.django_db
def test_model_reads():
    """A-BL-010"""
    BlacklistedToken.objects.create(jti="j-here", expires_at=datetime.now(tz=timezone.utc))
    backend = ModelBlacklistBackend()
    assert backend._is_blacklisted_sync("j-here") is True
    assert backend._is_blacklisted_sync("nope") is False
    assert run(backend.is_blacklisted, "j-here") is True
    assert run(backend.ais_blacklisted, "j-here") is True
    assert run(backend.is_blacklisted, "nope") is False


@pytest.mark.django_db
def test_model_idempotent():
    """A-BL-011"""
    backend = ModelBlacklistBackend()
    backend.blacklist("j-twice", expires_at=FAR)
    run(backend.add, "j-twice", expires_at=1000)
    backend.blacklist("j-twice", expires_at=5)
    rows = BlacklistedToken.objects.filter(jti="j-twice")
    assert rows.count() == 1
    assert rows.get().expires_at == datetime.fromtimestamp(FAR, tz=timezone.utc)


def test_model_backend_without_app():
    """W-20: a clear ImproperlyConfigured, not a DB error"""
    real = apps.is_installed
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            apps, "is_installed", lambda name: name != "restflow.authentication" and real(name)
        )
        with pytest.raises(ImproperlyConfigured, match=r"restflow\.authentication.*migrate"):
            ModelBlacklistBackend()._is_blacklisted_sync("j")


# -- facade ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [None, MODEL])
def test_facade_round_trip(path):
    """A-BL-012"""
    overrides = {"BLACKLIST_BACKEND": path} if path else {}
    with jwt_settings(**overrides):
        ATokenBlacklist.blacklist("f-sync", expires_at=FAR)
        run(ATokenBlacklist.add, "f-add", expires_at=FAR)
        run(ATokenBlacklist.ablacklist, "f-ablacklist", expires_at=FAR)
        for jti in ("f-sync", "f-add", "f-ablacklist"):
            assert ATokenBlacklist._sync_is_blacklisted(jti) is True
            assert run(ATokenBlacklist.is_blacklisted, jti) is True
            assert run(ATokenBlacklist.ais_blacklisted, jti) is True
        assert ATokenBlacklist._sync_is_blacklisted("f-none") is False
        assert run(ATokenBlacklist.is_blacklisted, "f-none") is False


class Exploding(BlacklistBackend):
    def _is_blacklisted_sync(self, jti):
        raise AssertionError("backend touched")

    async def is_blacklisted(self, jti):
        raise AssertionError("backend touched")


def test_facade_empty_jti_skips_backend():
    """A-BL-013"""
    with jwt_settings(BLACKLIST_BACKEND=Exploding()):
        assert ATokenBlacklist._sync_is_blacklisted("") is False
        assert run(ATokenBlacklist.is_blacklisted, "") is False
        assert run(ATokenBlacklist.ais_blacklisted, "") is False


@pytest.mark.django_db
def test_switch_to_model_backend():
    """A-BL-014"""
    with jwt_settings(BLACKLIST_BACKEND=MODEL):
        run(ATokenBlacklist.add, "switched", expires_at=FAR)
    assert BlacklistedToken.objects.filter(jti="switched").exists()
    assert caches["default"].get("restflow:jwt:bl:switched") is None


class AddAndIsBlacklisted(BlacklistBackend):
    def __init__(self):
        self.store = set()

    async def add(self, jti, *, expires_at):
        self.store.add(jti)

    async def is_blacklisted(self, jti):
        return jti in self.store


class AblacklistAndIsBlacklisted(AddAndIsBlacklisted):
    add = BlacklistBackend.add

    async def ablacklist(self, jti, *, expires_at):
        self.store.add(jti)


class SyncOnly(BlacklistBackend):
    def __init__(self):
        self.store = set()

    def blacklist(self, jti, *, expires_at):
        self.store.add(jti)

    def _is_blacklisted_sync(self, jti):
        return jti in self.store


class PlainDefIsBlacklisted(SyncOnly):
    def is_blacklisted(self, jti):  # wrongly sync: the facade still copes (W-17)
        return jti in self.store


class AisOnly(SyncOnly):
    async def ais_blacklisted(self, jti):
        return jti in self.store


def test_custom_async_backends():
    """A-BL-015 (W-17)"""
    backend = AddAndIsBlacklisted()
    with jwt_settings(BLACKLIST_BACKEND=backend):
        run(ATokenBlacklist.add, "c1", expires_at=FAR)
        assert run(ATokenBlacklist.is_blacklisted, "c1") is True
        assert run(ATokenBlacklist.is_blacklisted, "c2") is False
    other = AblacklistAndIsBlacklisted()
    run(other.add, "c3", expires_at=FAR)
    assert run(other.ais_blacklisted, "c3") is True
    assert other._is_blacklisted_sync("c3") is True  # sync fallback through the async reader
    other.blacklist("c4", expires_at=FAR)
    assert "c4" in other.store


def test_custom_backend_fallbacks_both_ways(user_model_user):
    """A-BL-016 (W-17): async-only backend on the sync path, sync-only on the async path"""
    from restflow.authentication.jwt import AccessToken, JWTAuthentication
    from tests.auth.helpers import bearer

    for backend in (AddAndIsBlacklisted(), SyncOnly(), PlainDefIsBlacklisted(), AisOnly()):
        with jwt_settings(BLACKLIST_BACKEND=backend):
            token = AccessToken.for_user(user_model_user)
            auth = JWTAuthentication()
            assert auth.authenticate(bearer(token))[0] == user_model_user
            assert run(auth.aauthenticate, bearer(token))[0] == user_model_user
            ATokenBlacklist.blacklist(token.jti, expires_at=token.exp)
            assert run(ATokenBlacklist.is_blacklisted, token.jti) is True
            with pytest.raises(Exception, match=r"^Token has been blacklisted\.$"):
                auth.authenticate(bearer(token))
            with pytest.raises(Exception, match=r"^Token has been blacklisted\.$"):
                run(auth.aauthenticate, bearer(token))


def test_incomplete_backend_explains():
    """W-17: a backend implementing nothing says what to implement"""
    backend = BlacklistBackend()
    with pytest.raises(NotImplementedError, match=r"blacklist"):
        backend.blacklist("j", expires_at=FAR)
    with pytest.raises(NotImplementedError, match=r"is_blacklisted"):
        backend._is_blacklisted_sync("j")
    with pytest.raises(NotImplementedError):
        run(backend.is_blacklisted, "j")
    with pytest.raises(NotImplementedError):
        run(backend.ablacklist, "j", expires_at=FAR)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [None, MODEL])
def test_refresh_token_blacklist_methods(path):
    """A-BL-017"""
    overrides = {"BLACKLIST_BACKEND": path} if path else {}
    with jwt_settings(BLACKLIST_ENABLED=False, **overrides):
        one, two = RefreshToken.for_user(USER), RefreshToken.for_user(USER)
        one.blacklist()
        run(two.ablacklist)
        assert ATokenBlacklist._sync_is_blacklisted(one.jti) is True
        assert run(ATokenBlacklist.is_blacklisted, two.jti) is True


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [CacheBlacklistBackend, ModelBlacklistBackend, SyncOnly])
def test_claim_once(backend):
    """A-BL-018 (W-02)"""
    instance = backend()
    assert run(instance.aclaim, "claim-a", expires_at=FAR) is True
    assert run(instance.aclaim, "claim-a", expires_at=FAR) is False
    assert instance.claim("claim-b", expires_at=FAR) is True
    assert instance.claim("claim-b", expires_at=FAR) is False
    assert instance._is_blacklisted_sync("claim-a") is True


# -- model and migration ---------------------------------------------------------------------


def test_app_config():
    """A-MODEL-001"""
    assert AuthenticationConfig.name == "restflow.authentication"
    assert AuthenticationConfig.label == "restflow_authentication"
    config = apps.get_app_config("restflow_authentication")
    assert isinstance(config, AuthenticationConfig)
    assert config.verbose_name == "Restflow Authentication"


def test_model_meta():
    """A-MODEL-002: indexed unique jti, no raw token column. W-19 (kept as the contract's
    0001 migration: AutoField; documented in docs/auth.md)"""
    meta = BlacklistedToken._meta
    assert meta.db_table == "restflow_authentication_blacklistedtoken"
    jti = meta.get_field("jti")
    assert jti.unique and jti.max_length == 128
    indexes = [(i.name, i.fields) for i in meta.indexes]
    assert indexes == [("restflow_au_expires_idx", ["expires_at"])]
    assert {f.name for f in meta.get_fields()} == {"id", "jti", "expires_at", "created_at"}
    assert meta.ordering == []
    assert type(meta.pk).__name__ == "AutoField"


@pytest.mark.django_db
def test_no_missing_migrations():
    """A-MODEL-003"""
    out = io.StringIO()
    call_command("makemigrations", "restflow_authentication", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_str():
    """A-MODEL-004"""
    row = BlacklistedToken(jti="abc", expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert str(row) == "BlacklistedToken(jti=abc, expires_at=2030-01-01 00:00:00+00:00)"


def _row(jti: str, delta: timedelta) -> None:
    BlacklistedToken.objects.create(jti=jti, expires_at=datetime.now(tz=timezone.utc) + delta)


@pytest.mark.django_db
def test_cleanup_expired():
    """A-MODEL-005"""
    _row("past", timedelta(hours=-1))
    _row("future", timedelta(hours=1))
    assert BlacklistedToken.cleanup_expired() == 1
    assert list(BlacklistedToken.objects.values_list("jti", flat=True)) == ["future"]


@pytest.mark.django_db
def test_acleanup_expired():
    """A-MODEL-006"""
    _row("p1", timedelta(hours=-1))
    _row("p2", timedelta(minutes=-1))
    _row("f1", timedelta(hours=1))
    assert run(BlacklistedToken.acleanup_expired) == 2


@pytest.mark.django_db
def test_cleanup_respects_leeway():
    """A-MODEL-007 (W-01)"""
    _row("recent", timedelta(seconds=-10))
    with jwt_settings(LEEWAY=60):
        assert BlacklistedToken.cleanup_expired() == 0
    assert BlacklistedToken.cleanup_expired() == 1


@pytest.mark.django_db
def test_prune_command():
    """management command prunes expired rows"""
    _row("old", timedelta(hours=-1))
    _row("new", timedelta(hours=1))
    out = io.StringIO()
    call_command("prune_blacklisted_tokens", stdout=out)
    assert "Deleted 1 expired" in out.getvalue()
    assert list(BlacklistedToken.objects.values_list("jti", flat=True)) == ["new"]
