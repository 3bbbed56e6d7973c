"""Every restflow setting and its default, for every distribution of the family.

restflow-core owns the whole table so that ``restflow_settings.JWT`` and the other sections
resolve whichever distributions are installed; the others read it and never mutate it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

DEFAULTS: dict[str, Any] = {
    "JWT": {
        "SIGNING_KEY": None,
        "VERIFYING_KEY": None,
        "ALGORITHM": "HS256",
        "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
        "ISSUER": None,
        "AUDIENCE": None,
        "USER_ID_CLAIM": "user_id",
        "USER_ID_FIELD": "id",
        "USER_ID_FIELD_ALLOWLIST": ("id", "pk", "uuid", "username", "email"),
        "AUTH_HEADER_TYPES": ("Bearer",),
        "BLACKLIST_ENABLED": True,
        "BLACKLIST_BACKEND": "restflow.authentication.jwt.CacheBlacklistBackend",
        "BLACKLIST_CACHE_ALIAS": "default",
        "BLACKLIST_ALLOW_LOCMEM": False,
        "ROTATE_REFRESH_TOKENS": True,
        "LEEWAY": 0,
        "CHECK_USER_IS_ACTIVE": True,
        "CHECK_REVOKE_TOKEN": False,
        "REVOKE_TOKEN_CLAIM": "hash_password",
        "USER_AUTHENTICATION_RULE": "restflow.authentication.jwt.default_user_authentication_rule",
        "REFRESH_CHECK_USER": True,
    },
    "CACHE_SETTINGS": {
        "MAX_KEY_SUFFIX_LENGTH": 250,
        "HASH_SUFFIX_ON_OVERFLOW": False,
        "KEY_HASH_ALGORITHM": "sha256",
        "DEFAULT_DISPATCHER": "inline",
        "DISPATCHER_RAISE_EXCEPTION": False,
        "DISPATCHER_SETTINGS": {
            "celery": {
                "TASK_NAME": "restflow.caching.tasks.task_run_cache_rules",
                "QUEUE": None,
                "RAISE_EXCEPTION": None,
            },
            "threadpool": {"MAX_WORKERS": 4, "RAISE_EXCEPTION": None},
            "django_rq": {
                "QUEUE": "default",
                "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "dramatiq": {
                "QUEUE": "default",
                "ACTOR_NAME": "restflow.task_run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "django_q": {
                "CLUSTER": None,
                "GROUP": None,
                "FUNCTION_PATH": "restflow.caching.tasks.run_cache_rules",
                "RAISE_EXCEPTION": None,
            },
            "asyncio": {"RAISE_EXCEPTION": None},
            "inline": {"RAISE_EXCEPTION": None},
        },
    },
    "SCHEMA": {
        "FILTER_METHODS": None,
    },
    "FILTERS": {
        "MAX_LIST_ITEMS": 1000,
    },
}
