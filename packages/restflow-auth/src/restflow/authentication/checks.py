"""System checks (tag ``security``): JWT misconfiguration fails ``manage.py check``, not the
first request (W-09, W-14, W-16, W-20)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from restflow.authentication.blacklist import (
    LOCAL_CACHE_BACKEND_PATHS,
    CacheBlacklistBackend,
    ModelBlacklistBackend,
    local_cache_message,
    resolve_token_blacklist_backend,
)
from restflow.authentication.tokens import (
    HMAC_ALGORITHMS,
    TokenConfigurationError,
    jwt_config,
    loaded_verifying_key,
    validate_algorithm,
    validate_signing_key_shape,
    validate_user_id_field,
)

HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


def jwt_in_use() -> bool:
    """JWT is configured or ``JWTAuthentication`` is a default authenticator."""
    user = getattr(settings, "RESTFLOW_SETTINGS", None)
    if isinstance(user, dict) and user.get("JWT"):
        return True
    from restflow.authentication.jwt import JWTAuthentication

    classes = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_AUTHENTICATION_CLASSES", ())
    for entry in classes:
        try:
            cls = import_string(entry) if isinstance(entry, str) else entry
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, JWTAuthentication):
            return True
    return False


def _error(id_: str, msg: str, hint: str | None = None) -> checks.Error:
    return checks.Error(msg, hint=hint, id=f"restflow_auth.{id_}")


def check_jwt_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not jwt_in_use():
        return []
    config = jwt_config()
    found: list[checks.CheckMessage] = []
    found += _check_keys(config)
    try:
        validate_user_id_field(config.USER_ID_FIELD, config.USER_ID_FIELD_ALLOWLIST)
    except TokenConfigurationError as exc:
        found.append(_error("E004", str(exc)))
    found += _check_blacklist(config)
    for name in ("ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME"):
        if not isinstance(getattr(config, name), timedelta):
            found.append(
                checks.Warning(
                    f"RESTFLOW_SETTINGS['JWT']['{name}'] is not a datetime.timedelta.",
                    hint="Use e.g. timedelta(minutes=5).",
                    id="restflow_auth.W002",
                )
            )
    return found


def _check_keys(config: Any) -> list[checks.CheckMessage]:
    if config.SIGNING_KEY is None:
        return [
            _error(
                "E001",
                "RESTFLOW_SETTINGS['JWT']['SIGNING_KEY'] is not set.",
                "Set a random secret (e.g. secrets.token_urlsafe(64)) or a PEM private key.",
            )
        ]
    algorithm = config.ALGORITHM
    try:
        validate_algorithm(algorithm)
    except TokenConfigurationError as exc:
        return [_error("E002", str(exc))]
    try:
        validate_signing_key_shape(algorithm, config.SIGNING_KEY)
        loaded_verifying_key()
    except TokenConfigurationError as exc:
        return [_error("E003", str(exc))]
    key = config.SIGNING_KEY
    if algorithm in HMAC_ALGORITHMS:
        size = len(key.encode() if isinstance(key, str) else key)
        if size < HMAC_MIN_BYTES[algorithm]:
            return [
                checks.Warning(
                    f"RESTFLOW_SETTINGS['JWT']['SIGNING_KEY'] is {size} bytes, shorter than "
                    f"the {HMAC_MIN_BYTES[algorithm]}-byte digest of {algorithm}.",
                    hint="Use secrets.token_urlsafe(64).",
                    id="restflow_auth.W001",
                )
            ]
    return []


def _check_blacklist(config: Any) -> list[checks.CheckMessage]:
    if not config.BLACKLIST_ENABLED:
        return []
    try:
        backend = resolve_token_blacklist_backend(config.BLACKLIST_BACKEND)
    except (ImportError, TokenConfigurationError) as exc:
        return [
            _error(
                "E007",
                f"RESTFLOW_SETTINGS['JWT']['BLACKLIST_BACKEND'] cannot be loaded: {exc}",
                "Point it at a BlacklistBackend, or set BLACKLIST_ENABLED=False.",
            )
        ]
    if isinstance(backend, CacheBlacklistBackend):
        return _check_cache(config)
    if isinstance(backend, ModelBlacklistBackend) and not apps.is_installed(
        "restflow.authentication"
    ):
        return [
            _error(
                "E006",
                "ModelBlacklistBackend needs 'restflow.authentication' in INSTALLED_APPS.",
                "Add the app and run `manage.py migrate`.",
            )
        ]
    return []


def _check_cache(config: Any) -> list[checks.CheckMessage]:
    alias = config.BLACKLIST_CACHE_ALIAS
    caches_setting = getattr(settings, "CACHES", {})
    if alias not in caches_setting:
        return [
            _error(
                "E005",
                f"RESTFLOW_SETTINGS['JWT']['BLACKLIST_CACHE_ALIAS']={alias!r} is not in CACHES.",
            )
        ]
    path = caches_setting[alias].get("BACKEND", "")
    if path in LOCAL_CACHE_BACKEND_PATHS and not config.BLACKLIST_ALLOW_LOCMEM:
        return [
            _error(
                "E005",
                local_cache_message(path),
                "Point BLACKLIST_CACHE_ALIAS at a shared cache (Redis), use "
                "ModelBlacklistBackend, or set BLACKLIST_ENABLED=False.",
            )
        ]
    return []


def register() -> None:
    checks.register(check_jwt_settings, checks.Tags.security)


__all__ = ["check_jwt_settings", "jwt_in_use", "register"]
