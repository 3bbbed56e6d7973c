"""Sentinels, statuses and the stored-payload vocabulary.

``CacheStatus`` must stay importable from this exact path: a member can end up pickled
inside stored metadata, and entries written by earlier deployments must unpickle.
"""

from __future__ import annotations

import enum
import sys

__all__ = [
    "CACHED_DATA_METADATA_KEY",
    "CACHED_DATA_VALUE_KEY",
    "CACHE_MISSING",
    "METADATA_CACHED_AT_KEY",
    "METADATA_CACHE_STATUS",
    "METADATA_FRESH_UNTIL_KEY",
    "METADATA_GENERATIONS_KEY",
    "METADATA_RESET_AT_KEY",
    "MISSING_VALUE",
    "CacheStatus",
]


class _Missing:
    """The type of ``CACHE_MISSING``: tells a miss apart from a cached ``None``."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "CACHE_MISSING"

    def __reduce__(self) -> str:
        return "CACHE_MISSING"


CACHE_MISSING = _Missing()
MISSING_VALUE = "__restflow:missing__"

CACHED_DATA_VALUE_KEY = "value"
CACHED_DATA_METADATA_KEY = "metadata"
METADATA_CACHED_AT_KEY = "cached_at"
METADATA_RESET_AT_KEY = "cache_reset_at"
METADATA_CACHE_STATUS = "cache_status"
# [restflow] generation tokens the value was computed under (additive to the metadata).
METADATA_GENERATIONS_KEY = "generations"
# [restflow] monotonic deadline after which an entry is stale (stale-while-revalidate).
METADATA_FRESH_UNTIL_KEY = "fresh_until"

if sys.version_info >= (3, 11):

    class CacheStatus(enum.StrEnum):
        """What happened to a cached call; members equal their string values."""

        HIT = "HIT"
        MISS = "MISS"
        STALE = "STALE"
        BYPASS = "BYPASS"
        REFRESH = "REFRESH"

else:  # pragma: no cover - Python 3.10

    class CacheStatus(str, enum.Enum):
        """What happened to a cached call; members equal their string values."""

        HIT = "HIT"
        MISS = "MISS"
        STALE = "STALE"
        BYPASS = "BYPASS"
        REFRESH = "REFRESH"

        def __str__(self) -> str:
            return str(self.value)
