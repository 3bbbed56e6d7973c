"""Startup checks (§1.15, W-09, W-14, W-16, W-20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core import checks
from django.test import override_settings

from restflow.authentication.checks import check_jwt_settings, jwt_in_use
from tests.auth.helpers import KEY

REDIS_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"},
}


def ids(**jwt):
    with override_settings(RESTFLOW_SETTINGS={"JWT": jwt}, CACHES=REDIS_CACHES):
        return sorted(m.id for m in check_jwt_settings())


GOOD = {"SIGNING_KEY": KEY, "BLACKLIST_CACHE_ALIAS": "shared"}


def test_clean_configuration():
    """§1.15: a correct configuration passes"""
    assert ids(**GOOD) == []


def test_registered_and_tagged_security():
    """§1.15: registered by AuthenticationConfig.ready() under the security tag"""
    assert check_jwt_settings in checks.registry.registry.get_checks()
    with override_settings(
        RESTFLOW_SETTINGS={"JWT": {"BLACKLIST_CACHE_ALIAS": "shared"}}, CACHES=REDIS_CACHES
    ):
        found = checks.run_checks(tags=[checks.Tags.security])
    assert "restflow_auth.E001" in {m.id for m in found}


def test_missing_signing_key():
    """W-09 E001"""
    assert ids(BLACKLIST_CACHE_ALIAS="shared", SIGNING_KEY=None) == ["restflow_auth.E001"]


@pytest.mark.parametrize("algorithm", ["none", "HS999", "hs256"])
def test_bad_algorithm(algorithm):
    """W-09 E002"""
    assert ids(**GOOD, ALGORITHM=algorithm) == ["restflow_auth.E002"]


def test_key_shape():
    """W-08 E003: PEM under HMAC; asymmetric algorithm without a usable key"""
    pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
    assert ids(**{**GOOD, "SIGNING_KEY": pem}) == ["restflow_auth.E003"]
    assert ids(**GOOD, ALGORITHM="RS256") == ["restflow_auth.E003"]
    assert ids(**GOOD, ALGORITHM="ES256", VERIFYING_KEY="not a key") == ["restflow_auth.E003"]


def test_user_id_field():
    """W-16 E004"""
    assert ids(**GOOD, USER_ID_FIELD="password") == ["restflow_auth.E004"]


def test_locmem_blacklist():
    """W-14 E005: per-process cache without opt-in; fine when opted in or disabled"""
    assert ids(SIGNING_KEY=KEY) == ["restflow_auth.E005"]
    assert ids(SIGNING_KEY=KEY, BLACKLIST_ALLOW_LOCMEM=True) == []
    assert ids(SIGNING_KEY=KEY, BLACKLIST_ENABLED=False) == []
    assert ids(SIGNING_KEY=KEY, BLACKLIST_CACHE_ALIAS="missing") == ["restflow_auth.E005"]


def test_model_backend_without_app(monkeypatch):
    """W-20 E006"""
    model = "restflow.authentication.jwt.ModelBlacklistBackend"
    assert ids(SIGNING_KEY=KEY, BLACKLIST_BACKEND=model) == []
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda n: n != "restflow.authentication" and real(n))
    assert ids(SIGNING_KEY=KEY, BLACKLIST_BACKEND=model) == ["restflow_auth.E006"]


def test_unusable_backend():
    """W-35 E007: a blacklist that cannot be loaded fails the check"""
    assert ids(**GOOD, BLACKLIST_BACKEND="no.such.Backend") == ["restflow_auth.E007"]
    assert ids(**GOOD, BLACKLIST_BACKEND=12345) == ["restflow_auth.E007"]
    assert ids(**GOOD, BLACKLIST_BACKEND=12345, BLACKLIST_ENABLED=False) == []


def test_short_secret_and_lifetimes():
    """W001 W002"""
    assert ids(**{**GOOD, "SIGNING_KEY": "short"}) == ["restflow_auth.W001"]
    assert ids(**{**GOOD, "SIGNING_KEY": "x" * 48}, ALGORITHM="HS512") == ["restflow_auth.W001"]
    assert ids(**GOOD, ACCESS_TOKEN_LIFETIME=300) == ["restflow_auth.W002"]
    assert ids(**GOOD, REFRESH_TOKEN_LIFETIME=timedelta(days=1)) == []


def test_only_when_jwt_is_used():
    """§1.15: silent for projects that use neither the JWT section nor JWTAuthentication"""
    with override_settings(RESTFLOW_SETTINGS={}, REST_FRAMEWORK={}):
        assert jwt_in_use() is False
        assert check_jwt_settings() == []
    classes = {"DEFAULT_AUTHENTICATION_CLASSES": ["restflow.authentication.JWTAuthentication"]}
    with override_settings(RESTFLOW_SETTINGS={}, REST_FRAMEWORK=classes):
        assert jwt_in_use() is True
        assert "restflow_auth.E001" in {m.id for m in check_jwt_settings()}
